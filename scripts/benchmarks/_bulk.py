"""(b) Bulk cancel throughput against sequential cancels, and (e) the memory of one bulk cancel.

Both use venuekit with client-side policy off (``rate_limits=False``, ``attempts=1`` when the
client has those knobs) against a sandbox whose own rate limits are off.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from _contenders import EXCHANGE, PRODUCT_ID, client_knobs_off, raw_cancel_path, raw_headers
from _memory_child import WARMUP as CHILD_WARMUP
from _sandbox_process import SandboxProcess
from _stats import median

import venuekit

__all__ = ["run_bulk", "run_memory"]

_MEMORY_CHILD = Path(__file__).resolve().parent / "_memory_child.py"
_WARMUP = 64  # orders cancelled untimed by each side before the first round


def _available() -> str | None:
    if not hasattr(venuekit.AsyncClient, "cancel_many"):
        return "venuekit.AsyncClient has no cancel_many"
    if not hasattr(venuekit, "CancelRequest"):
        return "venuekit has no CancelRequest"
    return None


def _requests(ids: list[str]) -> list[Any]:
    make = venuekit.CancelRequest.coinbase_exchange
    return [make(order_id=order_id, product_id=PRODUCT_ID) for order_id in ids]


def _ok(outcomes: list[Any]) -> int:
    return sum(1 for outcome in outcomes if outcome.ok)


def run_bulk(
    sandbox: SandboxProcess, *, orders: int, rounds: int, latency: float | None
) -> dict[str, Any]:
    """Orders per second: ``orders`` sequential ``Client`` cancels vs one ``cancel_many``.

    ``rounds`` rounds, the two sides alternating which goes first; the median round counts.
    ``cancel_many`` runs with its default ``concurrency`` on one asyncio event loop kept across
    rounds (so its connections stay open, like the sequential client's). ``latency`` is only
    recorded: the sandbox process was started with it.
    """
    reason = _available()
    if reason is not None:
        return {"available": False, "reason": reason}
    sync_knobs = client_knobs_off(venuekit.Client)
    async_knobs = client_knobs_off(venuekit.AsyncClient)
    client_args: dict[str, Any] = {
        "coinbase_exchange": EXCHANGE.credentials(),
        "base_urls": {"coinbase_exchange": sandbox.url},
    }
    ids = sandbox.exchange_orders(2 * (_WARMUP + rounds * orders))
    sequential_rates: list[float] = []
    bulk_rates: list[float] = []
    failures = 0

    client = venuekit.Client(**client_args, **sync_knobs)
    with asyncio.Runner() as runner:
        aclient = runner.run(_open_async(client_args, async_knobs))
        try:
            for order_id in [ids.pop() for _ in range(_WARMUP)]:
                client.coinbase_exchange.cancel_order(order_id=order_id, product_id=PRODUCT_ID)
            runner.run(aclient.cancel_many(_requests([ids.pop() for _ in range(_WARMUP)])))
            for round_index in range(rounds):
                sides = ["sequential", "bulk"]
                if round_index % 2:
                    sides.reverse()
                for side in sides:
                    batch = [ids.pop() for _ in range(orders)]
                    if side == "sequential":
                        start = time.perf_counter()
                        done = 0
                        for order_id in batch:
                            result = client.coinbase_exchange.cancel_order(
                                order_id=order_id, product_id=PRODUCT_ID
                            )
                            done += result.state is venuekit.CancelState.CANCELLED
                        sequential_rates.append(orders / (time.perf_counter() - start))
                    else:
                        requests = _requests(batch)
                        start = time.perf_counter()
                        outcomes = runner.run(aclient.cancel_many(requests))
                        bulk_rates.append(orders / (time.perf_counter() - start))
                        done = _ok(outcomes)
                    failures += orders - done
        finally:
            runner.run(aclient.aclose())
            client.close()
    sequential, bulk = median(sequential_rates), median(bulk_rates)
    concurrency = _default_concurrency()
    raw_rate, raw_ok = asyncio.run(
        _raw_async(sandbox.url, sandbox.exchange_orders(_WARMUP + orders), workers=concurrency or 8)
    )
    failures += orders - raw_ok
    return {
        "available": True,
        "latency_s": latency or 0.0,
        "orders": orders,
        "rounds": rounds,
        "concurrency": concurrency,
        "client_kwargs": {k: repr(v) for k, v in async_knobs.items()},
        "call": (
            "await AsyncClient(..., "
            + ", ".join(f"{k}={v!r}" for k, v in async_knobs.items())
            + f").cancel_many(requests)  # default concurrency={concurrency}"
        ),
        "sequential_per_s": sequential,
        "bulk_per_s": bulk,
        "ratio": bulk / sequential,
        "raw_async_per_s": raw_rate,
        "raw_async_ratio": raw_rate / sequential,
        "sequential_rounds_per_s": sequential_rates,
        "bulk_rounds_per_s": bulk_rates,
        "failures": failures,
    }


async def _raw_async(url: str, ids: list[str], *, workers: int) -> tuple[float, int]:
    """Hand-written baseline: ``workers`` tasks sharing one ``httpx.AsyncClient``.

    Returns (orders per second over ``ids[_WARMUP:]``, confirmed cancels).
    """
    ok = 0

    async def worker(http: httpx.AsyncClient, queue: Any) -> None:
        nonlocal ok
        for order_id in queue:
            path = raw_cancel_path(order_id)
            response = await http.delete(path, headers=raw_headers(path))
            ok += response.status_code == 200 and response.json() == order_id

    async with httpx.AsyncClient(base_url=url, timeout=10.0) as http:
        warm = iter(ids[:_WARMUP])
        await asyncio.gather(*(worker(http, warm) for _ in range(workers)))
        ok = 0
        queue = iter(ids[_WARMUP:])
        start = time.perf_counter()
        await asyncio.gather(*(worker(http, queue) for _ in range(workers)))
        elapsed = time.perf_counter() - start
    return (len(ids) - _WARMUP) / elapsed, ok


async def _open_async(args: dict[str, Any], knobs: dict[str, object]) -> Any:
    return venuekit.AsyncClient(**args, **knobs)


def _default_concurrency() -> int | None:
    import inspect

    parameter = inspect.signature(venuekit.AsyncClient.cancel_many).parameters.get("concurrency")
    if parameter is None or parameter.default is inspect.Parameter.empty:
        return None
    return int(parameter.default)


def _child(url: str, ids: list[str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(_MEMORY_CHILD), url],
        input=json.dumps(ids),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    if done.returncode != 0:
        raise RuntimeError(f"memory child failed ({len(ids)} orders):\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def run_memory(sandbox: SandboxProcess, *, sizes: tuple[int, ...]) -> dict[str, Any]:
    """Peak Python heap during one ``cancel_many`` over each of ``sizes`` orders, fresh processes.

    tracemalloc, started after imports, client set-up, warm-up and building the request list:
    ``peak`` is the highest traced memory during the call, ``retained`` what is still held
    after it (the returned outcomes, one per order by contract), ``working`` = peak - retained
    (the machinery: tasks, buffers, in-flight requests), which is what should stay flat.
    """
    reason = _available()
    if reason is not None:
        return {"available": False, "reason": reason}
    rows: dict[str, Any] = {}
    for size in sizes:
        traced = _child(sandbox.url, sandbox.exchange_orders(CHILD_WARMUP + size))
        rows[str(size)] = {
            "peak_bytes": traced["peak"],
            "retained_bytes": traced["retained"],
            "working_bytes": traced["peak"] - traced["retained"],
            "seconds_traced": traced["seconds"],
            "cancelled": traced["ok"],
            "failures": size - traced["ok"],
        }
    small, large = rows[str(sizes[0])], rows[str(sizes[-1])]
    return {
        "available": True,
        "method": "tracemalloc (Python heap), fresh process per size",
        "sizes": rows,
        "peak_ratio": large["peak_bytes"] / small["peak_bytes"],
        "working_ratio": large["working_bytes"] / small["working_bytes"],
        "peak_bytes_per_order": (large["peak_bytes"] - small["peak_bytes"])
        / (sizes[-1] - sizes[0]),
        "retained_bytes_per_order": large["retained_bytes"] / sizes[-1],
    }
