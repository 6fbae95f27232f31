"""Client-side pacing: token buckets per (venue, credential), shared by every call of a client.

``TokenBucket`` hands out *reservations*: ``reserve()`` books the next free slot and returns how
long the caller must wait for it, so concurrent callers (threads or tasks) get successive slots
and nobody spins. It is the GCRA form of a token bucket (``rate`` tokens per second, ``burst``
tokens at most, starting full), which is what the venues document and the sandbox enforces.

``RateLimiter`` keeps one bucket per ``(venue, credential key)``, built lazily from the venue's
``RateLimit``; a client holds one limiter, so single cancels, retries and ``cancel_many`` all
draw from the same buckets. Call ``acquire`` (or ``await acquire_async``) before every attempt.

Safety margin. The venue's bucket counts requests when they *arrive*; ours when they leave. If
one request is delayed more than the next, the venue sees them closer together than we sent
them, and an exact copy of its bucket would earn a 429. So the limiter paces every venue
``RATE_LIMIT_RATE_MARGIN`` (5 %) below its documented rate and keeps ``ceil(rate *
RATE_LIMIT_JITTER_ALLOWANCE)`` tokens (0.1 s worth) of the documented burst in reserve: with
these numbers the client's own pacing cannot cause a 429 unless delays vary by more than
0.1 s. Exchange: 14.25/s, burst 28 (documented 15/s, burst 30); INTX: 38/s, burst 36 (40/s);
Loopring: 4.75/s, burst 4 (5/s). ``safety_margin=False`` uses the numbers as given.

Example::

    limiter = RateLimiter()
    limiter.acquire("coinbase_exchange", api_key)          # sync: may time.sleep
    await limiter.acquire_async("coinbase_exchange", api_key)  # async: may anyio.sleep
"""

from __future__ import annotations

import hashlib
import hmac
import math
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Protocol

import anyio
import attrs

from venuekit._constants import (
    RATE_LIMIT_JITTER_ALLOWANCE,
    RATE_LIMIT_RATE_MARGIN,
)
from venuekit._secret import Secret

__all__ = [
    "Bucket",
    "InProcessBudget",
    "RateBudget",
    "RateLimit",
    "RateLimiter",
    "TokenBucket",
    "key_id",
]


def _check_rate(rate: float) -> None:
    if isinstance(rate, bool) or not (math.isfinite(rate) and rate > 0):
        raise ValueError(f"rate must be a finite number > 0 (requests per second), got {rate!r}")


def _check_burst(burst: int) -> None:
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
        _check_rate(rate)
        _check_burst(burst)
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
        return go - now

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


@attrs.frozen(kw_only=True)
class RateLimit:
    """A venue's documented limit: ``rate`` requests per second, bursts of up to ``burst``.

    >>> RateLimit(rate=15, burst=30).with_safety_margin()
    RateLimit(rate=14.25, burst=28)
    """

    rate: float
    burst: int

    def __attrs_post_init__(self) -> None:
        _check_rate(self.rate)
        _check_burst(self.burst)

    def with_safety_margin(
        self,
        *,
        rate_margin: float = RATE_LIMIT_RATE_MARGIN,
        jitter_allowance: float = RATE_LIMIT_JITTER_ALLOWANCE,
    ) -> RateLimit:
        """The limit the client paces at: ``rate_margin`` slower, ``rate * jitter`` fewer burst."""
        reserve = math.ceil(self.rate * jitter_allowance)
        return RateLimit(rate=self.rate * (1.0 - rate_margin), burst=max(1, self.burst - reserve))


def _documented_limits() -> dict[str, RateLimit | None]:
    """The registry's documented limits, by venue value (read lazily: the registry imports us)."""
    from venuekit._venues import REGISTRY

    return {venue.value: spec.rate_limit for venue, spec in REGISTRY.items()}


class RateLimiter:
    """One ``TokenBucket`` per (venue, credential key), created on first use and then shared.

    Arguments:
        limits: per-venue overrides of ``DEFAULT_RATE_LIMITS``, keyed by venue value; ``None``
            turns pacing off for that venue. Venues not named keep their default.
        safety_margin: pace below each limit (see the module docstring); ``False`` paces at
            exactly the numbers given.
        clock: monotonic seconds, shared by all buckets.

    The credential key is the API key (an identifier, not a secret); it is never logged.

        >>> limiter = RateLimiter(limits={"loopring": None})
        >>> limiter.bucket("coinbase_exchange", "key-1") is limiter.bucket("coinbase_exchange", "key-1")
        True
        >>> limiter.bucket("loopring", "key-1") is None
        True
    """

    def __init__(
        self,
        limits: Mapping[str, RateLimit | None] | None = None,
        *,
        safety_margin: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        merged: dict[str, RateLimit | None] = _documented_limits()
        for venue, limit in (limits or {}).items():
            if venue not in merged:
                known = ", ".join(sorted(merged))
                raise ValueError(f"unknown venue {venue!r} in rate limits (known: {known})")
            if limit is not None and not isinstance(limit, RateLimit):
                raise TypeError(f"rate limit for {venue!r} must be a RateLimit or None")
            merged[str(venue)] = limit
        if safety_margin:
            merged = {
                v: None if lim is None else lim.with_safety_margin() for v, lim in merged.items()
            }
        #: The limits actually paced at, per venue (after the safety margin); ``None``: off.
        self.limits: Mapping[str, RateLimit | None] = MappingProxyType(merged)
        self._clock = clock
        self._buckets: dict[tuple[str, str], TokenBucket] = {}
        self._lock = threading.Lock()

    @classmethod
    def disabled(cls) -> RateLimiter:
        """A limiter that never waits, on any venue.

        >>> RateLimiter.disabled().reserve("loopring", "k")
        0.0
        """
        return cls(limits=dict.fromkeys(_documented_limits()))

    def bucket(self, venue: str, key: str) -> TokenBucket | None:
        """The shared bucket for ``(venue, key)``; ``None`` when pacing is off for ``venue``."""
        venue = str(venue)
        if venue not in self.limits:
            raise ValueError(f"unknown venue {venue!r}")
        limit = self.limits[venue]
        if limit is None:
            return None
        with self._lock:
            bucket = self._buckets.get((venue, key))
            if bucket is None:
                bucket = TokenBucket(limit.rate, limit.burst, clock=self._clock)
                self._buckets[(venue, key)] = bucket
        return bucket

    def reserve(self, venue: str, key: str) -> float:
        """Book a slot on ``(venue, key)``'s bucket; return the seconds to wait (0 when off)."""
        bucket = self.bucket(venue, key)
        return 0.0 if bucket is None else bucket.reserve()

    def pause(self, venue: str, key: str, seconds: float) -> None:
        """Hold every later request on ``(venue, key)`` for ``seconds`` (no-op when off)."""
        bucket = self.bucket(venue, key)
        if bucket is not None:
            bucket.pause(seconds)

    def acquire(
        self, venue: str, key: str, *, sleep: Callable[[float], object] = time.sleep
    ) -> float:
        """Wait (``time.sleep``) for a slot on ``(venue, key)``; return the seconds waited."""
        wait = self.reserve(venue, key)
        if wait > 0:
            sleep(wait)
        return wait

    async def acquire_async(
        self, venue: str, key: str, *, sleep: Callable[[float], Awaitable[object]] = anyio.sleep
    ) -> float:
        """Wait (``await anyio.sleep``) for a slot on ``(venue, key)``; return seconds waited."""
        wait = self.reserve(venue, key)
        if wait > 0:
            await sleep(wait)
        return wait


@attrs.frozen
class Bucket:
    """One shared budget: a venue, a hashed key id (never the key) and the limit paced at."""

    venue: str
    key_id: str
    limit: RateLimit


def key_id(api_key: str, secrets: Iterable[Secret[str]]) -> str:
    """A stable id for a key that reveals neither it nor its secrets: an HMAC of the key, keyed
    with its secrets (the same in every process that holds the same credentials).

    >>> s = [Secret("s")]
    >>> key_id("key-1", s) == key_id("key-1", s) != key_id("key-2", s)
    True
    """
    return hmac.new(
        "\x00".join(sorted(secret.reveal() for secret in secrets)).encode("utf-8", "surrogatepass"),
        api_key.encode("utf-8", "surrogatepass"),
        hashlib.sha256,
    ).hexdigest()[:32]


class RateBudget(Protocol):
    """Where the engine books rate-limit slots; in-process or shared through a store.

    Example: ``wait = budget.reserve(bucket, timeout=2.0)``
    """

    def reserve(self, bucket: Bucket, *, timeout: float | None = None) -> float:
        """Book a slot on ``bucket``; return the seconds to wait before using it."""
        ...

    async def reserve_async(self, bucket: Bucket, *, timeout: float | None = None) -> float:  # noqa: ASYNC109
        """``reserve`` for async code."""
        ...

    def pause(self, bucket: Bucket, seconds: float) -> None:
        """Book nothing on ``bucket`` for ``seconds`` (after a 429)."""
        ...

    async def pause_async(self, bucket: Bucket, seconds: float) -> None:
        """``pause`` for async code."""
        ...


class InProcessBudget:
    """A ``RateBudget`` kept in this process: one ``TokenBucket`` per ``Bucket``.

    >>> budget = InProcessBudget()
    >>> budget.reserve(Bucket("loopring", "k", RateLimit(rate=1, burst=1)))
    0.0
    """

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._buckets: dict[Bucket, TokenBucket] = {}
        self._lock = threading.Lock()

    def _bucket(self, bucket: Bucket) -> TokenBucket:
        with self._lock:
            found = self._buckets.get(bucket)
            if found is None:
                found = TokenBucket(bucket.limit.rate, bucket.limit.burst, clock=self._clock)
                self._buckets[bucket] = found
            return found

    def reserve(self, bucket: Bucket, *, timeout: float | None = None) -> float:
        """Book a slot; seconds to wait (never blocks)."""
        return self._bucket(bucket).reserve()

    async def reserve_async(self, bucket: Bucket, *, timeout: float | None = None) -> float:  # noqa: ASYNC109
        """Book a slot; seconds to wait (never blocks)."""
        return self._bucket(bucket).reserve()

    def pause(self, bucket: Bucket, seconds: float) -> None:
        """Hold the bucket for ``seconds``."""
        self._bucket(bucket).pause(seconds)

    async def pause_async(self, bucket: Bucket, seconds: float) -> None:
        """Hold the bucket for ``seconds``."""
        self._bucket(bucket).pause(seconds)
