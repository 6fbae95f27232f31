"""A durable sandbox book (``SandboxConfig(state_file=...)``): journaled, replayed, torn lines cut.

A second app on the same file stands for the sandbox process started again after a kill (the
real SIGKILL and restart over a socket is in tests/load/test_load_harsh_small.py).
"""

from __future__ import annotations

import doctest
from pathlib import Path
from typing import Any

from venuekit.auth import CoinbaseExchangeAuth, CoinbaseIntxAuth, LoopringAuth
from venuekit.sandbox import (
    DEFAULT_CREDENTIALS,
    JournaledState,
    SandboxApp,
    SandboxConfig,
    create_app,
    read_journal,
)

CREDS = DEFAULT_CREDENTIALS


def _app(path: Path, clock: Any, **changes: Any) -> SandboxApp:
    return create_app(
        SandboxConfig(seed=3, orders_per_venue=4, clock=clock, state_file=path, **changes)
    )


def test_cancels_answered_200_survive_a_restart_on_every_venue(
    tmp_path: Path, clock: Any, connect: Any
) -> None:
    path = tmp_path / "book.jsonl"
    first = _app(path, clock)
    exchange = connect(first, CoinbaseExchangeAuth(CREDS.exchange.credentials(), clock=clock))
    intx = connect(first, CoinbaseIntxAuth(CREDS.intx.credentials(), clock=clock))
    loopring = connect(first, LoopringAuth(CREDS.loopring.credentials()))
    ex, ix, lr = (
        first.state.exchange_orders()[1],
        first.state.intx_orders()[2],
        first.state.loopring_orders()[0],
    )
    assert (
        exchange.delete(f"/orders/{ex.id}", params={"product_id": ex.product_id}).status_code == 200
    )
    clock.advance(2.5)
    portfolio = {"portfolio": CREDS.intx.portfolio_uuid}
    assert intx.delete(f"/api/v1/orders/{ix.order_id}", params=portfolio).status_code == 200
    ring = {"accountId": str(CREDS.loopring.account_id), "clientOrderId": lr.client_order_id}
    assert loopring.delete("/api/v3/order", params=ring).status_code == 200

    again = _app(path, clock)  # the sandbox started again on the same journal
    assert again.state.exchange_orders() == first.state.exchange_orders()
    assert again.state.intx_orders() == first.state.intx_orders()  # times, Decimals, instrument
    assert again.state.loopring_orders() == first.state.loopring_orders()
    assert [o.status for o in again.state.exchange_orders()] == [
        "open",
        "cancelled",
        "open",
        "open",
    ]
    assert again.state.intx_orders()[2].cancel_time == clock() + 0.0

    exchange2 = connect(again, CoinbaseExchangeAuth(CREDS.exchange.credentials(), clock=clock))
    repeat = exchange2.delete(f"/orders/{ex.id}", params={"product_id": ex.product_id})
    assert (repeat.status_code, repeat.json()) == (400, {"message": "Order already done"})
    other = again.state.exchange_orders()[0]
    assert exchange2.delete(f"/orders/client:{other.client_oid}").status_code == 200
    assert _app(path, clock).state.exchange_orders()[0].status == "cancelled"


def test_refused_cancels_are_not_journaled(tmp_path: Path, clock: Any, connect: Any) -> None:
    path = tmp_path / "book.jsonl"
    app = _app(path, clock)
    exchange = connect(app, CoinbaseExchangeAuth(CREDS.exchange.credentials(), clock=clock))
    order = app.state.exchange_orders()[0]
    seeded = len(read_journal(path))
    assert seeded == 12  # 4 orders on each of the three venues, journaled when seeded
    other = "ETH-USD" if order.product_id != "ETH-USD" else "BTC-USD"
    assert exchange.delete(f"/orders/{order.id}", params={"product_id": other}).status_code == 404
    assert len(read_journal(path)) == seeded
    assert exchange.delete(f"/orders/{order.id}").status_code == 200
    assert exchange.delete(f"/orders/{order.id}").status_code == 400
    records = read_journal(path)
    assert len(records) == seeded + 1
    assert records[-1] == ("exchange", app.state.exchange_orders()[0])


def test_a_torn_last_line_is_cut_and_later_lines_append_cleanly(tmp_path: Path, clock: Any) -> None:
    path = tmp_path / "book.jsonl"
    state = JournaledState(CREDS, path=path, seed=1, orders_per_venue=2, clock=clock)
    order = state.exchange_orders()[0]
    with path.open("ab") as journal:
        journal.write(b'{"venue":"exchange","order":{"id":"half-writ')  # killed mid-write
    again = JournaledState(CREDS, path=path, seed=1, clock=clock)
    assert path.read_bytes().endswith(b"\n")
    assert again.cancel_exchange(profile_id=order.profile_id, order_id=order.id)[0].value == (
        "cancelled"
    )
    third = JournaledState(CREDS, path=path, seed=1, clock=clock)
    assert third.exchange_orders()[0].status == "cancelled"
    assert len(third.exchange_orders()) == 2


def test_a_replayed_book_is_not_seeded_again_and_new_ids_are_fresh(
    tmp_path: Path, clock: Any
) -> None:
    path = tmp_path / "book.jsonl"
    first = JournaledState(CREDS, path=path, seed=9, orders_per_venue=3, clock=clock)
    again = JournaledState(CREDS, path=path, seed=9, orders_per_venue=3, clock=clock)
    assert len(again.exchange_orders()) == 3
    # The same seed would draw the seeded ids again; after a replay the generator moves on.
    added = again.add_exchange_order()
    assert added.id not in {o.id for o in first.exchange_orders()}
    assert again.add_intx_order().order_id not in {o.order_id for o in first.intx_orders()}
    assert again.add_loopring_order().hash not in {o.hash for o in first.loopring_orders()}
    assert len(JournaledState(CREDS, path=path, seed=9, clock=clock).exchange_orders()) == 4


def test_a_cancelled_order_never_reopens_whatever_the_line_order(
    tmp_path: Path, clock: Any
) -> None:
    path = tmp_path / "book.jsonl"
    state = JournaledState(CREDS, path=path, seed=2, orders_per_venue=1, clock=clock)
    order = state.loopring_orders()[0]
    state.cancel_loopring(account_id=order.account_id, order_hash=order.hash)
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join([*lines[:-3], lines[-1], *lines[-3:-1]]))  # cancel before its add
    again = JournaledState(CREDS, path=path, seed=2, clock=clock)
    assert again.loopring_orders()[0].status == "cancelled"


def test_the_docstring_example_runs() -> None:
    from venuekit.sandbox import _journal

    failed, tried = doctest.testmod(_journal, optionflags=doctest.ELLIPSIS)
    assert tried > 0
    assert failed == 0
