"""Token-bucket rate limiting per key, as the venues document their limits."""

from __future__ import annotations

import threading
from collections.abc import Callable

from venuekit.sandbox._config import RateLimit

__all__ = ["TokenBuckets"]


class TokenBuckets:
    """One token bucket per key, all with the same rate and burst, on an injectable clock.

    A bucket starts full (``burst`` tokens) and refills at ``rate`` tokens per second; a request
    takes one token or is refused.

    Example:
        >>> now = [0.0]
        >>> buckets = TokenBuckets(RateLimit(rate=1, burst=2), clock=lambda: now[0])
        >>> [buckets.take("k") for _ in range(3)]
        [True, True, False]
        >>> now[0] = 1.0
        >>> buckets.take("k")
        True
    """

    def __init__(self, limit: RateLimit, *, clock: Callable[[], float]) -> None:
        self._limit = limit
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, last refill time)

    def take(self, key: str) -> bool:
        """Take one token from ``key``'s bucket; return False when the bucket is empty."""
        now = self._clock()
        burst = float(self._limit.burst)
        with self._lock:
            tokens, last = self._buckets.get(key, (burst, now))
            tokens = min(burst, tokens + max(0.0, now - last) * self._limit.rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                return False
            self._buckets[key] = (tokens - 1.0, now)
            return True
