"""A call never outlives its deadline, sync and async, against real hostile servers on 127.0.0.1.

Each hostile server would keep a call busy for 30 s or more; every call has ``deadline_in=1.0``
and must return (as a ``TransportError``) within the deadline plus ``MARGIN``. That is a
behaviour bound, not a speed target: before venuekit._http such calls ran for 40-100 s.
"""

from __future__ import annotations

import asyncio
import gc
import math
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from venuekit import errors
from venuekit._http import Answer, default_timeout, open_async_client, open_client, send, send_async

MODES = ["sync", "async"]
DEADLINE = 1.0
MARGIN = 2.0
OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"


def drip_body(conn: Any) -> None:
    """Headers at once, then a 150-byte body at one byte per 0.2 s (30 s)."""
    conn.read_request()
    conn.send(b"HTTP/1.1 200 OK\r\nContent-Length: 150\r\n\r\n")
    conn.drip(b"x" * 150, every=0.2)


def drip_headers(conn: Any) -> None:
    """The status line and headers at one byte per 0.2 s (30 s before the blank line)."""
    conn.read_request()
    conn.drip(b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 150 + b"\r\n\r\n{}", every=0.2)


def silent(conn: Any) -> None:
    """Read the request, then say nothing and keep the connection open."""
    conn.read_request()
    conn.hold()


def deaf(conn: Any) -> None:
    """Accept, never read: the client's send blocks once the socket buffers are full."""
    conn.hold()


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("handler", [drip_body, drip_headers, silent], ids=lambda h: h.__name__)
def test_hostile_server_cannot_hold_a_call_past_its_deadline(serve, exchange, mode, handler):
    server = serve(handler)
    outcome, elapsed = exchange(mode, server.url, deadline_in=DEADLINE)
    assert isinstance(outcome, errors.TransportError), outcome
    assert outcome.may_have_reached_venue is True
    assert "deadline reached" in str(outcome)
    assert "may have reached the venue" in str(outcome)
    assert elapsed < DEADLINE + MARGIN
    assert len(server.requests) == 1  # the request did reach the server


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("handler", "phase"),
    [
        (silent, "waiting for the response headers"),
        (drip_headers, "waiting for the response headers"),
        (drip_body, "reading the body"),
    ],
    ids=["silent", "drip_headers", "drip_body"],
)
def test_the_error_names_the_phase_the_deadline_ended(serve, exchange, mode, handler, phase):
    """The default transport reports its own steps (no trace hook): the phases still come out."""
    server = serve(handler)
    outcome, _ = exchange(mode, server.url, deadline_in=DEADLINE)
    assert isinstance(outcome, errors.TransportError), outcome
    assert f"deadline reached while {phase}; the cancel may have reached the venue" == str(outcome)


@pytest.mark.parametrize("mode", MODES)
def test_drip_on_a_reused_connection_is_bounded_too(serve, exchange, mode):
    """The deadline applies to pooled connections (no connect step) as well."""

    def first_fast_then_drip(conn: Any) -> None:
        conn.read_request()
        conn.send(OK)
        drip_body(conn)

    server = serve(first_fast_then_drip)

    def run_sync() -> tuple[object, object, float]:
        with open_client(base_url=server.url, auth=None, transport=None) as http:
            first = send(
                http,
                http.build_request("GET", "/a"),
                deadline=time.monotonic() + DEADLINE,
                timeout=default_timeout(),
                max_body=1000,
            )
            started = time.monotonic()
            try:
                send(
                    http,
                    http.build_request("GET", "/b"),
                    deadline=started + DEADLINE,
                    timeout=default_timeout(),
                    max_body=1000,
                )
            except errors.TransportError as exc:
                return first, exc, time.monotonic() - started
        raise AssertionError("the second call did not fail")

    async def run_async() -> tuple[object, object, float]:
        async with open_async_client(base_url=server.url, auth=None, transport=None) as http:
            first = await send_async(
                http,
                http.build_request("GET", "/a"),
                deadline=time.monotonic() + DEADLINE,
                timeout=default_timeout(),
                max_body=1000,
            )
            started = time.monotonic()
            try:
                await send_async(
                    http,
                    http.build_request("GET", "/b"),
                    deadline=started + DEADLINE,
                    timeout=default_timeout(),
                    max_body=1000,
                )
            except errors.TransportError as exc:
                return first, exc, time.monotonic() - started
        raise AssertionError("the second call did not fail")

    first, second, elapsed = run_sync() if mode == "sync" else asyncio.run(run_async())
    assert isinstance(first, Answer)
    assert first.content == b"{}"
    assert isinstance(second, errors.TransportError)
    assert second.may_have_reached_venue is True
    assert elapsed < DEADLINE + MARGIN
    assert server.connections == 1  # the second request went on the kept-alive connection


@pytest.fixture
def full_backlog(serve) -> Iterator[Any]:
    """A listener that never accepts, its backlog filled: a new connect hangs in SYN_SENT."""
    server = serve(deaf, backlog=0, accept=False)
    fillers: list[socket.socket] = []
    for _ in range(64):
        probe = socket.socket()
        probe.settimeout(0.3)
        fillers.append(probe)
        try:
            probe.connect(("127.0.0.1", server.port))
        except TimeoutError:
            break
    else:
        pytest.fail("could not fill the listen backlog: connects never hang here")
    yield server
    for probe in fillers:
        probe.close()


@pytest.mark.parametrize("mode", MODES)
def test_connect_that_hangs_is_bounded_and_nothing_reached_the_venue(full_backlog, exchange, mode):
    outcome, elapsed = exchange(mode, full_backlog.url, deadline_in=DEADLINE)
    assert isinstance(outcome, errors.TransportError), outcome
    assert outcome.may_have_reached_venue is False
    assert "connecting" in str(outcome)
    assert elapsed < DEADLINE + MARGIN


@pytest.mark.parametrize("mode", MODES)
def test_send_that_blocks_is_bounded(serve, exchange, mode):
    """A 32 MB request body to a peer that never reads: the write blocks, the deadline ends it."""
    server = serve(deaf)
    outcome, elapsed = exchange(
        mode, server.url, method="POST", content=bytes(32 * 2**20), deadline_in=DEADLINE
    )
    assert isinstance(outcome, errors.TransportError), outcome
    assert outcome.may_have_reached_venue is True
    assert "sending the request" in str(outcome)
    assert elapsed < DEADLINE + MARGIN


@pytest.mark.parametrize("mode", MODES)
def test_deadline_already_past_sends_nothing(serve, exchange, mode):
    server = serve(silent)
    outcome, _ = exchange(mode, server.url, deadline_in=-0.001)
    assert isinstance(outcome, errors.TransportError), outcome
    assert outcome.may_have_reached_venue is False
    assert "before sending" in str(outcome)
    assert server.connections == 0


@pytest.mark.parametrize("mode", MODES)
def test_connection_refused_did_not_reach_the_venue(exchange, mode):
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    outcome, _ = exchange(mode, f"http://127.0.0.1:{port}")
    assert isinstance(outcome, errors.TransportError), outcome
    assert outcome.may_have_reached_venue is False
    assert "ConnectError" in str(outcome)


def hang_up(conn: Any) -> None:
    conn.read_request()


def garbage(conn: Any) -> None:
    conn.read_request()
    conn.send(b"NOT HTTP AT ALL\r\n\r\n")


def short_body(conn: Any) -> None:
    conn.read_request()
    conn.send(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{}")


def endless_headers(conn: Any) -> None:
    """A header block that never ends (10 MB, sent as fast as the client reads)."""
    conn.read_request()
    conn.send(b"HTTP/1.1 200 OK\r\n")
    for _ in range(10 * 1024):
        if not conn.send(b"X-Filler: " + b"a" * 1000 + b"\r\n"):
            return


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "handler", [hang_up, garbage, short_body, endless_headers], ids=lambda h: h.__name__
)
def test_broken_answers_may_have_reached_the_venue(serve, exchange, mode, handler):
    server = serve(handler)
    outcome, _ = exchange(mode, server.url)
    assert isinstance(outcome, errors.TransportError), outcome
    assert type(outcome) is errors.TransportError
    assert outcome.may_have_reached_venue is True
    assert len(server.requests) == 1


@pytest.mark.parametrize("mode", MODES)
def test_per_operation_timeout_still_applies_within_the_deadline(serve, exchange, mode):
    server = serve(silent)
    outcome, _ = exchange(mode, server.url, deadline_in=30.0, timeout=httpx.Timeout(5.0, read=0.2))
    assert isinstance(outcome, errors.TransportError), outcome
    assert "ReadTimeout" in str(outcome)
    assert "deadline" not in str(outcome)
    assert outcome.may_have_reached_venue is True


@pytest.mark.parametrize("mode", MODES)
def test_no_deadline_and_no_timeouts_still_answer(serve, exchange, mode):
    server = serve(lambda conn: (conn.read_request(), conn.send(OK)))
    outcome, _ = exchange(mode, server.url, deadline_in=math.inf, timeout=httpx.Timeout(None))
    assert isinstance(outcome, Answer), outcome
    assert (outcome.status_code, outcome.content) == (200, b"{}")
    assert outcome.sent_at <= outcome.received_at


# --- caller-supplied transports (tests, the in-process sandbox) ------------------------------


class _SlowStream(httpx.SyncByteStream):
    def __iter__(self) -> Iterator[bytes]:
        for _ in range(150):
            time.sleep(0.2)
            yield b"x"


def test_sync_custom_transport_is_checked_between_body_chunks(exchange):
    transport = httpx.MockTransport(lambda request: httpx.Response(200, stream=_SlowStream()))
    outcome, elapsed = exchange("sync", "http://venue.test", transport=transport)
    assert isinstance(outcome, errors.TransportError), outcome
    assert outcome.may_have_reached_venue is True
    assert "deadline reached while reading the body" in str(outcome)
    assert elapsed < DEADLINE + MARGIN


class _NeverAnswers(httpx.AsyncBaseTransport):
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(60)
        raise AssertionError("not reached")


class _SlowAsyncStream(httpx.AsyncByteStream):
    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(150):
            await asyncio.sleep(0.2)
            yield b"x"


def test_async_custom_transport_is_bounded_whatever_it_does(exchange):
    outcome, elapsed = exchange("async", "http://venue.test", transport=_NeverAnswers())
    assert isinstance(outcome, errors.TransportError), outcome
    # The transport reports no progress: venuekit cannot know nothing was sent.
    assert outcome.may_have_reached_venue is True
    assert elapsed < DEADLINE + MARGIN

    transport = httpx.MockTransport(lambda request: httpx.Response(200, stream=_SlowAsyncStream()))
    outcome, elapsed = exchange("async", "http://venue.test", transport=transport)
    assert isinstance(outcome, errors.TransportError), outcome
    assert "deadline reached while reading the body" in str(outcome)
    assert elapsed < DEADLINE + MARGIN


@pytest.mark.parametrize("mode", MODES)
def test_custom_transport_connect_error_did_not_reach_the_venue(exchange, mode):
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    outcome, _ = exchange(mode, "http://venue.test", transport=httpx.MockTransport(refuse))
    assert isinstance(outcome, errors.TransportError), outcome
    assert outcome.may_have_reached_venue is False


def test_the_callers_own_cancellation_propagates_and_is_not_an_error(serve):
    """Only the call's own deadline becomes a TransportError; the caller's timeout propagates."""
    server = serve(silent)

    async def main() -> None:
        async with open_async_client(base_url=server.url, auth=None, transport=None) as http:
            request = http.build_request("GET", "/cancel")
            with pytest.raises(TimeoutError):
                async with asyncio.timeout(0.3):
                    await send_async(
                        http,
                        request,
                        deadline=time.monotonic() + 30,
                        timeout=default_timeout(),
                        max_body=1000,
                    )

    asyncio.run(main())
    assert len(server.requests) == 1


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("phase", ["headers", "body"])
def test_the_connection_is_closed_when_the_deadline_ends_a_call(serve, mode, phase):
    """Closed by the call itself: the client stays open and the garbage collector is off."""
    closed = threading.Event()

    def wait_for_close(conn: Any) -> None:
        conn.read_request()
        if phase == "body":
            conn.send(b"HTTP/1.1 200 OK\r\nContent-Length: 150\r\n\r\n")
        while conn.sock.recv(65536):
            pass
        closed.set()

    server = serve(wait_for_close)
    options: dict[str, Any] = {"timeout": default_timeout(), "max_body": 1000}

    def run_sync() -> bool:
        with open_client(base_url=server.url, auth=None, transport=None) as http:
            request = http.build_request("GET", "/cancel")
            with pytest.raises(errors.TransportError):
                send(http, request, deadline=time.monotonic() + DEADLINE, **options)
            return closed.wait(5)

    async def run_async() -> bool:
        async with open_async_client(base_url=server.url, auth=None, transport=None) as http:
            request = http.build_request("GET", "/cancel")
            with pytest.raises(errors.TransportError):
                await send_async(http, request, deadline=time.monotonic() + DEADLINE, **options)
            return await asyncio.to_thread(closed.wait, 5)

    gc.disable()
    try:
        assert run_sync() if mode == "sync" else asyncio.run(run_async())
    finally:
        gc.enable()
