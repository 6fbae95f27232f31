"""What runs on the store: the GCRA scripts of the shared rate budget, their arguments, answers.

A bucket is one string key, ``<prefix>:<venue>:<key_id>``, whose value is its theoretical arrival
time (TAT) in microseconds of the server's clock (``TIME``, Unix time), written with 17
significant digits. A request at ``now`` may go at ``max(now, TAT - tolerance)`` and moves TAT
one emission interval on (``1 / rate``; tolerance ``(burst - 1) / rate``): the arithmetic of
``TokenBucket``, run atomically by the server. The key expires when TAT passes (a bucket that
would be full again is the same as no bucket), so idle buckets vanish. A TAT further ahead than
``RATE_STORE_MAX_AHEAD`` can only come from a step back of the server's clock and is treated as
empty. Scripts run by ``EVALSHA`` (redis-py's ``register_script``, which loads them on
``NOSCRIPT``); ``redis.replicate_commands()`` is called where it exists (Redis < 7 needs it
before a write that follows ``TIME``).

Example::

    answer = client.register_script(RESERVE_SCRIPT)(keys=[key], args=reserve_args(limit))
    booking = parse_booking(answer)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import attrs

from venuekit._constants import RATE_STORE_MAX_AHEAD
from venuekit._ratelimit import RateLimit

__all__ = [  # noqa: RUF022 - plain sorted(), as tests/policy/test_policy_modules.py checks
    "Booking",
    "PAUSE_SCRIPT",
    "RESERVE_SCRIPT",
    "import_redis",
    "parse_booking",
    "pause_args",
    "reserve_args",
]

#: GCRA reservation. KEYS[1]: the bucket. ARGV: emission interval, tolerance ((burst - 1) *
#: interval) and the longest believable lead, all in microseconds, and ``1`` to resume without
#: burst (the bucket counts as empty: after an outage, the venue's bucket was drained by every
#: process pacing alone). Returns {now, wait} in microseconds of the server's clock: the slot
#: starts at now + wait.
RESERVE_SCRIPT = """
if redis.replicate_commands then redis.replicate_commands() end
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or 0) or 0
if tat < now or tat > now + tonumber(ARGV[3]) then tat = now end
if ARGV[4] == '1' then tat = math.max(tat, now + tonumber(ARGV[2])) end
local go = math.max(now, tat - tonumber(ARGV[2]))
tat = tat + tonumber(ARGV[1])
local ttl = string.format('%d', math.ceil((tat - now) / 1000) + 1)
redis.call('SET', KEYS[1], string.format('%.17g', tat), 'PX', ttl)
return {string.format('%.17g', now), string.format('%.17g', go - now)}
"""

#: Book nothing before now + pause (``TokenBucket.pause``). KEYS[1]: the bucket. ARGV: pause,
#: tolerance, longest believable lead, all in microseconds. Returns 1 if it moved the bucket.
PAUSE_SCRIPT = """
if redis.replicate_commands then redis.replicate_commands() end
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local lead = tonumber(ARGV[3])
local floor = now + math.min(tonumber(ARGV[1]) + tonumber(ARGV[2]), lead)
local tat = tonumber(redis.call('GET', KEYS[1]) or 0) or 0
if tat > now + lead then tat = now end
if tat >= floor then return 0 end
local ttl = string.format('%d', math.ceil((floor - now) / 1000) + 1)
redis.call('SET', KEYS[1], string.format('%.17g', floor), 'PX', ttl)
return 1
"""


@attrs.frozen
class Booking:
    """One booked slot: the seconds to ``wait``, when it starts, and who decided.

    ``at`` is the slot's start in seconds of the store's clock (Unix time), ``None`` when the
    in-process fallback booked it (``source="fallback"``).

        >>> Booking(wait=0.25, at=1_800_000_000.25, source="store").wait
        0.25
    """

    wait: float
    at: float | None
    source: Literal["store", "fallback"]


def reserve_args(limit: RateLimit, *, no_burst: bool = False) -> tuple[float, float, float, int]:
    """``RESERVE_SCRIPT``'s ARGV: interval, tolerance, longest lead (microseconds), no-burst flag.

    >>> reserve_args(RateLimit(rate=4, burst=3))
    (250000.0, 500000.0, 600000000.0, 0)
    """
    interval = 1e6 / limit.rate
    return (interval, (limit.burst - 1) * interval, RATE_STORE_MAX_AHEAD * 1e6, int(no_burst))


def pause_args(limit: RateLimit, seconds: float) -> tuple[float, float, float]:
    """``PAUSE_SCRIPT``'s ARGV: pause, tolerance of ``limit``, longest lead (microseconds).

    >>> pause_args(RateLimit(rate=4, burst=3), 2.0)
    (2000000.0, 500000.0, 600000000.0)
    """
    interval = 1e6 / limit.rate
    return (seconds * 1e6, (limit.burst - 1) * interval, RATE_STORE_MAX_AHEAD * 1e6)


def parse_booking(answer: Sequence[bytes | str]) -> Booking:
    """The ``Booking`` in ``RESERVE_SCRIPT``'s answer ``{now, wait}`` (microseconds).

    >>> parse_booking([b"1800000000000000", b"250000"])
    Booking(wait=0.25, at=1800000000.25, source='store')
    """
    now_us, wait_us = float(answer[0]), float(answer[1])
    return Booking(wait=wait_us / 1e6, at=(now_us + wait_us) / 1e6, source="store")


_MISSING_REDIS = (
    "a shared rate budget needs the redis package: pip install 'venuekit[redis]' "
    "(redis-py >= 5; it talks to Redis and Valkey)"
)


def import_redis() -> Any:
    """The ``redis`` package (redis-py), or ``ImportError`` saying how to install it."""
    try:
        import redis
        import redis.asyncio
        import redis.asyncio.retry
        import redis.backoff
        import redis.retry
    except ImportError:
        raise ImportError(_MISSING_REDIS) from None
    return redis
