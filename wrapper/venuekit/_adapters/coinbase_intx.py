"""Coinbase INTX: ``DELETE /api/v1/orders/{id}?portfolio=`` — arguments in, result out, no I/O.

INTX is retired (consolidated into Deribit on 1 October 2026); this adapter follows the documented
v1 API for the sandbox and anyone still holding it. The method, path template and query names come
from the generated ``coinbase_intx_api`` module's public ``OPERATION`` contract; the id is
percent-encoded here (``quote(id, safe="")``). The response is typed with the generated
``OrderResultV1`` after an exact JSON decode (ids and prices keep their literal text).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from venuekit import errors
from venuekit._adapters._common import (
    NotJSONError,
    PreparedCancel,
    RawResponse,
    check_id,
    drop_nulls,
    error_for_status,
    excerpt,
    logger,
    not_json_success,
    parse_json_exact,
)
from venuekit._models import CancelResult, CancelState, Venue

__all__ = ["interpret_cancel", "prepare_cancel"]

if TYPE_CHECKING:
    from coinbase_intx_api.models.order_result_v1 import OrderResultV1

VENUE = Venue.COINBASE_INTX

#: INTX ``event_type`` values that mean the cancel is accepted but not final.
_PENDING_EVENTS = frozenset({"PENDING_CANCEL"})
#: Error texts meaning "nothing left to cancel" (the docs give no wording; the sandbox sends
#: "Order already done").
_ALREADY_DONE = re.compile(
    r"\balready\s+(done|cancell?ed|closed|filled|completed|expired)\b"
    r"|\border\s+(is\s+)?(done|closed|not\s+open)\b",
    re.IGNORECASE,
)


def prepare_cancel(*, order_id: str, portfolio: str) -> PreparedCancel:
    """Validate the arguments and build the request; ``InvalidRequest`` naming the field.

    ``order_id`` is the exchange order id or the client order id; ``portfolio`` (UUID or
    numeric id) is required by INTX.

        >>> prepare_cancel(order_id="a/b", portfolio="p1").url
        '/api/v1/orders/a%2Fb'
    """
    order = check_id(order_id, field="order_id", path_segment=True)
    portfolio_id = check_id(portfolio, field="portfolio", path_segment=False)
    # Imported here, not at module level: `import venuekit` stays free of the generated package
    # (INTX is retired; most users never load it).
    from coinbase_intx_api.api.orders.cancel_order import OPERATION

    return PreparedCancel(
        venue=VENUE,
        method=OPERATION.method,
        url=OPERATION.render_path({"id": quote(order, safe="")}),
        params=OPERATION.query({"portfolio": portfolio_id}),
        order_id=order,
        id_field="order_id",
    )


def interpret_cancel(prepared: PreparedCancel, raw: RawResponse) -> CancelResult:
    """Turn INTX's answer into a ``CancelResult`` or raise the mapped error.

    A 2xx with a JSON body is always a success: ``event_type`` ``PENDING_CANCEL`` gives
    ``CANCEL_PENDING``, anything else ``CANCELLED``. When the body does not fit
    ``OrderResultV1`` the result still stands with ``response=None`` (a warning is logged).
    A 2xx body that is not JSON raises ``VenueError``.
    """
    try:
        body = parse_json_exact(raw.content)
    except NotJSONError:
        body = NotJSONError
    if not 200 <= raw.status_code < 300:
        raise _error(raw, body)
    if body is NotJSONError:
        raise not_json_success(VENUE, raw)
    fields: dict[str, Any] = drop_nulls(body) if isinstance(body, dict) else {}
    model = _typed(fields, raw.status_code) if isinstance(body, dict) else None
    if not isinstance(body, dict):
        logger.warning(
            "coinbase_intx: cancel succeeded (HTTP %s) but the body is a JSON %s, not an "
            "object; result.response is None, see result.raw",
            raw.status_code,
            type(body).__name__,
        )
    event_type = _text(fields.get("event_type"))
    venue_status = event_type if event_type is not None else _text(fields.get("order_status"))
    state = CancelState.CANCEL_PENDING if event_type in _PENDING_EVENTS else CancelState.CANCELLED
    order_id = _text(fields.get("order_id"))
    return CancelResult(
        venue=VENUE,
        order_id=order_id if order_id is not None else prepared.order_id,
        client_order_id=_text(fields.get("client_order_id")),
        state=state,
        venue_status=venue_status,
        response=model,
        price=_decimal(fields.get("price")),
        size=_decimal(fields.get("size")),
        raw=body,
    )


def _typed(fields: dict[str, Any], status_code: int) -> OrderResultV1 | None:
    """The generated model, or ``None`` (and a warning) when the body does not fit it."""
    try:
        from coinbase_intx_api.models.order_result_v1 import OrderResultV1

        return OrderResultV1.from_dict(fields)
    except Exception as exc:  # generated parsers raise anything: ValueError, TypeError, ...
        logger.warning(
            "coinbase_intx: cancel succeeded (HTTP %s) but the body does not fit OrderResultV1 "
            "(%s); result.response is None, see result.raw",
            status_code,
            type(exc).__name__,
        )
        return None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _decimal(value: object) -> Decimal | None:
    """An exact ``Decimal`` from the number's literal text; ``None`` if it is not a number."""
    if not isinstance(value, str):
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _error(raw: RawResponse, body: object) -> errors.VenueError:
    status = raw.status_code
    if not isinstance(body, dict):
        return error_for_status(VENUE, raw, message=None)
    texts = [body.get(key) for key in ("message", "title", "detail", "error")]
    words = [text for text in texts if isinstance(text, str) and text]
    message = "; ".join(dict.fromkeys(words)) or excerpt(raw.content, raw.secrets)
    if status == 429 or status >= 500 or status in {401, 403}:
        return error_for_status(VENUE, raw, message=message)
    if _ALREADY_DONE.search(message):
        return errors.OrderAlreadyDone(message, venue=VENUE, status_code=status)
    if status == 404 or "not found" in message.lower():
        return errors.OrderNotFound(message, venue=VENUE, status_code=status)
    if "invalid attribute" in message.lower():
        return errors.VenueRejectedRequest(message, venue=VENUE, status_code=status)
    return error_for_status(VENUE, raw, message=message)
