"""Client-side pacing: token buckets per (venue, credential), shared by every call of a client.

``TokenBucket`` (in ``venuekit._tokenbucket``, re-exported here) hands out *reservations*:
``reserve()`` books the next free slot and says how long to wait for it (GCRA).

``RateLimiter`` keeps one bucket per ``(venue, credential key)``, built lazily from the venue's
``RateLimit``; a client holds one limiter, so single cancels, retries and ``cancel_many`` all
draw from the same buckets. Call ``acquire`` (or ``await acquire_async``) before every attempt.

Safety margin. The venue's bucket counts requests when they *arrive*; ours when they leave. If
one request is delayed more than the next, the venue sees them closer together than we sent
them, and an exact copy of its bucket would earn a 429. So the limiter paces every venue
``RATE_LIMIT_RATE_MARGIN`` (2 %) below its documented rate and keeps ``ceil(rate *
RATE_LIMIT_JITTER_ALLOWANCE)`` tokens (0.1 s worth) of the documented burst in reserve: with
these numbers the client's own pacing cannot cause a 429 unless delays vary by more than
0.1 s: a documented 15/s with bursts of 30 is paced at 14.7/s, burst 28; 40/s at 39.2/s, burst
36; 5/s at 4.9/s, burst 4. ``safety_margin=False`` uses the numbers as given.

One interface for every budget: the engine paces through a ``RateBudget``. ``reserve(bucket)``
books a slot and says how long to wait; ``pause(bucket, seconds)`` holds it after a 429. A
``Bucket`` names one budget: venue, ``key_id`` of the credential (a keyed hash, never the API key)
and the limit, margin applied. ``RateLimiter`` is the in-process budget;
``venuekit._ratelimit_store.RedisRateBudget`` keeps it in Redis/Valkey for every process.

Example::

    limiter = RateLimiter()
    limiter.acquire(venue, api_key)                        # sync: may time.sleep
    await limiter.acquire_async(venue, api_key)            # async: may anyio.sleep
    bucket = Bucket(venue, key_id(api_key, secret), limit)
    time.sleep(limiter.reserve(bucket))                    # the RateBudget form
"""

from __future__ import annotations

import hashlib
import hmac
import math
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from types import MappingProxyType
from typing import Protocol, overload, runtime_checkable

import anyio
import attrs

from venuekit._constants import (
    RATE_LIMIT_JITTER_ALLOWANCE,
    RATE_LIMIT_KEY_ID_CHARS,
    RATE_LIMIT_RATE_MARGIN,
)
from venuekit._tokenbucket import TokenBucket, check_burst, check_rate

__all__ = [
    "Bucket",
    "RateBudget",
    "RateLimit",
    "RateLimiter",
    "TokenBucket",
    "documented_limits",
    "key_id",
]

#: Hashed before the API key, so a ``key_id`` never equals another HMAC made with the secret.
_KEY_ID_CONTEXT = b"venuekit rate-limit bucket v1\x00"


@attrs.frozen(kw_only=True)
class RateLimit:
    """A venue's documented limit: ``rate`` requests per second, bursts of up to ``burst``.

    >>> RateLimit(rate=15, burst=30).with_safety_margin()
    RateLimit(rate=14.7, burst=28)
    """

    rate: float
    burst: int

    def __attrs_post_init__(self) -> None:
        check_rate(self.rate)
        check_burst(self.burst)

    def with_safety_margin(
        self,
        *,
        rate_margin: float = RATE_LIMIT_RATE_MARGIN,
        jitter_allowance: float = RATE_LIMIT_JITTER_ALLOWANCE,
    ) -> RateLimit:
        """The limit the client paces at: ``rate_margin`` slower, ``rate * jitter`` fewer burst."""
        reserve = math.ceil(self.rate * jitter_allowance)
        return RateLimit(rate=self.rate * (1.0 - rate_margin), burst=max(1, self.burst - reserve))


def documented_limits() -> Mapping[str, RateLimit]:
    """The venues' documented limits from the registry, keyed by venue value, before the margin.

    Read lazily: the registry imports this module. ``DEFAULT_RATE_LIMITS`` is the same mapping.

        >>> all(isinstance(limit, RateLimit) for limit in documented_limits().values())
        True
    """
    from venuekit._venues import REGISTRY

    return MappingProxyType(
        {v.value: s.rate_limit for v, s in REGISTRY.items() if s.rate_limit is not None}
    )


def __getattr__(name: str) -> object:
    if name == "DEFAULT_RATE_LIMITS":
        return documented_limits()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def key_id(api_key: str, secret: bytes) -> str:
    """A keyed fingerprint of ``api_key`` that names its shared bucket, never the key itself.

    HMAC-SHA256 keyed with the credential's ``secret`` over a venuekit label and the key, first
    ``RATE_LIMIT_KEY_ID_CHARS`` hex digits: the same in every process holding the credentials,
    and useless to a reader of the store (a guessed API key cannot be checked without the
    secret). ``ValueError`` for an empty key or secret.

        >>> key_id("my-api-key", b"my-secret")
        '367c0ae516378c8c4166b697e70e9db5'
    """
    if not isinstance(api_key, str) or not api_key:
        raise ValueError("api_key must be a non-empty str")
    if not isinstance(secret, bytes | bytearray) or not secret:
        raise ValueError("secret must be non-empty bytes (the credential's secret)")
    mac = hmac.new(bytes(secret), _KEY_ID_CONTEXT + api_key.encode(), hashlib.sha256)
    return mac.hexdigest()[:RATE_LIMIT_KEY_ID_CHARS]


@attrs.frozen
class Bucket:
    """One budget: a venue, a credential's ``key_id`` and the limit to pace it at (as given).

    ``venue`` is lower-case letters, digits and ``_``; ``key_id`` is 16-64 hex digits, from
    ``key_id()``. Apply ``RateLimit.with_safety_margin`` to ``limit`` before.

        >>> Bucket("some_venue", key_id("k", b"s"), RateLimit(rate=5, burst=5))
        Bucket(venue='some_venue', key_id='...', limit=RateLimit(rate=5, burst=5))
    """

    venue: str = attrs.field(
        converter=str, validator=attrs.validators.matches_re(r"[a-z0-9_]{1,64}")
    )
    key_id: str = attrs.field(validator=attrs.validators.matches_re(r"[0-9a-f]{16,64}"))
    limit: RateLimit = attrs.field(validator=attrs.validators.instance_of(RateLimit))


@runtime_checkable
class RateBudget(Protocol):
    """What the engine paces through: in-process (``RateLimiter``) or shared (Redis/Valkey).

    ``reserve`` books the next slot of ``bucket`` and returns the seconds to wait before using
    it; call it once per request. ``timeout`` bounds the time it may spend talking to a store
    (pass what is left of the deadline); no implementation keeps a caller longer. ``pause``
    holds the bucket for ``seconds`` for everyone (a 429's ``Retry-After``). ``close`` and
    ``aclose`` release connections and threads.

        >>> budget: RateBudget = RateLimiter(clock=lambda: 0.0)
        >>> bucket = Bucket("some_venue", key_id("k", b"s"), RateLimit(rate=2, burst=1))
        >>> [budget.reserve(bucket), budget.reserve(bucket)]
        [0.0, 0.5]
    """

    def reserve(self, bucket: Bucket, *, timeout: float | None = None) -> float: ...
    async def reserve_async(self, bucket: Bucket, *, timeout: float | None = None) -> float: ...  # noqa: ASYNC109 - bounds the store round trip only
    def pause(self, bucket: Bucket, seconds: float) -> None: ...
    async def pause_async(self, bucket: Bucket, seconds: float) -> None: ...
    def close(self) -> None: ...
    async def aclose(self) -> None: ...


class RateLimiter:
    """One ``TokenBucket`` per (venue, credential key) or ``Bucket``, made on first use, shared.

    Arguments:
        limits: per-venue overrides of ``DEFAULT_RATE_LIMITS``, keyed by venue value; ``None``
            turns pacing off for that venue. Venues not named keep their default.
        safety_margin: pace below each limit (see the module docstring); ``False`` paces at
            exactly the numbers given.
        clock: monotonic seconds, shared by all buckets.

    The credential key is the API key (an identifier, not a secret); it is never logged. As a
    ``RateBudget`` the limiter is keyed by ``Bucket`` instead, which carries its own limit.

        >>> first, second = list(documented_limits())[:2]
        >>> limiter = RateLimiter(limits={second: None})
        >>> limiter.bucket(first, "key-1") is limiter.bucket(first, "key-1")
        True
        >>> limiter.bucket(second, "key-1") is None
        True
    """

    def __init__(
        self,
        limits: Mapping[str, RateLimit | None] | None = None,
        *,
        safety_margin: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        merged: dict[str, RateLimit | None] = dict(documented_limits())
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
        # Keyed by ``(venue, key)`` for ``bucket`` and by ``Bucket`` for ``token_bucket``.
        self._buckets: dict[tuple[str, str] | Bucket, TokenBucket] = {}
        self._lock = threading.Lock()

    @classmethod
    def disabled(cls) -> RateLimiter:
        """A limiter that never waits, on any venue.

        >>> RateLimiter.disabled().reserve(next(iter(documented_limits())), "k")
        0.0
        """
        return cls(limits=dict.fromkeys(documented_limits()))

    def bucket(self, venue: str, key: str) -> TokenBucket | None:
        """The shared bucket for ``(venue, key)``; ``None`` when pacing is off for ``venue``."""
        venue = str(venue)
        if venue not in self.limits:
            raise ValueError(f"unknown venue {venue!r}")
        limit = self.limits[venue]
        if limit is None:
            return None
        return self._shared((venue, key), limit)

    def token_bucket(self, bucket: Bucket) -> TokenBucket:
        """The shared ``TokenBucket`` of ``bucket``, paced at ``bucket.limit`` (not ``limits``)."""
        return self._shared(bucket, bucket.limit)

    def _shared(self, key: tuple[str, str] | Bucket, limit: RateLimit) -> TokenBucket:
        """The ``TokenBucket`` kept under ``key``, made at ``limit`` on first use."""
        with self._lock:
            found = self._buckets.get(key)
            if found is None:
                found = TokenBucket(limit.rate, limit.burst, clock=self._clock)
                self._buckets[key] = found
        return found

    @overload
    def reserve(self, bucket: Bucket, *, timeout: float | None = None) -> float: ...
    @overload
    def reserve(self, bucket: str, key: str, /) -> float: ...
    def reserve(
        self, bucket: Bucket | str, key: str | None = None, *, timeout: float | None = None
    ) -> float:
        """Book a slot; return the seconds to wait. Never blocks, so ``timeout`` is not used.

        ``reserve(bucket)`` paces at ``bucket.limit``; ``reserve(venue, key)`` at
        ``limits[venue]`` and returns 0 when that is off.
        """
        if isinstance(bucket, Bucket):
            return self.token_bucket(bucket).reserve()
        if not isinstance(key, str):
            raise TypeError("use reserve(bucket) or reserve(venue, key)")
        found = self.bucket(bucket, key)
        return 0.0 if found is None else found.reserve()

    @overload
    def pause(self, bucket: Bucket, seconds: float) -> None: ...
    @overload
    def pause(self, bucket: str, key: str, seconds: float, /) -> None: ...
    def pause(self, bucket: Bucket | str, seconds: float | str, *rest: float) -> None:
        """Hold every later request of ``bucket`` (or of ``(venue, key)``) for ``seconds``.

        ``pause(venue, key, seconds)`` is a no-op when pacing is off for ``venue``.
        """
        if isinstance(bucket, Bucket) and not isinstance(seconds, str) and not rest:
            self.token_bucket(bucket).pause(seconds)
            return
        if isinstance(bucket, Bucket) or not isinstance(seconds, str) or len(rest) != 1:
            raise TypeError("use pause(bucket, seconds) or pause(venue, key, seconds)")
        found = self.bucket(bucket, seconds)
        if found is not None:
            found.pause(rest[0])

    async def reserve_async(self, bucket: Bucket, *, timeout: float | None = None) -> float:  # noqa: ASYNC109
        """``reserve(bucket)`` for async callers; it never blocks, so it never awaits."""
        return self.reserve(bucket)

    async def pause_async(self, bucket: Bucket, seconds: float) -> None:
        """``pause(bucket, seconds)`` for async callers."""
        self.pause(bucket, seconds)

    def close(self) -> None:
        """Nothing to release; the limiter stays usable."""

    async def aclose(self) -> None:
        """Nothing to release; the limiter stays usable."""

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
