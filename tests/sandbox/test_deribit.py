"""Deribit sandbox: both request forms, the envelope, order objects, cancels, errors.

Requests are signed with `deribit_sandbox.DeriHmac` (tests/support), written from the documented
rule; nothing here uses venuekit's signers.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import attrs
import httpx
import pytest
from deribit_sandbox import DeriHmac, deri_signature, request_data, rpc

from venuekit.sandbox import DEFAULT_CREDENTIALS, SandboxApp, SandboxConfig, create_app

ACCOUNT = DEFAULT_CREDENTIALS.deribit
SUB = DEFAULT_CREDENTIALS.cdp.user_id
CANCEL = "/api/v2/private/cancel"
REQUIRED = [  # spec: components/schemas/order, "required"
    "order_id",
    "order_state",
    "order_type",
    "time_in_force",
    "creation_timestamp",
    "last_update_timestamp",
    "direction",
    "price",
    "label",
    "post_only",
    "api",
]


def _body(response: httpx.Response) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(response.content, parse_float=Decimal)
    return body


def _error(response: httpx.Response) -> tuple[int, int, str, dict[str, Any]]:
    body = _body(response)
    error = body["error"]
    return response.status_code, error["code"], error["message"], error.get("data", {})


@pytest.fixture
def app(clock: Any) -> SandboxApp:
    return create_app(SandboxConfig(seed=1, clock=clock, orders_per_venue=2))


@pytest.fixture
def signer(clock: Any) -> DeriHmac:
    return DeriHmac(ACCOUNT.client_id, ACCOUNT.client_secret, clock)


@pytest.fixture
def deribit(app: SandboxApp, signer: DeriHmac, connect: Any) -> httpx.Client:
    client: httpx.Client = connect(app, signer)
    return client


def _post(client: httpx.Client, method: str, params: dict[str, Any], path: str = "") -> Any:
    body = rpc(method, params, request_id=42)
    return client.post(path or f"/api/v2/{method}", content=body)


# --- the documented vector and the envelope --------------------------------------------------


def test_docs_hmac_vector() -> None:
    # venues.md, Deribit authentication: the docs' client_signature example.
    assert deri_signature("AMANDASECRECT", "1576074319000", "1iqt2wls", b"") == (
        "56590594f97921b09b18f166befe0d1319b198bbcdad7ca73382de2f88fe9aa1"
    )


def test_sandbox_accepts_the_docs_vector(connect: Any) -> None:
    docs_key = attrs.evolve(ACCOUNT, client_id="AMANDA", client_secret="AMANDASECRECT")
    credentials = attrs.evolve(DEFAULT_CREDENTIALS, deribit=docs_key)
    app = create_app(SandboxConfig(credentials=credentials, clock=lambda: 1576074319.0))
    params = {
        "grant_type": "client_signature",
        "client_id": "AMANDA",
        "timestamp": 1576074319000,
        "nonce": "1iqt2wls",
        "data": "",
        "signature": "56590594f97921b09b18f166befe0d1319b198bbcdad7ca73382de2f88fe9aa1",
    }
    response = _post(connect(app), "public/auth", params)
    assert response.status_code == 200
    assert _body(response)["result"]["token_type"] == "bearer"
    bad = _post(connect(app), "public/auth", params | {"nonce": "1iqt2wlt"})
    assert _error(bad)[1:3] == (13004, "invalid_credentials")


def test_get_form_cancel_answers_the_order_in_the_envelope(
    app: SandboxApp, deribit: httpx.Client, signer: DeriHmac, clock: Any
) -> None:
    order = app.state.deribit.add_order(
        instrument_name="ETH-PERPETUAL", price="2000.05", amount="7", label="a b"
    )
    response = deribit.get(CANCEL, params={"order_id": order.order_id})
    assert response.status_code == 200
    body = _body(response)
    assert list(body) == ["jsonrpc", "result", "usIn", "usOut", "usDiff", "testnet"]  # no id
    assert body["jsonrpc"] == "2.0"
    assert body["usIn"] == int(clock() * 1_000_000)
    assert body["usOut"] - body["usIn"] == body["usDiff"] >= 0
    assert body["testnet"] is True
    result = body["result"]
    assert set(REQUIRED) <= set(result)
    assert result["order_id"] == order.order_id
    assert result["order_id"].startswith("ETH-")
    assert result["order_state"] == "cancelled"
    assert result["cancel_reason"] == "user_request"
    assert result["price"] == Decimal("2000.05")  # a JSON number with its digits
    assert result["amount"] == 7
    assert result["filled_amount"] == 0
    assert result["label"] == "a b"
    assert result["instrument_name"] == "ETH-PERPETUAL"
    assert result["last_update_timestamp"] == int(clock() * 1000)
    # What was signed is exactly what was sent: the path with its query.
    assert signer.signed == [(f"{CANCEL}?order_id={order.order_id}", b"")]


def test_post_form_cancel_echoes_the_id(app: SandboxApp, deribit: httpx.Client) -> None:
    order = app.state.deribit.add_order(instrument_name="BTC-PERPETUAL")
    assert order.order_id.isdigit()  # BTC order ids are bare numbers, like the spec's examples
    response = _post(deribit, "private/cancel", {"order_id": order.order_id})
    body = _body(response)
    assert response.status_code == 200
    assert list(body)[:2] == ["jsonrpc", "id"]
    assert body["id"] == 42
    assert body["result"]["order_state"] == "cancelled"
    # POST /api/v2 with the method only in the body.
    other = app.state.deribit.add_order(instrument_name="BTC_USDC-PERPETUAL")
    assert other.order_id.startswith("USDC-")
    response = _post(deribit, "private/cancel", {"order_id": other.order_id}, path="/api/v2")
    assert _body(response)["result"]["order_id"] == other.order_id


def test_market_price_orders_keep_the_string(app: SandboxApp, deribit: httpx.Client) -> None:
    order = app.state.deribit.add_order(instrument_name="ETH-PERPETUAL", order_type="stop_market")
    assert order.order_state == "untriggered"
    result = _body(deribit.get(CANCEL, params={"order_id": order.order_id}))["result"]
    assert result["price"] == "market_price"
    assert result["order_type"] == "stop_market"
    assert result["order_state"] == "cancelled"
    assert isinstance(result["trigger_price"], Decimal)


def test_get_time_in_both_forms(deribit: httpx.Client, clock: Any) -> None:
    get = deribit.get("/api/v2/public/get_time")
    post = _post(deribit, "public/get_time", {})
    assert _body(get)["result"] == _body(post)["result"] == int(clock() * 1000)


# --- order state -----------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["get", "post"])
def test_second_cancel_is_11044_and_unknown_is_10004(
    app: SandboxApp, deribit: httpx.Client, form: str
) -> None:
    order = app.state.deribit.add_order()

    def cancel(order_id: str) -> httpx.Response:
        if form == "get":
            return deribit.get(CANCEL, params={"order_id": order_id})
        return _post(deribit, "private/cancel", {"order_id": order_id})

    assert cancel(order.order_id).status_code == 200
    assert _error(cancel(order.order_id))[:3] == (400, 11044, "not_open_order")
    assert _error(cancel("ETH-1"))[:3] == (400, 10004, "order_not_found")
    filled = app.state.deribit.add_order(order_state="filled")
    assert _error(cancel(filled.order_id))[1] == 11044
    # Another account's order is not found for this key.
    theirs = app.state.deribit.add_order(user_id=SUB)
    assert _error(cancel(theirs.order_id))[1] == 10004
    assert app.state.deribit.get(theirs.order_id).order_state == "open"  # type: ignore[union-attr]


def test_cancel_by_label_cancels_every_order_with_it(
    app: SandboxApp, deribit: httpx.Client
) -> None:
    book = app.state.deribit
    btc = [book.add_order(instrument_name="BTC-PERPETUAL", label="grid") for _ in range(2)]
    eth = book.add_order(instrument_name="ETH-PERPETUAL", label="grid")
    other = book.add_order(instrument_name="BTC-PERPETUAL", label="hedge")
    theirs = book.add_order(instrument_name="BTC-PERPETUAL", label="grid", user_id=SUB)
    by_label = "/api/v2/private/cancel_by_label"
    assert _body(deribit.get(by_label, params={"label": "grid", "currency": "BTC"}))["result"] == 2
    assert [book.get(o.order_id).order_state for o in btc] == ["cancelled"] * 2  # type: ignore[union-attr]
    assert _body(_post(deribit, "private/cancel_by_label", {"label": "grid"}))["result"] == 1
    assert book.get(eth.order_id).order_state == "cancelled"  # type: ignore[union-attr]
    assert _body(deribit.get(by_label, params={"label": "grid"}))["result"] == 0
    assert book.get(other.order_id).order_state == "open"  # type: ignore[union-attr]
    assert book.get(theirs.order_id).order_state == "open"  # type: ignore[union-attr]


def test_cancel_all_family(app: SandboxApp, deribit: httpx.Client) -> None:
    book = app.state.deribit
    for order in book.orders(user_id=ACCOUNT.user_id):
        book.cancel(user_id=ACCOUNT.user_id, order_id=order.order_id)
    book.add_order(instrument_name="BTC-PERPETUAL", order_type="limit")
    stop = book.add_order(instrument_name="BTC-PERPETUAL", order_type="stop_market")
    book.add_order(instrument_name="BTC-26MAR27-100000-C", order_type="limit")
    book.add_order(instrument_name="ETH-PERPETUAL", order_type="limit")
    usdc = [book.add_order(instrument_name="BTC_USDC-PERPETUAL") for _ in range(2)]
    book.add_order(instrument_name="ETH_USDC-PERPETUAL")
    by_currency = "/api/v2/private/cancel_all_by_currency"
    params = {"currency": "BTC", "kind": "future", "type": "stop"}
    assert _body(deribit.get(by_currency, params=params))["result"] == 1
    assert book.get(stop.order_id).order_state == "cancelled"  # type: ignore[union-attr]
    assert (
        _body(deribit.get(by_currency, params={"currency": "BTC", "kind": "option"}))["result"] == 1
    )
    assert (
        _body(_post(deribit, "private/cancel_all_by_currency", {"currency": "BTC"}))["result"] == 1
    )
    by_instrument = {"instrument_name": usdc[0].instrument.name, "detailed": False}
    assert _body(_post(deribit, "private/cancel_all_by_instrument", by_instrument))["result"] == 2
    assert _body(deribit.get("/api/v2/private/cancel_all"))["result"] == 2  # ETH and ETH_USDC
    assert _body(deribit.get("/api/v2/private/cancel_all"))["result"] == 0
    assert all(o.order_state != "cancelled" for o in book.orders(user_id=SUB))


# --- request errors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "params", "expected"),
    [
        ("private/cancel", {}, (-32602, "Invalid params", {"reason": "required", "param": "order_id"})),
        ("private/cancel", {"order_id": 5}, (-32602, "Invalid params", {"reason": "invalid order_id", "param": "order_id"})),
        ("private/cancel_by_label", {"label": "x", "currency": "DOGE"}, (-32602, "Invalid params", {"reason": "invalid currency", "param": "currency"})),
        ("private/cancel_by_label", {"label": "x" * 65}, (11029, "invalid_arguments", {"reason": "label longer than 64 characters"})),
        ("private/cancel_all_by_currency", {}, (-32602, "Invalid params", {"reason": "required", "param": "currency"})),
        ("private/cancel_all_by_currency", {"currency": "BTC", "kind": "swap"}, (-32602, "Invalid params", {"reason": "invalid kind", "param": "kind"})),
        ("private/cancel_all", {"detailed": "yes"}, (-32602, "Invalid params", {"reason": "invalid detailed", "param": "detailed"})),
        ("private/cancel_all_by_instrument", {"instrument_name": "DOGE-PERPETUAL"}, (13020, "not_found", {"reason": "instrument not found"})),
        ("private/buy", {}, (-32601, "Method not found", {})),
        ("public/get_instruments", {}, (-32601, "Method not found", {})),
    ],
)  # fmt: skip
def test_invalid_requests(
    deribit: httpx.Client, method: str, params: dict[str, Any], expected: tuple[Any, ...]
) -> None:
    assert _error(_post(deribit, method, params))[1:] == expected
    query = {k: str(v) for k, v in params.items()}
    if method != "private/cancel" or params.get("order_id") != 5:  # a query has no integers
        assert _error(deribit.get(f"/api/v2/{method}", params=query))[1:] == expected


def test_malformed_bodies(deribit: httpx.Client, app: SandboxApp) -> None:
    def post(content: bytes, path: str = CANCEL) -> tuple[int, int, str, dict[str, Any]]:
        return _error(deribit.post(path, content=content))

    assert post(b"{not json")[:3] == (400, -32700, "Parse error")
    assert post(b"[1, 2]")[1] == 11050
    assert post(rpc("private/cancel_all"))[1:3] == (11050, "bad_request")  # differs from path
    assert post(b'{"jsonrpc": "1.0", "method": "private/cancel"}')[1] == 11050
    assert post(b'{"method": "private/cancel", "params": [1]}')[1:] == (
        -32602,
        "Invalid params",
        {"reason": "must be an object", "param": "params"},
    )
    padding = " " * (32 * 1024)
    assert post(rpc("private/cancel", {"order_id": "1"}) + padding.encode())[1:3] == (
        -32600,
        "request entity too large",
    )
    assert post(b"{}", path="/api/v2")[1] == -32601  # no method anywhere


def test_other_http_methods_are_405(deribit: httpx.Client) -> None:
    response = deribit.delete(CANCEL)
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) == {"GET", "POST"}
    assert _body(response)["error"]["code"] == 11050


def test_signature_covers_the_exact_post_bytes(app: SandboxApp, clock: Any, connect: Any) -> None:
    order = app.state.deribit.add_order()
    sent = b'{ "jsonrpc":"2.0", "id":1, "method":"private/cancel",\n "params":{"order_id":"%s"} }'
    body = sent.replace(b"%s", order.order_id.encode())
    ts = str(int(clock() * 1000))
    compact = json.dumps(json.loads(body)).encode()  # same JSON, other bytes
    wrong = deri_signature(ACCOUNT.client_secret, ts, "x1", request_data("POST", CANCEL, compact))
    client = connect(app)
    header = f"deri-hmac-sha256 id={ACCOUNT.client_id},ts={ts},sig={wrong},nonce=x1"
    refused = client.post(CANCEL, content=body, headers={"Authorization": header})
    assert _error(refused)[1:] == (13009, "unauthorized", {"reason": "bad signature"})
    right = deri_signature(ACCOUNT.client_secret, ts, "x2", request_data("POST", CANCEL, body))
    header = f"deri-hmac-sha256 id={ACCOUNT.client_id},ts={ts},sig={right},nonce=x2"
    accepted = client.post(CANCEL, content=body, headers={"Authorization": header})
    assert _body(accepted)["result"]["order_id"] == order.order_id
