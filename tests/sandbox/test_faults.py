"""Rate limits, fault injection (reproducible), dropped connections, concurrency."""

from __future__ import annotations

import contextlib
import time
from typing import Any

import anyio
import httpx
import pytest

from venuekit._signing import loopring as eddsa
from venuekit.auth import CoinbaseExchangeAuth, CoinbaseIntxAuth
from venuekit.sandbox import (
    DEFAULT_CREDENTIALS,
    IN_PROCESS_URL,
    Faults,
    SandboxApp,
    SandboxConfig,
    create_app,
    transport,
)

UNKNOWN_UUID = "00000000-0000-4000-8000-000000000000"


def _exchange_auth(clock: Any) -> CoinbaseExchangeAuth:
    return CoinbaseExchangeAuth(DEFAULT_CREDENTIALS.exchange.credentials(), clock=clock)


# --- rate limits -----------------------------------------------------------------------------


def test_exchange_rate_limit_burst_30_then_15_per_second(connect: Any, clock: Any) -> None:
    app = create_app(SandboxConfig(clock=clock))
    client = connect(app, _exchange_auth(clock))
    statuses = [client.delete(f"/orders/{UNKNOWN_UUID}").status_code for _ in range(31)]
    assert statuses == [404] * 30 + [429]
    limited = client.delete(f"/orders/{UNKNOWN_UUID}")
    assert (limited.status_code, limited.json()) == (
        429,
        {"message": "Private rate limit exceeded"},
    )
    clock.advance(0.1)  # 1.5 tokens back
    assert [client.delete(f"/orders/{UNKNOWN_UUID}").status_code for _ in range(2)] == [404, 429]
    clock.advance(10.0)  # refills to the burst, not beyond
    statuses = [client.delete(f"/orders/{UNKNOWN_UUID}").status_code for _ in range(31)]
    assert statuses == [404] * 30 + [429]


def test_intx_rate_limit_40_per_second(connect: Any, clock: Any) -> None:
    app = create_app(SandboxConfig(clock=clock))
    auth = CoinbaseIntxAuth(DEFAULT_CREDENTIALS.intx.credentials(), clock=clock)
    client = connect(app, auth)
    params = {"portfolio": DEFAULT_CREDENTIALS.intx.portfolio_uuid}
    statuses = [client.delete("/api/v1/orders/1", params=params).status_code for _ in range(41)]
    assert statuses == [404] * 40 + [429]
    assert client.delete("/api/v1/orders/1", params=params).json() == {
        "message": "Rate limit exceeded"
    }


def test_loopring_rate_limit_5_per_second(connect: Any, clock: Any) -> None:
    app = create_app(SandboxConfig(clock=clock))
    account = DEFAULT_CREDENTIALS.loopring
    params = [("accountId", str(account.account_id)), ("orderHash", "0x" + "cd" * 32)]
    base = eddsa.signature_base(
        method="DELETE", url=f"{IN_PROCESS_URL}/api/v3/order", params=params
    )
    key = eddsa.parse_private_key(account.eddsa_private_key)
    headers = {"X-API-KEY": account.api_key, "X-API-SIG": eddsa.sign(key, eddsa.message(base))}
    client = connect(app)
    statuses = [
        client.delete("/api/v3/order", params=params, headers=headers).status_code for _ in range(6)
    ]
    assert statuses == [400] * 5 + [429]
    clock.advance(0.2)
    assert client.delete("/api/v3/order", params=params, headers=headers).status_code == 400


def test_rate_limits_can_be_disabled(connect: Any, clock: Any) -> None:
    app = create_app(SandboxConfig(clock=clock, rate_limits=False))
    client = connect(app, _exchange_auth(clock))
    assert {client.delete(f"/orders/{UNKNOWN_UUID}").status_code for _ in range(60)} == {404}


# --- fault injection -------------------------------------------------------------------------

NOISY = Faults(error_rate=0.2, rate_limit_rate=0.2, drop_rate=0.2)


def _outcomes(client: httpx.Client, count: int) -> list[int | str]:
    outcomes: list[int | str] = []
    for _ in range(count):
        try:
            outcomes.append(client.get("/time").status_code)
        except httpx.RemoteProtocolError:
            outcomes.append("dropped")
    return outcomes


def test_faults_are_reproducible_with_a_seed(connect: Any, clock: Any) -> None:
    def run(seed: int) -> list[int | str]:
        app = create_app(SandboxConfig(seed=seed, clock=clock, exchange=NOISY))
        return _outcomes(connect(app), 60)

    first = run(seed=7)
    assert first == run(seed=7)
    assert set(first) == {200, 429, 500, "dropped"}
    assert first != run(seed=8)


def test_fault_sequences_of_venues_are_independent(connect: Any, clock: Any) -> None:
    config = SandboxConfig(seed=3, clock=clock, exchange=NOISY, intx=NOISY)
    alone = _outcomes(connect(create_app(config)), 20)
    app = create_app(config)
    client = connect(app)
    mixed: list[int | str] = []
    for _ in range(20):
        with contextlib.suppress(httpx.RemoteProtocolError):
            client.delete("/api/v1/orders/1")  # an INTX request between each Exchange one
        mixed.extend(_outcomes(client, 1))
    assert mixed == alone


def test_fault_bodies_are_the_venues(connect: Any, clock: Any) -> None:
    errors = create_app(SandboxConfig(clock=clock, exchange=Faults(error_rate=1.0)))
    response = connect(errors).get("/time")
    assert (response.status_code, response.json()) == (500, {"message": "Internal server error"})
    limited = create_app(SandboxConfig(clock=clock, loopring=Faults(rate_limit_rate=1.0)))
    response = connect(limited).delete("/api/v3/order")
    assert response.status_code == 429
    assert "resultInfo" in response.json()


@pytest.mark.parametrize(("after", "status"), [(0.0, "open"), (1.0, "cancelled")])
def test_dropped_connection_before_or_after_applying(
    connect: Any, clock: Any, after: float, status: str
) -> None:
    config = SandboxConfig(clock=clock, exchange=Faults(drop_rate=1.0, drop_after_apply=after))
    app = create_app(config)
    order = app.state.exchange_orders()[0]
    client = connect(app, _exchange_auth(clock))
    with pytest.raises(httpx.RemoteProtocolError):
        client.delete(f"/orders/{order.id}")
    assert app.state.exchange_orders()[0].status == status


@pytest.mark.anyio
async def test_async_transport_drops_and_cancels(clock: Any) -> None:
    config = SandboxConfig(clock=clock, intx=Faults(drop_rate=1.0, drop_after_apply=1.0))
    app = create_app(config)
    order = app.state.intx_orders()[0]
    auth = CoinbaseIntxAuth(DEFAULT_CREDENTIALS.intx.credentials(), clock=clock)
    async with httpx.AsyncClient(
        transport=transport(app), base_url=IN_PROCESS_URL, auth=auth
    ) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            await client.delete(
                f"/api/v1/orders/{order.order_id}",
                params={"portfolio": DEFAULT_CREDENTIALS.intx.portfolio_uuid},
            )
        assert (await client.get("/time")).status_code == 200
    assert app.state.intx_orders()[0].status == "cancelled"


@pytest.mark.anyio
async def test_latency_is_an_async_sleep(clock: Any) -> None:
    app = create_app(SandboxConfig(clock=clock, exchange=Faults(latency=0.3)))
    async with httpx.AsyncClient(transport=transport(app), base_url=IN_PROCESS_URL) as client:
        started = time.perf_counter()
        async with anyio.create_task_group() as group:
            for _ in range(10):
                group.start_soon(client.get, "/time")
        elapsed = time.perf_counter() - started
    assert 0.3 <= elapsed < 2.0  # ten requests overlap; serial would take 3 s


# --- concurrency -----------------------------------------------------------------------------


@pytest.mark.anyio
async def test_concurrent_cancels_apply_once(app: SandboxApp, clock: Any) -> None:
    order = app.state.exchange_orders()[0]
    statuses: list[int] = []
    async with httpx.AsyncClient(
        transport=transport(app), base_url=IN_PROCESS_URL, auth=_exchange_auth(clock)
    ) as client:

        async def cancel() -> None:
            statuses.append((await client.delete(f"/orders/{order.id}")).status_code)

        async with anyio.create_task_group() as group:
            for _ in range(20):
                group.start_soon(cancel)
    assert sorted(statuses) == [200] + [400] * 19
