# ruff: noqa: ASYNC109 (httpcore's stream and backend interface takes `timeout` per operation)
"""The async twin of ``DeadlineTransport``: every socket operation ends by the call's deadline.

``send_async`` already bounds a call with a cancel scope, which holds for any transport. This
transport makes the common case clean as well: httpcore does not close a connection whose TLS
handshake is *cancelled* (its ``start_tls`` cleans up on ``Exception`` only), so a deadline
that fell during a handshake left the socket open until garbage collection. Here each connect,
handshake, read and write gets a timeout cut to what is left of ``DEADLINE``, so httpcore's own
timeout fires first and closes what it opened; the cancel scope, set a little later
(``HTTP_DEADLINE_GRACE``), remains the backstop.

Built from public parts, like the sync one: an ``httpcore.AsyncConnectionPool`` (or
``AsyncHTTPProxy``) over a wrapper of ``httpcore.AnyIOBackend`` (asyncio, and trio through
anyio). HTTP/1.1 only.

Example::

    async with httpx.AsyncClient(base_url=url, transport=AsyncDeadlineTransport()) as http:
        token = DEADLINE.set(time.monotonic() + 5.0)
        await http.get("/time")  # every socket operation ends within 5 s
"""

from __future__ import annotations

import ssl
import typing
from collections.abc import AsyncIterable, AsyncIterator

import anyio
import httpcore
import httpx

from venuekit._http_deadline import (
    CORE_ERRORS,
    SocketOptions,
    core_request,
    cut_timeout,
    pool_arguments,
    to_httpx,
)
from venuekit._http_errors import report_step

__all__ = ["AsyncDeadlineTransport"]


class _AsyncDeadlineStream(httpcore.AsyncNetworkStream):
    """A connected stream whose reads, writes and TLS handshake end by the deadline."""

    def __init__(self, stream: httpcore.AsyncNetworkStream) -> None:
        self._stream = stream

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        report_step("read")
        cut = cut_timeout(timeout, httpcore.ReadTimeout)
        return await self._stream.read(max_bytes, cut)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        cut = cut_timeout(timeout, httpcore.WriteTimeout)
        report_step("write")
        await self._stream.write(buffer, cut)

    async def aclose(self) -> None:
        await self._stream.aclose()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        # httpcore closes the TCP stream when the handshake fails with an Exception, but not when
        # it is cancelled (or when no time is left to start it): close it here then.
        try:
            cut = cut_timeout(timeout, httpcore.ConnectTimeout)
        except httpcore.ConnectTimeout:
            await self._stream.aclose()
            raise
        try:
            stream = await self._stream.start_tls(ssl_context, server_hostname, cut)
        except Exception:
            raise
        except BaseException:
            with anyio.CancelScope(shield=True):
                await self._stream.aclose()
            raise
        return _AsyncDeadlineStream(stream)

    def get_extra_info(self, info: str) -> typing.Any:
        return self._stream.get_extra_info(info)


class _AsyncDeadlineBackend(httpcore.AsyncNetworkBackend):
    """httpcore's ``AnyIOBackend``, with connects cut to the deadline and streams wrapped."""

    def __init__(self) -> None:
        self._backend = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: SocketOptions | None = None,
    ) -> httpcore.AsyncNetworkStream:
        # anyio bounds the whole connect (every address of the host) by one timeout.
        report_step("connect")
        cut = cut_timeout(timeout, httpcore.ConnectTimeout)
        stream = await self._backend.connect_tcp(host, port, cut, local_address, socket_options)
        return _AsyncDeadlineStream(stream)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: SocketOptions | None = None,
    ) -> httpcore.AsyncNetworkStream:
        report_step("connect")
        cut = cut_timeout(timeout, httpcore.ConnectTimeout)
        return _AsyncDeadlineStream(
            await self._backend.connect_unix_socket(path, cut, socket_options)
        )

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


class _AsyncResponseStream(httpx.AsyncByteStream):
    def __init__(self, stream: AsyncIterable[bytes]) -> None:
        self._stream = stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for part in self._stream:
                yield part
        except CORE_ERRORS as exc:
            raise to_httpx(exc) from exc

    async def aclose(self) -> None:
        aclose = getattr(self._stream, "aclose", None)
        if aclose is not None:
            try:
                await aclose()
            except CORE_ERRORS as exc:
                raise to_httpx(exc) from exc


class AsyncDeadlineTransport(httpx.AsyncBaseTransport):
    """httpx's default async HTTP/1.1 transport, except that socket operations end by ``DEADLINE``.

    ``ssl_context`` and ``proxy`` as for ``DeadlineTransport``.

    Example: ``httpx.AsyncClient(base_url=url, transport=AsyncDeadlineTransport())``
    """

    def __init__(
        self, *, ssl_context: ssl.SSLContext | None = None, proxy: str | None = None
    ) -> None:
        options, proxy_options = pool_arguments(ssl_context, proxy)
        options["network_backend"] = _AsyncDeadlineBackend()
        self._pool: httpcore.AsyncConnectionPool = (
            httpcore.AsyncConnectionPool(**options)
            if proxy_options is None
            else httpcore.AsyncHTTPProxy(**proxy_options, **options)
        )

    #: Reports its steps to ``venuekit._http_errors.PROGRESS`` (no trace hook needed).
    reports_progress = True

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` through the pool; the body is left to stream."""
        assert isinstance(request.stream, httpx.AsyncByteStream)
        report_step("start")
        try:
            response = await self._pool.handle_async_request(core_request(request))
        except CORE_ERRORS as exc:
            raise to_httpx(exc) from exc
        assert isinstance(response.stream, AsyncIterable)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_AsyncResponseStream(response.stream),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        """Close every pooled connection."""
        await self._pool.aclose()
