"""HTTP for the drivers: open the venue's httpx client, send one request, read the answer.

(Interim version: the bounded reader replaces it.)
"""

from __future__ import annotations

import math

import attrs
import httpx

from venuekit import errors
from venuekit._clock import Clock
from venuekit._constants import CONNECT_TIMEOUT, POOL_TIMEOUT, READ_TIMEOUT, WRITE_TIMEOUT

__all__ = ["Answer", "default_timeout", "open_async_client", "open_client", "send", "send_async"]

_NOT_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.ProxyError,
    httpx.UnsupportedProtocol,
)


@attrs.frozen
class Answer:
    """What came back, read whole."""

    status_code: int
    headers: httpx.Headers
    content: bytes = attrs.field(repr=False)  # a venue may echo a credential: never in repr
    sent_at: float
    received_at: float


def default_timeout() -> httpx.Timeout:
    """The per-attempt timeouts from ``venuekit._constants``."""
    return httpx.Timeout(
        connect=CONNECT_TIMEOUT, read=READ_TIMEOUT, write=WRITE_TIMEOUT, pool=POOL_TIMEOUT
    )


def open_client(
    *, base_url: str, auth: httpx.Auth | None, transport: httpx.BaseTransport | None
) -> httpx.Client:
    """A sync httpx client for one venue (redirects never followed)."""
    return httpx.Client(
        base_url=base_url,
        auth=auth,
        transport=transport,
        follow_redirects=False,
        timeout=default_timeout(),
    )


def open_async_client(
    *, base_url: str, auth: httpx.Auth | None, transport: httpx.AsyncBaseTransport | None
) -> httpx.AsyncClient:
    """An async httpx client for one venue (redirects never followed)."""
    return httpx.AsyncClient(
        base_url=base_url,
        auth=auth,
        transport=transport,
        follow_redirects=False,
        timeout=default_timeout(),
    )


def _error(exc: httpx.HTTPError) -> errors.TransportError:
    return errors.TransportError(
        f"{type(exc).__name__}: {exc}", may_have_reached_venue=not isinstance(exc, _NOT_SENT)
    )


def send(
    http: httpx.Client,
    request: httpx.Request,
    *,
    deadline: float = math.inf,
    timeout: httpx.Timeout,
    signed: bool = True,
    clock: Clock,
) -> Answer:
    """Send ``request`` and read the answer; ``TransportError`` when there is none."""
    request.extensions["timeout"] = timeout.as_dict()
    sent = clock.time()
    try:
        response = http.send(request) if signed else http.send(request, auth=None)
    except httpx.HTTPError as exc:
        raise _error(exc) from None
    return Answer(response.status_code, response.headers, response.content, sent, clock.time())


async def send_async(
    http: httpx.AsyncClient,
    request: httpx.Request,
    *,
    deadline: float = math.inf,
    timeout: httpx.Timeout,  # noqa: ASYNC109 - per-attempt httpx timeouts within the deadline
    signed: bool = True,
    clock: Clock,
) -> Answer:
    """Async ``send``."""
    request.extensions["timeout"] = timeout.as_dict()
    sent = clock.time()
    try:
        response = await (http.send(request) if signed else http.send(request, auth=None))
    except httpx.HTTPError as exc:
        raise _error(exc) from None
    return Answer(response.status_code, response.headers, response.content, sent, clock.time())
