"""httpx.Auth adapters: what is signed is what is sent, fresh on every attempt, secrets hidden."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import logging
from collections.abc import Callable
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from venuekit._credentials import (
    CoinbaseExchangeCredentials,
    CoinbaseIntxCredentials,
    LoopringCredentials,
)
from venuekit._signing import loopring
from venuekit.auth import CoinbaseExchangeAuth, CoinbaseIntxAuth, LoopringAuth

SECRET_BYTES = b"venuekit-auth-test-secret"
SECRET = base64.b64encode(SECRET_BYTES).decode()
PASSPHRASE = "passphrase-for-tests"
API_KEY = "test-api-key-000111"
EDDSA_KEY = "0x1234"
EXCHANGE = CoinbaseExchangeCredentials(api_key=API_KEY, api_secret=SECRET, passphrase=PASSPHRASE)
INTX = CoinbaseIntxCredentials(api_key=API_KEY, api_secret=SECRET, passphrase=PASSPHRASE)
LOOPRING = LoopringCredentials(api_key=API_KEY, eddsa_private_key=EDDSA_KEY, account_id=10001)
COINBASE_HEADERS = (
    "CB-ACCESS-KEY",
    "CB-ACCESS-PASSPHRASE",
    "CB-ACCESS-TIMESTAMP",
    "CB-ACCESS-SIGN",
)


def _hmac_b64(message: bytes) -> str:
    return base64.b64encode(hmac.new(SECRET_BYTES, message, hashlib.sha256).digest()).decode()


def _exchange_server_check(request: httpx.Request) -> bool:
    """What the Exchange server does: HMAC over timestamp + method + raw path with query + body."""
    prehash = (
        request.headers["CB-ACCESS-TIMESTAMP"].encode()
        + request.method.encode()
        + request.url.raw_path
        + request.content
    )
    return request.headers["CB-ACCESS-SIGN"] == _hmac_b64(prehash)


def _intx_server_check(request: httpx.Request) -> bool:
    """What the INTX server does: the same, path without the query."""
    path = request.url.raw_path.split(b"?")[0]
    prehash = request.headers["CB-ACCESS-TIMESTAMP"].encode() + request.method.encode() + path
    return request.headers["CB-ACCESS-SIGN"] == _hmac_b64(prehash + request.content)


class Recorder:
    """A MockTransport handler that keeps every request and answers from a list of statuses."""

    def __init__(self, *statuses: int) -> None:
        self.requests: list[httpx.Request] = []
        self.headers: list[httpx.Headers] = []  # snapshots: a resent Request object is mutated
        self._statuses = itertools.chain(statuses, itertools.repeat(200))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.headers.append(request.headers.copy())
        return httpx.Response(next(self._statuses), json={"ok": True})


def _ticking_clock(start: float = 1700000000.0, step: float = 1.5) -> Callable[[], float]:
    counter = itertools.count()
    return lambda: start + step * next(counter)


def test_exchange_signs_path_with_query_and_body() -> None:
    recorder = Recorder()
    auth = CoinbaseExchangeAuth(EXCHANGE, clock=lambda: 1700000000.5)
    with httpx.Client(transport=httpx.MockTransport(recorder), auth=auth) as client:
        client.delete(
            "https://api.exchange.coinbase.com/orders/abc", params={"product_id": "BTC-USD"}
        )
        client.post("https://api.exchange.coinbase.com/orders", json={"size": "1"})
    deleted, posted = recorder.requests
    assert deleted.headers["CB-ACCESS-TIMESTAMP"] == "1700000000.500"
    assert deleted.headers["CB-ACCESS-SIGN"] == _hmac_b64(
        b"1700000000.500DELETE/orders/abc?product_id=BTC-USD"
    )
    assert deleted.headers["CB-ACCESS-KEY"] == API_KEY
    assert deleted.headers["CB-ACCESS-PASSPHRASE"] == PASSPHRASE
    assert posted.headers["CB-ACCESS-SIGN"] == _hmac_b64(b'1700000000.500POST/orders{"size":"1"}')


def test_intx_signs_path_without_query() -> None:
    recorder = Recorder()
    auth = CoinbaseIntxAuth(INTX, clock=lambda: 1700000000.9)
    with httpx.Client(transport=httpx.MockTransport(recorder), auth=auth) as client:
        client.delete(
            "https://api.international.coinbase.com/api/v1/orders/42", params={"portfolio": "p-1"}
        )
    (request,) = recorder.requests
    assert request.url.raw_path == b"/api/v1/orders/42?portfolio=p-1"
    assert request.headers["CB-ACCESS-TIMESTAMP"] == "1700000000"
    assert request.headers["CB-ACCESS-SIGN"] == _hmac_b64(b"1700000000DELETE/api/v1/orders/42")


@pytest.mark.parametrize(
    ("auth", "names"),
    [
        (CoinbaseExchangeAuth(EXCHANGE, clock=_ticking_clock()), COINBASE_HEADERS),
        (CoinbaseIntxAuth(INTX, clock=_ticking_clock()), COINBASE_HEADERS),
        (LoopringAuth(LOOPRING), ("X-API-KEY", "X-API-SIG")),
    ],
    ids=["exchange", "intx", "loopring"],
)
def test_a_resent_request_is_signed_afresh_with_one_of_each_header(
    auth: httpx.Auth, names: tuple[str, ...]
) -> None:
    recorder = Recorder(500)
    stale = {name: "stale" for name in names} | {names[-1].lower(): "stale-lower"}
    request = httpx.Request(
        "DELETE", "https://venue.test/api/v3/order?accountId=10001&orderHash=0x1", headers=stale
    )
    with httpx.Client(transport=httpx.MockTransport(recorder), auth=auth) as client:
        assert client.send(request).status_code == 500
        assert client.send(request).status_code == 200  # the caller's retry of the same request
    first, second = recorder.headers
    for sent in (first, second):
        for name in names:
            assert len(sent.get_list(name)) == 1, name
            assert "stale" not in sent[name]
    if names is COINBASE_HEADERS:
        assert first["CB-ACCESS-TIMESTAMP"] != second["CB-ACCESS-TIMESTAMP"]
        assert first["CB-ACCESS-SIGN"] != second["CB-ACCESS-SIGN"]


def test_clock_offset_is_added_and_can_change() -> None:
    recorder = Recorder()
    auth = CoinbaseExchangeAuth(EXCHANGE, clock=lambda: 1000.0, clock_offset=2.5)
    with httpx.Client(transport=httpx.MockTransport(recorder), auth=auth) as client:
        client.get("https://venue.test/time")
        auth.clock_offset = -1.0
        client.get("https://venue.test/time")
    stamps = [r.headers["CB-ACCESS-TIMESTAMP"] for r in recorder.requests]
    assert stamps == ["1002.500", "999.000"]


def test_loopring_signs_the_published_url_vector_through_httpx() -> None:
    recorder = Recorder()
    with httpx.Client(
        transport=httpx.MockTransport(recorder), auth=LoopringAuth(LOOPRING)
    ) as client:
        client.get("https://api.uat.loopring.pro/api/v3/apiKey", params={"accountId": "10001"})
    (request,) = recorder.requests
    assert request.headers["X-API-KEY"] == API_KEY
    assert request.headers["X-API-SIG"] == (
        "0x0dfbbcc409fbcdb07dc350b50cf034fa0ebfd259346c81b3fd3bdb8951117a152ccecf37615e470d0038f"
        "15fd1c1ea69f212636033d880119b474e1e9e7548131074a9dad709b4e4950a86fea510d9c0b207a66f35aab4"
        "fc135e5fe64b9d009b"
    )


def test_loopring_signs_a_non_default_port_and_refuses_bodies() -> None:
    recorder = Recorder()
    auth = LoopringAuth(LOOPRING)
    with httpx.Client(transport=httpx.MockTransport(recorder), auth=auth) as client:
        client.delete("http://127.0.0.1:8123/api/v3/order", params={"accountId": "1", "x": ""})
        with pytest.raises(ValueError, match="query-string requests"):
            client.post("http://127.0.0.1:8123/api/v3/order", json={"a": 1})
    (request,) = recorder.requests
    base = loopring.signature_base(
        method="DELETE",
        url="http://127.0.0.1:8123/api/v3/order",
        params=[("accountId", "1"), ("x", "")],
    )
    assert loopring.verify(
        LOOPRING.public_key, loopring.message(base), request.headers["X-API-SIG"]
    )


text = st.text(alphabet=st.characters(codec="utf-8"), max_size=20)
tricky = st.one_of(text, st.sampled_from(["a/b", "a?b=c", "100%", "a b", "é,€", "%2F", "+", "#x"]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(order_id=tricky, value=tricky)
def test_any_order_id_and_value_sign_what_is_sent(order_id: str, value: str) -> None:
    checks = {"exchange": _exchange_server_check, "intx": _intx_server_check}
    recorder = Recorder()
    transport = httpx.MockTransport(recorder)
    path = "/orders/" + quote(order_id, safe="")
    for name, auth in [
        ("exchange", CoinbaseExchangeAuth(EXCHANGE)),
        ("intx", CoinbaseIntxAuth(INTX)),
    ]:
        with httpx.Client(base_url="https://venue.test", transport=transport, auth=auth) as client:
            client.delete(path, params={"product_id": value, "id": order_id})
        assert checks[name](recorder.requests[-1])
    with httpx.Client(transport=transport, auth=LoopringAuth(LOOPRING)) as client:
        client.delete(
            "https://venue.test/api/v3/order", params={"accountId": "1", "clientOrderId": value}
        )
    sent = recorder.requests[-1]
    intended = loopring.signature_base(
        method="DELETE",
        url="https://venue.test/api/v3/order",
        params=[("accountId", "1"), ("clientOrderId", value)],  # the caller's values, not re-parsed
    )
    assert loopring.verify(
        LOOPRING.public_key, loopring.message(intended), sent.headers["X-API-SIG"]
    )


@pytest.mark.anyio
async def test_the_same_auth_objects_work_with_async_client() -> None:
    recorder = Recorder()
    exchange, intx = CoinbaseExchangeAuth(EXCHANGE), CoinbaseIntxAuth(INTX)
    async with httpx.AsyncClient(
        base_url="https://venue.test", transport=httpx.MockTransport(recorder)
    ) as client:
        await client.delete("/orders/1", params={"product_id": "BTC-USD"}, auth=exchange)
        await client.request("DELETE", "/api/v1/orders/1?portfolio=p", content=b"{}", auth=intx)
        await client.delete("/api/v3/order", params={"accountId": "1"}, auth=LoopringAuth(LOOPRING))
    assert _exchange_server_check(recorder.requests[0])
    assert _intx_server_check(recorder.requests[1])
    assert recorder.requests[2].headers["X-API-SIG"].startswith("0x")


def test_secrets_stay_out_of_reprs_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    recorder = Recorder()
    auths: list[httpx.Auth] = [
        CoinbaseExchangeAuth(EXCHANGE),
        CoinbaseIntxAuth(INTX),
        LoopringAuth(LOOPRING),
    ]
    with caplog.at_level(logging.DEBUG, logger="venuekit.auth"):
        for auth in auths:
            with httpx.Client(transport=httpx.MockTransport(recorder), auth=auth) as client:
                client.delete("https://venue.test/api/v3/order", params={"accountId": "1"})
    signatures = [
        r.headers.get("CB-ACCESS-SIGN") or r.headers["X-API-SIG"] for r in recorder.requests
    ]
    assert len(caplog.records) == 3
    assert "prehash" in caplog.records[0].getMessage()
    assert "signature base" in caplog.records[2].getMessage()
    secrets = [
        SECRET,
        SECRET_BYTES.decode(),
        PASSPHRASE,
        API_KEY,
        str(LOOPRING.private_key),
        *signatures,
    ]
    shown = (
        [repr(a) for a in auths]
        + [str(a) for a in auths]
        + [r.getMessage() for r in caplog.records]
    )
    for text_shown in shown:
        for secret in secrets:
            assert secret not in text_shown
    assert repr(auths[0]) == (
        "CoinbaseExchangeAuth(credentials=CoinbaseExchangeCredentials(api_key='test…'), clock_offset=0.0)"
    )


def test_stale_and_duplicated_signature_headers_are_replaced_by_one_of_each() -> None:
    creds = CoinbaseExchangeCredentials(api_key=API_KEY, api_secret=SECRET, passphrase=PASSPHRASE)
    request = httpx.Request(
        "DELETE",
        "https://x/orders/1",
        headers=[("CB-ACCESS-SIGN", "stale"), ("cb-access-sign", "stale2"), ("X-Other", "kept")],
    )
    CoinbaseExchangeAuth(creds, clock=lambda: 1.0).sign(request)
    names = [name.lower() for name, _ in request.headers.raw]
    for header in (b"cb-access-key", b"cb-access-passphrase", b"cb-access-timestamp"):
        assert names.count(header) == 1
    assert request.headers.get_list("CB-ACCESS-SIGN") not in (["stale"], ["stale2"])
    assert len(request.headers.get_list("CB-ACCESS-SIGN")) == 1
    assert request.headers["X-Other"] == "kept"
