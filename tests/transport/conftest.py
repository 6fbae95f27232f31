"""Real socket servers on 127.0.0.1 for the transport tests, started per test, and one helper
that runs an exchange through ``send`` or ``send_async`` alike.

``serve(handler)`` starts a thread-per-connection TCP server and returns it; ``handler(conn)``
gets a ``Conn`` that can read one request and write anything, byte by byte if need be. Every
server, connection and thread is closed when the test ends (``Conn.sleep`` returns early then).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from venuekit import errors
from venuekit._constants import MAX_RESPONSE_BODY
from venuekit._http import (
    Answer,
    default_timeout,
    open_async_client,
    open_client,
    send,
    send_async,
)


class Conn:
    """One accepted connection, with the helpers the hostile handlers need."""

    def __init__(self, sock: socket.socket, server: Server) -> None:
        self.sock = sock
        self.server = server

    def read_request(self) -> bytes:
        """Read one request's head (and its body by Content-Length); record it on the server."""
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self.sock.recv(65536)
            if not chunk:
                return data
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                while len(body) < int(value):
                    chunk = self.sock.recv(65536)
                    if not chunk:
                        break
                    body += chunk
        self.server.requests.append(head)
        return head

    def send(self, data: bytes) -> bool:
        """Send ``data``; ``False`` once the client has gone or the test has ended."""
        if self.server.stopped.is_set():
            return False
        try:
            self.sock.sendall(data)
        except OSError:
            return False
        return True

    def drip(self, data: bytes, *, every: float) -> None:
        """Send ``data`` one byte per ``every`` seconds, until done, the client leaves or the end."""
        for byte in data:
            if not self.send(bytes([byte])) or self.server.stopped.wait(every):
                return

    def hold(self) -> None:
        """Keep the connection open, sending nothing, until the test ends."""
        self.server.stopped.wait(60)


Handler = Callable[[Conn], None]


class Server:
    """A TCP server on 127.0.0.1: one thread per connection, each running ``handler``."""

    def __init__(self, handler: Handler, *, backlog: int = 16, accept: bool = True) -> None:
        self.handler = handler
        self.requests: list[bytes] = []
        self.connections = 0
        self.stopped = threading.Event()
        self._sockets: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(backlog)
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        if accept:
            self._start(self._accept)

    def _start(self, target: Callable[..., None], *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                sock, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            self._sockets.append(sock)
            self._start(self._run, sock)

    def _run(self, sock: socket.socket) -> None:
        conn = Conn(sock, self)
        try:
            self.handler(conn)
        except OSError:
            pass
        finally:
            conn.sock.close()  # the handler may have replaced it (a TLS socket wrapping it)
            sock.close()

    def close(self) -> None:
        self.stopped.set()
        # shutdown() wakes a thread blocked in accept() (close() alone does not on Linux).
        for sock in [self.listener, *self._sockets]:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        for thread in self._threads:
            thread.join(timeout=5)
        assert not any(thread.is_alive() for thread in self._threads), "a server thread hangs"


@pytest.fixture
def serve() -> Iterator[Callable[..., Server]]:
    """Start servers for one test: ``serve(handler, backlog=16, accept=True)``."""
    servers: list[Server] = []

    def start(handler: Handler, **options: object) -> Server:
        server = Server(handler, **options)  # type: ignore[arg-type]
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def gzip_of_zeros(size: int) -> bytes:
    """A gzip stream of ``size`` zero bytes, compressed 1 MiB at a time (never all in memory)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1 << 20)
    parts = [
        compressor.compress(block[: min(len(block), size - done)])
        for done in range(0, size, len(block))
    ]
    parts.append(compressor.flush())
    return b"".join(parts)


@pytest.fixture(scope="session")
def gzip_100mb() -> bytes:
    """~100 KB of gzip that inflates to 100 MB of zeros."""
    return gzip_of_zeros(100 * 10**6)


@pytest.fixture(scope="session")
def gzip_1gb() -> bytes:
    """~1 MB of gzip that inflates to 1 GB of zeros, generated by streaming."""
    return gzip_of_zeros(10**9)


MODES = ["sync", "async"]


def run_exchange(
    mode: str,
    url: str,
    *,
    deadline_in: float = 1.0,
    method: str = "GET",
    path: str = "/cancel",
    max_body: int = MAX_RESPONSE_BODY,
    timeout: httpx.Timeout | None = None,
    transport: Any = None,
    auth: httpx.Auth | None = None,
    sign: bool = True,
    **request: Any,
) -> tuple[Answer | errors.TransportError, float]:
    """One exchange on a fresh client; returns the answer (or the ``TransportError``) and seconds.

    Any other exception propagates, so a test fails when something else escapes.
    """
    options: dict[str, Any] = {
        "timeout": timeout or default_timeout(),
        "max_body": max_body,
        "sign": sign,
    }
    if mode == "sync":
        with open_client(base_url=url, auth=auth, transport=transport) as http:
            built = http.build_request(method, path, **request)
            started = time.monotonic()
            try:
                return send(http, built, deadline=started + deadline_in, **options), (
                    time.monotonic() - started
                )
            except errors.TransportError as exc:
                return exc, time.monotonic() - started

    async def main() -> tuple[Answer | errors.TransportError, float]:
        async with open_async_client(base_url=url, auth=auth, transport=transport) as http:
            built = http.build_request(method, path, **request)
            started = time.monotonic()
            try:
                answer = await send_async(http, built, deadline=started + deadline_in, **options)
            except errors.TransportError as exc:
                return exc, time.monotonic() - started
            return answer, time.monotonic() - started

    return asyncio.run(main())


Exchange = Callable[..., tuple[Answer | errors.TransportError, float]]


@pytest.fixture
def exchange() -> Exchange:
    """``exchange(mode, url, deadline_in=1.0, ...)``: one timed ``send``/``send_async`` call."""
    return run_exchange
