"""`make demo`: cancel orders on all three venues against the embedded local sandbox.

Starts `venuekit.sandbox` with uvicorn on a free 127.0.0.1 port, then uses the public venuekit API
exactly as a user would: for each venue it cancels one open order, cancels the same order again
(the venue's cancel reject, `OrderAlreadyDone`), and cancels an id the venue never issued
(`OrderNotFound`). It prints one table of what happened and stops the server. Exit code 0 when
every outcome is the expected one, 1 otherwise.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

import venuekit
from venuekit import errors
from venuekit.sandbox import run_in_thread

Row = tuple[str, str, str, str]


def _attempt(venue: str, what: str, cancel: Callable[[], venuekit.CancelResult]) -> Row:
    """Run one cancel and describe its outcome as a table row."""
    try:
        result = cancel()
    except errors.VenueError as exc:
        return (venue, what, type(exc).__name__, str(exc))
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


def main() -> int:
    started = time.perf_counter()
    with run_in_thread() as sandbox:
        print(
            f"venuekit {venuekit.__version__}: local sandbox of all three venues at {sandbox.url}"
        )
        accounts = sandbox.credentials
        exchange_order = sandbox.state.exchange_orders()[0]
        intx_order = sandbox.state.intx_orders()[0]
        loopring_order = sandbox.state.loopring_orders()[0]
        portfolio = accounts.intx.portfolio_uuid

        with venuekit.Client(
            coinbase_exchange=accounts.exchange.credentials(),
            coinbase_intx=accounts.intx.credentials(),
            loopring=accounts.loopring.credentials(),
            base_urls=sandbox.base_urls,
        ) as client:
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
            for venue, what, cancel, expected in plan:
                row = _attempt(venue, what, cancel)
                rows.append(row)
                if row[2] != expected:
                    unexpected.append(f"{venue} {what}: expected {expected}, got {row[2]}")
    print()
    _print_table(rows)
    print()
    cancelled = sum(row[2] == "CANCELLED" for row in rows)
    print(f"{cancelled} orders cancelled on 3 venues; rejects came back as typed errors.")
    print(f"Sandbox stopped. Took {time.perf_counter() - started:.1f} s.")
    for line in unexpected:
        print(f"UNEXPECTED: {line}", file=sys.stderr)
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
