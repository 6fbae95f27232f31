"""Deribit's answers, I/O-free: the JSON-RPC envelope, and its error codes mapped to venuekit's.

The mapping is the complete table of Deribit's error page (``specs/upstream/deribit/errors.mdx``);
``venuekit._venues.deribit`` documents it and turns results into ``CancelResult`` /
``GroupCancelResult``.

Example: ``result = envelope(raw)`` (the ``result``, or raises the mapped ``VenueError``)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from venuekit import errors
from venuekit._policy import parse_retry_after
from venuekit._venues._common import (
    NotJSONError,
    RawResponse,
    error_for_status,
    excerpt,
    int_or_none,
    redact,
    unmapped_code_error,
)
from venuekit._venues._spec import Venue

__all__ = ["ERROR_CODES", "envelope"]

VENUE = Venue.DERIBIT

#: JSON-RPC error code -> error class (errors.mdx, the complete table).
ERROR_CODES: Mapping[int, type[errors.VenueError]] = {
    10004: errors.OrderNotFound,  # order_not_found
    11044: errors.OrderAlreadyDone,  # not_open_order: cancelling a filled or cancelled order
    10010: errors.OrderAlreadyDone,  # already_closed
    10028: errors.RateLimited,  # too_many_requests
    10047: errors.RateLimited,  # matching_engine_queue_full
    13004: errors.AuthenticationError,  # invalid_credentials
    13009: errors.AuthenticationError,  # unauthorized (expired/invalid token, bad signature)
    13021: errors.AuthenticationError,  # forbidden
    -32602: errors.VenueRejectedRequest,  # Invalid params
    11029: errors.VenueRejectedRequest,  # invalid_arguments
    11050: errors.VenueRejectedRequest,  # bad_request
}
#: Deribit parameter names -> venuekit argument names, for ``VenueRejectedRequest.field``.
_FIELDS = {
    "order_id": "order_id",
    "label": "label",
    "currency": "currency",
    "kind": "kind",
    "instrument_name": "instrument_name",
}


def envelope(raw: RawResponse) -> object:
    """The JSON-RPC ``result``; raise the mapped error for an ``error`` or an unusable answer."""
    try:
        body = raw.json()
    except NotJSONError:
        body = None
    if not isinstance(body, dict):
        if 200 <= raw.status_code < 300:
            raise errors.VenueError(
                f"HTTP {raw.status_code} with a body that is not a JSON-RPC answer: "
                f"{excerpt(raw.content, raw.secrets)!r}",
                venue=VENUE,
                status_code=raw.status_code,
            )
        raise error_for_status(VENUE, raw, message=None)
    error = body.get("error")
    if isinstance(error, dict):
        raise _error(raw, error)
    if "result" in body and 200 <= raw.status_code < 300:
        return body["result"]
    raise error_for_status(VENUE, raw, message=excerpt(raw.content, raw.secrets))


def _error(raw: RawResponse, error: Mapping[str, Any]) -> errors.VenueError:
    code = int_or_none(error.get("code"))
    text = error.get("message")
    message = redact(text if isinstance(text, str) else "", raw.secrets)
    data = error.get("data")
    if isinstance(data, dict):
        reason = data.get("reason")
        if isinstance(reason, str) and reason:
            message = f"{message}: {redact(reason, raw.secrets)}" if message else reason
    status = raw.status_code
    cls = ERROR_CODES.get(code) if code is not None else None
    if cls is None:
        return unmapped_code_error(VENUE, raw, message=message, code=code)
    if cls is errors.VenueRejectedRequest:
        param = data.get("param") if isinstance(data, dict) else None
        field = _FIELDS.get(param) if isinstance(param, str) else None
        return errors.VenueRejectedRequest(
            message, field=field, venue=VENUE, status_code=status, code=code
        )
    if cls is errors.RateLimited:
        hint = parse_retry_after(raw.headers.get("retry-after"), now=raw.now)
        return errors.RateLimited(
            message, retry_after=hint, venue=VENUE, status_code=status, code=code
        )
    return cls(message, venue=VENUE, status_code=status, code=code)
