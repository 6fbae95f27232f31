"""Issue 13 through the client: one budget per (venue, key) shared through a real valkey-server,
and fail-open when the store is stopped or silent.

The sandbox enforces a small Exchange limit (5/s, burst 5) over real HTTP on 127.0.0.1; two
clients with the same key cancel together from two threads. With one store between them the
sandbox answers no 429; with none (each client paces only itself) it does. No timing is asserted:
the sandbox's own counters say what happened.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

import venuekit
from venuekit import CancelRequest, RateLimit
from venuekit.sandbox import DEFAULT_CREDENTIALS, SandboxConfig, run_in_thread
from venuekit.sandbox import RateLimit as SandboxRateLimit

LIMIT = RateLimit(rate=5, burst=5)


@pytest.fixture
def limited() -> Iterator[Any]:
    """A sandbox on 127.0.0.1 enforcing 5/s, burst 5 on the Exchange key, with 20 orders."""
    config = SandboxConfig(
        seed=21, orders_per_venue=20, exchange_rate_limit=SandboxRateLimit(rate=5, burst=5)
    )
    with run_in_thread(config=config) as sandbox:
        yield sandbox


def _client(sandbox: Any, **kwargs: Any) -> venuekit.Client:
    return venuekit.Client(
        coinbase_exchange=DEFAULT_CREDENTIALS.exchange.credentials(),
        base_urls={"coinbase_exchange": sandbox.url},
        rate_limits={"coinbase_exchange": LIMIT},
        attempts=1,  # a 429 stays visible as a failed outcome
        **kwargs,
    )


def _cancel_together(sandbox: Any, clients: list[venuekit.Client]) -> list[Any]:
    orders = sandbox.state.exchange_orders()
    halves = [orders[0::2], orders[1::2]]
    outcomes: list[Any] = []

    def run(client: venuekit.Client, mine: list[Any]) -> None:
        requests = [CancelRequest.coinbase_exchange(order_id=o.id) for o in mine]
        outcomes.extend(client.cancel_many(requests, concurrency=2))

    threads = [
        threading.Thread(target=run, args=pair) for pair in zip(clients, halves, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_two_clients_sharing_a_store_stay_under_the_keys_limit(
    limited: Any, valkey_server: Any
) -> None:
    clients = [_client(limited, rate_limit_store=valkey_server.url) for _ in range(2)]
    try:
        outcomes = _cancel_together(limited, clients)
    finally:
        for client in clients:
            client.close()
    assert len(outcomes) == 20
    assert all(o.ok for o in outcomes), [o.error for o in outcomes if not o.ok]
    assert limited.app.stats.count(status=429) == 0


def test_without_a_store_the_same_two_clients_earn_429s(limited: Any) -> None:
    clients = [_client(limited) for _ in range(2)]
    try:
        outcomes = _cancel_together(limited, clients)
    finally:
        for client in clients:
            client.close()
    assert len(outcomes) == 20
    assert limited.app.stats.count(status=429) > 0  # each client paced only itself


def test_a_stopped_store_fails_open_loudly_and_every_cancel_completes(
    limited: Any, fresh_valkey_server: Any, caplog: pytest.LogCaptureFixture
) -> None:
    client = _client(limited, rate_limit_store=fresh_valkey_server.url, deadline=5.0)
    orders = limited.state.exchange_orders()[:6]
    try:
        client.coinbase_exchange.cancel_order(order_id=orders[0].id)  # through the store
        fresh_valkey_server.stop()
        with caplog.at_level(logging.WARNING):
            results = [client.coinbase_exchange.cancel_order(order_id=o.id) for o in orders[1:]]
    finally:
        client.close()
    assert [r.state for r in results] == [venuekit.CancelState.CANCELLED] * 5
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1  # once per outage, not once per cancel
    assert fresh_valkey_server.url.split("//")[1].split("/")[0] not in repr(client)


@pytest.fixture
def silent_store() -> Iterator[str]:
    """A TCP server on 127.0.0.1 that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    finally:
        stop.set()
        thread.join()
        for conn in accepted:
            conn.close()
        server.close()


@pytest.mark.anyio
async def test_a_silent_store_never_holds_an_async_cancel_past_its_deadline(
    limited: Any, silent_store: str
) -> None:
    orders = limited.state.exchange_orders()[:3]
    async with venuekit.AsyncClient(
        coinbase_exchange=DEFAULT_CREDENTIALS.exchange.credentials(),
        base_urls={"coinbase_exchange": limited.url},
        rate_limit_store=silent_store,
        deadline=3.0,
    ) as client:
        results = [await client.coinbase_exchange.cancel_order(order_id=o.id) for o in orders]
    assert [r.state for r in results] == [venuekit.CancelState.CANCELLED] * 3


@pytest.mark.parametrize(
    "store", ["http://127.0.0.1:6379", 42, "redis//missing-colon"], ids=["http", "int", "typo"]
)
def test_a_bad_store_is_refused_when_the_client_is_made(store: object) -> None:
    with pytest.raises(venuekit.InvalidRequest) as caught:
        venuekit.Client(rate_limit_store=store)
    assert caught.value.field == "rate_limit_store"
