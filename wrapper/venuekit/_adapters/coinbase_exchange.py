"""Coinbase Exchange: ``DELETE /orders/{order_id}`` — arguments in, ``CancelResult`` out, no I/O.

The method, path template and query names come from the generated module's public ``OPERATION``
contract; the id is percent-encoded here with ``quote(id, safe="")`` (``/``, ``?``, ``#``, ``%``,
spaces and non-ASCII can never leave the path segment). The ``client:`` namespace venuekit adds for
``client_oid`` keeps its colon literal, as the official SDKs send it (``:`` is legal in a path
segment, RFC 3986 ``pchar``); the oid after it is fully encoded.
"""

from __future__ import annotations

from urllib.parse import quote

from venuekit import errors
from venuekit._adapters._common import (
    NotJSONError,
    PreparedCancel,
    RawResponse,
    check_id,
    check_optional_text,
    error_for_status,
    excerpt,
    logger,
    not_json_success,
    parse_json_exact,
)
from venuekit._models import CancelResult, CancelState, Venue

__all__ = ["CLIENT_NAMESPACE", "interpret_cancel", "prepare_cancel"]

VENUE = Venue.COINBASE_EXCHANGE
#: The namespace that marks a client-assigned id in the order path (Exchange docs).
CLIENT_NAMESPACE = "client:"


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

    path_id = CLIENT_NAMESPACE + quote(oid, safe="") if oid is not None else quote(given, safe="")
    # Imported here so `import venuekit` loads no generated package until a venue is used.
    from coinbase_exchange_api.api.orders.exchange_restapi_delete_order import OPERATION

    url = OPERATION.render_path({"order_id": path_id})
    params = OPERATION.query({"product_id": product, "profile_id": profile})
    return PreparedCancel(
        venue=VENUE,
        method=OPERATION.method,
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
        body = parse_json_exact(raw.content)
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


def _error(prepared: PreparedCancel, raw: RawResponse, body: object) -> errors.VenueError:
    status = raw.status_code
    if not isinstance(body, dict):
        return error_for_status(VENUE, raw, message=None)
    text = body.get("message")
    message = text if isinstance(text, str) else excerpt(raw.content, raw.secrets)
    lowered = message.lower()
    if status == 429 or status >= 500 or status in {401, 403}:
        return error_for_status(VENUE, raw, message=message)
    if "already done" in lowered:
        return errors.OrderAlreadyDone(message, venue=VENUE, status_code=status)
    if status == 404 or "notfound" in lowered or "not found" in lowered:
        return errors.OrderNotFound(message, venue=VENUE, status_code=status)
    if "invalid order id" in lowered:
        return errors.VenueRejectedRequest(
            message, field=prepared.id_field, venue=VENUE, status_code=status
        )
    return error_for_status(VENUE, raw, message=message)
