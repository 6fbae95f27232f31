"""What every request carries and how the client is configured, seen by a real server."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Generator
from typing import Any

import httpx
import pytest

from venuekit import errors
from venuekit._constants import (
    CONNECT_TIMEOUT,
    HTTP_ACCEPT_ENCODING,
    MAX_RESPONSE_BODY,
    POOL_TIMEOUT,
    READ_TIMEOUT,
    WRITE_TIMEOUT,
)
from venuekit._http import (
    USER_AGENT,
    Answer,
    default_timeout,
    open_async_client,
    open_client,
    send,
    send_async,
)
from venuekit._version import __version__

MODES = ["sync", "async"]
OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"


def ok(conn: Any) -> None:
    while conn.read_request():
        conn.send(OK)


def header(head: bytes, name: str) -> list[str]:
    """The values of header ``name`` in a raw request head."""
    values = []
    for line in head.decode("latin-1").split("\r\n")[1:]:
        key, _, value = line.partition(":")
        if key.strip().lower() == name.lower():
            values.append(value.strip())
    return values


class _Stamp(httpx.Auth):
    """Marks a request the way a signer would."""

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["X-Signed"] = "yes"
        yield request


@pytest.mark.parametrize("mode", MODES)
def test_user_agent_and_accept_encoding_on_every_request(serve, exchange, mode):
    assert f"venuekit/{__version__}" == USER_AGENT
    server = serve(ok)
    outcome, _ = exchange(mode, server.url)
    assert isinstance(outcome, Answer), outcome
    (head,) = server.requests
    assert header(head, "User-Agent") == [f"venuekit/{__version__}"]
    assert header(head, "Accept-Encoding") == [HTTP_ACCEPT_ENCODING]


def _send_built(mode: str, url: str, request: httpx.Request) -> None:
    """Send a request built without the venuekit client's default headers."""
    if mode == "sync":
        with open_client(base_url=url, auth=None, transport=None) as http:
            send(
                http,
                request,
                deadline=time.monotonic() + 5,
                timeout=default_timeout(),
                max_body=MAX_RESPONSE_BODY,
            )
        return

    async def main() -> None:
        async with open_async_client(base_url=url, auth=None, transport=None) as http:
            await send_async(
                http,
                request,
                deadline=time.monotonic() + 5,
                timeout=default_timeout(),
                max_body=MAX_RESPONSE_BODY,
            )

    asyncio.run(main())


@pytest.mark.parametrize("mode", MODES)
def test_requests_built_elsewhere_get_venuekits_user_agent_unless_they_chose_one(serve, mode):
    server = serve(ok)
    _send_built(mode, server.url, httpx.Request("GET", f"{server.url}/bare"))
    with httpx.Client() as plain:  # httpx's own defaults: python-httpx/..., gzip/br/zstd
        _send_built(mode, server.url, plain.build_request("GET", f"{server.url}/plain"))
    chosen = httpx.Request("GET", f"{server.url}/own", headers={"User-Agent": "my-bot/2"})
    _send_built(mode, server.url, chosen)
    bare, plain_head, own = server.requests
    assert header(bare, "User-Agent") == [USER_AGENT]
    assert header(plain_head, "User-Agent") == [USER_AGENT]
    assert header(plain_head, "Accept-Encoding") == [HTTP_ACCEPT_ENCODING]
    assert header(own, "User-Agent") == ["my-bot/2"]


@pytest.mark.parametrize("mode", MODES)
def test_redirects_are_returned_not_followed(serve, exchange, mode):
    def redirect(conn: Any) -> None:
        conn.read_request()
        conn.send(b"HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n")

    server = serve(redirect)
    outcome, _ = exchange(mode, server.url)
    assert isinstance(outcome, Answer), outcome
    assert outcome.status_code == 302
    assert outcome.headers["location"] == "/elsewhere"
    assert len(server.requests) == 1


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("sign", [True, False])
def test_client_auth_signs_unless_sign_is_false(serve, exchange, mode, sign):
    server = serve(ok)
    outcome, _ = exchange(mode, server.url, auth=_Stamp(), sign=sign)
    assert isinstance(outcome, Answer), outcome
    (head,) = server.requests
    assert header(head, "X-Signed") == (["yes"] if sign else [])


def test_clients_default_to_the_constants():
    with open_client(base_url="https://venue.test", auth=None, transport=None) as http:
        timeout = http.timeout
        assert http.follow_redirects is False
        assert http.headers["user-agent"] == USER_AGENT
    assert (timeout.connect, timeout.read, timeout.write, timeout.pool) == (
        CONNECT_TIMEOUT,
        READ_TIMEOUT,
        WRITE_TIMEOUT,
        POOL_TIMEOUT,
    )
    assert default_timeout() == timeout

    async def main() -> None:
        async with open_async_client(base_url="https://venue.test", auth=None, transport=None) as h:
            assert h.follow_redirects is False
            assert h.timeout == timeout
            assert h.headers["user-agent"] == USER_AGENT

    asyncio.run(main())


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"deadline": float("nan")}, "deadline"),
        ({"deadline": "5"}, "deadline"),
        ({"timeout": 5.0}, "timeout"),
        ({"max_body": -1}, "max_body"),
        ({"max_body": True}, "max_body"),
    ],
)
def test_wrong_argument_kinds_are_refused_before_sending(options, message):
    sent: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda request: sent.append(request) or httpx.Response(200))
    arguments: dict[str, Any] = {
        "deadline": time.monotonic() + 5,
        "timeout": default_timeout(),
        "max_body": 100,
        **options,
    }
    with (
        open_client(base_url="http://venue.test", auth=None, transport=transport) as http,
        pytest.raises(TypeError, match=message),
    ):
        send(http, http.build_request("GET", "/"), **arguments)
    assert sent == []


def test_answer_repr_shows_the_body_size_not_the_body():
    answer = Answer(200, httpx.Headers(), b'{"secret":"x"}', 1.0, 2.0)
    assert "secret" not in repr(answer)
    assert "<14 bytes>" in repr(answer)


@pytest.mark.parametrize("mode", MODES)
def test_an_unusable_url_is_a_transport_error_that_sent_nothing(mode):
    url = "ftp://venue.test/x"  # httpx has no transport for ftp://
    options: dict[str, Any] = {"timeout": default_timeout(), "max_body": 100}
    if mode == "sync":
        with (
            open_client(base_url="http://venue.test", auth=None, transport=None) as http,
            pytest.raises(errors.TransportError) as caught,
        ):
            send(http, http.build_request("GET", url), deadline=time.monotonic() + 5, **options)
    else:

        async def main() -> None:
            async with open_async_client(
                base_url="http://venue.test", auth=None, transport=None
            ) as h:
                await send_async(
                    h, h.build_request("GET", url), deadline=time.monotonic() + 5, **options
                )

        with pytest.raises(errors.TransportError) as caught:
            asyncio.run(main())
    assert caught.value.may_have_reached_venue is False
    assert "UnsupportedProtocol" in str(caught.value)


def test_importing_the_module_does_not_load_httpcore():
    """httpcore loads with the first client (as httpx does), not with ``import venuekit``."""
    probe = "import sys, venuekit._http; print('httpcore' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "False"


@pytest.mark.parametrize("mode", MODES)
def test_the_callers_trace_hook_still_sees_every_event_once(serve, mode):
    server = serve(ok)
    seen: list[str] = []

    def hook(name: str, info: dict[str, Any]) -> None:
        seen.append(name)

    async def async_hook(name: str, info: dict[str, Any]) -> None:
        seen.append(name)

    options: dict[str, Any] = {"timeout": default_timeout(), "max_body": 100}
    counts = []
    if mode == "sync":
        with open_client(base_url=server.url, auth=None, transport=None) as http:
            request = http.build_request("GET", "/", extensions={"trace": hook})
            for _ in range(2):  # the same request sent twice must not chain the first hook
                send(http, request, deadline=time.monotonic() + 5, **options)
                counts.append(seen.count("http11.send_request_headers.started"))
            assert request.extensions["trace"] is hook
    else:

        async def main() -> None:
            async with open_async_client(base_url=server.url, auth=None, transport=None) as http:
                request = http.build_request("GET", "/", extensions={"trace": async_hook})
                for _ in range(2):
                    await send_async(http, request, deadline=time.monotonic() + 5, **options)
                    counts.append(seen.count("http11.send_request_headers.started"))
                assert request.extensions["trace"] is async_hook

        asyncio.run(main())
    assert counts == [1, 2]
