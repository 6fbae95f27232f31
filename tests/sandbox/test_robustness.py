"""Hostile requests get the venue's 4xx, never a 500: fuzzed heads, huge values, body limits.

The app is called as a raw ASGI application (no httpx in between), so a test can send what no
well-behaved client would: duplicated headers, non-ASCII bytes, 5,000-digit timestamps, a
Content-Length of 10**18, and count how much of a body the app reads.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import anyio
import httpx
import pytest
from epoch_clock import EpochClock
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from venuekit._constants import SANDBOX_MAX_BODY_BYTES
from venuekit.auth import CoinbaseExchangeAuth, CoinbaseIntxAuth, LoopringAuth
from venuekit.sandbox import DEFAULT_CREDENTIALS, SandboxApp, SandboxConfig, create_app

from .conftest import START

CREDS = DEFAULT_CREDENTIALS
Headers = list[tuple[bytes, bytes]]


class Exchanged:
    """What one raw ASGI call produced: status, headers, body, and how many receives it made."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.receives = 0

    @property
    def status(self) -> int:
        return int(self.messages[0]["status"])

    @property
    def body(self) -> Any:
        return json.loads(b"".join(m.get("body", b"") for m in self.messages[1:]))


def call(
    app: SandboxApp,
    *,
    method: str = "DELETE",
    raw_path: bytes,
    query: bytes = b"",
    headers: Sequence[tuple[bytes, bytes]] = (),
    chunks: Sequence[bytes] = (b"",),
) -> Exchanged:
    """Run one request through the ASGI app; the body arrives as ``chunks``."""
    result = Exchanged()
    pending = list(chunks)

    async def receive() -> dict[str, Any]:
        result.receives += 1
        if pending:
            chunk = pending.pop(0)
            return {"type": "http.request", "body": chunk, "more_body": bool(pending)}
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        result.messages.append(dict(message))

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": raw_path.decode("latin-1"),
        "raw_path": raw_path,
        "query_string": query,
        "root_path": "",
        "headers": list(headers),
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8080),
    }
    anyio.run(app, scope, receive, send)
    return result


def signed(app: SandboxApp, venue: str, clock: EpochClock) -> tuple[bytes, bytes, Headers]:
    """A correctly signed cancel of an open order of ``venue``: (raw path, query, headers)."""
    if venue == "exchange":
        order = app.state.exchange_orders()[0]
        url = f"http://127.0.0.1:8080/orders/{order.id}?product_id={order.product_id}"
        auth: Any = CoinbaseExchangeAuth(CREDS.exchange.credentials(), clock=clock)
    elif venue == "intx":
        intx = app.state.intx_orders()[0]
        url = f"http://127.0.0.1:8080/api/v1/orders/{intx.order_id}?portfolio={CREDS.intx.portfolio_uuid}"
        auth = CoinbaseIntxAuth(CREDS.intx.credentials(), clock=clock)
    else:
        ring = app.state.loopring_orders()[0]
        account = CREDS.loopring.account_id
        url = f"http://127.0.0.1:8080/api/v3/order?accountId={account}&orderHash={ring.hash}"
        auth = LoopringAuth(CREDS.loopring.credentials())
    request = httpx.Request("DELETE", url)
    auth.sign(request)
    headers = [(k.lower(), v) for k, v in request.headers.raw if k.lower() != b"content-length"]
    return request.url.raw_path.split(b"?")[0], request.url.query, headers


def fresh_app(clock: EpochClock) -> SandboxApp:
    return create_app(SandboxConfig(seed=3, clock=clock, rate_limits=False))


@pytest.mark.parametrize("venue", ["exchange", "intx", "loopring"])
def test_a_signed_request_passes_the_guard(venue: str) -> None:
    clock = EpochClock(epoch=START)
    app = fresh_app(clock)
    path, query, headers = signed(app, venue, clock)
    assert call(app, raw_path=path, query=query, headers=headers).status == 200


@pytest.mark.parametrize(("venue", "shape"), [("exchange", "message"), ("intx", "detail")])
def test_5000_digit_timestamp_is_an_invalid_timestamp(venue: str, shape: str) -> None:
    clock = EpochClock(epoch=START)
    app = fresh_app(clock)
    path, query, headers = signed(app, venue, clock)
    huge = [(n, b"9" * 5000 if n == b"cb-access-timestamp" else v) for n, v in headers]
    answer = call(app, raw_path=path, query=query, headers=huge)
    assert (answer.status, answer.body[shape]) == (401, "invalid timestamp")


@pytest.mark.parametrize(
    "timestamp", [b"1e9", b"1_700_000_000", b"inf", b"nan", b"-1", b"\xd9\xa1\xd9\xa2", b""]
)
def test_odd_timestamps_are_invalid_not_errors(timestamp: bytes) -> None:
    clock = EpochClock(epoch=START)
    app = fresh_app(clock)
    path, query, headers = signed(app, "exchange", clock)
    odd = [(n, timestamp if n == b"cb-access-timestamp" else v) for n, v in headers]
    answer = call(app, raw_path=path, query=query, headers=odd)
    assert (answer.status, answer.body) == (401, {"message": "invalid timestamp"})


@pytest.mark.parametrize("venue", ["exchange", "intx", "loopring"])
def test_huge_content_length_is_413_before_reading(venue: str) -> None:
    clock = EpochClock(epoch=START)
    app = fresh_app(clock)
    path, query, headers = signed(app, venue, clock)
    answer = call(
        app,
        raw_path=path,
        query=query,
        headers=[*headers, (b"content-length", b"9" * 19)],
        chunks=[b"x" * 1000],
    )
    assert answer.status == 413
    assert answer.receives == 0  # refused on the header alone
    assert app.stats.count(status=413) == 1
    assert all(o.status == "open" for o in app.state.intx_orders())


def test_chunked_body_is_cut_off_when_it_passes_the_limit() -> None:
    clock = EpochClock(epoch=START)
    app = fresh_app(clock)
    path, query, headers = signed(app, "intx", clock)
    chunk = b"x" * 1024
    chunks = [chunk] * (SANDBOX_MAX_BODY_BYTES // len(chunk) + 50)
    answer = call(app, raw_path=path, query=query, headers=headers, chunks=chunks)
    assert (answer.status, answer.body) == (413, {"title": "request body too large", "status": 413})
    assert answer.receives == SANDBOX_MAX_BODY_BYTES // len(chunk) + 1  # not one chunk more


def test_body_limit_is_configurable_and_applies_to_unknown_paths() -> None:
    app = create_app(SandboxConfig(max_body_bytes=10))
    answer = call(app, raw_path=b"/nowhere", chunks=[b"12345", b"678901"])
    assert (answer.status, answer.body) == (413, {"message": "request body too large"})
    small = call(app, raw_path=b"/nowhere", chunks=[b"12345", b"67890"])
    assert small.status == 404


def test_in_process_client_gets_413_in_the_venue_shape(intx: httpx.Client) -> None:
    response = intx.request("DELETE", "/api/v1/orders/1", content=b"x" * 100_000)
    assert (response.status_code, response.json()) == (
        413,
        {"title": "request body too large", "status": 413},
    )


@pytest.mark.parametrize(
    ("venue", "header"),
    [
        ("exchange", b"cb-access-key"),
        ("exchange", b"cb-access-sign"),
        ("intx", b"cb-access-timestamp"),
        ("intx", b"cb-access-passphrase"),
        ("loopring", b"x-api-key"),
        ("loopring", b"x-api-sig"),
        ("loopring", b"host"),
        ("intx", b"content-length"),
    ],
)
def test_duplicated_header_is_400(venue: str, header: bytes) -> None:
    clock = EpochClock(epoch=START)
    app = fresh_app(clock)
    path, query, headers = signed(app, venue, clock)
    value = dict(headers).get(header)
    twice = [(header, value)] if value is not None else [(header, b"0"), (header, b"0")]
    answer = call(app, raw_path=path, query=query, headers=[*headers, *twice])
    assert answer.status == 400
    assert header.decode() in json.dumps(answer.body)


@pytest.mark.parametrize(
    ("venue", "param"),
    [("intx", b"portfolio"), ("exchange", b"product_id"), ("loopring", b"orderHash")],
)
def test_duplicated_parameter_is_400(venue: str, param: bytes) -> None:
    clock = EpochClock(epoch=START)
    app = fresh_app(clock)
    path, query, headers = signed(app, venue, clock)
    answer = call(app, raw_path=path, query=query + b"&" + param + b"=x", headers=headers)
    assert answer.status == 400


@pytest.mark.parametrize(
    "host", [b"127.0.0.1:8080#x", b"a?b", b"a/b", b"\xff\xfe", b"h" * 300, b"x:99999999"]
)
def test_malformed_host_is_400_on_every_venue(host: bytes) -> None:
    clock = EpochClock(epoch=START)
    app = fresh_app(clock)
    for venue in ("exchange", "intx", "loopring"):
        path, query, headers = signed(app, venue, clock)
        bad = [(n, host if n == b"host" else v) for n, v in headers]
        assert call(app, raw_path=path, query=query, headers=bad).status == 400


def test_oversize_head_is_431() -> None:
    app = fresh_app(EpochClock(epoch=START))
    answer = call(app, raw_path=b"/api/v1/orders/1", headers=[(b"x-junk", b"a" * 20_000)])
    assert (answer.status, answer.body["title"]) == (431, "request header fields too large")


def test_non_ascii_and_control_bytes_in_headers_are_4xx() -> None:
    clock = EpochClock(epoch=START)
    app = fresh_app(clock)
    for venue in ("exchange", "intx", "loopring"):
        path, query, headers = signed(app, venue, clock)
        for index in range(len(headers)):
            for junk in (b"\xc3\xa9\xff", b"\x00\x01\r", "ключ".encode()):
                mutated = list(headers)
                mutated[index] = (headers[index][0], junk)
                status = call(app, raw_path=path, query=query, headers=mutated).status
                assert 400 <= status < 500, (venue, headers[index][0], junk)


COMMON_HEADERS = [b"host", b"content-length", b"transfer-encoding"]
VENUE_HEADERS = {
    "exchange": [
        b"cb-access-key",
        b"cb-access-passphrase",
        b"cb-access-timestamp",
        b"cb-access-sign",
    ],
    "intx": [b"cb-access-key", b"cb-access-passphrase", b"cb-access-timestamp", b"cb-access-sign"],
    "loopring": [b"x-api-key", b"x-api-sig"],
}
ODD_VALUES = [b"", b"-1", b"1e999", b"nan", b"0x10", b"1.5", b"\xff" * 20000, b"\x00", b" 1 "]
ODD_VALUES += [b"1,1", b"a#b", b"a?b", b"a/b", b"[::1]:1", b"h:1:2"]
header_values = st.one_of(
    st.binary(max_size=64),
    st.text(max_size=40).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.sampled_from([10, 11, 33, 4301, 5000, 20_000]).map(lambda n: b"7" * n),
    st.sampled_from(ODD_VALUES),
)
FUZZ = settings(
    max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)


def mutate(headers: Headers, action: str, name: bytes, value: bytes) -> Headers:
    if action == "set":
        return [(n, v) for n, v in headers if n != name] + [(name, value)]
    if action == "add":
        return [*headers, (name, value)]
    return [(n, v) for n, v in headers if n != name]


@FUZZ
@given(venue=st.sampled_from(["exchange", "intx", "loopring"]), data=st.data())
def test_fuzzed_headers_never_get_a_5xx(venue: str, data: st.DataObject) -> None:
    clock = EpochClock(epoch=START)
    app = fresh_app(clock)
    path, query, headers = signed(app, venue, clock)
    names = st.sampled_from(VENUE_HEADERS[venue] + COMMON_HEADERS)
    actions = st.sampled_from(["set", "add", "drop"])
    for action, name, value in data.draw(
        st.lists(st.tuples(actions, names, header_values), min_size=1, max_size=3)
    ):
        headers = mutate(headers, action, name, value)
    answer = call(app, raw_path=path, query=query, headers=headers)
    assert answer.status < 500
    assert isinstance(answer.body, dict | str)


@FUZZ
@given(
    venue=st.sampled_from(["exchange", "intx", "loopring"]),
    method=st.one_of(
        st.just("DELETE"), st.sampled_from(["GET", "POST", "delete", "DELETE\r", "DÉLETE", ""])
    ),
    path_junk=st.one_of(st.just(b""), st.binary(max_size=30)),
    query_junk=st.one_of(st.just(b""), st.binary(max_size=60)),
    chunks=st.lists(st.binary(max_size=40_000), max_size=3),
)
def test_fuzzed_request_lines_and_bodies_never_get_a_5xx(
    venue: str, method: str, path_junk: bytes, query_junk: bytes, chunks: list[bytes]
) -> None:
    clock = EpochClock(epoch=START)
    app = fresh_app(clock)
    path, query, headers = signed(app, venue, clock)
    answer = call(
        app,
        method=method,
        raw_path=path + path_junk,
        query=query + query_junk,
        headers=headers,
        chunks=chunks or [b""],
    )
    assert answer.status < 500
    assert isinstance(answer.body, dict | str)
