"""Normalized results, the same shape for every venue: ``CancelState``, ``CancelResult``, ``GroupCancelResult``.

What each venue's answer becomes is documented in its module under ``venuekit._venues``.
"""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import TYPE_CHECKING, TypeAlias

import attrs

if TYPE_CHECKING:
    from venuekit._venues._spec import Venue
    from venuekit.errors import AttemptRecord


__all__ = ["CancelResult", "CancelState", "GroupCancelResult", "VenueResponse"]


class CancelState(enum.StrEnum):
    """Where a cancel stands after the venue accepted it.

    ``CANCELLED``: the venue's answer says the order is cancelled. ``CANCEL_PENDING``: the venue
    accepted the request but its answer does not (yet) say the order is gone (a pending-cancel
    status, or an order still open); look at ``CancelResult.venue_status`` for the venue's own
    word. ``CANCELLED_ON_EARLIER_ATTEMPT``: see the member's comment.

        >>> CancelState.CANCELLED.value
        'cancelled'
    """

    CANCELLED = "cancelled"
    CANCEL_PENDING = "cancel_pending"
    #: An earlier attempt of this call may have reached the venue (it timed out, the connection
    #: dropped, or the venue answered 5xx) and a later attempt was told, in the venue's exact
    #: words, that the order is already done (on a venue that purges cancelled orders, also
    #: its not-found answer). The venue's answer confirms the order is gone, and the most
    #: likely story is that our earlier attempt cancelled it; ``CancelResult.confirmed_by`` holds
    #: that answer. It cannot be told apart from a fill in the same instant.
    CANCELLED_ON_EARLIER_ATTEMPT = "cancelled_on_earlier_attempt"


#: The venue's typed response carried by ``CancelResult.response`` (each venue module documents
#: its own: a generated model, a bare id string...); ``None`` when the answer did not fit it.
VenueResponse: TypeAlias = object


@attrs.frozen(kw_only=True)
class CancelResult:
    """The outcome of a cancel the venue accepted, the same shape for every venue.

    Failures are never a ``CancelResult``: they raise a ``venuekit.errors.VenueError``.

    Example::

        result = client.cancel_many(orders)[0].result
        if result is not None and result.state is CancelState.CANCELLED:
            print(result.order_id, result.venue_status, result.price)
    """

    #: The venue that answered.
    venue: Venue
    #: The venue's order id (an order hash where the venue uses one), exactly as sent, or as
    #: requested when the venue's answer does not carry it.
    order_id: str | None
    #: The client-assigned order id, when known.
    client_order_id: str | None
    #: The normalized state; see ``CancelState``.
    state: CancelState
    #: The venue's own status word, e.g. ``"CANCELED"``, ``"cancelling"``; ``None`` when the
    #: venue sends none.
    venue_status: str | None
    #: The venue's typed response (see ``VenueResponse``); ``None`` if it could not be typed.
    response: VenueResponse = attrs.field(hash=False)
    #: The order's limit price when the venue sends it, exact (never a float).
    price: Decimal | None = None
    #: The order's size when the venue sends it, exact.
    size: Decimal | None = None
    #: The decoded JSON body (numbers kept as their exact text); for debugging and forward
    #: compatibility.
    raw: object = attrs.field(default=None, repr=False, eq=False)
    #: How many attempts the call made (``1``: no retry was needed).
    attempts: int = attrs.field(default=1, eq=False)
    #: One record per attempt when there was more than one (what each got back).
    history: tuple[AttemptRecord, ...] = attrs.field(default=(), eq=False, repr=False)
    #: ``CANCELLED_ON_EARLIER_ATTEMPT`` only: the venue's answer that confirmed it, e.g.
    #: ``"<venue>: Order already done (HTTP 400)"``.
    confirmed_by: str | None = attrs.field(default=None, eq=False)


@attrs.frozen(kw_only=True)
class GroupCancelResult:
    """The outcome of a cancel that may match several orders (by label, currency, instrument...).

    Example::

        result = handle.cancel_by_label(label="grid-7")  # handle: a venue that has group cancels
        print(result.cancelled_count)  # the venue's count: a label may match several orders
    """

    #: The venue that answered.
    venue: Venue
    #: What was asked, e.g. ``"cancel_by_label"``.
    action: str
    #: The number of orders the venue says it cancelled.
    cancelled_count: int
    #: The decoded JSON body (numbers kept as their exact text).
    raw: object = attrs.field(default=None, repr=False, eq=False)
    #: How many attempts the call made.
    attempts: int = attrs.field(default=1, eq=False)
    history: tuple[AttemptRecord, ...] = attrs.field(default=(), eq=False, repr=False)
