"""The venue registry: every venue venuekit knows, each declared once in its own module.

``REGISTRY`` maps each ``Venue`` to its ``VenueSpec`` (see ``venuekit._venues._spec``). The
client, the engine, bulk cancel, ``from_env``, the CLI and the README's tables read venues from
here. To add a venue: write ``venuekit/_venues/<venue>.py`` with its ``SPEC`` (prepare /
interpret, credentials, limits), add a ``Venue`` member, its line in ``REGISTRY`` and its
credentials keyword in ``VenueCredentials`` below, a typed handle in the facade, and its spec
under ``specs/`` and its sandbox module.

Example::

    >>> REGISTRY[Venue.COINBASE_EXCHANGE].rate_limit
    RateLimit(rate=15, burst=30)
    >>> spec_for("loopring").title
    'Loopring v3'
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TypedDict

from venuekit import errors
from venuekit._credentials import (
    CoinbaseCdpCredentials,
    CoinbaseExchangeCredentials,
    CoinbaseIntxCredentials,
    DeribitCredentials,
    LoopringCredentials,
)
from venuekit._venues import coinbase_exchange, coinbase_intx, deribit, loopring
from venuekit._venues._common import PreparedCancel, RawResponse
from venuekit._venues._spec import Action, CredentialKind, Venue, VenueSpec, venue_named

__all__ = [
    "REGISTRY",
    "Action",
    "CredentialKind",
    "PreparedCancel",
    "RawResponse",
    "Venue",
    "VenueCredentials",
    "VenueSpec",
    "interpret",
    "spec_for",
    "venue_named",
]

#: Every venue, in the order the docs list them.
REGISTRY: Mapping[Venue, VenueSpec] = MappingProxyType(
    {
        spec.venue: spec
        for spec in (
            coinbase_exchange.SPEC,
            coinbase_intx.SPEC,
            loopring.SPEC,
            deribit.SPEC,
        )
    }
)


class VenueCredentials(TypedDict, total=False):
    """The clients' credentials keywords: one per venue, named by its ``Venue`` value."""

    coinbase_exchange: CoinbaseExchangeCredentials | None
    coinbase_intx: CoinbaseIntxCredentials | None
    loopring: LoopringCredentials | None
    deribit: DeribitCredentials | CoinbaseCdpCredentials | None


def spec_for(name: object) -> VenueSpec:
    """The spec of the venue ``name`` names (a ``Venue`` or its value, any case, ``-`` for ``_``).

    Raises ``InvalidRequest`` (``field="venue"``) for anything else.

        >>> spec_for("Coinbase-Exchange").venue
        <Venue.COINBASE_EXCHANGE: 'coinbase_exchange'>
    """
    venue = venue_named(name)
    if venue is not None and venue in REGISTRY:
        return REGISTRY[venue]
    known = ", ".join(v.value for v in REGISTRY)
    shown = repr(name)[:80] if not isinstance(name, str) else repr(name[:80])
    raise errors.InvalidRequest(f"unknown venue {shown}; use one of {known}", field="venue")


def interpret(prepared: PreparedCancel, raw: RawResponse) -> object:
    """Judge the venue's answer to an order cancel: its result, or raise its ``VenueError``.

    Example: ``interpret(prepared, raw)`` for a ``prepared`` from a venue module's ``prepare_cancel``.
    """
    return REGISTRY[prepared.venue].cancel.interpret(prepared, raw)
