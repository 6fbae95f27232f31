"""In-process httpx transports for the sandbox: no sockets, dropped connections as real errors.

`transport(app)` is for `httpx.AsyncClient`; `sync_transport(app)` is for `httpx.Client`, which
has no ASGI transport of its own: it runs the app on a private event loop in one background
thread (an anyio blocking portal), started on first use and stopped by ``close()``.
"""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager
from typing import Any

import anyio.from_thread
import httpx

from venuekit.sandbox._http import ASGIApp, ConnectionDropped

__all__ = [
    "IN_PROCESS_URL",
    "AsyncSandboxTransport",
    "SyncSandboxTransport",
    "sync_transport",
    "transport",
]

#: A base URL for in-process clients; ``.invalid`` never resolves, so nothing can leak out.
IN_PROCESS_URL = "http://sandbox.venuekit.invalid"


class AsyncSandboxTransport(httpx.ASGITransport):
    """`httpx.ASGITransport` that turns the sandbox's drop signal into a transport error.

    Raises:
        httpx.RemoteProtocolError: the fault injector dropped the connection.
    """

    def __init__(self, app: ASGIApp, *, client: tuple[str, int] = ("127.0.0.1", 123)) -> None:
        super().__init__(app=app, raise_app_exceptions=True, client=client)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Run the app on the request; map a dropped connection to `httpx.RemoteProtocolError`."""
        try:
            return await super().handle_async_request(request)
        except ConnectionDropped as exc:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a complete response (sandbox fault)",
                request=request,
            ) from exc


class SyncSandboxTransport(httpx.BaseTransport):
    """A sync httpx transport that runs the sandbox app on a private event loop thread.

    Raises:
        httpx.RemoteProtocolError: the fault injector dropped the connection.
    """

    def __init__(self, app: ASGIApp, *, client: tuple[str, int] = ("127.0.0.1", 123)) -> None:
        self._inner = AsyncSandboxTransport(app, client=client)
        self._lock = threading.Lock()
        self._portal_cm: AbstractContextManager[anyio.from_thread.BlockingPortal] | None = None
        self._portal: anyio.from_thread.BlockingPortal | None = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` through the app and return the response with its body read."""
        body = request.read()
        async_request = httpx.Request(
            request.method,
            request.url,
            headers=request.headers,
            content=body,
            extensions=request.extensions,
        )
        status, headers, content, extensions = self._get_portal().call(self._send, async_request)
        return httpx.Response(
            status, headers=headers, stream=httpx.ByteStream(content), extensions=extensions
        )

    async def _send(
        self, request: httpx.Request
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes, dict[str, Any]]:
        response = await self._inner.handle_async_request(request)
        content = await response.aread()
        return response.status_code, response.headers.raw, content, dict(response.extensions)

    def _get_portal(self) -> anyio.from_thread.BlockingPortal:
        with self._lock:
            if self._portal is None:
                self._portal_cm = anyio.from_thread.start_blocking_portal()
                self._portal = self._portal_cm.__enter__()
            return self._portal

    def close(self) -> None:
        """Stop the private event loop thread (if it was started)."""
        with self._lock:
            portal_cm, self._portal_cm, self._portal = self._portal_cm, None, None
        if portal_cm is not None:
            portal_cm.__exit__(None, None, None)


def transport(app: ASGIApp) -> AsyncSandboxTransport:
    """Return an in-process transport for `httpx.AsyncClient` that serves requests with ``app``.

    Example:
        >>> from venuekit.sandbox import create_app
        >>> async def server_time() -> float:
        ...     async with httpx.AsyncClient(
        ...         transport=transport(create_app()), base_url=IN_PROCESS_URL
        ...     ) as client:
        ...         return (await client.get("/time")).json()["epoch"]
    """
    return AsyncSandboxTransport(app)


def sync_transport(app: ASGIApp) -> SyncSandboxTransport:
    """Return an in-process transport for `httpx.Client` that serves requests with ``app``.

    Close the client (or the transport) to stop its event-loop thread.

    Example:
        >>> from venuekit.sandbox import create_app
        >>> app = create_app()
        >>> with httpx.Client(transport=sync_transport(app), base_url=IN_PROCESS_URL) as client:
        ...     client.get("/time").status_code
        200
    """
    return SyncSandboxTransport(app)
