"""The served sandbox hangs up on idle, slow-header and surplus connections (real sockets).

Every loop is bounded (connections and seconds) and talks to 127.0.0.1 only. The tests assert
that the server closed the connections, never how fast: the bound on waiting is generous and
only there so a broken server fails the test instead of hanging it.
"""

from __future__ import annotations

import selectors
import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from venuekit.sandbox import RunningSandbox, SandboxConfig, ServerLimits, run_in_thread

WAIT_BOUND = 60.0  # seconds: give up (and fail) if the server has not closed them by then


@pytest.fixture
def served() -> Iterator[RunningSandbox]:
    limits = ServerLimits(max_connections=500, header_timeout=1.0, keep_alive_timeout=1.0)
    with run_in_thread(config=SandboxConfig(seed=2), limits=limits) as sandbox:
        yield sandbox


def open_connections(sandbox: RunningSandbox, count: int) -> list[socket.socket]:
    sockets = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", sandbox.port), timeout=10)
        sock.setblocking(False)
        sockets.append(sock)
    return sockets


def closed_by_peer(sock: socket.socket) -> bool:
    """True when the server has closed ``sock`` (EOF or reset); False while it is still open."""
    try:
        data = sock.recv(65536)
    except BlockingIOError:
        return False
    except (ConnectionResetError, BrokenPipeError):
        return True
    return data == b"" or closed_by_peer(sock)  # a 4xx/408 answer may come before the EOF


def wait_until_closed(sockets: list[socket.socket], *, drip: bytes = b"") -> list[socket.socket]:
    """Wait (bounded) for the server to close every socket; return those still open.

    With ``drip``, each open socket is sent one more byte of it every 0.2 s meanwhile.
    """
    pending = {sock.fileno(): sock for sock in sockets}
    position = dict.fromkeys(pending, 0)
    deadline = time.monotonic() + WAIT_BOUND
    with selectors.DefaultSelector() as selector:
        for sock in sockets:
            selector.register(sock, selectors.EVENT_READ)
        while pending and time.monotonic() < deadline:
            for key, _ in selector.select(timeout=0.2):
                sock = pending.get(key.fd)
                if sock is not None and closed_by_peer(sock):
                    selector.unregister(sock)
                    del pending[key.fd]
            for fd, sock in list(pending.items()):
                if drip and position[fd] < len(drip):
                    try:
                        sock.send(drip[position[fd] : position[fd] + 1])
                    except (BrokenPipeError, ConnectionResetError):
                        selector.unregister(sock)
                        del pending[fd]
                        continue
                    position[fd] += 1
    return list(pending.values())


def close_all(sockets: list[socket.socket]) -> None:
    for sock in sockets:
        sock.close()


def still_serves(sandbox: RunningSandbox) -> bool:
    with httpx.Client(base_url=sandbox.url) as client:
        return client.get("/time").status_code == 200


def test_2000_idle_connections_are_all_closed(served: RunningSandbox) -> None:
    sockets = open_connections(served, 2000)
    try:
        assert wait_until_closed(sockets) == []
    finally:
        close_all(sockets)
    assert still_serves(served)


def test_slow_header_connections_are_closed(served: RunningSandbox) -> None:
    head = f"DELETE /api/v1/orders/1 HTTP/1.1\r\nHost: 127.0.0.1:{served.port}\r\n"
    head += "CB-ACCESS-KEY: sandbox-intx-key-0000000000000001\r\n" * 3 + "\r\n"
    sockets = open_connections(served, 50)
    try:
        # One byte every 0.2 s: the head would need about 40 s; the server allows 1 s.
        assert wait_until_closed(sockets, drip=head.encode()) == []
    finally:
        close_all(sockets)
    assert still_serves(served)


def test_idle_keep_alive_connection_is_closed_after_its_response(served: RunningSandbox) -> None:
    sock = socket.create_connection(("127.0.0.1", served.port), timeout=10)
    try:
        sock.sendall(f"GET /time HTTP/1.1\r\nHost: 127.0.0.1:{served.port}\r\n\r\n".encode())
        assert sock.recv(65536).startswith(b"HTTP/1.1 200 ")
        sock.setblocking(False)
        assert wait_until_closed([sock]) == []
    finally:
        sock.close()


def test_connections_beyond_the_limit_are_closed_at_once() -> None:
    # header_timeout far beyond the wait: only the connection cap can close these.
    limits = ServerLimits(max_connections=10, header_timeout=3600.0)
    with run_in_thread(limits=limits) as sandbox:
        sockets = open_connections(sandbox, 25)
        try:
            deadline = time.monotonic() + WAIT_BOUND
            closed: set[int] = set()
            while len(closed) < 15 and time.monotonic() < deadline:
                closed |= {
                    i for i, s in enumerate(sockets) if i not in closed and closed_by_peer(s)
                }
                time.sleep(0.05)
            assert len(closed) == 15
            assert not any(closed_by_peer(s) for i, s in enumerate(sockets) if i not in closed)
        finally:
            close_all(sockets)
        assert still_serves(sandbox)


def test_oversize_head_over_a_socket_is_a_4xx(served: RunningSandbox) -> None:
    with httpx.Client(base_url=served.url) as client:
        response = client.get("/time", headers={"x-junk": "a" * 20_000})
    assert 400 <= response.status_code < 500


def test_limits_are_validated() -> None:
    with pytest.raises(ValueError, match="header_timeout"):
        ServerLimits(header_timeout=0)
    with pytest.raises(ValueError, match="max_connections"):
        ServerLimits(max_connections=0)


RAW_REQUESTS = {
    "non-ASCII path": b"DELETE /api/v1/orders/\xc3\xa9 HTTP/1.1\r\nHost: h\r\n\r\n",
    "non-ASCII query": b"DELETE /api/v1/orders/1?portfolio=\xff HTTP/1.1\r\nHost: h\r\n\r\n",
    "non-ASCII method": b"D\xc3\x89LETE /orders/1 HTTP/1.1\r\nHost: h\r\n\r\n",
    "non-ASCII key": b"DELETE /orders/1 HTTP/1.1\r\nHost: h\r\nCB-ACCESS-KEY: \xff\xfe\r\n\r\n",
    "huge Content-Length": (
        b"DELETE /api/v3/order HTTP/1.1\r\nHost: h\r\nContent-Length: " + b"9" * 30 + b"\r\n\r\n"
    ),
    "Content-Length over the limit": (
        b"DELETE /api/v3/order HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999\r\n\r\n"
    ),
    "two different Content-Lengths": (
        b"DELETE /orders/1 HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx"
    ),
    "duplicated key": (
        b"DELETE /orders/1 HTTP/1.1\r\nHost: h\r\nCB-ACCESS-KEY: a\r\nCB-ACCESS-KEY: b\r\n\r\n"
    ),
    "chunked body over the limit": (
        b"DELETE /api/v1/orders/1 HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
        + (b"8000\r\n" + b"x" * 0x8000 + b"\r\n") * 3
        + b"0\r\n\r\n"
    ),
    "5,000-digit INTX timestamp": (
        b"DELETE /api/v1/orders/1?portfolio=x HTTP/1.1\r\nHost: h\r\n"
        b"CB-ACCESS-KEY: sandbox-intx-key-0000000000000001\r\n"
        b"CB-ACCESS-PASSPHRASE: sandbox-intx-passphrase\r\n"
        b"CB-ACCESS-TIMESTAMP: " + b"9" * 5000 + b"\r\n\r\n"
    ),
    "5,000-digit Exchange timestamp": (
        b"DELETE /orders/1 HTTP/1.1\r\nHost: h\r\n"
        b"CB-ACCESS-KEY: sandbox-exchange-key-0000000000000001\r\n"
        b"CB-ACCESS-PASSPHRASE: sandbox-exchange-passphrase\r\n"
        b"CB-ACCESS-TIMESTAMP: " + b"9" * 5000 + b"\r\n\r\n"
    ),
    "Host with a fragment": b"DELETE /api/v3/order?accountId=1 HTTP/1.1\r\nHost: a#b\r\n\r\n",
}


@pytest.mark.parametrize("raw", RAW_REQUESTS.values(), ids=RAW_REQUESTS.keys())
def test_hostile_raw_requests_over_a_socket_are_4xx(served: RunningSandbox, raw: bytes) -> None:
    with socket.create_connection(("127.0.0.1", served.port), timeout=10) as sock:
        sock.sendall(raw)
        status_line = sock.recv(65536).split(b"\r\n", 1)[0]
    assert status_line.startswith(b"HTTP/1.1 4"), status_line
