"""Load and fault test: cancel thousands of orders through the sandbox's faults; judge each one.

Two profiles (``make load-test`` runs both):

``--profile default`` (2,000 orders, about 45 s): the sandbox with uvicorn on a free 127.0.0.1
port (real HTTP, in a thread) with the same faults on all three venues: 10 % HTTP 500, 5 %
injected 429, 2 % dropped connections (half of them after the cancel was applied) and the venue
clock 3 s ahead. Orders are split over the venues in proportion to their documented rate limits
(Exchange 15/s, INTX 40/s, Loopring 5/s: the sandbox enforces them and so does the client, which
is never given higher limits) and cancelled with ``AsyncClient.cancel_many`` (``Client`` with
``--sync``). Exit code 0 only when every order is cancelled in the sandbox and reported so, no
order is lost or reported twice, and the client's pacing earned no 429.

``--profile harsh`` (900 orders, about 40 s; ``loadtest/harsh.py``): the sandbox in its own
process with a durable book, more faults (15 % 500, 5 % 429 with ``Retry-After``, 6 % drops,
4 % of answers held around the 1 s per-attempt timeout, clocks skewed past each venue's window),
Exchange orders with a wrong ``product_id``, unknown ids, orders cancelled before the run, and the
sandbox killed with SIGKILL mid-run and started again on the same port. Exit code 0 only when no
order is reported cancelled while open in the book, none is lost or reported twice, no failure
hides a cancel it made, the sandbox was killed and restarted, and its live book equals its
journal.

Both print the usual summary (outcomes by state and error class, attempts and retries, the
sandbox's answers per fault, 429s injected and earned) and a per-order table: each order's
reported outcome against the sandbox's book (``loadtest/verdict.py``), with every order listed in
``build/load-test/<profile>.csv``.

Run: ``python scripts/load_test.py [--profile harsh] [--orders N] [--sync]``.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

sys.path.insert(0, str(Path(__file__).resolve().parent))

from loadtest.book import Planned, book_statuses, plan_orders, split
from loadtest.harsh import HarshReport, run_harsh
from loadtest.summary import answer_lines, outcome_lines
from loadtest.verdict import DUPLICATED, Verdict, bad_lines, judge, write_csv

import venuekit
from venuekit.sandbox import Faults, SandboxApp, SandboxConfig, run_in_thread

__all__ = ["FAULTS", "Report", "main", "run", "run_harsh", "split"]

ROOT = Path(__file__).resolve().parents[1]
FAULTS = Faults(
    error_rate=0.10,
    rate_limit_rate=0.05,
    drop_rate=0.02,
    drop_after_apply=0.5,
    clock_offset=3.0,
)


@attrs.frozen
class Report:
    """What a default-profile run did; ``ok`` says whether it passed."""

    lines: tuple[str, ...]
    ok: bool
    orders: int
    cancelled_in_sandbox: int
    duplicates: int
    pacing_429s: int
    verdict: Verdict
    outcomes: tuple[venuekit.CancelOutcome, ...] = attrs.field(repr=False)


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
    csv_path: Path | None = None,
) -> Report:
    """Run the default profile and return its report (the script prints ``report.lines``)."""
    config = SandboxConfig(
        seed=seed, orders_per_venue=0, exchange=FAULTS, intx=FAULTS, loopring=FAULTS
    )
    counts = split(orders)
    with run_in_thread(config=config) as sandbox:
        app = sandbox.app
        plan = plan_orders(
            app.state,
            counts,
            random.Random(seed),
            portfolio=app.config.credentials.intx.portfolio_uuid,
        )
        requests = [p.request for p in plan]
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
        streamed: list[venuekit.CancelOutcome] = []
        started = time.monotonic()
        if use_sync:
            with venuekit.Client(**kwargs) as client:
                outcomes = client.cancel_many(
                    requests, concurrency=concurrency, progress=progress, on_outcome=streamed.append
                )
        else:

            async def cancel_all() -> list[venuekit.CancelOutcome]:
                async with venuekit.AsyncClient(**kwargs) as client:
                    return await client.cancel_many(
                        requests,
                        concurrency=concurrency,
                        progress=progress,
                        on_outcome=streamed.append,
                    )

            outcomes = asyncio.run(cancel_all())
        elapsed = time.monotonic() - started
        return _report(app, plan, outcomes, streamed, counts, elapsed, use_sync, csv_path)


def _report(
    app: SandboxApp,
    plan: Sequence[Planned],
    outcomes: Sequence[venuekit.CancelOutcome],
    streamed: Sequence[venuekit.CancelOutcome],
    counts: dict[str, int],
    elapsed: float,
    use_sync: bool,
    csv_path: Path | None,
) -> Report:
    lines: list[str] = []
    add = lines.append
    book = book_statuses(app.state)
    verdict = judge(plan, outcomes, streamed, book)
    if csv_path is not None:
        write_csv(csv_path, verdict, plan, outcomes, book)
    in_order = len(outcomes) == len(plan) and all(
        o.request is p.request for o, p in zip(outcomes, plan, strict=True)
    )
    duplicates = verdict.counts.get(DUPLICATED, 0) + (not in_order)
    total = len(plan)
    cancelled = sum(status == "cancelled" for status in book.values())

    add(
        f"venuekit load test, default profile ({'Client, threads' if use_sync else 'AsyncClient, tasks'})"
    )
    add(
        "faults on every venue: 10% HTTP 500, 5% injected 429, 2% dropped connections "
        "(half after the cancel was applied), venue clock +3.0 s"
    )
    add("")
    add(f"orders              {total}  ({', '.join(f'{v} {n}' for v, n in counts.items())})")
    add(f"elapsed             {elapsed:.1f} s")
    add(f"outcomes            {len(outcomes)}  (one per order, in input order: {in_order})")
    lines.extend(outcome_lines(outcomes))
    add("")
    answers, pacing_429 = answer_lines(app.stats.count)
    lines.extend(answers)
    add(f"duplicates          {duplicates}")
    add(f"sandbox order book  {cancelled}/{total} cancelled")
    add("")
    lines.extend(verdict.lines())
    lines.extend(bad_lines(verdict, plan, outcomes, book))
    failures = [o for o in outcomes if not o.ok]
    for outcome in failures[:10]:
        add(f"  not cancelled: {outcome.request.to_dict()} -> {outcome.error!r}")
    if csv_path is not None:
        add(f"every order: {csv_path}")
    ok = (
        verdict.ok
        and cancelled == total
        and not failures
        and duplicates == 0
        and pacing_429 == 0
        and len(outcomes) == total
    )
    add("")
    add("PASS" if ok else "FAIL")
    return Report(
        lines=tuple(lines),
        ok=ok,
        orders=total,
        cancelled_in_sandbox=cancelled,
        duplicates=duplicates,
        pacing_429s=pacing_429,
        verdict=verdict,
        outcomes=tuple(outcomes),
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--profile", choices=("default", "harsh"), default="default")
    parser.add_argument("--orders", type=int, help="orders to cancel (default 2000, harsh 900)")
    parser.add_argument("--seed", type=int, default=1, help="seed of orders and faults (1)")
    parser.add_argument("--concurrency", type=int, default=8, help="in flight per venue (8)")
    parser.add_argument("--sync", action="store_true", help="use Client (threads), not AsyncClient")
    parser.add_argument(
        "--per-order", action="store_true", help="also print every order's line (the CSV's)"
    )
    parser.add_argument(
        "--csv", type=Path, help="every order's line (default build/load-test/PROFILE.csv)"
    )
    args = parser.parse_args(argv)
    # One WARNING per retry (issue 11) would be thousands of lines here; the summary counts them.
    logging.getLogger("venuekit").setLevel(logging.ERROR)
    csv_path = args.csv or ROOT / "build" / "load-test" / f"{args.profile}.csv"
    report: Report | HarshReport
    if args.profile == "harsh":
        orders = args.orders or 900
        print(
            f"harsh profile: cancelling {orders} orders; the sandbox will be killed ...",
            file=sys.stderr,
        )
        report = run_harsh(
            orders=orders,
            seed=args.seed,
            concurrency=args.concurrency,
            use_sync=args.sync,
            progress_out=sys.stderr,
            csv_path=csv_path,
        )
    else:
        orders = args.orders or 2000
        print(f"cancelling {orders} orders against the sandbox on 127.0.0.1 ...", file=sys.stderr)
        report = run(
            orders=orders,
            seed=args.seed,
            concurrency=args.concurrency,
            use_sync=args.sync,
            progress_out=sys.stderr,
            csv_path=csv_path,
        )
    print("\n".join(report.lines))
    if args.per_order:
        print(csv_path.read_text(encoding="utf-8"), end="")
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
