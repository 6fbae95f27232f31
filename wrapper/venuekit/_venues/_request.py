"""``CancelRequest``: one order to cancel in ``cancel_many`` (or a CSV row), for any venue.

The per-venue constructors take exactly the arguments of the matching ``cancel_order``; the
fields are the union of every venue's ``VenueSpec.fields``. Nothing is checked here: a bad
request becomes its own failed outcome in ``cancel_many`` (``InvalidRequest`` naming the field).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from venuekit import errors
from venuekit._venues._spec import Venue, venue_named

__all__ = ["ALL_FIELDS", "CancelRequest"]

#: Every argument any venue's order cancel takes (``CancelRequest`` fields), in a fixed order.
ALL_FIELDS = (
    "order_id",
    "client_oid",
    "product_id",
    "profile_id",
    "portfolio",
    "order_hash",
    "client_order_id",
    "account_id",
)


def _to_venue(value: object) -> Venue | str:
    """A ``Venue`` when ``value`` names one (any case), else the value as given (refused later)."""
    venue = venue_named(value)
    if venue is not None:
        return venue
    return value if isinstance(value, str) else repr(value)[:80]


def _to_account(value: object) -> int | str | None:
    """Decimal text becomes an ``int``; anything else is kept for the check to reject."""
    if isinstance(value, str) and value.strip().isdecimal():
        return int(value.strip())
    return value  # type: ignore[return-value]  # checked (and refused) by the adapter


@attrs.frozen(kw_only=True)
class CancelRequest:
    """One order to cancel in ``cancel_many``: the venue and that venue's cancel arguments.

    Build it with the per-venue constructors, which take exactly the arguments of the matching
    ``cancel_order``. Nothing is checked here: a bad request becomes its own failed outcome in
    ``cancel_many`` (``InvalidRequest`` naming the field), never an exception for the batch.
    INTX takes an exchange or a client order id as ``order_id``; ``client_order_id`` is accepted
    for it as a synonym.

    Example::

        orders = [
            venuekit.CancelRequest.coinbase_exchange(order_id=oid, product_id="BTC-USD"),
            venuekit.CancelRequest.coinbase_intx(order_id="43877033468085760", portfolio=pid),
            venuekit.CancelRequest.loopring(order_hash="0x05a9..."),
        ]
        outcomes = client.cancel_many(orders)
    """

    #: The venue (a ``Venue``; text naming no venue is kept and reported as invalid).
    venue: Venue | str = attrs.field(converter=_to_venue)
    order_id: str | None = None
    client_oid: str | None = None
    product_id: str | None = None
    profile_id: str | None = None
    portfolio: str | None = None
    order_hash: str | None = None
    client_order_id: str | None = None
    account_id: int | str | None = attrs.field(default=None, converter=_to_account)

    @classmethod
    def coinbase_exchange(
        cls,
        *,
        order_id: str | None = None,
        client_oid: str | None = None,
        product_id: str | None = None,
        profile_id: str | None = None,
    ) -> CancelRequest:
        """A Coinbase Exchange cancel: ``order_id`` or ``client_oid`` (exactly one).

        Example: ``CancelRequest.coinbase_exchange(client_oid="8fd1...", product_id="BTC-USD")``
        """
        return cls(
            venue=Venue.COINBASE_EXCHANGE,
            order_id=order_id,
            client_oid=client_oid,
            product_id=product_id,
            profile_id=profile_id,
        )

    @classmethod
    def coinbase_intx(cls, *, order_id: str, portfolio: str) -> CancelRequest:
        """A Coinbase INTX cancel: exchange or client ``order_id`` in ``portfolio``.

        Example: ``CancelRequest.coinbase_intx(order_id="43877033468085760", portfolio="p-1")``
        """
        return cls(venue=Venue.COINBASE_INTX, order_id=order_id, portfolio=portfolio)

    @classmethod
    def loopring(
        cls,
        *,
        order_hash: str | None = None,
        client_order_id: str | None = None,
        account_id: int | None = None,
    ) -> CancelRequest:
        """A Loopring cancel: ``order_hash`` or ``client_order_id``; account defaults to the key's.

        Example: ``CancelRequest.loopring(client_order_id="my-order-7")``
        """
        return cls(
            venue=Venue.LOOPRING,
            order_hash=order_hash,
            client_order_id=client_order_id,
            account_id=account_id,
        )

    @classmethod
    def deribit(cls, *, order_id: str) -> CancelRequest:
        """A Deribit cancel by its ``order_id`` (group cancels are ``client.deribit``'s own).

        Example: ``CancelRequest.deribit(order_id="ETH-349249")``
        """
        return cls(venue=Venue.DERIBIT, order_id=order_id)

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> CancelRequest:
        """Build a request from a CSV row or JSON object: ``venue`` plus the venue's fields.

        Keys are field names (``-`` may stand for ``_``); empty values count as absent; JSON
        integers in id fields become their exact text. Raises ``InvalidRequest`` naming the key
        for an unknown key or a missing ``venue``.

            >>> CancelRequest.from_mapping({"venue": "loopring", "order_hash": "0x1", "account_id": "7"})
            CancelRequest(venue=<Venue.LOOPRING: 'loopring'>, order_id=None, client_oid=None, product_id=None, profile_id=None, portfolio=None, order_hash='0x1', client_order_id=None, account_id=7)
        """
        values: dict[str, Any] = {}
        for raw_key, value in data.items():
            key = str(raw_key).strip().lower().replace("-", "_")
            if key != "venue" and key not in ALL_FIELDS:
                raise errors.InvalidRequest(
                    f"unknown field {raw_key!r}; use venue, {', '.join(ALL_FIELDS)}",
                    field=str(raw_key),
                )
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            if key not in {"venue", "account_id"} and isinstance(value, int):
                value = str(value) if not isinstance(value, bool) else value
            values[key] = value
        if "venue" not in values:
            raise errors.InvalidRequest("venue is required", field="venue")
        return cls(**values)

    def arguments(self) -> dict[str, object]:
        """The cancel arguments that are set, by field name (``venue`` excluded).

        >>> CancelRequest.coinbase_intx(order_id="1", portfolio="p").arguments()
        {'order_id': '1', 'portfolio': 'p'}
        """
        return {name: getattr(self, name) for name in ALL_FIELDS if getattr(self, name) is not None}

    def to_dict(self) -> dict[str, object]:
        """``venue`` (its value) and the arguments that are set, e.g. for JSON output.

        >>> CancelRequest.loopring(order_hash="0x1").to_dict()
        {'venue': 'loopring', 'order_hash': '0x1'}
        """
        return {"venue": str(self.venue), **self.arguments()}
