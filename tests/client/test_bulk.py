"""cancel_many: exactly one outcome per input, in input order, for Client and AsyncClient."""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx
import pytest
from sandbox_runner import SandboxRunner

import venuekit
from venuekit import CancelRequest, CancelState, Venue, errors
from venuekit import sandbox as sb

PORTFOLIO = sb.DEFAULT_CREDENTIALS.intx.portfolio_uuid


def mixed_batch(app: sb.SandboxApp) -> tuple[list[CancelRequest], list[tuple[bool, Any]]]:
    """Valid and invalid requests over the three venues, and the expected (ok, state|error)."""
    ex = app.state.exchange_orders()
    intx = app.state.intx_orders()
    ring = app.state.loopring_orders()
    plan: list[tuple[CancelRequest, tuple[bool, Any]]] = [
        (
            CancelRequest.coinbase_exchange(order_id=ex[0].id, product_id=ex[0].product_id),
            (True, CancelState.CANCELLED),
        ),
        (CancelRequest.coinbase_exchange(order_id="  "), (False, errors.InvalidRequest)),
        (
            CancelRequest.coinbase_intx(order_id=str(intx[0].order_id), portfolio=PORTFOLIO),
            (True, CancelState.CANCELLED),
        ),
        (CancelRequest(venue="kraken", order_id="1"), (False, errors.InvalidRequest)),
        (CancelRequest.loopring(order_hash=ring[0].hash), (True, CancelState.CANCELLED)),
        (
            CancelRequest(venue=Venue.COINBASE_EXCHANGE, order_id=ex[1].id, portfolio="p"),
            (False, errors.InvalidRequest),
        ),
        (
            CancelRequest(venue="coinbase_intx", order_id=str(intx[1].order_id)),
            (False, errors.InvalidRequest),
        ),
        (
            CancelRequest.loopring(order_hash=ring[1].hash, client_order_id="x"),
            (False, errors.InvalidRequest),
        ),
        (
            CancelRequest.coinbase_exchange(client_oid=ex[2].client_oid),
            (True, CancelState.CANCELLED),
        ),
        (
            CancelRequest.coinbase_exchange(order_id="00000000-0000-4000-8000-00000000dead"),
            (False, errors.OrderNotFound),
        ),
        (
            CancelRequest(venue="LOOPRING", client_order_id=ring[2].client_order_id),
            (True, CancelState.CANCELLED),
        ),
        (
            CancelRequest.coinbase_intx(order_id=intx[2].client_order_id, portfolio=PORTFOLIO),
            (True, CancelState.CANCELLED),
        ),
        (
            CancelRequest.loopring(order_hash="0x12", account_id="abc"),
            (False, errors.InvalidRequest),
        ),
    ]
    return [request for request, _ in plan], [expected for _, expected in plan]


def summary(outcomes: list[venuekit.CancelOutcome]) -> list[tuple[bool, Any]]:
    return [(o.ok, o.result.state if o.result is not None else type(o.error)) for o in outcomes]


def test_one_outcome_per_input_in_order_with_invalid_entries(on_sandbox: Any) -> None:
    app = sb.create_app()
    requests, expected = mixed_batch(app)
    calls: list[tuple[int, int]] = []

    outcomes = on_sandbox(
        app,
        lambda c: c.cancel_many(
            requests, concurrency=3, progress=lambda d, t: calls.append((d, t))
        ),
    )

    assert len(outcomes) == len(requests)
    assert [o.request for o in outcomes] == requests
    assert all(o.request is r for o, r in zip(outcomes, requests, strict=True))
    actual = summary(outcomes)
    for (ok, what), (expected_ok, expected_what) in zip(actual, expected, strict=True):
        assert ok is expected_ok
        if isinstance(expected_what, type):
            assert issubclass(what, expected_what)
        else:
            assert what is expected_what
    assert calls == [(i, len(requests)) for i in range(1, len(requests) + 1)]
    for outcome in outcomes:
        assert (outcome.result is None) != (outcome.error is None)
        if isinstance(outcome.error, errors.InvalidRequest):
            assert outcome.attempts == 0
    invalid = [o.error for o in outcomes if isinstance(o.error, errors.InvalidRequest)]
    assert {e.field for e in invalid} == {
        "order_id",
        "venue",
        "portfolio",
        "client_order_id",
        "account_id",
    }


def test_sync_and_async_give_the_same_outcomes() -> None:
    results = []
    for mode in ("sync", "async"):
        app = sb.create_app(sb.SandboxConfig(seed=3))
        requests, _ = mixed_batch(app)
        runner = SandboxRunner(mode)
        results.append(summary(runner(app, lambda c, r=requests: c.cancel_many(r))))
    assert results[0] == results[1]


def test_an_unconfigured_venue_is_that_entry_s_outcome(on_sandbox: Any) -> None:
    app = sb.create_app()
    order = app.state.exchange_orders()[0]
    requests = [
        CancelRequest.loopring(order_hash=app.state.loopring_orders()[0].hash),
        CancelRequest.coinbase_exchange(order_id=order.id),
    ]

    outcomes = on_sandbox(app, lambda c: c.cancel_many(requests), loopring=None)

    assert isinstance(outcomes[0].error, errors.VenueNotConfigured)
    assert outcomes[1].ok


def test_the_same_order_twice_is_cancelled_once(on_sandbox: Any) -> None:
    app = sb.create_app()
    order = app.state.exchange_orders()[0]
    request = CancelRequest.coinbase_exchange(order_id=order.id)

    outcomes = on_sandbox(app, lambda c: c.cancel_many([request, request], concurrency=2))

    assert len(outcomes) == 2
    assert sorted(o.ok for o in outcomes) == [False, True]
    assert [type(o.error) for o in outcomes if not o.ok] == [errors.OrderAlreadyDone]


def test_an_empty_batch_gives_an_empty_list(on_sandbox: Any) -> None:
    calls: list[Any] = []
    assert on_sandbox(sb.create_app(), lambda c: c.cancel_many([], progress=calls.append)) == []
    assert calls == []


def test_batch_level_mistakes_raise_before_anything_is_sent(on_sandbox: Any) -> None:
    app = sb.create_app()
    good = CancelRequest.coinbase_exchange(order_id=app.state.exchange_orders()[0].id)
    with pytest.raises(TypeError, match="entry 1"):
        on_sandbox(app, lambda c: c.cancel_many([good, {"venue": "loopring"}]))
    with pytest.raises(ValueError, match="concurrency"):
        on_sandbox(app, lambda c: c.cancel_many([good], concurrency=0))
    with pytest.raises(errors.InvalidRequest, match="attempts"):
        on_sandbox(app, lambda c: c.cancel_many([good], attempts=0))
    assert app.stats.count() == 0


def test_an_exception_from_progress_stops_the_batch(on_sandbox: Any) -> None:
    app = sb.create_app()
    requests = [CancelRequest.coinbase_exchange(order_id=o.id) for o in app.state.exchange_orders()]

    def explode(done: int, total: int) -> None:
        raise KeyError("progress broke")

    with pytest.raises(KeyError, match="progress broke"):
        on_sandbox(app, lambda c: c.cancel_many(requests, progress=explode))


def test_retries_and_per_call_knobs_apply_to_every_entry(on_sandbox: Any) -> None:
    app = sb.create_app(sb.SandboxConfig(exchange=sb.Faults(error_rate=1.0)))
    requests = [CancelRequest.coinbase_exchange(order_id=o.id) for o in app.state.exchange_orders()]

    outcomes = on_sandbox(app, lambda c: c.cancel_many(requests, attempts=3))

    assert [type(o.error) for o in outcomes] == [errors.VenueUnavailable] * len(requests)
    assert [o.attempts for o in outcomes] == [3] * len(requests)
    assert app.stats.count(status=500) == 3 * len(requests)


def test_concurrency_is_bounded_per_venue() -> None:
    lock = threading.Lock()
    in_flight: dict[str, int] = {}
    peak: dict[str, int] = {}

    def respond(request: httpx.Request) -> httpx.Response:
        venue = request.url.host
        with lock:
            in_flight[venue] = in_flight.get(venue, 0) + 1
            peak[venue] = max(peak.get(venue, 0), in_flight[venue])
        time.sleep(0.02)
        with lock:
            in_flight[venue] -= 1
        if venue == "exchange.test":
            return httpx.Response(200, json="x")
        return httpx.Response(200, json={"hash": "0x1", "status": "cancelled"})

    creds = sb.DEFAULT_CREDENTIALS
    with venuekit.Client(
        coinbase_exchange=creds.exchange.credentials(),
        loopring=creds.loopring.credentials(),
        base_urls={
            "coinbase_exchange": "https://exchange.test",
            "loopring": "https://loopring.test",
        },
        transport=httpx.MockTransport(respond),
        rate_limits=False,
    ) as client:
        requests = [CancelRequest.coinbase_exchange(order_id=f"o{i}") for i in range(12)]
        requests += [CancelRequest.loopring(order_hash=f"0x{i}") for i in range(12)]
        outcomes = client.cancel_many(requests, concurrency=3)
    assert all(o.ok for o in outcomes)
    assert peak == {"exchange.test": 3, "loopring.test": 3}


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            {"venue": "coinbase_exchange", "order_id": "a", "product_id": ""},
            CancelRequest.coinbase_exchange(order_id="a"),
        ),
        (
            {"Venue": "Coinbase-INTX", "order-id": 43877033468085760, "portfolio": "p"},
            CancelRequest.coinbase_intx(order_id="43877033468085760", portfolio="p"),
        ),
        (
            {"venue": "loopring", "client_order_id": "c", "account_id": " 7 "},
            CancelRequest.loopring(client_order_id="c", account_id=7),
        ),
    ],
)
def test_from_mapping(row: dict[str, Any], expected: CancelRequest) -> None:
    assert CancelRequest.from_mapping(row) == expected


@pytest.mark.parametrize(
    ("row", "field"),
    [({"order_id": "a"}, "venue"), ({"venue": "loopring", "order_hsh": "0x1"}, "order_hsh")],
)
def test_from_mapping_names_the_bad_key(row: dict[str, Any], field: str) -> None:
    with pytest.raises(errors.InvalidRequest) as caught:
        CancelRequest.from_mapping(row)
    assert caught.value.field == field
