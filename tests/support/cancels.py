"""The one table of per-venue cancels and answers, shared by the client and adapter tests.

For each venue: the cancel a client test makes (``CANCELS``), the same request prepared by the
venue module (``PREPARED``, for ``venuekit._venues.interpret``), its success body, its exact
"already done" and "not found" answers, and every documented error answer with the class it
must map to (``VENUE_ERRORS``; sources: /work/shared/design/venues.md and the sandbox contract).

Example::

    result = harness.run(harness.json(200, SUCCESS[venue]), CANCELS[venue])
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from venuekit import Venue, errors
from venuekit._venues import PreparedCancel, coinbase_exchange, coinbase_intx, deribit, loopring

__all__ = [
    "ALREADY_DONE",
    "CANCELS",
    "DERIBIT_CANCEL",
    "EXCHANGE_CANCEL",
    "INTX_CANCEL",
    "LOOPRING_CANCEL",
    "NOT_FOUND",
    "NO_ANSWERS",
    "PREPARED",
    "SIGNATURE_HEADERS",
    "SUCCESS",
    "VENUE_ERRORS",
    "deribit_error",
    "error_id",
    "rejected",
]

EXCHANGE_CANCEL: Callable[[Any], Any] = lambda c: c.coinbase_exchange.cancel_order(order_id="abc")  # noqa: E731
INTX_CANCEL: Callable[[Any], Any] = lambda c: c.coinbase_intx.cancel_order(  # noqa: E731
    order_id="123", portfolio="p1"
)
LOOPRING_CANCEL: Callable[[Any], Any] = lambda c: c.loopring.cancel_order(order_hash="0xabc")  # noqa: E731
DERIBIT_CANCEL: Callable[[Any], Any] = lambda c: c.deribit.cancel_order(order_id="ETH-349249")  # noqa: E731


def deribit_error(code: int, message: str) -> dict[str, Any]:
    """A Deribit JSON-RPC error envelope (errors.mdx; ``usIn``/``usOut`` left out: they would
    read as the venue's clock)."""
    return {"jsonrpc": "2.0", "error": {"code": code, "message": message}}


#: One cancel per venue, as a client test calls it (``call(client)``).
CANCELS: dict[Venue, Callable[[Any], Any]] = {
    Venue.COINBASE_EXCHANGE: EXCHANGE_CANCEL,
    Venue.COINBASE_INTX: INTX_CANCEL,
    Venue.LOOPRING: LOOPRING_CANCEL,
    Venue.DERIBIT: DERIBIT_CANCEL,
}
#: The same requests prepared by the venue modules (Loopring: the harness's account 10001).
PREPARED: dict[Venue, PreparedCancel] = {
    Venue.COINBASE_EXCHANGE: coinbase_exchange.prepare_cancel(order_id="abc"),
    Venue.COINBASE_INTX: coinbase_intx.prepare_cancel(order_id="123", portfolio="p1"),
    Venue.LOOPRING: loopring.prepare_cancel(order_hash="0xabc", account_id=10001),
    Venue.DERIBIT: deribit.prepare_cancel(order_id="ETH-349249"),
}
#: A 200 body that says the order is cancelled.
SUCCESS: dict[Venue, Any] = {
    Venue.COINBASE_EXCHANGE: "abc",
    Venue.COINBASE_INTX: {"order_id": 123, "event_type": "CANCELED", "order_status": "DONE"},
    Venue.LOOPRING: {"hash": "0xabc", "status": "cancelled", "isIdempotent": False},
    Venue.DERIBIT: {
        "jsonrpc": "2.0",
        "result": {"order_id": "ETH-349249", "order_state": "cancelled", "label": ""},
    },
}
#: The venue's exact "already done" answer: (status, body).
ALREADY_DONE: dict[Venue, tuple[int, Any]] = {
    Venue.COINBASE_EXCHANGE: (400, {"message": "Order already done"}),
    Venue.COINBASE_INTX: (400, {"title": "Order already done", "status": 400}),
    Venue.LOOPRING: (400, {"resultInfo": {"code": 102117, "message": "no orders to cancel"}}),
    Venue.DERIBIT: (400, deribit_error(11044, "not_open_order")),
}
#: The venue's exact "not found" answer: (status, body).
NOT_FOUND: dict[Venue, tuple[int, Any]] = {
    Venue.COINBASE_EXCHANGE: (404, {"message": "NotFound"}),
    Venue.COINBASE_INTX: (404, {"title": "Order not found", "status": 404}),
    Venue.LOOPRING: (400, {"resultInfo": {"code": 107003, "message": "order does not exist"}}),
    Venue.DERIBIT: (400, deribit_error(10004, "order_not_found")),
}
#: The headers every signed attempt carries exactly once.
SIGNATURE_HEADERS: dict[Venue, tuple[str, ...]] = {
    Venue.COINBASE_EXCHANGE: (
        "CB-ACCESS-KEY",
        "CB-ACCESS-PASSPHRASE",
        "CB-ACCESS-TIMESTAMP",
        "CB-ACCESS-SIGN",
    ),
    Venue.COINBASE_INTX: (
        "CB-ACCESS-KEY",
        "CB-ACCESS-PASSPHRASE",
        "CB-ACCESS-TIMESTAMP",
        "CB-ACCESS-SIGN",
    ),
    Venue.LOOPRING: ("X-API-KEY", "X-API-SIG"),
    Venue.DERIBIT: ("Authorization",),
}


def rejected(code: int, message: str) -> dict[str, Any]:
    """A Loopring error body."""
    return {"resultInfo": {"code": code, "message": message}}


# Every error in venues.md (and the sandbox contract), with the class it must raise.
VENUE_ERRORS: list[tuple[Venue, int, Any, type[errors.VenueError]]] = [
    # Coinbase Exchange: {"message": ...}
    (Venue.COINBASE_EXCHANGE, 400, {"message": "Order already done"}, errors.OrderAlreadyDone),
    (Venue.COINBASE_EXCHANGE, 404, {"message": "NotFound"}, errors.OrderNotFound),
    (Venue.COINBASE_EXCHANGE, 400, {"message": "Invalid order id"}, errors.VenueRejectedRequest),
    (Venue.COINBASE_EXCHANGE, 401, {"message": "invalid signature"}, errors.AuthenticationError),
    (Venue.COINBASE_EXCHANGE, 401, {"message": "Invalid API Key"}, errors.AuthenticationError),
    (Venue.COINBASE_EXCHANGE, 401, {"message": "Invalid Passphrase"}, errors.AuthenticationError),
    (
        Venue.COINBASE_EXCHANGE,
        401,
        {"message": "request timestamp expired"},
        errors.AuthenticationError,
    ),
    (Venue.COINBASE_EXCHANGE, 403, {"message": "Forbidden"}, errors.AuthenticationError),
    (
        Venue.COINBASE_EXCHANGE,
        429,
        {"message": "Private rate limit exceeded"},
        errors.RateLimited,
    ),
    (Venue.COINBASE_EXCHANGE, 500, {"message": "Internal server error"}, errors.VenueUnavailable),
    (Venue.COINBASE_EXCHANGE, 503, {"message": "Service Unavailable"}, errors.VenueUnavailable),
    # Coinbase INTX: {"message": ...} and {"title": ..., "status": ...}
    (
        Venue.COINBASE_INTX,
        400,
        {"title": "Invalid attribute", "status": 400},
        errors.VenueRejectedRequest,
    ),
    (Venue.COINBASE_INTX, 400, {"title": "Invalid attribute"}, errors.VenueRejectedRequest),
    (Venue.COINBASE_INTX, 400, {"message": "Invalid attribute"}, errors.VenueRejectedRequest),
    (
        Venue.COINBASE_INTX,
        400,
        {"title": "Order already done", "status": 400},
        errors.OrderAlreadyDone,
    ),
    # Not a documented or recorded wording: never "already done" (issue 11), a plain VenueError.
    (Venue.COINBASE_INTX, 400, {"message": "Order is already canceled"}, errors.VenueError),
    (Venue.COINBASE_INTX, 401, {"message": "Unauthorized"}, errors.AuthenticationError),
    (
        Venue.COINBASE_INTX,
        401,
        {"title": "Unauthorized", "status": 401},
        errors.AuthenticationError,
    ),
    (Venue.COINBASE_INTX, 404, {"title": "Order not found", "status": 404}, errors.OrderNotFound),
    (Venue.COINBASE_INTX, 404, {"message": "Not Found"}, errors.OrderNotFound),
    (Venue.COINBASE_INTX, 429, {"message": "Rate limit exceeded"}, errors.RateLimited),
    (Venue.COINBASE_INTX, 500, {"title": "Internal error", "status": 500}, errors.VenueUnavailable),
    # Loopring: {"resultInfo": {"code", "message"}} and the older flat {"code", "msg"}
    (Venue.LOOPRING, 400, rejected(104001, "empty api key"), errors.AuthenticationError),
    (Venue.LOOPRING, 400, rejected(104002, "invalid api key"), errors.AuthenticationError),
    (Venue.LOOPRING, 400, rejected(104003, "invalid account id"), errors.VenueRejectedRequest),
    (Venue.LOOPRING, 400, rejected(104004, "no signature"), errors.AuthenticationError),
    (Venue.LOOPRING, 400, rejected(104005, "wrong signature"), errors.AuthenticationError),
    (Venue.LOOPRING, 400, rejected(107002, "orderHash empty"), errors.VenueRejectedRequest),
    (Venue.LOOPRING, 400, rejected(107003, "order does not exist"), errors.OrderNotFound),
    (Venue.LOOPRING, 400, rejected(102117, "no orders to cancel"), errors.OrderAlreadyDone),
    (Venue.LOOPRING, 400, rejected(102118, "failed to cancel"), errors.VenueUnavailable),
    (Venue.LOOPRING, 400, rejected(102120, "order not valid"), errors.VenueRejectedRequest),
    (Venue.LOOPRING, 400, rejected(100000, "unknown error"), errors.VenueError),
    (Venue.LOOPRING, 400, rejected(999999, "brand new code"), errors.VenueError),
    (Venue.LOOPRING, 400, {"code": 107003, "msg": "order does not exist"}, errors.OrderNotFound),
    (Venue.LOOPRING, 400, {"code": 104005, "msg": "wrong signature"}, errors.AuthenticationError),
    (Venue.LOOPRING, 429, {"message": "too many requests"}, errors.RateLimited),
    (Venue.LOOPRING, 429, rejected(100000, "rate limited"), errors.RateLimited),
    (Venue.LOOPRING, 502, {"message": "bad gateway"}, errors.VenueUnavailable),
    # Deribit: the JSON-RPC envelope decides, whatever the HTTP status (errors.mdx)
    (Venue.DERIBIT, 400, deribit_error(10004, "order_not_found"), errors.OrderNotFound),
    (Venue.DERIBIT, 200, deribit_error(10004, "order_not_found"), errors.OrderNotFound),
    (Venue.DERIBIT, 400, deribit_error(11044, "not_open_order"), errors.OrderAlreadyDone),
    (Venue.DERIBIT, 400, deribit_error(10010, "already_closed"), errors.OrderAlreadyDone),
    (Venue.DERIBIT, 429, deribit_error(10028, "too_many_requests"), errors.RateLimited),
    (Venue.DERIBIT, 400, deribit_error(10047, "matching_engine_queue_full"), errors.RateLimited),
    (Venue.DERIBIT, 400, deribit_error(13004, "invalid_credentials"), errors.AuthenticationError),
    (Venue.DERIBIT, 400, deribit_error(13009, "unauthorized"), errors.AuthenticationError),
    (Venue.DERIBIT, 400, deribit_error(13021, "forbidden"), errors.AuthenticationError),
    (Venue.DERIBIT, 400, deribit_error(-32602, "Invalid params"), errors.VenueRejectedRequest),
    (Venue.DERIBIT, 400, deribit_error(11029, "invalid_arguments"), errors.VenueRejectedRequest),
    (Venue.DERIBIT, 400, deribit_error(11050, "bad_request"), errors.VenueRejectedRequest),
    (Venue.DERIBIT, 400, deribit_error(10009, "not_enough_funds"), errors.VenueError),
    (Venue.DERIBIT, 500, deribit_error(10001, "error"), errors.VenueUnavailable),
]

#: The answers that mean "no": never retried. Left out: 429 and "try later" (retried) and the
#: refused timestamp (one clock resync, then one retry).
NO_ANSWERS = [
    row
    for row in VENUE_ERRORS
    if row[3] not in (errors.RateLimited, errors.VenueUnavailable)
    and "timestamp" not in json.dumps(row[2])
]


def error_id(row: tuple[Venue, int, Any, type[errors.VenueError]]) -> str:
    """A test id for a ``VENUE_ERRORS`` row: venue, status and the start of the body."""
    venue, status, body, _ = row
    return f"{venue.value}-{status}-{json.dumps(body)[:40]}"
