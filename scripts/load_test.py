"""Load and fault test: cancel thousands of orders through the sandbox's faults, lose none.

Starts the sandbox with uvicorn on a free 127.0.0.1 port (real HTTP) with the same faults on all
three venues: 10 % HTTP 500, 5 % injected 429, 2 % dropped connections (half of them after the
cancel was applied) and the venue clock 3 s ahead. It seeds ``--orders`` orders, split over the
venues in proportion to their documented rate limits (Exchange 15/s, INTX 40/s, Loopring 5/s:
the sandbox enforces them and so does the client, which is never given higher limits), cancels
them all with ``AsyncClient.cancel_many`` (or ``Client.cancel_many`` with ``--sync``), and
prints a summary: orders, outcomes by state and error class, attempts and retries, elapsed time,
the sandbox's answers per fault, the 429s split into injected ones and ones the client's own
pacing earned, and duplicates. Finally it checks the sandbox's order book.

Exit code 0 only when every order is cancelled in the sandbox, every outcome is a success, no
order is reported twice, and the client's pacing earned no 429; 1 otherwise.

Run: ``python scripts/load_test.py`` (2,000 orders, about a minute) or ``--orders 60`` (seconds).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import random
import sys
import time
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

import venuekit
from venuekit.sandbox import Faults, SandboxApp, SandboxConfig, run_in_thread

#: The documented limits the split follows (requests per second).
DOCUMENTED_RATES: Mapping[str, float] = {
    "coinbase_exchange": 15.0,
    "coinbase_intx": 40.0,
    "loopring": 5.0,
}
SANDBOX_NAMES = {"coinbase_exchange": "exchange", "coinbase_intx": "intx", "loopring": "loopring"}
FAULTS = Faults(
    error_rate=0.10,
    rate_limit_rate=0.05,
    drop_rate=0.02,
    drop_after_apply=0.5,
    clock_offset=3.0,
)


@attrs.frozen
class Report:
    """What a run did; ``ok`` says whether it passed."""

    lines: tuple[str, ...]
    ok: bool
    orders: int
    cancelled_in_sandbox: int
    duplicates: int
    pacing_429s: int
    outcomes: tuple[venuekit.CancelOutcome, ...] = attrs.field(repr=False)


def split(orders: int) -> dict[str, int]:
    """Orders per venue, proportional to the documented rates (largest remainder)."""
    total_rate = sum(DOCUMENTED_RATES.values())
    exact = {v: orders * r / total_rate for v, r in DOCUMENTED_RATES.items()}
    counts = {v: int(x) for v, x in exact.items()}
    for venue in sorted(exact, key=lambda v: exact[v] - counts[v], reverse=True):
        if sum(counts.values()) == orders:
            break
        counts[venue] += 1
    return counts


def seed_orders(app: SandboxApp, counts: Mapping[str, int], rng: random.Random) -> list[Any]:
    """Add the orders to the sandbox; return their cancel requests, shuffled across venues.

    Half of each venue's orders are cancelled by the venue's order id, half by client id.
    """
    portfolio = app.config.credentials.intx.portfolio_uuid
    requests: list[venuekit.CancelRequest] = []
    for i in range(counts["coinbase_exchange"]):
        order = app.state.add_exchange_order()
        requests.append(
            venuekit.CancelRequest.coinbase_exchange(order_id=order.id, product_id=order.product_id)
            if i % 2 == 0
            else venuekit.CancelRequest.coinbase_exchange(client_oid=order.client_oid)
        )
    for i in range(counts["coinbase_intx"]):
        intx = app.state.add_intx_order()
        ref = str(intx.order_id) if i % 2 == 0 else intx.client_order_id
        requests.append(venuekit.CancelRequest.coinbase_intx(order_id=ref, portfolio=portfolio))
    for i in range(counts["loopring"]):
        ring = app.state.add_loopring_order()
        requests.append(
            venuekit.CancelRequest.loopring(order_hash=ring.hash)
            if i % 2 == 0
            else venuekit.CancelRequest.loopring(client_order_id=ring.client_order_id)
        )
    rng.shuffle(requests)
    return requests


def _progress(out: Any, total: int) -> Any:
    step = max(1, total // 10)

    def report(done: int, _total: int) -> None:
        if done % step == 0 or done == total:
            print(f"  {done}/{total} done", file=out, flush=True)

    return report


def run(
    *,
    orders: int = 2000,
    seed: int = 1,
    attempts: int = 8,
    deadline: float = 120.0,
    concurrency: int = 8,
    use_sync: bool = False,
    progress_out: Any = None,
) -> Report:
    """Run the load test and return its report (the script prints ``report.lines``)."""
    config = SandboxConfig(
        seed=seed, orders_per_venue=0, exchange=FAULTS, intx=FAULTS, loopring=FAULTS
    )
    counts = split(orders)
    with run_in_thread(config=config) as sandbox:
        app = sandbox.app
        requests = seed_orders(app, counts, random.Random(seed))
        accounts = sandbox.credentials
        kwargs: dict[str, Any] = {
            "coinbase_exchange": accounts.exchange.credentials(),
            "coinbase_intx": accounts.intx.credentials(),
            "loopring": accounts.loopring.credentials(),
            "base_urls": sandbox.base_urls,
            "attempts": attempts,
            "deadline": deadline,
        }
        progress = _progress(progress_out, len(requests)) if progress_out is not None else None
        started = time.monotonic()
        if use_sync:
            with venuekit.Client(**kwargs) as client:
                outcomes = client.cancel_many(requests, concurrency=concurrency, progress=progress)
        else:

            async def cancel_all() -> list[venuekit.CancelOutcome]:
                async with venuekit.AsyncClient(**kwargs) as client:
                    return await client.cancel_many(
                        requests, concurrency=concurrency, progress=progress
                    )

            outcomes = asyncio.run(cancel_all())
        elapsed = time.monotonic() - started
        return _report(app, requests, outcomes, counts, elapsed, use_sync=use_sync)


def _report(
    app: SandboxApp,
    requests: Sequence[venuekit.CancelRequest],
    outcomes: Sequence[venuekit.CancelOutcome],
    counts: Mapping[str, int],
    elapsed: float,
    *,
    use_sync: bool,
) -> Report:
    lines: list[str] = []
    add = lines.append

    # -- outcomes, as the client reported them ------------------------------------------------
    by_kind = collections.Counter(
        o.result.state.value if o.result is not None else type(o.error).__name__ for o in outcomes
    )
    attempts = [o.attempts for o in outcomes]
    histogram = collections.Counter(attempts)
    seen: collections.Counter[int] = collections.Counter(id(o.request) for o in outcomes)
    in_order = all(o.request is r for o, r in zip(outcomes, requests, strict=False))
    duplicates = sum(n - 1 for n in seen.values() if n > 1) + abs(len(outcomes) - len(requests))
    if not in_order:
        duplicates += 1

    # -- what the sandbox saw --------------------------------------------------------------------
    stats = app.stats
    state = app.state
    open_left = {
        "coinbase_exchange": sum(o.status != "cancelled" for o in state.exchange_orders()),
        "coinbase_intx": sum(o.status != "cancelled" for o in state.intx_orders()),
        "loopring": sum(o.status != "cancelled" for o in state.loopring_orders()),
    }
    total_orders = len(requests)
    cancelled = total_orders - sum(open_left.values())
    injected_429 = stats.count(fate="rate_limited")
    pacing_429 = stats.count(fate="normal", status=429)

    add(f"venuekit load test ({'Client, threads' if use_sync else 'AsyncClient, tasks'})")
    add(
        "faults on every venue: 10% HTTP 500, 5% injected 429, 2% dropped connections "
        "(half after the cancel was applied), venue clock +3.0 s"
    )
    add("")
    add(f"orders              {total_orders}  ({', '.join(f'{v} {n}' for v, n in counts.items())})")
    add(f"elapsed             {elapsed:.1f} s")
    add(f"outcomes            {len(outcomes)}  (one per order, in input order: {in_order})")
    for kind, n in sorted(by_kind.items(), key=lambda kv: -kv[1]):
        add(f"  {kind:<28} {n}")
    add(
        f"attempts            {sum(attempts)}  (retries {sum(attempts) - len(outcomes)}; "
        f"per order: {', '.join(f'{k}x {v}' for k, v in sorted(histogram.items()))})"
    )
    add("")
    add("sandbox answers (cancel endpoints and GET /time)")
    add(
        f"  {'venue':<18} {'requests':>8} {'200':>6} {'500':>6} {'429 inj':>8} {'429 pace':>8}"
        f" {'drop<':>6} {'drop>':>6} {'400':>6} {'401':>6} {'/time':>6}"
    )
    for venue, name in SANDBOX_NAMES.items():
        cancel = {"exchange": "exchange_cancel", "intx": "intx_cancel"}.get(name, "loopring_cancel")
        add(
            f"  {venue:<18} {stats.count(venue=name):>8}"
            f" {stats.count(endpoint=cancel, fate='normal', status=200):>6}"
            f" {stats.count(venue=name, fate='server_error'):>6}"
            f" {stats.count(venue=name, fate='rate_limited'):>8}"
            f" {stats.count(venue=name, fate='normal', status=429):>8}"
            f" {stats.count(venue=name, fate='drop_before_apply'):>6}"
            f" {stats.count(venue=name, fate='drop_after_apply'):>6}"
            f" {stats.count(endpoint=cancel, fate='normal', status=400):>6}"
            f" {stats.count(venue=name, status=401):>6}"
            f" {stats.count(endpoint='exchange_time') if name == 'exchange' else 0:>6}"
        )
    add(
        f"429s                {injected_429 + pacing_429}  (injected {injected_429}, "
        f"caused by the client's pacing {pacing_429})"
    )
    add(f"duplicates          {duplicates}")
    add(
        f"sandbox order book  {cancelled}/{total_orders} cancelled"
        + (f"  (still open: {open_left})" if cancelled != total_orders else "")
    )
    failures = [o for o in outcomes if not o.ok]
    for outcome in failures[:10]:
        add(f"  not cancelled: {outcome.request.to_dict()} -> {outcome.error!r}")
    ok = (
        cancelled == total_orders
        and not failures
        and duplicates == 0
        and pacing_429 == 0
        and len(outcomes) == total_orders
    )
    add("")
    add("PASS" if ok else "FAIL")
    return Report(
        lines=tuple(lines),
        ok=ok,
        orders=total_orders,
        cancelled_in_sandbox=cancelled,
        duplicates=duplicates,
        pacing_429s=pacing_429,
        outcomes=tuple(outcomes),
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--orders", type=int, default=2000, help="orders to cancel (2000)")
    parser.add_argument("--seed", type=int, default=1, help="seed of orders and faults (1)")
    parser.add_argument("--attempts", type=int, default=8, help="attempts per order (8)")
    parser.add_argument("--deadline", type=float, default=120.0, help="seconds per order (120)")
    parser.add_argument("--concurrency", type=int, default=8, help="in flight per venue (8)")
    parser.add_argument("--sync", action="store_true", help="use Client (threads), not AsyncClient")
    args = parser.parse_args(argv)
    print(f"cancelling {args.orders} orders against the sandbox on 127.0.0.1 ...", file=sys.stderr)
    report = run(
        orders=args.orders,
        seed=args.seed,
        attempts=args.attempts,
        deadline=args.deadline,
        concurrency=args.concurrency,
        use_sync=args.sync,
        progress_out=sys.stderr,
    )
    print("\n".join(report.lines))
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
