"""ASGI plumbing shared by the venue handlers: types, responses, exact JSON, the drop signal."""

from __future__ import annotations

import email.utils
import json
from collections.abc import Awaitable, Callable, Mapping, MutableMapping, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

import attrs

__all__ = [
    "ASGIApp",
    "ConnectionDropped",
    "Message",
    "Receive",
    "Request",
    "Response",
    "Scope",
    "Send",
    "dump_json",
    "http_date",
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class ConnectionDropped(Exception):  # noqa: N818 - a signal, not an error of the caller
    """Raised by the sandbox app after ``http.response.start`` to make the server drop the line.

    uvicorn answers an exception raised after the response started by closing the connection; the
    sandbox's httpx transports turn it into `httpx.RemoteProtocolError`. Either way the client
    sees a transport error, never a response.
    """


@attrs.frozen
class Request:
    """The parts of an ASGI HTTP request the sandbox reads, decoded once.

    ``raw_path`` is the path exactly as sent (percent-encoding kept, no query); ``query_string``
    is the raw query; header names are lower case, and a repeated header keeps its first value.
    """

    method: str
    raw_path: str
    query_string: str
    headers: Mapping[str, str]
    scheme: str
    host: str
    body: bytes = b""

    @classmethod
    def from_scope(cls, scope: Scope, body: bytes = b"") -> Request:
        """Read a request from an ASGI ``http`` scope (uvicorn's or httpx's) and its body."""
        raw_path_bytes: bytes = scope.get("raw_path") or str(scope.get("path", "")).encode(
            "utf-8", "replace"
        )
        headers: dict[str, str] = {}
        for name, value in scope.get("headers", ()):
            headers.setdefault(name.decode("latin-1").lower(), value.decode("latin-1"))
        host = headers.get("host")
        if not host:
            server = scope.get("server") or ("localhost", None)
            host = server[0] if server[1] is None else f"{server[0]}:{server[1]}"
        return cls(
            method=str(scope["method"]).upper(),
            raw_path=raw_path_bytes.split(b"?", 1)[0].decode("latin-1"),
            query_string=bytes(scope.get("query_string", b"")).decode("latin-1"),
            headers=headers,
            scheme=str(scope.get("scheme", "http")),
            host=host,
            body=body,
        )

    def query(self) -> list[tuple[str, str]]:
        """Return the query parameters, percent-decoded, in the order sent (blanks kept)."""
        return parse_qsl(self.query_string, keep_blank_values=True)

    def query_value(self, name: str) -> str | None:
        """Return the first value of query parameter ``name``, or None when it is absent."""
        return next((v for k, v in self.query() if k == name), None)


@attrs.frozen
class Response:
    """A complete HTTP response of the sandbox: status, JSON body bytes and extra headers."""

    status: int
    body: bytes
    headers: Sequence[tuple[bytes, bytes]] = ()

    @classmethod
    def json(
        cls, status: int, payload: object, headers: Sequence[tuple[bytes, bytes]] = ()
    ) -> Response:
        """Build a JSON response (numbers given as `Decimal` are written exactly)."""
        return cls(status, dump_json(payload).encode(), tuple(headers))

    def raw_headers(self, extra: Sequence[tuple[bytes, bytes]] = ()) -> list[tuple[bytes, bytes]]:
        """Return the ASGI header list: content type, length, the extra headers, then ours."""
        return [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(self.body)).encode()),
            *extra,
            *self.headers,
        ]


def dump_json(value: object) -> str:
    """Serialize JSON compactly; `Decimal` becomes a JSON number with its exact digits.

    The INTX docs send prices as JSON numbers (``20215.53``); going through `float` could change
    the digits, so decimals are written from their own text.

    Example:
        >>> dump_json({"price": Decimal("20215.53"), "id": 43877033468085760, "ok": True})
        '{"price":20215.53,"id":43877033468085760,"ok":true}'
    """
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("JSON has no NaN or infinity")
        return format(value, "f")
    if isinstance(value, Mapping):
        items = (f"{json.dumps(str(k))}:{dump_json(v)}" for k, v in value.items())
        return "{" + ",".join(items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(dump_json(v) for v in value) + "]"
    return json.dumps(value, allow_nan=False)


def http_date(timestamp: float) -> bytes:
    """Format seconds since the epoch as an HTTP ``Date`` header value (RFC 9110, GMT)."""
    return email.utils.formatdate(timestamp, usegmt=True).encode("ascii")
