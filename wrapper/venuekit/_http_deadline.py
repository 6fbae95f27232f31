"""A sync httpx transport whose every socket operation ends by the current call's deadline.

httpx's timeouts bound each socket operation, not a call: a server that sends one byte of its
headers or body every second keeps a ``read=10`` call alive forever. A sync call cannot be
cancelled from outside, so the clock is checked at the bottom instead (the async twin,
``venuekit._http_deadline_async``, does the same under a cancel scope, and shares the helpers
here). ``DeadlineTransport`` is httpx's default transport
rebuilt from public parts: an ``httpcore.ConnectionPool`` whose network backend wraps
httpcore's own ``SyncBackend`` and cuts the timeout of every connect, TLS handshake, read and
write to what is left of the deadline in the ``DEADLINE`` context variable (set by
``venuekit._http.send`` / ``send_async`` for the duration of one call; unset: no deadline). Once nothing is
left, the operation fails at once with httpcore's timeout error, which httpx reports as usual.

Limits: name resolution (``getaddrinfo``) cannot be given a timeout and is not bounded. A
write is cut once, then httpcore calls ``send()`` until the buffer is out, each time with that
timeout: a body larger than the socket buffer, read slowly by the peer, can outlast the deadline
(a cancel request, well under 1 KiB, leaves in one ``send()``). HTTP/2 and SOCKS proxies are not
supported by this transport.

Example::

    DEADLINE.set(time.monotonic() + 5.0)
    with httpx.Client(transport=DeadlineTransport()) as http:
        http.get("https://venue.example/time")  # ends within 5 s, whatever the server
"""

from __future__ import annotations

import math
import socket
import ssl
import time
import typing
import urllib.request
from collections.abc import Iterable, Iterator

import httpcore
import httpx

from venuekit._constants import HTTP_KEEPALIVE_EXPIRY, HTTP_MAX_CONNECTIONS, HTTP_MAX_KEEPALIVE
from venuekit._http_errors import DEADLINE, report_step

__all__ = [
    "CORE_ERRORS",
    "DEADLINE",
    "DeadlineTransport",
    "SocketOptions",
    "core_request",
    "cut_timeout",
    "environment_proxy",
    "pool_arguments",
    "to_httpx",
]

#: httpcore's name for the socket option tuples it passes to ``connect_tcp``.
SocketOptions = Iterable[
    tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]
]
_TimeoutError = type[httpcore.TimeoutException]

#: httpcore error -> httpx error, most specific first (httpx maps them the same way).
_ERRORS: tuple[tuple[type[Exception], type[httpx.HTTPError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.ProxyError, httpx.ProxyError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
)


#: Every httpcore error ``to_httpx`` converts.
CORE_ERRORS = tuple(source for source, _ in _ERRORS)


def cut_timeout(timeout: float | None, error: _TimeoutError) -> float | None:
    """``timeout`` cut to what is left of the deadline; ``error`` when nothing is left."""
    left = DEADLINE.get() - time.monotonic()
    if left == math.inf:
        return timeout
    if left <= 0:
        raise error("deadline reached")
    return left if timeout is None or timeout > left else timeout


class _DeadlineStream(httpcore.NetworkStream):
    """A connected stream whose reads, writes and TLS handshake end by the deadline."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        report_step("read")
        cut = cut_timeout(timeout, httpcore.ReadTimeout)
        return self._stream.read(max_bytes, cut)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        # httpcore's SyncStream sends in a loop, this timeout per send(): see the module's Limits.
        cut = cut_timeout(timeout, httpcore.WriteTimeout)
        report_step("write")
        self._stream.write(buffer, cut)

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        # httpcore closes the TCP stream when the handshake fails with an Exception, but not on
        # KeyboardInterrupt (or when no time is left to start it): close it here then.
        try:
            cut = cut_timeout(timeout, httpcore.ConnectTimeout)
        except httpcore.ConnectTimeout:
            self._stream.close()
            raise
        try:
            stream = self._stream.start_tls(ssl_context, server_hostname, cut)
        except Exception:
            raise
        except BaseException:
            self._stream.close()
            raise
        return _DeadlineStream(stream)

    def get_extra_info(self, info: str) -> typing.Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's ``SyncBackend``, with connects cut to the deadline and streams wrapped."""

    def __init__(self) -> None:
        self._backend = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: SocketOptions | None = None,
    ) -> httpcore.NetworkStream:
        # socket.create_connection gives *each* address of a host the whole timeout; resolve
        # here and give each address only what is left, so several addresses cannot add up.
        report_step("connect")
        cut_timeout(timeout, httpcore.ConnectTimeout)
        try:
            addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        failure: Exception = httpcore.ConnectError(f"no address for {host!r}")
        for *_, sockaddr in addresses:
            cut = cut_timeout(timeout, httpcore.ConnectTimeout)
            try:
                stream = self._backend.connect_tcp(
                    str(sockaddr[0]), port, cut, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
                continue
            return _DeadlineStream(stream)
        raise failure

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: SocketOptions | None = None,
    ) -> httpcore.NetworkStream:
        report_step("connect")
        cut = cut_timeout(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._backend.connect_unix_socket(path, cut, socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def to_httpx(exc: Exception) -> httpx.HTTPError:
    """The httpx error httpx's own transport raises for the httpcore error ``exc``."""
    for source, target in _ERRORS:
        if isinstance(exc, source):
            return target(str(exc))
    return httpx.TransportError(str(exc))  # pragma: no cover (every httpcore error is listed)


class _ResponseStream(httpx.SyncByteStream):
    def __init__(self, stream: Iterable[bytes]) -> None:
        self._stream = stream

    # try/except, not a context manager: a generator-based one per call costs more than the rest
    # of this wrapper, on every answer.
    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._stream
        except CORE_ERRORS as exc:
            raise to_httpx(exc) from exc

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            try:
                close()
            except CORE_ERRORS as exc:
                raise to_httpx(exc) from exc


class DeadlineTransport(httpx.BaseTransport):
    """httpx's default HTTP/1.1 transport, except that socket operations end by ``DEADLINE``.

    ``ssl_context`` defaults to httpx's (certifi roots, ``SSL_CERT_FILE`` honoured). ``proxy``:
    an ``http://`` or ``https://`` proxy URL (credentials in it are used for the proxy); every
    request then goes through it (``CONNECT`` for https). Pool sizes from ``venuekit._constants``.

    Example: ``httpx.Client(base_url=url, transport=DeadlineTransport())``
    """

    def __init__(
        self, *, ssl_context: ssl.SSLContext | None = None, proxy: str | None = None
    ) -> None:
        options, proxy_options = pool_arguments(ssl_context, proxy)
        options["network_backend"] = _DeadlineBackend()
        self._pool: httpcore.ConnectionPool = (
            httpcore.ConnectionPool(**options)
            if proxy_options is None
            else httpcore.HTTPProxy(**proxy_options, **options)
        )

    #: Reports its steps to ``venuekit._http_errors.PROGRESS`` (``send`` needs no trace hook).
    reports_progress = True

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` through the pool; the body is left to stream."""
        assert isinstance(request.stream, httpx.SyncByteStream)
        report_step("start")
        try:
            response = self._pool.handle_request(core_request(request))
        except CORE_ERRORS as exc:
            raise to_httpx(exc) from exc
        assert isinstance(response.stream, Iterable)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_ResponseStream(response.stream),
            extensions=response.extensions,
        )

    def close(self) -> None:
        """Close every pooled connection."""
        self._pool.close()


def pool_arguments(
    ssl_context: ssl.SSLContext | None, proxy: str | None
) -> tuple[dict[str, typing.Any], dict[str, typing.Any] | None]:
    """httpcore pool arguments as httpx's default transport sets them, and the proxy's (or None).

    ``ValueError`` for a proxy scheme other than http/https (SOCKS needs a package httpx makes
    optional, and is not wired here).
    """
    options: dict[str, typing.Any] = {
        "ssl_context": ssl_context if ssl_context is not None else httpx.create_ssl_context(),
        "max_connections": HTTP_MAX_CONNECTIONS,
        "max_keepalive_connections": HTTP_MAX_KEEPALIVE,
        "keepalive_expiry": HTTP_KEEPALIVE_EXPIRY,
        "http1": True,
        "http2": False,
    }
    if proxy is None:
        return options, None
    settings = httpx.Proxy(proxy)
    if settings.url.scheme not in {"http", "https"}:
        raise ValueError(f"unsupported proxy scheme {settings.url.scheme!r} (http, https)")
    return options, {
        "proxy_url": _core_url(settings.url),
        "proxy_auth": settings.raw_auth,
        "proxy_headers": settings.headers.raw,
    }


def _core_url(url: httpx.URL) -> httpcore.URL:
    return httpcore.URL(
        scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
    )


def core_request(request: httpx.Request) -> httpcore.Request:
    """``request`` as httpcore takes it (the body stays a stream)."""
    return httpcore.Request(
        method=request.method,
        url=_core_url(request.url),
        headers=request.headers.raw,
        content=request.stream,
        extensions=request.extensions,
    )


def environment_proxy(base_url: str) -> str | None:
    """The proxy URL the environment names for ``base_url``, or ``None``.

    ``HTTPS_PROXY`` / ``HTTP_PROXY`` by the URL's scheme, else ``ALL_PROXY`` (any case), unless
    ``NO_PROXY`` covers the host: ``urllib.request.getproxies_environment`` and ``proxy_bypass``.

    Example: ``environment_proxy("https://venue.example")  # 'http://proxy:3128'``
    """
    url = httpx.URL(base_url)
    proxies = urllib.request.getproxies_environment()
    proxy = proxies.get(url.scheme) or proxies.get("all")
    if not proxy or urllib.request.proxy_bypass(url.host):
        return None
    return proxy
