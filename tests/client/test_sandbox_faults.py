"""Retries, the ambiguity rule and clock resync against the in-process sandbox's faults.

The sandbox checks signatures and timestamps like the venues, drops connections after applying
a cancel, and skews its clock; these tests show the client's answer to each, for ``Client`` and
``AsyncClient`` (the ``on_sandbox`` fixture).
"""

from __future__ import annotations

import random
import time
from typing import Any

import pytest

import venuekit
from venuekit import CancelState, errors
from venuekit import sandbox as sb

FAULT_FIELD = {"coinbase_exchange": "exchange", "coinbase_intx": "intx", "loopring": "loopring"}


def seed_dropping_only_the_first_request(venue: str, drop_rate: float) -> int:
    """A seed whose fault generator for ``venue`` drops request 1 and not request 2.

    Mirrors the sandbox's documented draw: four numbers per request, the first decides a drop.
    """
    for seed in range(1000):
        rng = random.Random(f"venuekit-sandbox/faults/{seed}/{venue}")
        first = [rng.random() for _ in range(4)]
        second = [rng.random() for _ in range(4)]
        if first[0] < drop_rate <= second[0]:
            return seed
    raise AssertionError("no such seed")


def cancel_first_order(client: Any, app: sb.SandboxApp, venue: str) -> Any:
    if venue == "coinbase_exchange":
        order = app.state.exchange_orders()[0]
        return client.coinbase_exchange.cancel_order(order_id=order.id)
    if venue == "coinbase_intx":
        intx = app.state.intx_orders()[0]
        portfolio = sb.DEFAULT_CREDENTIALS.intx.portfolio_uuid
        return client.coinbase_intx.cancel_order(order_id=str(intx.order_id), portfolio=portfolio)
    ring = app.state.loopring_orders()[0]
    return client.loopring.cancel_order(order_hash=ring.hash)


def first_order_status(app: sb.SandboxApp, venue: str) -> str:
    if venue == "coinbase_exchange":
        return app.state.exchange_orders()[0].status
    if venue == "coinbase_intx":
        return app.state.intx_orders()[0].status
    return app.state.loopring_orders()[0].status


@pytest.mark.parametrize("venue", list(FAULT_FIELD))
def test_a_drop_after_the_cancel_was_applied_is_reported_as_cancelled(
    on_sandbox: Any, venue: str
) -> None:
    name = FAULT_FIELD[venue]
    seed = seed_dropping_only_the_first_request(name, 0.5)
    faults = sb.Faults(drop_rate=0.5, drop_after_apply=1.0)
    app = sb.create_app(sb.SandboxConfig(seed=seed, **{name: faults}))

    result = on_sandbox(app, lambda c: cancel_first_order(c, app, venue))

    assert result.state is CancelState.CANCELLED_ON_EARLIER_ATTEMPT
    assert result.attempts == 2
    assert first_order_status(app, venue) == "cancelled"
    assert app.stats.count(venue=name, fate="drop_after_apply") == 1
    assert app.stats.count(venue=name, fate="normal", status=400) == 1  # "already done"


@pytest.mark.parametrize("venue", list(FAULT_FIELD))
def test_a_drop_before_the_cancel_was_applied_is_retried_to_a_plain_cancel(
    on_sandbox: Any, venue: str
) -> None:
    name = FAULT_FIELD[venue]
    seed = seed_dropping_only_the_first_request(name, 0.5)
    faults = sb.Faults(drop_rate=0.5, drop_after_apply=0.0)
    app = sb.create_app(sb.SandboxConfig(seed=seed, **{name: faults}))

    result = on_sandbox(app, lambda c: cancel_first_order(c, app, venue))

    assert result.state is CancelState.CANCELLED
    assert result.attempts == 2
    assert app.stats.count(venue=name, fate="drop_before_apply") == 1


def test_exchange_clock_40_s_ahead_resyncs_with_get_time(on_sandbox: Any) -> None:
    app = sb.create_app(sb.SandboxConfig(exchange=sb.Faults(clock_offset=40.0)))

    result = on_sandbox(app, lambda c: cancel_first_order(c, app, "coinbase_exchange"))

    assert result.state is CancelState.CANCELLED
    assert result.attempts == 2
    cancels = {
        key.status: n
        for key, n in app.stats.snapshot().items()
        if key.endpoint == "exchange_cancel"
    }
    assert cancels == {401: 1, 200: 1}  # "request timestamp expired", then accepted
    assert app.stats.count(endpoint="exchange_time") == 1


def test_intx_clock_40_s_ahead_resyncs_from_the_date_header(on_sandbox: Any) -> None:
    app = sb.create_app(sb.SandboxConfig(intx=sb.Faults(clock_offset=40.0)))

    result = on_sandbox(app, lambda c: cancel_first_order(c, app, "coinbase_intx"))

    assert result.state is CancelState.CANCELLED
    assert result.attempts == 2
    cancels = {
        key.status: n for key, n in app.stats.snapshot().items() if key.endpoint == "intx_cancel"
    }
    assert cancels == {401: 1, 200: 1}
    assert app.stats.count(endpoint="exchange_time") == 0  # INTX has no time endpoint


def test_a_skew_inside_the_window_is_corrected_without_a_failure(on_sandbox: Any) -> None:
    # INTX allows 5 s; 3 s passes, and the Date header then corrects the offset for later calls.
    app = sb.create_app(sb.SandboxConfig(intx=sb.Faults(clock_offset=3.0), orders_per_venue=3))
    portfolio = sb.DEFAULT_CREDENTIALS.intx.portfolio_uuid
    orders = app.state.intx_orders()
    requests = [
        venuekit.CancelRequest.coinbase_intx(order_id=str(o.order_id), portfolio=portfolio)
        for o in orders
    ]

    outcomes = on_sandbox(app, lambda c: c.cancel_many(requests, concurrency=1))

    assert [o.result.attempts for o in outcomes if o.result] == [1, 1, 1]
    assert app.stats.count(status=401) == 0


def test_wrong_credentials_fail_once_without_retry(on_sandbox: Any) -> None:
    creds = sb.DEFAULT_CREDENTIALS.exchange
    wrong = venuekit.CoinbaseExchangeCredentials(
        api_key=creds.api_key,
        api_secret="d3Jvbmctc2VjcmV0LXNlY3JldA==",
        passphrase=creds.passphrase,
    )
    app = sb.create_app()
    with pytest.raises(errors.AuthenticationError) as caught:
        on_sandbox(
            app, lambda c: cancel_first_order(c, app, "coinbase_exchange"), coinbase_exchange=wrong
        )
    assert caught.value.attempts == 1
    assert app.stats.count() == 1


def test_burst_of_100_exchange_cancels_earns_no_429_from_the_venue(on_sync_sandbox: Any) -> None:
    """Measured, not simulated: the sandbox enforces Exchange's 15/s burst 30 on arrival.

    Sync client, 16 threads sharing one limiter (the async limiter is measured by tests/load).
    """
    app = sb.create_app(sb.SandboxConfig(orders_per_venue=0))
    orders = [app.state.add_exchange_order() for _ in range(100)]
    requests = [venuekit.CancelRequest.coinbase_exchange(order_id=o.id) for o in orders]

    started = time.monotonic()
    outcomes = on_sync_sandbox(app, lambda c: c.cancel_many(requests, concurrency=16, attempts=1))
    elapsed = time.monotonic() - started

    assert all(o.ok for o in outcomes), [o.error for o in outcomes if not o.ok][:3]
    assert app.stats.count(status=429) == 0
    assert elapsed >= (100 - 30) / 15.0
