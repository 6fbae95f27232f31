"""Normalized results: ``Venue``, ``CancelState``, ``CancelResult`` and Loopring's response model.

Coinbase Exchange and INTX responses are typed by the generated clients (a bare ``str`` id and
``coinbase_intx_api.models.OrderResultV1``); Loopring has no OpenAPI spec, so its cancel response
model is written here from the table in its documentation (seed 004).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeAlias

import attrs

if TYPE_CHECKING:  # the generated INTX package is imported only when INTX is used
    from coinbase_intx_api.models.order_result_v1 import OrderResultV1


__all__ = [
    "LOOPRING_ORDER_STATUSES",
    "CancelResult",
    "CancelState",
    "LoopringCancelResponse",
    "Venue",
    "VenueResponse",
]


class Venue(enum.StrEnum):
    """A trading venue venuekit can cancel orders on.

    The values are the keys used everywhere else (``base_urls``, ``from_env`` variable names)::

        >>> Venue("coinbase_intx") is Venue.COINBASE_INTX
        True
    """

    COINBASE_EXCHANGE = "coinbase_exchange"
    COINBASE_INTX = "coinbase_intx"
    LOOPRING = "loopring"
    DERIBIT = "deribit"


class CancelState(enum.StrEnum):
    """Where a cancel stands after the venue accepted it.

    ``CANCELLED``: the venue confirmed the order is cancelled (Coinbase Exchange and INTX answer 200
    only once the order is cancelled). ``CANCEL_PENDING``: the venue accepted the request but has
    not confirmed the order is gone yet (INTX ``PENDING_CANCEL``; Loopring ``cancelling``,
    ``processing`` or any status other than ``cancelled``). Look at ``CancelResult.venue_status``
    for the venue's own word. ``CANCELLED_ON_EARLIER_ATTEMPT``: see the member's comment.

        >>> CancelState.CANCELLED.value
        'cancelled'
    """

    CANCELLED = "cancelled"
    CANCEL_PENDING = "cancel_pending"
    #: An earlier attempt of this call may have reached the venue (it timed out, the connection
    #: dropped, or the venue answered 5xx) and a later attempt was told the order is already done
    #: or unknown (Exchange 400 "Order already done" / 404 "NotFound", INTX "Order already done" /
    #: 404, Loopring 102117 / 107003). The venue's answer confirms the order is gone, and the most
    #: likely story is that our earlier attempt cancelled it; ``CancelResult.confirmed_by`` holds
    #: that answer. It cannot be told apart from a fill in the same instant.
    CANCELLED_ON_EARLIER_ATTEMPT = "cancelled_on_earlier_attempt"


#: Loopring's documented order statuses (seed 004). Others are kept as sent.
LOOPRING_ORDER_STATUSES = frozenset(
    {"processing", "processed", "cancelling", "cancelled", "expired", "failed"}
)


def _optional_bool(value: object) -> bool | None:
    """Read a JSON boolean; the docs' own example sends ``"false"`` as a string."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in {"true", "false"}:
        return value.lower() == "true"
    raise ValueError(f"expected a boolean, got {type(value).__name__}")


def _optional_str(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise ValueError(f"expected a string, got {type(value).__name__}")


@attrs.frozen(kw_only=True)
class LoopringCancelResponse:
    """Loopring's answer to ``DELETE /api/v3/order`` (seed 004's response table).

    ``status`` is kept exactly as sent (documented values: ``LOOPRING_ORDER_STATUSES``); fields the
    documentation does not list are kept in ``additional_properties``::

        >>> r = LoopringCancelResponse.from_dict(
        ...     {"hash": "0x05a9", "clientOrderId": "c1", "status": "cancelled", "isIdempotent": False}
        ... )
        >>> (r.hash, r.client_order_id, r.status, r.is_idempotent)
        ('0x05a9', 'c1', 'cancelled', False)
    """

    #: The order hash (Loopring's order id).
    hash: str
    #: The client-side order id given when the order was submitted, if any.
    client_order_id: str | None = None
    #: The order status as Loopring sent it, e.g. ``"cancelled"``.
    status: str
    #: True when the same request was already processed (documented as a boolean).
    is_idempotent: bool | None = None
    #: Fields Loopring sent that the documentation does not list.
    additional_properties: Mapping[str, object] = attrs.field(factory=dict, repr=False, hash=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LoopringCancelResponse:
        """Build the model from a decoded JSON object; ``ValueError`` when it does not fit.

        Example: ``LoopringCancelResponse.from_dict({"hash": "0x1", "status": "cancelling"})``.
        """
        rest = dict(data)
        order_hash = _optional_str(rest.pop("hash", None))
        status = _optional_str(rest.pop("status", None))
        if order_hash is None or status is None:
            raise ValueError("Loopring cancel response lacks 'hash' or 'status'")
        return cls(
            hash=order_hash,
            client_order_id=_optional_str(rest.pop("clientOrderId", None)),
            status=status,
            is_idempotent=_optional_bool(rest.pop("isIdempotent", None)),
            additional_properties=rest,
        )


#: The venue's typed response carried by ``CancelResult.response``: Coinbase Exchange's bare id
#: string, INTX's generated ``OrderResultV1``, Loopring's ``LoopringCancelResponse``; ``None``
#: when the venue's answer was a success but did not fit its documented shape (see ``raw``).
VenueResponse: TypeAlias = "str | OrderResultV1 | LoopringCancelResponse | None"


@attrs.frozen(kw_only=True)
class CancelResult:
    """The outcome of a cancel the venue accepted, the same shape for every venue.

    Failures are never a ``CancelResult``: they raise a ``venuekit.errors.VenueError``.

    Example::

        result = client.coinbase_intx.cancel_order(order_id="43877033468085760", portfolio="p-1")
        if result.state is CancelState.CANCELLED:
            print(result.order_id, result.venue_status, result.price)
    """

    #: The venue that answered.
    venue: Venue
    #: The venue's order id (Loopring: the order hash), exactly as sent, or as requested when
    #: the venue's answer does not carry it.
    order_id: str | None
    #: The client-assigned order id, when known.
    client_order_id: str | None
    #: The normalized state; see ``CancelState``.
    state: CancelState
    #: The venue's own status word, e.g. INTX ``"CANCELED"``, Loopring ``"cancelling"``; ``None``
    #: for Coinbase Exchange, which sends no status.
    venue_status: str | None
    #: The venue's typed response (see ``VenueResponse``); ``None`` if it could not be typed.
    response: VenueResponse = attrs.field(hash=False)
    #: INTX only: the order's limit price, exact (never a float).
    price: Decimal | None = None
    #: INTX only: the order's size in base units, exact.
    size: Decimal | None = None
    #: The decoded JSON body (numbers kept as their exact text); for debugging and forward
    #: compatibility.
    raw: object = attrs.field(default=None, repr=False, eq=False)
    #: How many attempts the call made (``1``: no retry was needed).
    attempts: int = attrs.field(default=1, eq=False)
    #: ``CANCELLED_ON_EARLIER_ATTEMPT`` only: the venue's answer that confirmed it, e.g.
    #: ``"coinbase_exchange: Order already done (HTTP 400)"``.
    confirmed_by: str | None = attrs.field(default=None, eq=False)
