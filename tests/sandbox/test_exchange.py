"""Coinbase Exchange sandbox: cancel outcomes, auth checks, clock window, hostile ids."""

from __future__ import annotations

import base64
from typing import Any

import attrs
import httpx
import pytest

from venuekit.auth import CoinbaseExchangeAuth
from venuekit.sandbox import DEFAULT_CREDENTIALS, Faults, SandboxApp, SandboxConfig, create_app

ACCOUNT = DEFAULT_CREDENTIALS.exchange
UNKNOWN_UUID = "00000000-0000-4000-8000-000000000000"


def _auth(clock: Any, *, skew: float = 0.0, **changes: str) -> CoinbaseExchangeAuth:
    account = attrs.evolve(ACCOUNT, **changes)
    return CoinbaseExchangeAuth(account.credentials(), clock=clock, clock_offset=skew)


def test_cancel_then_already_done_then_not_found(app: SandboxApp, exchange: httpx.Client) -> None:
    order = app.state.exchange_orders()[0]
    first = exchange.delete(f"/orders/{order.id}", params={"product_id": order.product_id})
    assert (first.status_code, first.json()) == (200, order.id)
    assert app.state.exchange_orders()[0].status == "cancelled"

    second = exchange.delete(f"/orders/{order.id}", params={"product_id": order.product_id})
    assert (second.status_code, second.json()) == (400, {"message": "Order already done"})

    unknown = exchange.delete(f"/orders/{UNKNOWN_UUID}")
    assert (unknown.status_code, unknown.json()) == (404, {"message": "NotFound"})


def test_cancel_by_client_oid_returns_the_client_oid(
    app: SandboxApp, exchange: httpx.Client
) -> None:
    order = app.state.exchange_orders()[1]
    response = exchange.delete(f"/orders/client:{order.client_oid}")
    assert (response.status_code, response.json()) == (200, order.client_oid)
    again = exchange.delete(f"/orders/client:{order.client_oid}")
    assert again.json() == {"message": "Order already done"}


def test_wrong_product_is_product_not_found_and_leaves_the_order_open(
    app: SandboxApp, exchange: httpx.Client
) -> None:
    # venues.md (Exchange): the docs list "(404) ProductNotFound" for an unknown product_id; it
    # must not read as the order's own "NotFound" (issue 11: a false CANCELLED_ON_EARLIER_ATTEMPT).
    order = app.state.exchange_orders()[0]
    other = "ETH-USD" if order.product_id != "ETH-USD" else "BTC-USD"
    for ref in (order.id, f"client:{order.client_oid}"):
        response = exchange.delete(f"/orders/{ref}", params={"product_id": other})
        assert (response.status_code, response.json()) == (404, {"message": "ProductNotFound"})
    assert app.state.exchange_orders()[0].status == "open"


def test_wrong_profile_is_not_found(app: SandboxApp, exchange: httpx.Client) -> None:
    order = app.state.exchange_orders()[0]
    wrong_profile = exchange.delete(f"/orders/{order.id}", params={"profile_id": UNKNOWN_UUID})
    assert wrong_profile.status_code == 404
    foreign = app.state.add_exchange_order(profile_id="someone-else")
    assert exchange.delete(f"/orders/{foreign.id}").status_code == 404
    assert app.state.exchange_orders()[0].status == "open"


def test_non_uuid_id_is_invalid(exchange: httpx.Client) -> None:
    response = exchange.delete("/orders/not-a-uuid")
    assert (response.status_code, response.json()) == (400, {"message": "Invalid order id"})


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"api_secret": base64.b64encode(b"wrong secret").decode()}, "invalid signature"),
        ({"passphrase": "wrong-passphrase"}, "Invalid Passphrase"),
        ({"api_key": "sandbox-exchange-key-unknown"}, "Invalid API Key"),
    ],
)
def test_bad_credentials_are_rejected(
    connect: Any, app: SandboxApp, clock: Any, changes: dict[str, str], message: str
) -> None:
    order = app.state.exchange_orders()[0]
    client = connect(app, _auth(clock, **changes))
    response = client.delete(f"/orders/{order.id}")
    assert (response.status_code, response.json()) == (401, {"message": message})
    assert app.state.exchange_orders()[0].status == "open"


def test_query_is_part_of_the_signature(connect: Any, app: SandboxApp, clock: Any) -> None:
    order = app.state.exchange_orders()[0]
    signed = httpx.Request("DELETE", f"http://sandbox.venuekit.invalid/orders/{order.id}")
    _auth(clock).sign(signed)
    response = connect(app).delete(
        f"/orders/{order.id}", params={"product_id": order.product_id}, headers=signed.headers
    )
    assert (response.status_code, response.json()) == (401, {"message": "invalid signature"})


@pytest.mark.parametrize(("age", "status"), [(31.0, 401), (29.0, 200), (-31.0, 401), (30.0, 200)])
def test_timestamp_window_is_30_seconds(
    connect: Any, app: SandboxApp, clock: Any, age: float, status: int
) -> None:
    order = app.state.exchange_orders()[0]
    response = connect(app, _auth(clock, skew=-age)).delete(f"/orders/{order.id}")
    assert response.status_code == status
    if status == 401:
        assert response.json() == {"message": "request timestamp expired"}


def test_server_clock_offset_shows_in_time_and_date(connect: Any, clock: Any) -> None:
    app = create_app(SandboxConfig(clock=clock, exchange=Faults(clock_offset=120.0)))
    order = app.state.exchange_orders()[0]
    client = connect(app, _auth(clock))
    time = client.get("/time")
    assert time.json()["epoch"] == clock.now + 120.0
    assert time.json()["iso"] == "2023-11-14T22:15:20.000Z"
    assert time.headers["date"] == "Tue, 14 Nov 2023 22:15:20 GMT"
    assert client.delete(f"/orders/{order.id}").status_code == 401
    synced = connect(app, _auth(clock, skew=time.json()["epoch"] - clock.now))
    assert synced.delete(f"/orders/{order.id}").status_code == 200


@pytest.mark.parametrize(
    ("raw_id", "status", "body"),
    [
        ("a%2Fb", 400, {"message": "Invalid order id"}),
        ("..%2F", 400, {"message": "Invalid order id"}),
        ("..%2Ftime", 400, {"message": "Invalid order id"}),
        ("%2E%2E", 400, {"message": "Invalid order id"}),
        ("client:..%2F..%2Ftime", 404, {"message": "NotFound"}),
        ("%FF", 400, {"message": "Invalid order id"}),
    ],
)
def test_hostile_ids_stay_ids(
    exchange: httpx.Client, raw_id: str, status: int, body: dict[str, str]
) -> None:
    response = exchange.delete(f"/orders/{raw_id}")
    assert response.request.url.raw_path == f"/orders/{raw_id}".encode()
    assert (response.status_code, response.json()) == (status, body)


def test_encoded_slash_reaches_the_order_with_that_id(
    app: SandboxApp, exchange: httpx.Client
) -> None:
    order = app.state.add_exchange_order(client_oid="a/b")
    response = exchange.delete("/orders/client:a%2Fb")
    assert (response.status_code, response.json()) == (200, "a/b")
    assert order.id in {o.id for o in app.state.exchange_orders() if o.status == "cancelled"}


def test_unencoded_slash_is_another_path(exchange: httpx.Client) -> None:
    response = exchange.delete("/orders/a/b")
    assert (response.status_code, response.json()) == (404, {"message": "NotFound"})


def test_unknown_path_and_wrong_method(exchange: httpx.Client) -> None:
    assert exchange.get("/products").json() == {"message": "NotFound"}
    response = exchange.get(f"/orders/{UNKNOWN_UUID}")
    assert response.status_code == 405
    assert response.headers["allow"] == "DELETE"
    assert exchange.post("/time").status_code == 405
