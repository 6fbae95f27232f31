"""Coinbase INTX sandbox: OrderResult_v1 shape, portfolio, auth checks, 5 s window, Date header."""

from __future__ import annotations

import base64
import email.utils
import json
import re
from decimal import Decimal
from typing import Any

import attrs
import httpx
import pytest

from venuekit._signing.coinbase import decode_secret, signature
from venuekit.auth import CoinbaseIntxAuth
from venuekit.sandbox import DEFAULT_CREDENTIALS, SandboxApp, SandboxConfig, create_app

ACCOUNT = DEFAULT_CREDENTIALS.intx
PORTFOLIO = {"portfolio": ACCOUNT.portfolio_uuid}
REAL_ID = re.compile(r"[0-9a-z]{8}-1-0")

# Every key of the cancel answer recorded from the real venue, in its order (nautilus_trader,
# crates/adapters/coinbase_intx/test_data/http_delete_orders.json, 2025).
RECORDED_KEYS = [
    "order_id",
    "order_uuid",
    "client_order_id",
    "side",
    "instrument_id",
    "instrument_uuid",
    "symbol",
    "portfolio_id",
    "portfolio_uuid",
    "type",
    "price",
    "size",
    "tif",
    "stp_mode",
    "event_type",
    "order_status",
    "leaves_qty",
    "exec_qty",
    "avg_price",
    "fee",
    "post_only",
    "close_only",
    "text",
]

# Every key of the docs' example response (seed 003), and the ones it sends as JSON numbers.
EXAMPLE_KEYS = [
    "order_id",
    "client_order_id",
    "side",
    "instrument_id",
    "instrument_uuid",
    "symbol",
    "portfolio_id",
    "portfolio_uuid",
    "type",
    "price",
    "stop_price",
    "stop_limit_price",
    "size",
    "tif",
    "expire_time",
    "stp_mode",
    "event_type",
    "event_time",
    "submit_time",
    "order_status",
    "leaves_qty",
    "exec_qty",
    "avg_price",
    "fee",
    "post_only",
    "close_only",
    "algo_strategy",
    "text",
]
NUMBER_KEYS = [
    "order_id",
    "instrument_id",
    "portfolio_id",
    "price",
    "stop_price",
    "stop_limit_price",
    "size",
]


def _auth(clock: Any, *, skew: float = 0.0, **changes: str) -> CoinbaseIntxAuth:
    account = attrs.evolve(ACCOUNT, **changes)
    return CoinbaseIntxAuth(account.credentials(), clock=clock, clock_offset=skew)


def test_cancel_then_already_done_then_not_found(app: SandboxApp, intx: httpx.Client) -> None:
    order = app.state.intx_orders()[0]
    first = intx.delete(f"/api/v1/orders/{order.order_id}", params=PORTFOLIO)
    assert first.status_code == 200
    body = first.json()
    # The real venue's form (was the docs' numbers before issue 11): strings throughout.
    assert list(body) == RECORDED_KEYS
    assert all(isinstance(v, str) for k, v in body.items() if k not in ("post_only", "close_only"))
    assert body["order_id"] == order.order_id
    assert REAL_ID.fullmatch(body["order_id"])
    assert body["order_uuid"] == order.order_uuid
    assert (body["price"], body["size"]) == (str(order.price), str(order.size))
    assert body["leaves_qty"] == body["size"]
    assert body["portfolio_id"] == ACCOUNT.portfolio_id == "sbxa0001-1-0"
    assert (body["event_type"], body["order_status"]) == ("CANCELED", "DONE")

    second = intx.delete(f"/api/v1/orders/{order.order_id}", params=PORTFOLIO)
    assert (second.status_code, second.json()) == (
        400,
        {"title": "Order already done", "status": 400},
    )
    unknown = intx.delete("/api/v1/orders/12345678901234567", params=PORTFOLIO)
    assert (unknown.status_code, unknown.json()) == (
        404,
        {"title": "Order not found", "status": 404},
    )


def test_docs_form_sends_the_docs_example_numbers(connect: Any, clock: Any) -> None:
    app = create_app(SandboxConfig(seed=1, clock=clock, intx_answers="docs"))
    order = app.state.intx_orders()[0]
    client = connect(app, _auth(clock))
    first = client.delete(f"/api/v1/orders/{order.order_id}", params=PORTFOLIO)
    assert first.status_code == 200
    body = json.loads(first.content, parse_float=Decimal)
    assert list(body) == EXAMPLE_KEYS
    number_keys = [k for k in NUMBER_KEYS if k not in ("instrument_id", "portfolio_id")]
    assert all(isinstance(body[key], int | Decimal) for key in number_keys)
    assert str(body["order_id"]) == order.order_id
    assert len(order.order_id) == 17
    assert (body["price"], body["size"]) == (order.price, order.size)
    assert body["event_time"] == "2023-11-14T22:13:20.000Z"


@pytest.mark.parametrize("order_id", ["2v2ckc1g-1-0", "43877033468085760"])
def test_holds_and_cancels_ids_of_every_form(
    app: SandboxApp, intx: httpx.Client, order_id: str
) -> None:
    order = app.state.add_intx_order(order_id=order_id)
    response = intx.delete(f"/api/v1/orders/{order_id}", params=PORTFOLIO)
    assert (response.status_code, response.json()["order_id"]) == (200, order_id)
    assert app.state.intx_orders()[-1] == attrs.evolve(
        order, status="cancelled", cancel_time=app.now("intx")
    )


def test_cancel_by_client_order_id_and_portfolio_id(app: SandboxApp, intx: httpx.Client) -> None:
    order = app.state.intx_orders()[1]
    response = intx.delete(
        f"/api/v1/orders/{order.client_order_id}", params={"portfolio": ACCOUNT.portfolio_id}
    )
    assert response.status_code == 200
    assert response.json()["client_order_id"] == order.client_order_id


def test_a_numeric_portfolio_id_is_held_as_text(connect: Any, clock: Any) -> None:
    numeric = attrs.evolve(ACCOUNT, portfolio_id=1000000000000001)
    credentials = attrs.evolve(DEFAULT_CREDENTIALS, intx=numeric)
    app = create_app(SandboxConfig(seed=1, clock=clock, credentials=credentials))
    order = app.state.intx_orders()[0]
    assert order.portfolio_id == numeric.portfolio_id == "1000000000000001"
    response = connect(app, _auth(clock)).delete(
        f"/api/v1/orders/{order.order_id}", params={"portfolio": "1000000000000001"}
    )
    assert (response.status_code, response.json()["portfolio_id"]) == (200, "1000000000000001")


@pytest.mark.parametrize("params", [{}, {"portfolio": "1000000000000999"}, {"portfolio": ""}])
def test_portfolio_is_required_and_must_be_the_keys(
    app: SandboxApp, intx: httpx.Client, params: dict[str, str]
) -> None:
    order = app.state.intx_orders()[0]
    response = intx.delete(f"/api/v1/orders/{order.order_id}", params=params)
    assert (response.status_code, response.json()) == (
        400,
        {"title": "Invalid attribute", "status": 400},
    )
    assert app.state.intx_orders()[0].status == "open"


@pytest.mark.parametrize(
    ("changes", "detail"),
    [
        ({"api_secret": base64.b64encode(b"wrong secret").decode()}, "invalid signature"),
        ({"passphrase": "wrong-passphrase"}, "Invalid Passphrase"),
        ({"api_key": "sandbox-intx-key-unknown"}, "Invalid API Key"),
    ],
)
def test_bad_credentials_are_401(
    connect: Any, app: SandboxApp, clock: Any, changes: dict[str, str], detail: str
) -> None:
    order = app.state.intx_orders()[0]
    response = connect(app, _auth(clock, **changes)).delete(
        f"/api/v1/orders/{order.order_id}", params=PORTFOLIO
    )
    assert (response.status_code, response.json()) == (
        401,
        {"message": "Unauthorized", "detail": detail},
    )
    assert "date" in response.headers


def test_query_is_not_part_of_the_signature(connect: Any, app: SandboxApp, clock: Any) -> None:
    order = app.state.intx_orders()[0]
    path = f"/api/v1/orders/{order.order_id}"
    # A client that (wrongly) signs the query, Exchange-style.
    signed = httpx.Request("DELETE", f"http://x{path}")
    auth = _auth(clock)
    auth.sign(signed)
    timestamp = signed.headers["CB-ACCESS-TIMESTAMP"]
    prehash = f"{timestamp}DELETE{path}?portfolio={ACCOUNT.portfolio_uuid}".encode()
    headers = httpx.Headers(signed.headers)
    headers["CB-ACCESS-SIGN"] = signature(
        secret_key=decode_secret(ACCOUNT.api_secret), prehash=prehash
    )
    wrong = connect(app).delete(path, params=PORTFOLIO, headers=headers)
    assert wrong.json() == {"message": "Unauthorized", "detail": "invalid signature"}
    right = connect(app).delete(path, params=PORTFOLIO, headers=signed.headers)
    assert right.status_code == 200


@pytest.mark.parametrize(("age", "status"), [(6.0, 401), (4.0, 200), (-6.0, 401), (5.0, 200)])
def test_timestamp_window_is_5_seconds(
    connect: Any, app: SandboxApp, clock: Any, age: float, status: int
) -> None:
    order = app.state.intx_orders()[0]
    response = connect(app, _auth(clock, skew=-age)).delete(
        f"/api/v1/orders/{order.order_id}", params=PORTFOLIO
    )
    assert response.status_code == status
    if status == 401:
        assert response.json()["detail"] == "request timestamp expired"


def test_timestamp_must_be_integer_seconds(connect: Any, app: SandboxApp, clock: Any) -> None:
    order = app.state.intx_orders()[0]
    signed = httpx.Request("DELETE", f"http://x/api/v1/orders/{order.order_id}")
    _auth(clock).sign(signed)
    headers = httpx.Headers(signed.headers)
    headers["CB-ACCESS-TIMESTAMP"] += ".000"
    response = connect(app).delete(
        f"/api/v1/orders/{order.order_id}", params=PORTFOLIO, headers=headers
    )
    assert response.json()["detail"] == "invalid timestamp"


def test_every_response_has_a_date_header(intx: httpx.Client, clock: Any) -> None:
    responses = [
        intx.delete("/api/v1/orders/1", params=PORTFOLIO),
        intx.get("/api/v1/orders/1"),
        intx.get("/api/v1/portfolios"),
        intx.delete("/api/v1/orders/1"),
    ]
    assert [r.status_code for r in responses] == [404, 405, 404, 400]
    for response in responses:
        sent = email.utils.parsedate_to_datetime(response.headers["date"]).timestamp()
        assert sent == clock.now


@pytest.mark.parametrize("raw_id", ["a%2Fb", "..%2F", "..%2F..%2Fv3%2Forder", "%2E%2E"])
def test_hostile_ids_stay_ids(intx: httpx.Client, raw_id: str) -> None:
    response = intx.delete(f"/api/v1/orders/{raw_id}", params=PORTFOLIO)
    assert response.request.url.raw_path.startswith(f"/api/v1/orders/{raw_id}?".encode())
    assert (response.status_code, response.json()) == (
        404,
        {"title": "Order not found", "status": 404},
    )


def test_encoded_slash_reaches_the_order_with_that_client_id(
    app: SandboxApp, intx: httpx.Client
) -> None:
    order = app.state.add_intx_order(client_order_id="a/b")
    response = intx.delete("/api/v1/orders/a%2Fb", params=PORTFOLIO)
    assert response.status_code == 200
    assert response.json()["order_id"] == order.order_id
