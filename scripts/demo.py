"""`make demo`: cancel orders on every venue against the embedded local sandbox.

Starts `venuekit.sandbox` with uvicorn on a free 127.0.0.1 port, then uses the public venuekit API
exactly as a user would: for each venue it cancels one open order, cancels the same order again
(the venue's cancel reject, `OrderAlreadyDone`), and cancels an id the venue never issued
(`OrderNotFound`). On Deribit it does so with a Deribit key, then through the Coinbase gateway
with both kinds of CDP key (Ed25519 and ES256), and cancels by label (a label may match several
orders). It prints one table of what happened and stops the server. Exit code 0 when every
outcome is the expected one, 1 otherwise.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable
from typing import Any

import venuekit
from venuekit import errors
from venuekit.sandbox import run_in_thread

Row = tuple[str, str, str, str]


def _attempt(venue: str, what: str, cancel: Callable[[], object]) -> Row:
    """Run one cancel and describe its outcome as a table row."""
    try:
        result = cancel()
    except errors.VenueError as exc:
        return (venue, what, type(exc).__name__, str(exc))
    if isinstance(result, venuekit.GroupCancelResult):
        return (venue, what, f"{result.cancelled_count} CANCELLED", f"{result.action} (count)")
    assert isinstance(result, venuekit.CancelResult)
    status = f" (venue status {result.venue_status})" if result.venue_status else ""
    return (venue, what, result.state.name, f"order {result.order_id}{status}")


def _print_table(rows: list[Row]) -> None:
    header: Row = ("venue", "request", "outcome", "detail")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(3)]
    for row in [header, None, *rows]:
        if row is None:
            print("  ".join("-" * w for w in widths) + "  " + "-" * 40)
            continue
        print(
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)) + "  " + row[3]
        )


def _deribit_plan(
    sandbox: Any, stack: contextlib.ExitStack
) -> list[tuple[str, str, Callable[[], object], str]]:
    """Deribit with its own key (main account), then through the Coinbase gateway with both CDP
    key kinds (a subaccount). Each kind of key gets its own client: the default host follows it."""
    accounts, book = sandbox.credentials, sandbox.state.deribit
    main_orders = [
        o
        for o in book.orders(user_id=accounts.deribit.user_id)
        if o.order_state in ("open", "untriggered")
    ]
    cdp_orders = [
        o
        for o in book.orders(user_id=accounts.cdp.user_id)
        if o.order_state in ("open", "untriggered")
    ]
    label = next(o.label for o in main_orders[1:] if o.label)
    keys = {
        "deribit": accounts.deribit.credentials(),
        "deribit via CDP Ed25519": accounts.cdp.ed25519.credentials(),
        "deribit via CDP ES256": accounts.cdp.es256.credentials(),
    }
    clients = {
        name: stack.enter_context(
            venuekit.Client(deribit=key, base_urls={"deribit": sandbox.deribit_url})
        )
        for name, key in keys.items()
    }

    def cancel(name: str, order_id: str) -> Callable[[], object]:
        return lambda: clients[name].deribit.cancel_order(order_id=order_id)

    first = main_orders[0].order_id
    return [
        ("deribit", "cancel open order", cancel("deribit", first), "CANCELLED"),
        ("deribit", "cancel it again", cancel("deribit", first), "OrderAlreadyDone"),
        ("deribit", "cancel unknown id", cancel("deribit", "ETH-1"), "OrderNotFound"),
        (
            "deribit",
            f"cancel by label {label!r}",
            lambda: clients["deribit"].deribit.cancel_by_label(label=label),
            f"{sum(o.label == label for o in main_orders[1:])} CANCELLED",
        ),
        (
            "deribit via CDP Ed25519",
            "cancel open order",
            cancel("deribit via CDP Ed25519", cdp_orders[0].order_id),
            "CANCELLED",
        ),
        (
            "deribit via CDP ES256",
            "cancel open order",
            cancel("deribit via CDP ES256", cdp_orders[1].order_id),
            "CANCELLED",
        ),
    ]


def main() -> int:
    started = time.perf_counter()
    with run_in_thread() as sandbox:
        print(f"venuekit {venuekit.__version__}: local sandbox of every venue at {sandbox.url}")
        accounts = sandbox.credentials
        exchange_order = sandbox.state.exchange_orders()[0]
        intx_order = sandbox.state.intx_orders()[0]
        loopring_order = sandbox.state.loopring_orders()[0]
        portfolio = accounts.intx.portfolio_uuid

        with (
            contextlib.ExitStack() as stack,
            venuekit.Client(
                coinbase_exchange=accounts.exchange.credentials(),
                coinbase_intx=accounts.intx.credentials(),
                loopring=accounts.loopring.credentials(),
                base_urls=sandbox.base_urls,
            ) as client,
        ):
            exchange, intx, loopring = (
                client.coinbase_exchange,
                client.coinbase_intx,
                client.loopring,
            )
            plan: list[tuple[str, str, Callable[[], venuekit.CancelResult], str]] = [
                (
                    "coinbase_exchange",
                    "cancel open order",
                    lambda: exchange.cancel_order(
                        order_id=exchange_order.id, product_id=exchange_order.product_id
                    ),
                    "CANCELLED",
                ),
                (
                    "coinbase_exchange",
                    "cancel it again",
                    lambda: exchange.cancel_order(
                        order_id=exchange_order.id, product_id=exchange_order.product_id
                    ),
                    "OrderAlreadyDone",
                ),
                (
                    "coinbase_exchange",
                    "cancel unknown id",
                    lambda: exchange.cancel_order(order_id="00000000-0000-4000-8000-00000000dead"),
                    "OrderNotFound",
                ),
                (
                    "coinbase_intx",
                    "cancel open order",
                    lambda: intx.cancel_order(
                        order_id=str(intx_order.order_id), portfolio=portfolio
                    ),
                    "CANCELLED",
                ),
                (
                    "coinbase_intx",
                    "cancel it again",
                    lambda: intx.cancel_order(
                        order_id=str(intx_order.order_id), portfolio=portfolio
                    ),
                    "OrderAlreadyDone",
                ),
                (
                    "coinbase_intx",
                    "cancel unknown id",
                    lambda: intx.cancel_order(order_id="99999999999999999", portfolio=portfolio),
                    "OrderNotFound",
                ),
                (
                    "loopring",
                    "cancel open order",
                    lambda: loopring.cancel_order(order_hash=loopring_order.hash),
                    "CANCELLED",
                ),
                (
                    "loopring",
                    "cancel it again",
                    lambda: loopring.cancel_order(order_hash=loopring_order.hash),
                    "OrderAlreadyDone",
                ),
                (
                    "loopring",
                    "cancel unknown id",
                    lambda: loopring.cancel_order(client_order_id="never-placed"),
                    "OrderNotFound",
                ),
            ]
            rows, unexpected = [], []
            for venue, what, cancel, expected in [*plan, *_deribit_plan(sandbox, stack)]:
                row = _attempt(venue, what, cancel)
                rows.append(row)
                if row[2] != expected:
                    unexpected.append(f"{venue} {what}: expected {expected}, got {row[2]}")
    print()
    _print_table(rows)
    print()
    cancelled = sum(row[2] == "CANCELLED" for row in rows)
    venues = len({row[0].split(" ")[0] for row in rows})
    print(
        f"{cancelled} single orders cancelled on {venues} venues; rejects came back as typed errors."
    )
    print(f"Sandbox stopped. Took {time.perf_counter() - started:.1f} s.")
    for line in unexpected:
        print(f"UNEXPECTED: {line}", file=sys.stderr)
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
