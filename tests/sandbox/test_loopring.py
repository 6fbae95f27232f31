"""Loopring sandbox: cancel outcomes, API key and EdDSA signature checks, resultInfo codes."""

from __future__ import annotations

from typing import Any

import attrs
import httpx
import pytest

from venuekit._signing import loopring as eddsa
from venuekit.auth import LoopringAuth
from venuekit.sandbox import DEFAULT_CREDENTIALS, IN_PROCESS_URL, SandboxApp

ACCOUNT = DEFAULT_CREDENTIALS.loopring
ACCOUNT_ID = {"accountId": str(ACCOUNT.account_id)}
UNKNOWN_HASH = "0x" + "ab" * 32


def _error(response: httpx.Response) -> tuple[int, int]:
    return response.status_code, response.json()["resultInfo"]["code"]


def test_cancel_then_already_done_then_not_found(app: SandboxApp, loopring: httpx.Client) -> None:
    order = app.state.loopring_orders()[0]
    params = {**ACCOUNT_ID, "orderHash": order.hash}
    first = loopring.delete("/api/v3/order", params=params)
    assert (first.status_code, first.json()) == (
        200,
        {
            "hash": order.hash,
            "clientOrderId": order.client_order_id,
            "status": "cancelled",
            "isIdempotent": False,
        },
    )
    second = loopring.delete("/api/v3/order", params=params)
    assert second.json() == {"resultInfo": {"code": 102117, "message": "no orders to cancel"}}
    assert second.status_code == 400
    unknown = loopring.delete("/api/v3/order", params={**ACCOUNT_ID, "orderHash": UNKNOWN_HASH})
    assert _error(unknown) == (400, 107003)


def test_cancel_by_client_order_id(app: SandboxApp, loopring: httpx.Client) -> None:
    order = app.state.add_loopring_order(client_order_id="202003180000 00001010")
    params = {**ACCOUNT_ID, "clientOrderId": order.client_order_id}
    response = loopring.delete("/api/v3/order", params=params)
    assert response.status_code == 200
    assert response.json()["hash"] == order.hash


def test_signed_with_another_eddsa_key_is_104005(connect: Any, app: SandboxApp) -> None:
    order = app.state.loopring_orders()[0]
    stranger = attrs.evolve(ACCOUNT, eddsa_private_key="0x1234")
    client = connect(app, LoopringAuth(stranger.credentials()))
    response = client.delete("/api/v3/order", params={**ACCOUNT_ID, "orderHash": order.hash})
    assert response.json() == {"resultInfo": {"code": 104005, "message": "wrong signature"}}
    assert response.status_code == 400
    assert app.state.loopring_orders()[0].status == "open"


def test_signature_must_cover_the_url_called(connect: Any, app: SandboxApp) -> None:
    order = app.state.loopring_orders()[0]
    params = [("accountId", str(ACCOUNT.account_id)), ("orderHash", order.hash)]
    key = eddsa.parse_private_key(ACCOUNT.eddsa_private_key)

    def signed_for(url: str) -> dict[str, str]:
        base = eddsa.signature_base(method="DELETE", url=url, params=params)
        return {"X-API-KEY": ACCOUNT.api_key, "X-API-SIG": eddsa.sign(key, eddsa.message(base))}

    client = connect(app)
    production = signed_for("https://api3.loopring.io/api/v3/order")
    assert _error(client.delete("/api/v3/order", params=params, headers=production)) == (
        400,
        104005,
    )
    sandbox = signed_for(f"{IN_PROCESS_URL}/api/v3/order")
    assert client.delete("/api/v3/order", params=params, headers=sandbox).status_code == 200


def test_unknown_api_key_is_104002(connect: Any, app: SandboxApp) -> None:
    stranger = attrs.evolve(ACCOUNT, api_key="sandboxUnknownKey" + "0" * 47)
    client = connect(app, LoopringAuth(stranger.credentials()))
    response = client.delete("/api/v3/order", params={**ACCOUNT_ID, "orderHash": UNKNOWN_HASH})
    assert _error(response) == (400, 104002)


@pytest.mark.parametrize(
    ("headers", "params", "code"),
    [
        ({"X-API-KEY": ""}, {**ACCOUNT_ID, "orderHash": UNKNOWN_HASH}, 104001),
        ({}, {"accountId": "99999", "orderHash": UNKNOWN_HASH}, 104003),
        ({}, {"orderHash": UNKNOWN_HASH}, 104003),
        ({"X-API-SIG": ""}, {**ACCOUNT_ID, "orderHash": UNKNOWN_HASH}, 104004),
        ({"X-API-SIG": "0x1234"}, {**ACCOUNT_ID, "orderHash": UNKNOWN_HASH}, 104005),
        ({}, ACCOUNT_ID, 107002),
        ({}, {**ACCOUNT_ID, "orderHash": "..%2F"}, 102120),
    ],
)
def test_result_codes(
    connect: Any, app: SandboxApp, headers: dict[str, str], params: dict[str, str], code: int
) -> None:
    client = connect(app, LoopringAuth(ACCOUNT.credentials()))
    request = client.build_request("DELETE", "/api/v3/order", params=params)
    client.auth.sign(request)
    request.headers.update(headers)
    assert _error(client.send(request, auth=None)) == (400, code)


def test_unknown_path_and_wrong_method(loopring: httpx.Client) -> None:
    assert _error(loopring.get("/api/v3/order", params=ACCOUNT_ID)) == (405, 100000)
    assert _error(loopring.delete("/api/v3/orders", params=ACCOUNT_ID)) == (404, 100000)
    assert _error(loopring.delete("/api/v3/order/", params=ACCOUNT_ID)) == (404, 100000)
