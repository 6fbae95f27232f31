"""Sending one request: the httpx client factory, a whole-call deadline, a bounded body.

``send`` / ``send_async`` return an ``Answer`` (status, headers, the decoded body) or raise
``venuekit.errors.TransportError``; nothing else escapes (no httpx error, no ``MemoryError``).

- **Deadline.** ``deadline`` is absolute ``time.monotonic()`` seconds (``math.inf``: none) and
  bounds the whole exchange: waiting for a pooled connection, connecting, sending, waiting for
  the headers and reading the body. The clients ``open_client`` / ``open_async_client`` build
  use ``DeadlineTransport`` / ``AsyncDeadlineTransport``, which cut every socket operation to
  what is left of the deadline. Async calls also run in a cancel scope (ending
  ``HTTP_DEADLINE_GRACE`` later), so any transport is bounded; with a caller-supplied sync
  transport the deadline is checked between body chunks only (a transport that blocks inside
  one call cannot be interrupted from outside). Name resolution is not bounded in sync calls.
- **Body.** Read as a stream; at most ``max_body`` bytes are kept, counted as received and as
  decoded. ``Accept-Encoding: identity`` is sent, but gzip/deflate answers are still decoded,
  step by step with a bounded output (``venuekit._http_body``); another coding is an error.
- **Headers.** ``User-Agent: venuekit/<version>`` unless the request sets its own. Redirects are
  never followed.
- **"May have reached the venue".** ``False`` only when nothing of the request can have left:
  the failure (or the deadline) came before any byte of the request was written, as venuekit's
  deadline transports report (to ``venuekit._http_errors.PROGRESS``) or, for another transport,
  httpcore's ``trace`` extension does; for a transport that reports nothing (a test's
  ``MockTransport``, the in-process sandbox), when the error is a connect or pool error.

Example::

    with open_client(base_url="https://venue.example", auth=None, transport=None) as http:
        request = http.build_request("GET", "/time")
        answer = send(http, request, deadline=time.monotonic() + 5, timeout=default_timeout(),
                      max_body=MAX_RESPONSE_BODY)
        answer.status_code, answer.content  # (200, b'{"iso":...}')
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import attrs
import httpx

from venuekit import errors
from venuekit._constants import (
    CONNECT_TIMEOUT,
    HTTP_ACCEPT_ENCODING,
    HTTP_CLOSE_GRACE,
    HTTP_DEADLINE_GRACE,
    POOL_TIMEOUT,
    READ_TIMEOUT,
    WRITE_TIMEOUT,
)
from venuekit._http_body import BodyTooLarge, BoundedBody, content_codings
from venuekit._http_errors import CONVERTED, DEADLINE, PROGRESS, Progress, transport_error
from venuekit._version import __version__

__all__ = [
    "USER_AGENT",
    "Answer",
    "default_timeout",
    "open_async_client",
    "open_client",
    "send",
    "send_async",
]

#: Sent as ``User-Agent`` on every request that does not set its own.
USER_AGENT = f"venuekit/{__version__}"


# Not frozen: built for every answer (frozen attrs classes cost ~55 ns more per field).
@attrs.define
class Answer:
    """What came back: status, headers and the whole body, decoded and at most ``max_body`` bytes.

    ``headers`` are as received (``Content-Encoding`` included, although ``content`` is decoded).

    Example: ``Answer(200, httpx.Headers(), b"{}", sent_at=t0, received_at=t1).status_code == 200``
    """

    status_code: int
    headers: httpx.Headers
    content: bytes = attrs.field(repr=lambda c: f"<{len(c)} bytes>")
    #: Epoch seconds just before the request was handed to httpx.
    sent_at: float
    #: Epoch seconds when the last byte of the body had been read.
    received_at: float


def default_timeout() -> httpx.Timeout:
    """The per-operation timeouts from ``venuekit._constants``.

    Example: ``default_timeout().read == READ_TIMEOUT``
    """
    return httpx.Timeout(
        connect=CONNECT_TIMEOUT, read=READ_TIMEOUT, write=WRITE_TIMEOUT, pool=POOL_TIMEOUT
    )


def _client_options(base_url: str, auth: httpx.Auth | None) -> dict[str, Any]:
    return {
        "base_url": base_url,
        "auth": auth,
        "timeout": default_timeout(),
        "follow_redirects": False,
        "headers": {"User-Agent": USER_AGENT, "Accept-Encoding": HTTP_ACCEPT_ENCODING},
    }


def open_client(
    *, base_url: str, auth: httpx.Auth | None, transport: httpx.BaseTransport | None
) -> httpx.Client:
    """A sync httpx client for one venue; without ``transport``, one that honours deadlines.

    The default transport is ``DeadlineTransport`` (HTTP/1.1, TLS with httpx's defaults), through
    the proxy the environment names for ``base_url`` (``HTTPS_PROXY``/``HTTP_PROXY``/``ALL_PROXY``
    and ``NO_PROXY``, see ``environment_proxy``), like httpx's own client. Close the
    client when done (``with``).

    Example: ``open_client(base_url="https://venue.example", auth=signer, transport=None)``
    """
    if transport is None:
        # httpcore (~13 ms to import) loads with the first client, as httpx itself does.
        from venuekit._http_deadline import DeadlineTransport, environment_proxy

        transport = DeadlineTransport(proxy=environment_proxy(base_url))
    return httpx.Client(**_client_options(base_url, auth), transport=transport)


def open_async_client(
    *, base_url: str, auth: httpx.Auth | None, transport: httpx.AsyncBaseTransport | None
) -> httpx.AsyncClient:
    """An async httpx client for one venue; without ``transport``, one that honours deadlines.

    The default transport is ``AsyncDeadlineTransport``, with the same proxy rule as
    ``open_client``. Any transport is bounded by ``send_async``'s cancel scope; this one also
    closes its connection cleanly when the deadline falls during a TLS handshake.

    Example: ``open_async_client(base_url=url, auth=signer, transport=None)``
    """
    if transport is None:
        from venuekit._http_deadline import environment_proxy
        from venuekit._http_deadline_async import AsyncDeadlineTransport

        transport = AsyncDeadlineTransport(proxy=environment_proxy(base_url))
    return httpx.AsyncClient(**_client_options(base_url, auth), transport=transport)


_ACCEPT_ENCODING_BYTES = HTTP_ACCEPT_ENCODING.encode("ascii")


def _prepare(request: httpx.Request, timeout: httpx.Timeout, deadline: float) -> None:
    """Set the headers, the timeouts cut to the deadline, and the progress hook on ``request``."""
    headers = request.headers
    agent = encoding = None
    for name, value in headers.raw:  # one pass (each ``headers.get`` scans them all)
        lowered = name.lower()
        if lowered == b"user-agent":
            agent = value
        elif lowered == b"accept-encoding":
            encoding = value
    if agent is None or agent.startswith(b"python-httpx/"):
        headers["User-Agent"] = USER_AGENT
    # The body decoder handles gzip and deflate only; never advertise more (httpx would add br
    # or zstd when their packages are installed). Our clients send this already.
    if encoding != _ACCEPT_ENCODING_BYTES:
        headers["Accept-Encoding"] = HTTP_ACCEPT_ENCODING
    left = deadline - time.monotonic()
    connect, read, write, pool = timeout.connect, timeout.read, timeout.write, timeout.pool
    if left != math.inf:  # each part cut to what is left ("no timeout" becomes what is left)
        connect = left if connect is None or connect > left else connect
        read = left if read is None or read > left else read
        write = left if write is None or write > left else write
        pool = left if pool is None or pool > left else pool
    # httpx builds a fresh extensions dict for every request: set in place.
    request.extensions["timeout"] = {
        "connect": connect,
        "read": read,
        "write": write,
        "pool": pool,
    }


def _reports_progress(
    http: httpx.Client | httpx.AsyncClient, request: httpx.Request, outer_trace: Any
) -> bool:
    """Whether the transport for ``request`` reports its own steps to ``PROGRESS``.

    Then no ``trace`` hook is installed (httpcore does extra work for each traced step); a
    caller's own ``trace`` keeps the hook, so that it still gets every event.
    """
    if outer_trace is not None:
        return False
    transport = http._transport_for_url(request.url)
    return getattr(transport, "reports_progress", False) is True


def _restore_trace(request: httpx.Request, trace: Any) -> None:
    """Put the caller's ``trace`` hook back (a request sent again must not chain ours)."""
    if trace is None:
        request.extensions.pop("trace", None)
    else:
        request.extensions["trace"] = trace


def _body(response: httpx.Response, max_body: int) -> BoundedBody:
    """An empty body collector for ``response``; over-size at once when Content-Length says so.

    A response already read (by an auth flow that checks small answers itself, or a mock
    transport) holds its body decoded already: it is collected, capped, with no coding applied.
    """
    lengths: list[bytes] = []
    encodings: list[str] = []
    for name, value in response.headers.raw:  # one pass (each ``get`` scans them all)
        lowered = name.lower()
        if lowered == b"content-length":
            lengths.append(value)
        elif lowered == b"content-encoding":
            encodings.append(value.decode("latin-1"))
    # Several Content-Length headers read as httpx joins them ("5, 5"): not a number, not used.
    length = b", ".join(lengths)
    if length.isdigit() and len(length) < 20 and int(length) > max_body:
        raise BodyTooLarge(max_body)
    if response.is_stream_consumed:
        return BoundedBody([], max_body=max_body)
    return BoundedBody(content_codings(encodings), max_body=max_body)


#: A deadline further away than this (seconds) is treated as none: socket timeouts above about
#: 9.2e9 s raise ``OverflowError``.
_FOREVER = 1e9


def _check(deadline: float, timeout: httpx.Timeout, max_body: int) -> float:
    """The deadline to use (``inf`` when far away); ``TypeError`` for arguments of a wrong kind."""
    if isinstance(deadline, bool) or not isinstance(deadline, int | float) or math.isnan(deadline):
        raise TypeError(f"deadline must be a number of monotonic seconds, not {deadline!r}")
    if not isinstance(timeout, httpx.Timeout):
        raise TypeError(f"timeout must be an httpx.Timeout, not {type(timeout).__name__}")
    if isinstance(max_body, bool) or not isinstance(max_body, int) or max_body < 0:
        raise TypeError(f"max_body must be a non-negative int, not {max_body!r}")
    return math.inf if deadline - time.monotonic() > _FOREVER else float(deadline)


def send(
    http: httpx.Client,
    request: httpx.Request,
    *,
    deadline: float,
    timeout: httpx.Timeout,
    max_body: int,
    sign: bool = True,
) -> Answer:
    """Send ``request`` on ``http`` and read the whole answer, ending by ``deadline``.

    ``timeout`` gives the per-operation limits, each cut to what is left of ``deadline``;
    ``sign=False`` sends without the client's auth (e.g. an unsigned ``GET /time``). Raises
    ``TransportError`` for every failure, including an answer over ``max_body`` bytes.

    Example: ``send(http, http.build_request("DELETE", "/orders/1"), deadline=time.monotonic() + 5,
    timeout=default_timeout(), max_body=MAX_RESPONSE_BODY)``
    """
    deadline = _check(deadline, timeout, max_body)
    progress = Progress()
    outer_trace = request.extensions.get("trace")
    reporting = _reports_progress(http, request, outer_trace)
    token = DEADLINE.set(deadline)
    progress_token = PROGRESS.set(progress if reporting else None)
    try:
        if time.monotonic() >= deadline:
            raise errors.TransportError(
                "deadline reached before sending", may_have_reached_venue=False
            )
        _prepare(request, timeout, deadline)
        if not reporting:
            request.extensions["trace"] = _sync_trace(progress, outer_trace)
        sent_at = time.time()
        auth = httpx.USE_CLIENT_DEFAULT if sign else None
        response = http.send(request, stream=True, follow_redirects=False, auth=auth)
        try:
            progress.phase = "reading the body"
            body = _body(response, max_body)
            # A transport may answer with a body already read (``httpx.Response(content=...)``
            # reads itself, as ``httpx.MockTransport`` handlers build them).
            consumed = response.is_stream_consumed
            for chunk in (response.content,) if consumed else response.iter_raw():
                body.feed(chunk)
                if time.monotonic() >= deadline:
                    raise errors.TransportError(
                        "deadline reached while reading the body; the cancel may have "
                        "reached the venue",
                        may_have_reached_venue=True,
                    )
            content = body.finish()
        finally:
            response.close()
        return Answer(response.status_code, response.headers, content, sent_at, time.time())
    except CONVERTED as exc:
        hit = isinstance(exc, httpx.TimeoutException) and time.monotonic() >= deadline
        raise transport_error(exc, progress, deadline_hit=hit, max_body=max_body) from None
    finally:
        DEADLINE.reset(token)
        PROGRESS.reset(progress_token)
        _restore_trace(request, outer_trace)


def _sync_trace(progress: Progress, outer: Any) -> Callable[[str, dict[str, Any]], None]:
    """httpcore's ``trace`` hook: note each step in ``progress``, then call the caller's hook."""

    def trace(name: str, info: dict[str, Any]) -> None:
        progress.event(name)
        if outer is not None:
            outer(name, info)

    return trace


async def send_async(
    http: httpx.AsyncClient,
    request: httpx.Request,
    *,
    deadline: float,
    timeout: httpx.Timeout,  # noqa: ASYNC109 (per operation; `deadline` bounds the call)
    max_body: int,
    sign: bool = True,
) -> Answer:
    """Send ``request`` on ``http`` and read the whole answer, ending by ``deadline``.

    The same contract as ``send``. The default transport ends each socket operation by the
    deadline; a cancel scope around the whole exchange, ``HTTP_DEADLINE_GRACE`` later, bounds any
    other transport too.

    Example: ``await send_async(http, request, deadline=time.monotonic() + 5,
    timeout=default_timeout(), max_body=MAX_RESPONSE_BODY)``
    """
    deadline = _check(deadline, timeout, max_body)
    progress = Progress()
    outer_trace: Callable[[str, dict[str, Any]], Awaitable[None]] | None
    outer_trace = request.extensions.get("trace")

    async def trace(name: str, info: dict[str, Any]) -> None:
        progress.event(name)
        if outer_trace is not None:
            await outer_trace(name, info)

    left = deadline - time.monotonic()
    if left <= 0:
        raise errors.TransportError("deadline reached before sending", may_have_reached_venue=False)
    _prepare(request, timeout, deadline)
    reporting = _reports_progress(http, request, outer_trace)
    if not reporting:
        request.extensions["trace"] = trace
    answer: Answer | None = None
    token = DEADLINE.set(deadline)  # cuts every socket operation of AsyncDeadlineTransport
    progress_token = PROGRESS.set(progress if reporting else None)
    try:
        # The transport's own timeouts end the call at the deadline and clean up; the scope
        # (a little later) bounds any other transport.
        with anyio.move_on_after(left + HTTP_DEADLINE_GRACE):
            answer = await _exchange_async(http, request, progress, max_body, sign)
    except CONVERTED as exc:
        hit = isinstance(exc, httpx.TimeoutException) and time.monotonic() >= deadline
        raise transport_error(exc, progress, deadline_hit=hit, max_body=max_body) from None
    finally:
        DEADLINE.reset(token)
        PROGRESS.reset(progress_token)
        _restore_trace(request, outer_trace)
    if answer is None:
        raise transport_error(None, progress, deadline_hit=True, max_body=max_body)
    return answer


async def _exchange_async(
    http: httpx.AsyncClient, request: httpx.Request, progress: Progress, max_body: int, sign: bool
) -> Answer:
    sent_at = time.time()
    auth = httpx.USE_CLIENT_DEFAULT if sign else None
    response = await http.send(request, stream=True, follow_redirects=False, auth=auth)
    try:
        progress.phase = "reading the body"
        body = _body(response, max_body)
        if response.is_stream_consumed:  # a transport that answered with a body already read
            body.feed(response.content)
        else:
            async for chunk in response.aiter_raw():
                body.feed(chunk)
        content = body.finish()
    finally:
        # Shielded (the call's scope may be cancelled already) but bounded.
        with anyio.move_on_after(HTTP_CLOSE_GRACE, shield=True):
            await response.aclose()
    return Answer(response.status_code, response.headers, content, sent_at, time.time())
