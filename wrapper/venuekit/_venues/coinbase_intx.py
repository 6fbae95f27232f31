"""Coinbase INTX (retired): ``DELETE /api/v1/orders/{id}?portfolio=`` — arguments in, result out.

INTX is retired (consolidated into Deribit on 1 October 2026); this module follows the documented
v1 API for the sandbox and anyone still holding it. No I/O here. The method, path template and
query names come from the generated module's public ``OPERATION`` contract; the id is
percent-encoded here (``quote(id, safe="")``).

A 200 is ``CANCELLED`` only when its body says so (``event_type`` or ``order_status``
``CANCELED``); ``PENDING_CANCEL`` or an order still ``NEW``/``WORKING``/``OPEN`` is
``CANCEL_PENDING`` with the venue's word; any other body is a ``VenueError``. Errors (exact texts
only): 400 "Order already done" -> ``OrderAlreadyDone`` (the docs give no wording; the sandbox's
assumption), 404 with a JSON error -> ``OrderNotFound`` (the documented status; the docs give no
text) unless it names the portfolio (``VenueRejectedRequest``), 400 "Invalid attribute" ->
``VenueRejectedRequest``, 401/403 -> ``AuthenticationError``, 429 -> ``RateLimited``, 5xx ->
``VenueUnavailable``; anything else is a plain ``VenueError``. The response is typed with the
generated ``OrderResultV1`` after an exact JSON decode (ids and prices keep their literal text).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from venuekit import errors
from venuekit._credentials import CoinbaseIntxCredentials
from venuekit._models import CancelResult, CancelState
from venuekit._policy import message_says_timestamp_expired
from venuekit._ratelimit import RateLimit
from venuekit._spec_usage import OperationUse
from venuekit._venues._common import (
    NotJSONError,
    PreparedCancel,
    RawResponse,
    check_id,
    date_header_reading,
    decimal_or_none,
    drop_nulls,
    error_for_status,
    excerpt,
    logger,
    not_json_success,
    operation,
    quote_segment,
)
from venuekit._venues._spec import Action, CredentialKind, Venue, VenueSpec
from venuekit.auth import CoinbaseIntxAuth

__all__ = ["SPEC", "interpret_cancel", "prepare_cancel"]

if TYPE_CHECKING:
    from coinbase_intx_api.models.order_result_v1 import OrderResultV1

VENUE = Venue.COINBASE_INTX

#: Words (upper case) of ``event_type`` / ``order_status`` that say the order is cancelled ...
_CANCELLED_WORDS = frozenset({"CANCELED", "CANCELLED"})
#: ... that the cancel is accepted but not final, or the order is still open.
_PENDING_WORDS = frozenset({"PENDING_CANCEL", "NEW", "PENDING_NEW", "WORKING", "OPEN"})
#: Exact error texts (lowercased) about the order itself.
_ALREADY_DONE = frozenset({"order already done"})
_INVALID_ATTRIBUTE = frozenset({"invalid attribute"})


def prepare_cancel(*, order_id: str, portfolio: str) -> PreparedCancel:
    """Validate the arguments and build the request; ``InvalidRequest`` naming the field.

    ``order_id`` is the exchange order id or the client order id; ``portfolio`` (UUID or
    numeric id) is required by INTX.

        >>> prepare_cancel(order_id="a/b", portfolio="p1").url
        '/api/v1/orders/a%2Fb'
    """
    order = check_id(order_id, field="order_id", path_segment=True)
    portfolio_id = check_id(portfolio, field="portfolio", path_segment=False)
    # Loaded on first use: `import venuekit` stays free of the generated package (INTX is
    # retired; most users never load it).
    cancel = operation("coinbase_intx_api.api.orders.cancel_order")
    return PreparedCancel(
        venue=VENUE,
        method=cancel.method,
        url=cancel.render_path({"id": quote_segment(order)}),
        params=cancel.query({"portfolio": portfolio_id}),
        order_id=order,
        id_field="order_id",
    )


def interpret_cancel(prepared: PreparedCancel, raw: RawResponse) -> CancelResult:
    """Turn INTX's answer into a ``CancelResult`` or raise the mapped error.

    See the module docstring for the states. When the body does not fit ``OrderResultV1`` the
    result still stands with ``response=None`` (a warning is logged). A 2xx body that is not
    JSON, or whose words say neither cancelled nor pending, raises ``VenueError``.
    """
    try:
        body = raw.json()
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
    order_status = _text(fields.get("order_status"))
    venue_status = event_type if event_type is not None else order_status
    words = {word.upper() for word in (event_type, order_status) if word is not None}
    if words & _CANCELLED_WORDS:
        state = CancelState.CANCELLED
    elif words & _PENDING_WORDS:
        state = CancelState.CANCEL_PENDING
    else:
        raise errors.VenueError(
            f"HTTP {raw.status_code}, but the answer does not say the order is cancelled "
            f"(event_type={event_type!r}, order_status={order_status!r})",
            venue=VENUE,
            status_code=raw.status_code,
        )
    order_id = _text(fields.get("order_id"))
    return CancelResult(
        venue=VENUE,
        order_id=order_id if order_id is not None else prepared.order_id,
        client_order_id=_text(fields.get("client_order_id")),
        state=state,
        venue_status=venue_status,
        response=model,
        price=decimal_or_none(fields.get("price")),
        size=decimal_or_none(fields.get("size")),
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


def _error(raw: RawResponse, body: object) -> errors.VenueError:
    status = raw.status_code
    if not isinstance(body, dict):
        return error_for_status(VENUE, raw, message=None)
    texts = [body.get(key) for key in ("message", "title", "detail", "error")]
    words = [text for text in texts if isinstance(text, str) and text]
    message = "; ".join(dict.fromkeys(words)) or excerpt(raw.content, raw.secrets)
    exact = {word.strip().lower() for word in words}
    if status == 429 or status >= 500 or status in {401, 403}:
        return error_for_status(VENUE, raw, message=message)
    if exact & _ALREADY_DONE and status == 400:
        return errors.OrderAlreadyDone(message, venue=VENUE, status_code=status)
    if status == 404:  # the documented status of this endpoint for an unknown id (no text given)
        if "portfolio" in message.lower():
            return errors.VenueRejectedRequest(
                message, field="portfolio", venue=VENUE, status_code=status
            )
        return errors.OrderNotFound(message, venue=VENUE, status_code=status)
    if exact & _INVALID_ATTRIBUTE:
        return errors.VenueRejectedRequest(message, venue=VENUE, status_code=status)
    return error_for_status(VENUE, raw, message=message)


def _prepare(arguments: Mapping[str, object], credentials: object) -> PreparedCancel:
    """``order_id`` or its synonym ``client_order_id`` (INTX takes either id in the path)."""
    order_id, client_order_id = arguments.get("order_id"), arguments.get("client_order_id")
    if order_id is not None and client_order_id is not None:
        raise errors.InvalidRequest(
            "pass order_id or client_order_id (INTX takes either as the id), not both",
            field="client_order_id",
            venue=VENUE,
        )
    if order_id is None and client_order_id is None:
        raise errors.InvalidRequest("order_id is required", field="order_id", venue=VENUE)
    portfolio = arguments.get("portfolio")
    if portfolio is None:
        raise errors.InvalidRequest("portfolio is required", field="portfolio", venue=VENUE)
    return prepare_cancel(
        order_id=order_id if order_id is not None else client_order_id,  # type: ignore[arg-type]
        portfolio=portfolio,  # type: ignore[arg-type]  # checked inside
    )


SPEC = VenueSpec(
    venue=VENUE,
    title="Coinbase International Exchange (INTX)",
    status="retired 1 October 2026 (consolidated into Deribit); documented v1 API kept",
    credentials=(
        CredentialKind(
            type=CoinbaseIntxCredentials,
            env=(
                ("api_key", "VENUEKIT_COINBASE_INTX_API_KEY"),
                ("api_secret", "VENUEKIT_COINBASE_INTX_API_SECRET"),
                ("passphrase", "VENUEKIT_COINBASE_INTX_PASSPHRASE"),
            ),
            auth=CoinbaseIntxAuth,
            base_url="https://api.international.coinbase.com",
            rate_key=lambda credentials: credentials.api_key,
        ),
    ),
    sandbox_base_url="https://api-n5e1.coinbase.com",
    # 40 requests/s per API key and no documented burst: the bucket holds one second of requests.
    rate_limit=RateLimit(rate=40, burst=40),
    # Current docs allow 5 s of clock skew (older pages said 30 s).
    clock_window=5.0,
    fields=("order_id", "client_order_id", "portfolio"),
    cancel=Action(prepare=_prepare, interpret=interpret_cancel),
    timestamp_rejected=message_says_timestamp_expired,
    clock_reading=date_header_reading,
    package="coinbase_intx_api",
    operations=(
        OperationUse(
            spec="coinbase_intx",
            method="DELETE",
            path="/api/v1/orders/{id}",
            sends=frozenset({"id", "portfolio"}),
            reads=frozenset(
                {"order_id", "client_order_id", "event_type", "order_status", "price", "size"}
            ),
            relies_on={
                "event_type": frozenset({"CANCELED", "PENDING_CANCEL", "NEW", "PENDING_NEW"}),
                "order_status": frozenset({"WORKING", "DONE"}),
            },
        ),
    ),
)
