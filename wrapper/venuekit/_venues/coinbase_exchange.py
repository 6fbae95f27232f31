"""Coinbase Exchange (live): ``DELETE /orders/{order_id}`` — arguments in, ``CancelResult`` out.

No I/O here. Answers (venues.md; exact texts only, anything else is a plain ``VenueError``):

=========================================  ====================================
answer                                     class
=========================================  ====================================
200 with the id as a bare JSON string      ``CancelResult`` ``CANCELLED``
400 "Order already done"                   ``OrderAlreadyDone``
404 "NotFound"                             ``OrderNotFound``
400 "Invalid order id"                     ``VenueRejectedRequest`` (the id field)
404 "ProductNotFound" / "Product not       ``VenueRejectedRequest`` (``product_id``)
found" (likewise profile)
401 (any message), 403                     ``AuthenticationError``
429                                        ``RateLimited``
5xx                                        ``VenueUnavailable``
=========================================  ====================================

The method, path template and query names come from the generated module's public ``OPERATION``
contract; the id is percent-encoded here with ``quote(id, safe="")`` (``/``, ``?``, ``#``, ``%``,
spaces and non-ASCII can never leave the path segment). The ``client:`` namespace venuekit adds for
``client_oid`` keeps its colon literal, as the official SDKs send it (``:`` is legal in a path
segment, RFC 3986 ``pchar``); the oid after it is fully encoded.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from venuekit import errors
from venuekit._credentials import CoinbaseExchangeCredentials
from venuekit._models import CancelResult, CancelState
from venuekit._policy import message_says_timestamp_expired
from venuekit._ratelimit import RateLimit
from venuekit._spec_usage import OperationUse
from venuekit._venues._common import (
    NotJSONError,
    PreparedCancel,
    RawResponse,
    check_id,
    check_optional_text,
    date_header_reading,
    error_for_status,
    excerpt,
    logger,
    not_json_success,
    operation,
    quote_segment,
)
from venuekit._venues._spec import Action, CredentialKind, Venue, VenueSpec
from venuekit.auth import CoinbaseExchangeAuth

__all__ = ["CLIENT_NAMESPACE", "SPEC", "interpret_cancel", "prepare_cancel"]

VENUE = Venue.COINBASE_EXCHANGE
#: The namespace that marks a client-assigned id in the order path (Exchange docs).
CLIENT_NAMESPACE = "client:"
#: The generated module whose ``OPERATION`` is the cancel (loaded on first use).
_CANCEL_OPERATION = "coinbase_exchange_api.api.orders.exchange_restapi_delete_order"


def prepare_cancel(
    *,
    order_id: str | None = None,
    client_oid: str | None = None,
    product_id: str | None = None,
    profile_id: str | None = None,
) -> PreparedCancel:
    """Validate the arguments and build the request; ``InvalidRequest`` naming the field.

    Exactly one of ``order_id`` / ``client_oid``. ``client_oid`` may be given with or without the
    ``client:`` namespace, which is added exactly once; an ``order_id`` that already starts with
    ``client:`` is treated as that client oid.

        >>> prepare_cancel(client_oid="client:abc").url
        '/orders/client:abc'
    """
    if order_id is not None and client_oid is not None:
        raise errors.InvalidRequest(
            "pass order_id or client_oid, not both", field="client_oid", venue=VENUE
        )
    if order_id is None and client_oid is None:
        raise errors.InvalidRequest(
            "order_id or client_oid is required", field="order_id", venue=VENUE
        )
    id_field = "order_id" if order_id is not None else "client_oid"
    given = check_id(
        order_id if order_id is not None else client_oid, field=id_field, path_segment=True
    )
    product = check_optional_text(product_id, field="product_id")
    profile = check_optional_text(profile_id, field="profile_id")

    oid: str | None = None
    if client_oid is not None or given.startswith(CLIENT_NAMESPACE):
        oid = given.removeprefix(CLIENT_NAMESPACE)
        check_id(oid, field=id_field, path_segment=False)

    path_id = CLIENT_NAMESPACE + quote_segment(oid) if oid is not None else quote_segment(given)
    cancel = operation(_CANCEL_OPERATION)
    url = cancel.render_path({"order_id": path_id})
    params = cancel.query({"product_id": product, "profile_id": profile})
    return PreparedCancel(
        venue=VENUE,
        method=cancel.method,
        url=url,
        params=params,
        order_id=None if oid is not None else given,
        client_order_id=oid,
        id_field=id_field,
    )


def interpret_cancel(prepared: PreparedCancel, raw: RawResponse) -> CancelResult:
    """Turn Coinbase Exchange's answer into a ``CancelResult`` or raise the mapped error.

    Success is a 200 whose body is the cancelled id as a bare JSON string (the client oid when
    cancelled by ``client:<oid>``). A 2xx body that is not JSON raises ``VenueError`` (nothing
    confirms the cancel); a JSON body of another shape is still a success, with ``response=None``.
    """
    try:
        body = raw.json()
    except NotJSONError:
        body = NotJSONError
    if not 200 <= raw.status_code < 300:
        raise _error(prepared, raw, body)
    if body is NotJSONError:
        raise not_json_success(VENUE, raw)
    response: str | None = body if isinstance(body, str) else None
    if response is None:
        logger.warning(
            "coinbase_exchange: cancel succeeded (HTTP %s) but the body is a JSON %s, not the "
            "documented id string; result.response is None, see result.raw",
            raw.status_code,
            type(body).__name__,
        )
    order_id, client_order_id = prepared.order_id, prepared.client_order_id
    if response is not None:
        if client_order_id is not None:
            client_order_id = response
        else:
            order_id = response
    return CancelResult(
        venue=VENUE,
        order_id=order_id,
        client_order_id=client_order_id,
        state=CancelState.CANCELLED,
        venue_status=None,
        response=response,
        raw=body,
    )


#: Exact texts (lowercased) of the venue's answers about the order itself (venues.md).
_ALREADY_DONE = frozenset({"order already done"})
_ORDER_NOT_FOUND = frozenset({"notfound", "order not found"})
_INVALID_ORDER_ID = frozenset({"invalid order id"})
#: Not-found answers about something else than the order: the field at fault.
_OTHER_NOT_FOUND = {
    "productnotfound": "product_id",
    "product not found": "product_id",
    "profilenotfound": "profile_id",
    "profile not found": "profile_id",
}


def _error(prepared: PreparedCancel, raw: RawResponse, body: object) -> errors.VenueError:
    status = raw.status_code
    if not isinstance(body, dict):
        return error_for_status(VENUE, raw, message=None)
    text = body.get("message")
    message = text if isinstance(text, str) else excerpt(raw.content, raw.secrets)
    exact = message.strip().lower()
    if status == 429 or status >= 500 or status in {401, 403}:
        return error_for_status(VENUE, raw, message=message)
    if exact in _ALREADY_DONE and status == 400:
        return errors.OrderAlreadyDone(message, venue=VENUE, status_code=status)
    if exact in _ORDER_NOT_FOUND and status == 404:
        return errors.OrderNotFound(message, venue=VENUE, status_code=status)
    if exact in _INVALID_ORDER_ID:
        return errors.VenueRejectedRequest(
            message, field=prepared.id_field, venue=VENUE, status_code=status
        )
    if exact in _OTHER_NOT_FOUND:
        return errors.VenueRejectedRequest(
            message, field=_OTHER_NOT_FOUND[exact], venue=VENUE, status_code=status
        )
    return error_for_status(VENUE, raw, message=message)


def _prepare(arguments: Mapping[str, object], credentials: object) -> PreparedCancel:
    return prepare_cancel(
        order_id=arguments.get("order_id"),  # type: ignore[arg-type]  # checked inside
        client_oid=arguments.get("client_oid"),  # type: ignore[arg-type]
        product_id=arguments.get("product_id"),  # type: ignore[arg-type]
        profile_id=arguments.get("profile_id"),  # type: ignore[arg-type]
    )


def _read_time(raw: RawResponse) -> float | None:
    """``GET /time``'s ``epoch`` (seconds, decimals), or ``None``."""
    try:
        body = raw.json()
    except NotJSONError:
        return None
    epoch = body.get("epoch") if isinstance(body, dict) and raw.status_code == 200 else None
    try:
        value = float(epoch) if isinstance(epoch, str) else None
    except ValueError:
        return None
    return value if value is not None and math.isfinite(value) else None


SPEC = VenueSpec(
    venue=VENUE,
    title="Coinbase Exchange",
    status="live",
    credentials=(
        CredentialKind(
            type=CoinbaseExchangeCredentials,
            env=(
                ("api_key", "VENUEKIT_COINBASE_EXCHANGE_API_KEY"),
                ("api_secret", "VENUEKIT_COINBASE_EXCHANGE_API_SECRET"),
                ("passphrase", "VENUEKIT_COINBASE_EXCHANGE_PASSPHRASE"),
            ),
            auth=CoinbaseExchangeAuth,
            base_url="https://api.exchange.coinbase.com",
            rate_key=lambda credentials: credentials.api_key,
        ),
    ),
    sandbox_base_url="https://api-public.sandbox.exchange.coinbase.com",
    # Private endpoints: 15 requests/s per profile, bursts to 30 (token bucket).
    rate_limit=RateLimit(rate=15, burst=30),
    # Requests more than 30 s off the server clock are rejected.
    clock_window=30.0,
    fields=("order_id", "client_oid", "product_id", "profile_id"),
    cancel=Action(prepare=_prepare, interpret=interpret_cancel),
    time_request=PreparedCancel(venue=VENUE, method="GET", url="/time", params=()),
    read_time=_read_time,
    timestamp_rejected=message_says_timestamp_expired,
    # Exchange purges an order soon after it is cancelled: its "NotFound" confirms too.
    confirms=lambda error: isinstance(error, errors.OrderAlreadyDone | errors.OrderNotFound),
    clock_reading=date_header_reading,
    package="coinbase_exchange_api",
    operations=(
        OperationUse(
            spec="coinbase_exchange",
            method="DELETE",
            path="/orders/{order_id}",
            sends=frozenset({"order_id", "product_id", "profile_id"}),
            reads=frozenset({""}),
        ),
    ),
)
