"""Sandbox configuration: seed, seeded order counts, rate limits, per-venue faults, clock."""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from typing import Literal

import attrs

from venuekit._constants import SANDBOX_MAX_BODY_BYTES
from venuekit.sandbox._credentials import DEFAULT_CREDENTIALS, SandboxCredentials

__all__ = ["Faults", "IntxAnswers", "RateLimit", "SandboxConfig"]

#: Shape of INTX success answers: ``recorded`` like the real venue's recorded answers (strings,
#: ids like ``2v2ckc1g-1-0``, ``order_uuid``); ``docs`` like the docs' example (JSON numbers,
#: 17-digit ids), kept to test a client's tolerance.
IntxAnswers = Literal["recorded", "docs"]

# The venues' documented limits (venues.md), kept here on purpose rather than read from the
# client: the sandbox checks the client, so it must not share the client's numbers.
EXCHANGE_RATE_LIMIT_PER_SECOND = 15  # private endpoints, per profile ...
EXCHANGE_RATE_LIMIT_BURST = 30  # ... bursts to 30
INTX_RATE_LIMIT_PER_SECOND = 40  # per API key
LOOPRING_RATE_LIMIT_PER_SECOND = 5
#: Deribit matching-engine requests (every cancel), default tier: 5/s per account, bursts of 20;
#: beyond it error 10028 ``too_many_requests`` (docs.deribit.com articles/rate-limits).
DERIBIT_RATE_LIMIT_PER_SECOND = 5
DERIBIT_RATE_LIMIT_BURST = 20
#: Lifetime of the sandbox's Deribit Bearer tokens, seconds (``public/auth`` ``expires_in``).
#: ASSUMPTION: 900 s, what Deribit's ``client_credentials`` tokens are commonly reported to last;
#: the spec's example shows 31536000. Tests shorten it with ``deribit_token_lifetime``.
SANDBOX_DERIBIT_TOKEN_LIFETIME = 900.0


def _probability(_instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{attribute.name} must be a probability in [0, 1], got {value!r}")


def _non_negative(_instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not value >= 0.0 or math.isinf(value):
        raise ValueError(f"{attribute.name} must be a finite number >= 0, got {value!r}")


def _finite(_instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not math.isfinite(value):
        raise ValueError(f"{attribute.name} must be finite, got {value!r}")


@attrs.frozen
class Faults:
    """Faults injected into one venue's responses; all off by default.

    Each request draws its fate from the app's seeded random generator, so the same seed and the
    same request order give the same outcomes.

    Attributes:
        latency: seconds added before answering (an async sleep; other requests keep flowing).
        error_rate: probability of a 5xx answer (the cancel is not applied).
        rate_limit_rate: probability of a 429 answer besides the real rate limit (not applied).
        drop_rate: probability that the connection is dropped without a complete response.
        drop_after_apply: share of the dropped requests whose cancel is applied first (the order
            is cancelled but the client never hears it); the rest drop before applying it.
        clock_offset: seconds added to the sandbox's clock for this venue (a skewed server).
    """

    latency: float = attrs.field(default=0.0, validator=_non_negative)
    error_rate: float = attrs.field(default=0.0, validator=_probability)
    rate_limit_rate: float = attrs.field(default=0.0, validator=_probability)
    drop_rate: float = attrs.field(default=0.0, validator=_probability)
    drop_after_apply: float = attrs.field(default=0.5, validator=_probability)
    clock_offset: float = attrs.field(default=0.0, validator=_finite)


@attrs.frozen
class RateLimit:
    """A token bucket: ``rate`` tokens per second, holding at most ``burst`` tokens."""

    rate: float = attrs.field(validator=_non_negative)
    burst: int = attrs.field(validator=attrs.validators.ge(1))


@attrs.frozen
class SandboxConfig:
    """Everything that shapes a sandbox app; the defaults mirror the venues' documentation.

    Attributes:
        seed: seeds the order generator and the fault generator (reproducible runs).
        orders_per_venue: orders seeded for each venue's account at start-up.
        rate_limits: enforce the venues' documented rate limits (token buckets per key).
        intx_answers: shape of INTX success answers (`IntxAnswers`, default ``recorded``).
        max_body_bytes: largest request body accepted (413 beyond, before reading it).
        exchange, intx, loopring, deribit: faults injected per venue.
        exchange_rate_limit, intx_rate_limit, loopring_rate_limit: the buckets' sizes.
        deribit_rate_limit: the matching-engine bucket of each Deribit account (cancels).
        deribit_token_lifetime: seconds a ``public/auth`` Bearer token lives (``expires_in``).
        clock: seconds since the epoch; the sandbox clock of a venue is
            ``clock() + faults.clock_offset``. Rate-limit buckets use ``clock()``.
        credentials: the accounts the sandbox accepts.
        state_file: a journal that makes the order book durable (`JournaledState`): every
            added order and applied cancel is appended to it before the sandbox answers, and a
            sandbox started on an existing journal replays it instead of seeding. ``None``
            (default): the book lives in memory only.
    """

    seed: int = 0
    orders_per_venue: int = attrs.field(default=5, validator=attrs.validators.ge(0))
    rate_limits: bool = True
    intx_answers: IntxAnswers = attrs.field(
        default="recorded", validator=attrs.validators.in_(("recorded", "docs"))
    )
    max_body_bytes: int = attrs.field(
        default=SANDBOX_MAX_BODY_BYTES, validator=attrs.validators.ge(0)
    )
    exchange: Faults = Faults()
    intx: Faults = Faults()
    loopring: Faults = Faults()
    deribit: Faults = Faults()
    exchange_rate_limit: RateLimit = RateLimit(
        rate=EXCHANGE_RATE_LIMIT_PER_SECOND, burst=EXCHANGE_RATE_LIMIT_BURST
    )
    intx_rate_limit: RateLimit = RateLimit(
        rate=INTX_RATE_LIMIT_PER_SECOND, burst=INTX_RATE_LIMIT_PER_SECOND
    )
    loopring_rate_limit: RateLimit = RateLimit(
        rate=LOOPRING_RATE_LIMIT_PER_SECOND, burst=LOOPRING_RATE_LIMIT_PER_SECOND
    )
    deribit_rate_limit: RateLimit = RateLimit(
        rate=DERIBIT_RATE_LIMIT_PER_SECOND, burst=DERIBIT_RATE_LIMIT_BURST
    )
    deribit_token_lifetime: float = attrs.field(
        default=SANDBOX_DERIBIT_TOKEN_LIFETIME, validator=_non_negative
    )
    clock: Callable[[], float] = time.time
    credentials: SandboxCredentials = DEFAULT_CREDENTIALS
    state_file: str | os.PathLike[str] | None = None
