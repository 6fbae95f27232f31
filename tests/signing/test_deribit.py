"""Deribit deri-hmac-sha256: the docs' vector, and what DeribitHmacAuth signs is what is sent."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
from pathlib import Path

import httpx
import pytest

from venuekit._credentials import DeribitCredentials
from venuekit._secret import Secret
from venuekit._signing import deribit
from venuekit.auth import SIGN_AT, DeribitHmacAuth

VECTOR = json.loads((Path(__file__).parents[1] / "data" / "deribit_hmac_vector.json").read_text())
CLIENT_ID = "test-client-id-01"
CLIENT_SECRET = "test-client-secret-with-32-chars"
CREDS = DeribitCredentials(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
HEADER = re.compile(
    r"deri-hmac-sha256 id=(?P<id>[^,]+),ts=(?P<ts>\d+),sig=(?P<sig>[0-9a-f]{64}),nonce=(?P<nonce>[^,]+)"
)


def test_docs_vector_with_intermediates() -> None:
    string = deribit.string_to_sign(VECTOR["timestamp"], VECTOR["nonce"], VECTOR["data"].encode())
    assert string == VECTOR["string_to_sign"].encode()
    sig = deribit.signature(Secret(VECTOR["client_secret"]), string)
    assert sig == VECTOR["signature"]
    assert deribit.authorization_header(
        VECTOR["client_id"], VECTOR["timestamp"], VECTOR["nonce"], sig
    ) == (f"deri-hmac-sha256 id=AMANDA,ts=1576074319000,sig={VECTOR['signature']},nonce=1iqt2wls")


def test_request_data_follows_the_documented_rule() -> None:
    assert deribit.request_data("get", b"/api/v2/private/cancel?order_id=ETH-1") == (
        b"GET\n/api/v2/private/cancel?order_id=ETH-1\n\n"
    )
    body = b'{"jsonrpc":"2.0","id":1,"method":"private/cancel","params":{"order_id":"x"}}'
    assert deribit.request_data("POST", "/api/v2/private/cancel", body) == (
        b"POST\n/api/v2/private/cancel\n" + body + b"\n"
    )
    with pytest.raises(ValueError, match="starting with '/'"):
        deribit.request_data("GET", "api/v2/x")
    with pytest.raises(TypeError):
        deribit.request_data("GET", "/x", "str body")  # type: ignore[arg-type]
    assert deribit.timestamp_ms(1.0019) == 1001
    with pytest.raises(ValueError, match="finite"):
        deribit.timestamp_ms(float("nan"))
    for bad in ("", "a,b", "a=b", "a b"):
        with pytest.raises(ValueError, match="nonce"):
            deribit.string_to_sign(1, bad, b"")


def _server_check(request: httpx.Request) -> dict[str, str]:
    """What Deribit does, written from its docs: recompute the HMAC over the bytes received."""
    match = HEADER.fullmatch(request.headers["Authorization"])
    assert match is not None, request.headers["Authorization"]
    fields = match.groupdict()
    data = request.method.encode() + b"\n" + request.url.raw_path + b"\n" + request.content + b"\n"
    string = fields["ts"].encode() + b"\n" + fields["nonce"].encode() + b"\n" + data
    expected = hmac.new(CLIENT_SECRET.encode(), string, hashlib.sha256).hexdigest()
    assert fields["sig"] == expected
    assert fields["id"] == CLIENT_ID
    return fields


class Recorder:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        return httpx.Response(200, json={"jsonrpc": "2.0", "result": {}})


def test_get_with_query_and_post_with_json_body_are_signed_as_sent() -> None:
    recorder = Recorder()
    nonces = iter(["n0nce-1", "n0nce-2"])
    auth = DeribitHmacAuth(CREDS, clock=lambda: 1700000000.1234, nonce=lambda: next(nonces))
    with httpx.Client(
        base_url="https://www.deribit.com/api/v2",
        transport=httpx.MockTransport(recorder),
        auth=auth,
    ) as client:
        client.get(
            "/private/cancel_by_label", params={"label": "my label/é&x=1", "currency": "BTC"}
        )
        client.post(
            "/private/cancel",
            json={
                "jsonrpc": "2.0",
                "id": 7,
                "method": "private/cancel",
                "params": {"order_id": "ETH-1"},
            },
        )
    get, post = recorder.requests
    assert b"?" in get.url.raw_path  # the encoded query was signed
    assert b"%" in get.url.raw_path
    assert post.content.startswith(b'{"jsonrpc"')
    for request, nonce in zip((get, post), ("n0nce-1", "n0nce-2"), strict=True):
        fields = _server_check(request)
        assert fields["ts"] == "1700000000123"
        assert fields["nonce"] == nonce
        wire = str(request.headers) + request.url.raw_path.decode() + request.content.decode()
        assert CLIENT_SECRET not in wire


@pytest.mark.anyio
async def test_async_client_signs_the_same_way() -> None:
    recorder = Recorder()
    auth = DeribitHmacAuth(CREDS)
    async with httpx.AsyncClient(transport=httpx.MockTransport(recorder), auth=auth) as client:
        await client.post("https://test.deribit.com/api/v2/private/cancel", content=b'{"a":1}')
        await client.get("https://test.deribit.com/api/v2/private/cancel?order_id=1")
    for request in recorder.requests:
        _server_check(request)


def test_every_attempt_gets_a_new_timestamp_and_nonce_and_one_header() -> None:
    clock = itertools.count(1000.0, 0.5)
    auth = DeribitHmacAuth(CREDS, clock=lambda: next(clock))
    request = httpx.Request(
        "GET",
        "https://www.deribit.com/api/v2/private/cancel?order_id=1",
        headers=[("Authorization", "stale"), ("authorization", "stale2")],
    )
    seen = []
    for _ in range(3):
        auth.sign(request)
        assert len(request.headers.get_list("Authorization")) == 1
        seen.append(_server_check(request))
    assert len({f["ts"] for f in seen}) == 3
    assert len({f["nonce"] for f in seen}) == 3
    assert all(re.fullmatch(r"[0-9a-f]{16}", f["nonce"]) for f in seen)


def test_sign_at_extension_overrides_the_clock() -> None:
    auth = DeribitHmacAuth(CREDS, clock=lambda: 5.0, clock_offset=100.0)
    request = httpx.Request(
        "GET", "https://x/api/v2/private/cancel?order_id=1", extensions={SIGN_AT: 1700000001.5}
    )
    auth.sign(request)
    assert _server_check(request)["ts"] == "1700000001500"
    plain = httpx.Request("GET", "https://x/api/v2/private/cancel?order_id=1")
    auth.sign(plain)
    assert _server_check(plain)["ts"] == "105000"


def test_repr_and_debug_log_show_no_secret(caplog: pytest.LogCaptureFixture) -> None:
    auth = DeribitHmacAuth(CREDS)
    with caplog.at_level("DEBUG", logger="venuekit.auth"):
        auth.sign(httpx.Request("GET", "https://x/api/v2/private/cancel?order_id=1"))
    assert "string to sign" in caplog.records[0].getMessage()
    for text in (repr(auth), str(auth), *(r.getMessage() for r in caplog.records)):
        assert CLIENT_SECRET not in text
