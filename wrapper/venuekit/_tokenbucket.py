"""A thread-safe token bucket that books slots (GCRA), the arithmetic under every budget.

``TokenBucket`` hands out *reservations*: ``reserve()`` books the next free slot and returns how
long the caller must wait for it, so concurrent callers (threads or tasks) get successive slots
and nobody spins. It is the GCRA form of a token bucket (``rate`` tokens per second, ``burst``
tokens at most, starting full), which is what the venues document and the sandbox enforces. The
shared budget (``venuekit._ratelimit_store``) runs the same arithmetic in a Lua script.

Example::

    bucket = TokenBucket(rate=15, burst=30)
    time.sleep(bucket.reserve())
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Awaitable, Callable

import anyio

__all__ = ["TokenBucket", "check_burst", "check_rate"]

#: A wait shorter than this (seconds) is rounding in the sum of intervals, not pacing.
_NEGLIGIBLE_WAIT = 1e-9


def check_rate(rate: float) -> None:
    """Raise ``ValueError`` unless ``rate`` is a finite number > 0 (requests per second)."""
    if isinstance(rate, bool) or not (math.isfinite(rate) and rate > 0):
        raise ValueError(f"rate must be a finite number > 0 (requests per second), got {rate!r}")


def check_burst(burst: int) -> None:
    """Raise ``ValueError`` unless ``burst`` is an int >= 1."""
    if isinstance(burst, bool) or not isinstance(burst, int) or burst < 1:
        raise ValueError(f"burst must be an int >= 1, got {burst!r}")


class TokenBucket:
    """A thread-safe token bucket that books slots: ``reserve()`` says how long to wait.

    ``rate`` tokens per second refill a bucket of ``burst`` tokens that starts full. ``clock``
    is monotonic seconds. Only the arithmetic runs under the lock; waiting happens outside it.

        >>> now = 0.0
        >>> bucket = TokenBucket(rate=2, burst=2, clock=lambda: now)
        >>> [bucket.reserve() for _ in range(4)]
        [0.0, 0.0, 0.5, 1.0]
    """

    def __init__(
        self, rate: float, burst: int, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        check_rate(rate)
        check_burst(burst)
        self.rate = float(rate)
        self.burst = burst
        self._clock = clock
        self._interval = 1.0 / self.rate
        # GCRA: a request at ``now`` may go once ``now >= tat - tolerance``.
        self._tolerance = (burst - 1) * self._interval
        self._tat: float | None = None  # theoretical arrival time of the next request
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"TokenBucket(rate={self.rate!r}, burst={self.burst!r})"

    def reserve(self, now: float | None = None) -> float:
        """Book the next slot; return the seconds to wait before using it (``0.0``: go now).

        Every call books a slot, so call it once per request. ``now`` defaults to the clock.

            >>> TokenBucket(rate=1, burst=1, clock=lambda: 5.0).reserve()
            0.0
        """
        if now is None:
            now = self._clock()
        with self._lock:
            tat = now if self._tat is None else max(self._tat, now)
            go = max(now, tat - self._tolerance)
            self._tat = tat + self._interval
        wait = go - now
        # Sums of intervals drift by ulps: a slot due "now" must not come back as a 4e-16 s wait.
        return wait if wait > _NEGLIGIBLE_WAIT else 0.0

    def pause(self, seconds: float, *, now: float | None = None) -> None:
        """Book no slot earlier than ``seconds`` from now (e.g. after the venue answered 429).

        Later reservations resume at ``rate`` with no burst, so a throttled key recovers gently.

            >>> bucket = TokenBucket(rate=10, burst=10, clock=lambda: 0.0)
            >>> bucket.pause(2.0)
            >>> bucket.reserve()
            2.0
        """
        if not (math.isfinite(seconds) and seconds >= 0):
            raise ValueError(f"seconds must be a finite number >= 0, got {seconds!r}")
        if now is None:
            now = self._clock()
        with self._lock:
            floor = now + seconds + self._tolerance
            self._tat = floor if self._tat is None else max(self._tat, floor)

    def acquire(self, *, sleep: Callable[[float], object] = time.sleep) -> float:
        """Reserve a slot and sleep until it comes; return the seconds waited.

        >>> TokenBucket(rate=1, burst=1).acquire()
        0.0
        """
        wait = self.reserve()
        if wait > 0:
            sleep(wait)
        return wait

    async def acquire_async(
        self, *, sleep: Callable[[float], Awaitable[object]] = anyio.sleep
    ) -> float:
        """Reserve a slot and ``await anyio.sleep`` until it comes; return the seconds waited.

        The slot is booked before the first ``await``, so tasks get successive slots. A task
        cancelled while waiting leaves its slot unused (the pacing only gets more careful).

            >>> anyio.run(TokenBucket(rate=1, burst=1).acquire_async)
            0.0
        """
        wait = self.reserve()
        if wait > 0:
            await sleep(wait)
        return wait
