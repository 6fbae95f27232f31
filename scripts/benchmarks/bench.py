"""venuekit against what users would pick instead: raw httpx, ccxt; bulk, signers, import, memory.

Run: ``make bench`` (creates ``.venv-bench`` with ccxt and matplotlib, then runs this file), or
``.venv-bench/bin/python scripts/benchmarks/bench.py [--quick]``. About 2.5 minutes; writes
``scripts/benchmarks/results/results.json`` and ``chart.png``. Exit status 0 when every
benchmark ran (targets missed are reported, not fatal), 1 when a contender failed.

Methodology
-----------
Server. The venuekit sandbox (``venuekit.sandbox.run_in_thread``, uvicorn, rate limits off) runs
in a **separate process** on 127.0.0.1 (port chosen by the OS; nothing leaves loopback). In the
same process the server thread and the client would share one GIL, so a slower client would
also slow the server down and every contender would pay for the server's Python work; with two
processes (the machine has two cores) the client side is what differs between contenders. The
parent asks the child for fresh open orders over a pipe before each measurement, so every cancel
cancels a distinct, open order and must succeed.

(a) Sequential single cancels on Coinbase Exchange, one keep-alive connection per contender:
    venuekit ``Client.coinbase_exchange.cancel_order`` (client-side rate limiting and retries
    off when the client has such knobs: its signature is read at run time), a hand-signed
    ``httpx.Client`` request (HMAC inline with hmac/hashlib/base64), and ccxt
    ``coinbaseexchange.cancel_order(id, "BTC/USD")`` (its throttle off, one market set by hand;
    it sends ``product_id`` as a signed JSON body on the DELETE, which the sandbox verifies).
    Contenders alternate round by round (A B C, B C A, C A B, ...), warm-up rounds excluded;
    every call is timed alone and its answer checked. Reported: median and p90 per cancel,
    ratios of medians. A contender that fails a cancel invalidates the run (exit status 1).
(b) Bulk: ``AsyncClient.cancel_many`` (default concurrency) over N orders vs N sequential
    ``Client`` cancels, alternating, rate limits off and ``attempts=1``: orders per second and
    the ratio. On loopback a round trip costs almost nothing but CPU, so concurrency can only
    overlap the client's CPU with the server's (two cores); a hand-written ``httpx.AsyncClient``
    with as many workers is measured alongside as the reference for what is possible here. A
    second sandbox process delays every Exchange answer by 20 ms (its ``latency`` fault), which
    is what a real network does and what bulk cancelling is for.
(c) Signers: the pure signing functions timed by ``scripts/bench_signers.py`` (same functions,
    fewer iterations), median of three batches.
(d) Import time: ``python -c 'import X'`` wall time minus ``python -c pass``, fresh processes,
    median of 11 rotated rounds after one untimed run each (bytecode cached); the target uses
    the median of the per-round venuekit/httpx ratios (cancels this VM's speed drift); also the
    ``-X importtime`` cumulative figure. When venuekit misses its target the slowest venuekit
    and generated-package imports are listed from ``-X importtime``.
(e) Memory: a fresh subprocess per size runs one ``cancel_many`` over 1,000 and over 10,000
    orders against the sandbox under tracemalloc (started after set-up and warm-up): the peak
    during the call, what is still held after it (the returned outcomes: one per order, by
    contract, so they grow with N) and the difference, the working memory of the machinery
    (tasks, buffers, requests in flight), which is what has to stay roughly flat.

Targets (issue 7): cancel <= 1.10x raw httpx and faster than ccxt; import venuekit <= 1.5x
import httpx; Loopring >= 1,000 signatures/s; bulk >= 5x sequential (reported on loopback and
with the 20 ms delay); memory roughly flat (here: working memory 10k/1k <= 2x).
``--quick`` (a smoke run) uses fewer rounds and 200/2,000 orders for the memory sizes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from _stats import verdict

HERE = Path(__file__).resolve().parent
RESULTS_DIR = HERE / "results"

RAW_TARGET = 1.10
IMPORT_TARGET = 1.5
LOOPRING_TARGET = 1_000
BULK_TARGET = 5.0
MEMORY_FLAT_TARGET = 2.0  # 10x the orders may cost at most 2x the working memory


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _shown(path: Path) -> Path:
    return path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path


def machine_info() -> dict[str, Any]:
    """Interpreter, CPU and library versions the figures were measured with."""
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor() or "unknown",
        "venuekit": _version("venuekit"),
        "httpx": _version("httpx"),
        "ccxt": _version("ccxt"),
        "uvicorn": _version("uvicorn"),
        "httpcore": _version("httpcore"),
        "anyio": _version("anyio"),
        # httpcore 1.0.9 retries `import sniffio` on every async lock set-up when it is absent
        # (anyio >= 4.11 no longer installs it): a failed import, i.e. a sys.path scan, each time.
        "sniffio": _version("sniffio"),
    }


def _print_single(single: dict[str, Any]) -> None:
    per_contender = single["rounds"] * single["per_round"]
    print(
        f"\n(a) sequential single cancels, Coinbase Exchange: {per_contender:,} per contender "
        f"({single['rounds']} interleaved rounds x {single['per_round']}, "
        f"{single['warmup_rounds']} warm-up rounds excluded)"
    )
    knobs = single["venuekit_client_kwargs"] or "none (no such knobs on Client)"
    print(f"    venuekit Client policy knobs turned off: {knobs}")
    print(f"    {'contender':12} {'median ms':>10} {'p90 ms':>8} {'mean ms':>8} {'failures':>9}")
    for name, row in single["contenders"].items():
        lat = row["latency_ms"]
        if lat is None:
            print(f"    {name:12} {'-':>10} {'-':>8} {'-':>8} {row['failures']:>9}")
            continue
        print(
            f"    {name:12} {lat['median']:10.3f} {lat['p90']:8.3f} {lat['mean']:8.3f} "
            f"{row['failures']:>9}"
        )
    for name, message in single["errors"].items():
        print(f"    ! {name}: first error: {message}")


def _print_bulk(bulk: dict[str, Any]) -> None:
    print("\n(b) bulk cancel throughput vs sequential venuekit cancels (rate limits off)")
    if not bulk.get("available"):
        print(f"    skipped: {bulk.get('reason')}")
        return
    print(f"    {bulk['call']}")
    print(
        f"    loopback:          sequential {bulk['sequential_per_s']:6,.0f}/s   cancel_many "
        f"{bulk['bulk_per_s']:6,.0f}/s   ratio {bulk['ratio']:.2f}x   "
        f"(median of {bulk['rounds']} alternating rounds x {bulk['orders']:,} orders)"
    )
    print(
        f"      reference: hand-written httpx.AsyncClient, {bulk['concurrency']} workers "
        f"{bulk['raw_async_per_s']:6,.0f}/s = {bulk['raw_async_ratio']:.2f}x venuekit sequential"
    )
    if "latency_ratio" in bulk:
        print(
            f"    20 ms venue delay: sequential {bulk['latency_sequential_per_s']:6,.0f}/s   "
            f"cancel_many {bulk['latency_bulk_per_s']:6,.0f}/s   ratio "
            f"{bulk['latency_ratio']:.2f}x   ({bulk['latency_orders']:,} orders each)"
        )
    print(f"    failures: {bulk['failures'] + bulk.get('latency_failures', 0)}")


def _print_signers(signers: dict[str, Any]) -> None:
    print("\n(c) signer throughput (pure signing functions, median of 3 batches)")
    for name, row in signers.items():
        print(f"    {name:24} {row['per_second']:12,.0f} /s")


def _print_imports(imports: dict[str, Any]) -> None:
    print(
        f"\n(d) import time, fresh processes ({imports['runs']} rounds, minus "
        f"`python -c pass` = {imports['interpreter_startup_s'] * 1e3:.0f} ms)"
    )
    print(f"    {'module':10} {'median ms':>10} {'min ms':>7} {'-X importtime ms':>17}")
    for name, row in imports["modules"].items():
        print(
            f"    {name:10} {row['import_s'] * 1e3:10.0f} {row['import_min_s'] * 1e3:7.0f} "
            f"{row['importtime_cumulative_s'] * 1e3:17.0f}"
        )
    per_round = ", ".join(f"{r:.2f}" for r in imports["venuekit_over_httpx_per_round"])
    print(f"    venuekit / httpx per round: {per_round}")
    print(f"    median of the per-round ratios: {imports['venuekit_over_httpx']:.2f}x")
    if imports["venuekit_over_httpx"] > IMPORT_TARGET:
        print("    slowest venuekit / generated modules (-X importtime, self time):")
        for row in imports.get("slowest_venuekit_imports", []):
            print(f"      {row['module']:56} {row['self_ms']:6.1f} ms")


def _print_memory(memory: dict[str, Any]) -> None:
    print("\n(e) memory of one cancel_many call (tracemalloc, fresh process per size)")
    if not memory.get("available"):
        print(f"    skipped: {memory.get('reason')}")
        return
    print(
        f"    {'orders':>7} {'peak MB':>8} {'outcomes MB':>12} {'working MB':>11} {'failures':>9}"
    )
    for size, row in memory["sizes"].items():
        print(
            f"    {int(size):>7,} {row['peak_bytes'] / 1e6:8.2f} {row['retained_bytes'] / 1e6:12.2f} "
            f"{row['working_bytes'] / 1e6:11.2f} {row['failures']:>9}"
        )
    small, large = (f"{int(size):,}" for size in memory["sizes"])
    print(
        f"    {large} vs {small}: peak {memory['peak_ratio']:.2f}x, working (peak - outcomes) "
        f"{memory['working_ratio']:.2f}x; {memory['peak_bytes_per_order']:,.0f} B of peak per "
        f"extra order, {memory['retained_bytes_per_order']:,.0f} B per returned outcome"
    )


def evaluate(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Every target with its measured value and whether it was met (None: not measured)."""
    targets: list[dict[str, Any]] = []

    def add(name: str, value: float | None, goal: str, met: bool | None) -> None:
        targets.append({"target": name, "value": value, "goal": goal, "met": met})

    single = results["single_cancel"]["contenders"]
    vk, raw, cx = (single[n]["latency_ms"] for n in ("venuekit", "raw httpx", "ccxt"))
    if vk and raw:
        ratio = vk["median"] / raw["median"]
        add("cancel latency venuekit / raw httpx", ratio, "<= 1.10x", ratio <= RAW_TARGET)
    if vk and cx:
        ratio = vk["median"] / cx["median"]
        add("cancel latency venuekit / ccxt", ratio, "< 1.00x (faster)", ratio < 1.0)
    ratio = results["imports"]["venuekit_over_httpx"]
    add("import venuekit / import httpx", ratio, "<= 1.5x", ratio <= IMPORT_TARGET)
    rate = results["signers"]["loopring_sign"]["per_second"]
    add("Loopring signatures per second", rate, ">= 1,000/s", rate >= LOOPRING_TARGET)
    bulk = results["bulk"]
    for label, key in (("loopback", "ratio"), ("20 ms venue delay", "latency_ratio")):
        value = bulk.get(key)
        met = None if value is None else value >= BULK_TARGET
        add(f"bulk / sequential, {label}", value, ">= 5x", met)
    memory = results["memory"]
    value = memory.get("working_ratio")
    add(
        "working memory, 10x the orders",
        value,
        "<= 2x (roughly flat)",
        None if value is None else value <= MEMORY_FLAT_TARGET,
    )
    return targets


def _print_targets(targets: list[dict[str, Any]]) -> None:
    print("\nTargets")
    for row in targets:
        value = row["value"]
        if value is None:
            shown, state = "n/a", "not measured"
        else:
            shown = f"{value:,.0f}" if value >= 100 else f"{value:.2f}x"
            state = verdict(bool(row["met"]))
        print(f"    {row['target']:38} {shown:>8}   target {row['goal']:21} {state}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run every benchmark, print the figures, write results.json and chart.png."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds (a smoke run)")
    parser.add_argument("--no-chart", action="store_true", help="skip chart.png")
    args = parser.parse_args(argv)
    quick = args.quick

    from _bulk import run_bulk, run_memory
    from _imports import importtime_top, run_imports
    from _latency import run_single_cancels
    from _sandbox_process import SandboxProcess
    from _signers import run_signers

    started = time.perf_counter()
    machine = machine_info()
    print(
        f"venuekit {machine['venuekit']} benchmarks: Python {machine['python']}, "
        f"{machine['cpu_count']} CPUs, {machine['platform']}"
    )
    print(
        f"httpx {machine['httpx']}, httpcore {machine['httpcore']}, anyio {machine['anyio']}, "
        f"sniffio {machine['sniffio']}, ccxt {machine['ccxt']}, uvicorn {machine['uvicorn']}"
    )
    print("sandbox: uvicorn on 127.0.0.1 in a separate process, rate limits off")
    results: dict[str, Any] = {
        "timestamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine,
        "command": "make bench",
        "quick": quick,
    }

    with SandboxProcess() as sandbox:
        results["single_cancel"] = run_single_cancels(
            sandbox,
            rounds=8 if quick else 40,
            per_round=25 if quick else 50,
            warmup_rounds=1 if quick else 2,
        )
        _print_single(results["single_cancel"])
        results["bulk"] = run_bulk(
            sandbox, orders=300 if quick else 1_000, rounds=2 if quick else 3, latency=None
        )
        if results["bulk"].get("available"):
            with SandboxProcess(exchange_latency=LATENCY) as slow:
                delayed = run_bulk(slow, orders=100 if quick else 200, rounds=1, latency=LATENCY)
            results["bulk"].update({f"latency_{k}": delayed[k] for k in _LATENCY_KEYS})
        _print_bulk(results["bulk"])
        sizes = (200, 2_000) if quick else (1_000, 10_000)
        results["memory"] = run_memory(sandbox, sizes=sizes)
        _print_memory(results["memory"])

    results["signers"] = run_signers(scale=0.3 if quick else 1.0, repeats=3)
    _print_signers(results["signers"])

    results["imports"] = run_imports(runs=3 if quick else 11)
    results["imports"]["slowest_venuekit_imports"] = importtime_top(
        "venuekit", prefixes=("venuekit", "coinbase_exchange_api", "coinbase_intx_api"), limit=8
    )
    _print_imports(results["imports"])

    results["targets"] = evaluate(results)
    _print_targets(results["targets"])
    results["elapsed_s"] = time.perf_counter() - started

    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    json_path = RESULTS_DIR / "results.json"
    json_path.write_text(json.dumps(results, indent=2, sort_keys=False) + "\n")
    print(f"\nwrote {_shown(json_path)}")
    if not args.no_chart:
        from _chart import draw_chart

        chart_path = RESULTS_DIR / "chart.png"
        draw_chart(results, chart_path)
        print(f"wrote {_shown(chart_path)}")
    print(f"total {results['elapsed_s']:.0f} s")

    failed = any(row["failures"] for row in results["single_cancel"]["contenders"].values())
    failed |= bool(results["bulk"].get("failures") or results["bulk"].get("latency_failures"))
    failed |= any(row["failures"] for row in results["memory"].get("sizes", {}).values())
    if failed:
        print("FAILED: a contender did not confirm every cancel (see failures above)")
    return 1 if failed else 0


LATENCY = 0.02  # seconds the delayed sandbox waits before each Exchange answer
_LATENCY_KEYS = ("sequential_per_s", "bulk_per_s", "ratio", "orders", "failures")

if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    raise SystemExit(main())
