"""Deribit sandbox: the matching-engine credit limit (10028), fault knobs, a real socket."""

from __future__ import annotations

import json
import time
from typing import Any

import anyio
import httpx
import pytest
from deribit_sandbox import Bearer, DeriHmac, cdp_jwt, rpc

from venuekit.sandbox import (
    DEFAULT_CREDENTIALS,
    IN_PROCESS_URL,
    Faults,
    RateLimit,
    SandboxConfig,
    create_app,
    run_in_thread,
    transport,
)

ACCOUNT = DEFAULT_CREDENTIALS.deribit
CDP = DEFAULT_CREDENTIALS.cdp
CANCEL = "/api/v2/private/cancel"


def _signer(clock: Any) -> DeriHmac:
    return DeriHmac(ACCOUNT.client_id, ACCOUNT.client_secret, clock)


def _code(response: httpx.Response) -> int:
    body = response.json()
    return int(body["error"]["code"]) if "error" in body else 0


def _cancel(client: httpx.Client, order_id: str = "ETH-1", **kwargs: Any) -> httpx.Response:
    return client.get(CANCEL, params={"order_id": order_id}, **kwargs)


# --- rate limit ------------------------------------------------------------------------------


def test_matching_engine_limit_burst_20_then_5_per_second(connect: Any, clock: Any) -> None:
    app = create_app(SandboxConfig(clock=clock, orders_per_venue=0))
    client = connect(app, _signer(clock))
    codes = [_code(_cancel(client)) for _ in range(21)]
    assert codes == [10004] * 20 + [10028]
    limited = _cancel(client)
    assert limited.status_code == 429
    assert limited.json()["error"] == {"code": 10028, "message": "too_many_requests"}
    clock.advance(0.3)  # 1.5 credits back
    assert [_code(_cancel(client)) for _ in range(2)] == [10004, 10028]
    # Public methods spend no matching-engine credit.
    assert client.get("/api/v2/public/get_time").status_code == 200
    clock.advance(60.0)  # refills to the burst, not beyond
    assert [_code(_cancel(client)) for _ in range(21)] == [10004] * 20 + [10028]


def test_limit_is_per_account(connect: Any, clock: Any) -> None:
    app = create_app(SandboxConfig(clock=clock, orders_per_venue=0))
    client = connect(app)
    signer = _signer(clock)
    assert {_code(_cancel(client, auth=signer)) for _ in range(20)} == {10004}
    assert _code(_cancel(client, auth=signer)) == 10028
    jwt = cdp_jwt(CDP.ed25519.key_name, CDP.ed25519.private_key, "EdDSA", clock())
    auth = client.post(
        "/api/v2/public/auth",
        content=rpc("public/auth", {"grant_type": "coinbase_cdp", "token": jwt}),
    )
    bearer = Bearer(auth.json()["result"]["access_token"])
    assert _code(_cancel(client, auth=bearer)) == 10004  # the subaccount has its own credits


def test_limit_is_configurable_and_can_be_off(connect: Any, clock: Any) -> None:
    small = create_app(SandboxConfig(clock=clock, deribit_rate_limit=RateLimit(rate=1, burst=2)))
    client = connect(small, _signer(clock))
    assert [_code(_cancel(client)) for _ in range(3)] == [10004, 10004, 10028]
    off = create_app(SandboxConfig(clock=clock, rate_limits=False))
    client = connect(off, _signer(clock))
    assert {_code(_cancel(client)) for _ in range(50)} == {10004}


# --- faults ----------------------------------------------------------------------------------


def test_injected_errors_use_the_envelope(connect: Any, clock: Any) -> None:
    errors = create_app(SandboxConfig(clock=clock, deribit=Faults(error_rate=1.0)))
    response = connect(errors).get("/api/v2/public/get_time")
    body = response.json()
    assert response.status_code == 500
    assert body["error"] == {"code": 10001, "message": "error"}
    assert body["usIn"] == int(clock() * 1_000_000)
    limited = create_app(SandboxConfig(clock=clock, deribit=Faults(rate_limit_rate=1.0)))
    response = connect(limited, _signer(clock)).get(CANCEL, params={"order_id": "1"})
    assert (response.status_code, _code(response)) == (429, 10028)
    assert limited.stats.count(venue="deribit", fate="rate_limited", status=429) == 1


@pytest.mark.parametrize(("after", "state"), [(0.0, "open"), (1.0, "cancelled")])
def test_dropped_connection_before_or_after_applying(
    connect: Any, clock: Any, after: float, state: str
) -> None:
    faults = Faults(drop_rate=1.0, drop_after_apply=after)
    app = create_app(SandboxConfig(clock=clock, deribit=faults))
    order = app.state.deribit.add_order(order_type="limit")
    client = connect(app, _signer(clock))
    with pytest.raises(httpx.RemoteProtocolError):
        client.post(CANCEL, content=rpc("private/cancel", {"order_id": order.order_id}))
    assert app.state.deribit.get(order.order_id).order_state == state  # type: ignore[union-attr]


def test_faults_are_reproducible_and_other_venues_are_untouched(connect: Any, clock: Any) -> None:
    noisy = Faults(error_rate=0.2, rate_limit_rate=0.2, drop_rate=0.2)

    def run(seed: int) -> list[int | str]:
        client = connect(create_app(SandboxConfig(seed=seed, clock=clock, deribit=noisy)))
        outcomes: list[int | str] = []
        for _ in range(60):
            try:
                outcomes.append(client.get("/api/v2/public/get_time").status_code)
            except httpx.RemoteProtocolError:
                outcomes.append("dropped")
        return outcomes

    first = run(7)
    assert first == run(7)
    assert set(first) == {200, 429, 500, "dropped"}
    app = create_app(SandboxConfig(clock=clock, deribit=Faults(error_rate=1.0)))
    assert connect(app).get("/time").status_code == 200  # Coinbase Exchange is not faulty


def test_clock_offset_skews_the_venue_clock(connect: Any, clock: Any) -> None:
    app = create_app(SandboxConfig(clock=clock, deribit=Faults(clock_offset=120.0)))
    client = connect(app)
    assert client.get("/api/v2/public/get_time").json()["result"] == int((clock() + 120) * 1000)
    refused = _cancel(client, auth=_signer(clock))  # signed with the client's clock: 120 s off
    assert refused.json()["error"]["data"] == {"reason": "timestamp out of the 60 s window"}
    accepted = _cancel(
        client, auth=DeriHmac(ACCOUNT.client_id, ACCOUNT.client_secret, lambda: clock() + 120)
    )
    assert _code(accepted) == 10004


# --- concurrency and a real socket -----------------------------------------------------------


@pytest.mark.anyio
async def test_concurrent_cancels_apply_once(clock: Any) -> None:
    app = create_app(SandboxConfig(clock=clock, orders_per_venue=0))
    order = app.state.deribit.add_order(order_type="limit")
    codes: list[int] = []
    async with httpx.AsyncClient(
        transport=transport(app), base_url=IN_PROCESS_URL, auth=_signer(clock)
    ) as client:

        async def cancel() -> None:
            codes.append(_code(await client.get(CANCEL, params={"order_id": order.order_id})))

        async with anyio.create_task_group() as group:
            for _ in range(15):
                group.start_soon(cancel)
    assert sorted(codes) == [0] + [11044] * 14


def test_real_server_both_forms_over_a_socket() -> None:
    config = SandboxConfig(orders_per_venue=0)
    with run_in_thread(config=config, host="127.0.0.1", port=0) as sandbox:
        first = sandbox.state.deribit.add_order(label="sock")
        second = sandbox.state.deribit.add_order(label="sock")
        signer = DeriHmac(ACCOUNT.client_id, ACCOUNT.client_secret, time.time)
        with httpx.Client(base_url=sandbox.url, auth=signer) as client:
            got = client.get(CANCEL, params={"order_id": first.order_id})
            posted = client.post(
                "/api/v2", content=rpc("private/cancel", {"order_id": second.order_id}, 9)
            )
            again = client.post(CANCEL, content=rpc("private/cancel", {"order_id": first.order_id}))
        assert got.json()["result"]["order_state"] == "cancelled"
        body = json.loads(posted.content)
        assert (body["id"], body["result"]["order_id"]) == (9, second.order_id)
        assert (again.status_code, _code(again)) == (400, 11044)
        assert got.headers["date"].endswith(" GMT")  # the venue's sandbox clock, as for all
