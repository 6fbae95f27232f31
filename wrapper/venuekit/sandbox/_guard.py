"""Checks every request passes before any venue logic: head size, headers, parameters, body size.

A request the venue could not read gives the venue's 4xx answer, never a 500: an over-size head
is 431, a duplicated or malformed header or parameter is 400, a body over the limit is 413 (from
``Content-Length`` before reading anything, or as soon as a chunked body passes the limit).
ASSUMPTION: the venues document none of these answers; the statuses are RFC 9110's and the
bodies take each venue's error shape.
"""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import parse_qsl

import attrs

from venuekit.sandbox._http import Receive, Response, Scope

__all__ = ["Rejection", "check_head", "read_body", "venue_error"]

#: Headers a request may carry once: a second copy would make auth or framing ambiguous.
SINGLE_HEADERS = frozenset(
    {
        "host",
        "content-length",
        "content-type",
        "cb-access-key",
        "cb-access-passphrase",
        "cb-access-timestamp",
        "cb-access-sign",
        "x-api-key",
        "x-api-sig",
    }
)
#: Query parameters a venue reads; each may be sent once.
SINGLE_PARAMS = frozenset(
    {"portfolio", "product_id", "profile_id", "accountId", "orderHash", "clientOrderId"}
)
_CONTENT_LENGTH = re.compile(rb"[0-9]{1,19}")
# RFC 9110 token (method) and a host (reg-name, IPv4 or [IPv6]) with an optional port.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,32}")
_HOST = re.compile(
    rb"(?:[A-Za-z0-9\-._~%!$&'()*+,;=]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?"
)


@attrs.frozen
class Rejection:
    """Why a request is refused before the venue sees it: HTTP status and a short reason."""

    status: int
    message: str


def venue_error(venue: str, rejection: Rejection) -> Response:
    """Render a rejection in the venue's error shape (``venue`` as in `SandboxApp.now`)."""
    status, message = rejection.status, rejection.message
    if venue == "intx":
        return Response.json(status, {"title": message, "status": status})
    if venue == "loopring":
        return Response.json(status, {"resultInfo": {"code": 100001, "message": message}})
    return Response.json(status, {"message": message})


def check_head(scope: Scope, *, max_head_bytes: int, max_body_bytes: int) -> Rejection | None:
    """Check the request line and headers of an ASGI ``http`` scope; None when acceptable."""
    method = scope.get("method")
    if not isinstance(method, str) or _TOKEN.fullmatch(method) is None:
        return Rejection(400, "malformed request method")
    raw_path = scope.get("raw_path") or str(scope.get("path", "")).encode("utf-8", "replace")
    query = bytes(scope.get("query_string", b""))
    headers = [(bytes(n), bytes(v)) for n, v in scope.get("headers", ())]
    size = len(method) + len(raw_path) + len(query) + sum(len(n) + len(v) + 4 for n, v in headers)
    if size > max_head_bytes:
        return Rejection(431, "request header fields too large")
    counts = Counter(name.decode("latin-1").lower() for name, _ in headers)
    duplicated = sorted(name for name, n in counts.items() if n > 1 and name in SINGLE_HEADERS)
    if duplicated:
        return Rejection(400, f"duplicated header: {duplicated[0]}")
    values = {name.decode("latin-1").lower(): value for name, value in headers}
    host = values.get("host")
    if host is not None and _HOST.fullmatch(host) is None:
        return Rejection(400, "malformed Host header")
    length = values.get("content-length")
    if length is not None:
        if _CONTENT_LENGTH.fullmatch(length) is None:
            return Rejection(400, "malformed Content-Length header")
        if int(length) > max_body_bytes:
            return Rejection(413, "request body too large")
    params = Counter(k for k, _ in parse_qsl(query.decode("latin-1"), keep_blank_values=True))
    repeated = sorted(name for name, n in params.items() if n > 1 and name in SINGLE_PARAMS)
    if repeated:
        return Rejection(400, f"duplicated parameter: {repeated[0]}")
    return None


async def read_body(receive: Receive, *, limit: int) -> bytes | None:
    """Read the request body; None as soon as it passes ``limit`` bytes (the rest is not read)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = bytes(message.get("body", b""))
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)
