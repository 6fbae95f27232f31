"""(d) Import time of venuekit, httpx and ccxt, each in fresh interpreter processes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from _stats import median

__all__ = ["MODULES", "bytecode_env", "importtime_top", "measure_imports", "run_imports"]

MODULES = ("httpx", "venuekit", "ccxt")
_IMPORTTIME_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


@contextmanager
def bytecode_env() -> Iterator[dict[str, str]]:
    """An environment in which every module is imported from cached bytecode, as installed.

    ``PYTHONDONTWRITEBYTECODE=1`` (set in some shells and CI) would make an editable venuekit
    compile from source on every import while httpx and ccxt load the ``.pyc`` files pip wrote:
    an unfair 50 ms. Instead all three cache their bytecode under one temporary
    ``PYTHONPYCACHEPREFIX`` (the source tree stays untouched), filled by an untimed first run.
    """
    with tempfile.TemporaryDirectory(prefix="venuekit-bench-pycache-") as prefix:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = prefix
        yield env


def _wall(code: str, env: Mapping[str, str]) -> float:
    """Seconds for a fresh ``python -c code`` to start, run and exit."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
    return time.perf_counter() - start


def _importtime(module: str, env: Mapping[str, str]) -> list[tuple[int, int, int, str]]:
    """``python -X importtime -c 'import module'`` as (self us, cumulative us, depth, name)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    rows = []
    for line in done.stderr.splitlines():
        match = _IMPORTTIME_LINE.match(line)
        if match:
            own, cumulative, indent, name = match.groups()
            rows.append((int(own), int(cumulative), len(indent) // 2, name))
    return rows


def run_imports(*, runs: int) -> dict[str, Any]:
    """`measure_imports` with bytecode cached under a temporary prefix (see `bytecode_env`)."""
    with bytecode_env() as env:
        return measure_imports(runs=runs, env=env)


def measure_imports(*, runs: int, env: Mapping[str, str]) -> dict[str, Any]:
    """Median wall time of ``python -c 'import X'`` minus that of ``python -c pass``.

    One untimed run of each first (bytecode caches written), then ``runs`` rounds, each round
    running ``pass`` and every module once, in an order rotated per round. The venuekit/httpx
    ratio is the median of the per-round ratios. Also records the
    ``-X importtime`` cumulative figure of the top-level module (median of three runs), which
    excludes interpreter start-up altogether.
    """
    codes = {"pass": "pass", **{m: f"import {m}" for m in MODULES}}
    for code in codes.values():
        _wall(code, env)
    walls: dict[str, list[float]] = {name: [] for name in codes}
    names = list(codes)
    for round_index in range(runs):
        shift = round_index % len(names)
        for name in names[shift:] + names[:shift]:
            walls[name].append(_wall(codes[name], env))
    baseline = median(walls["pass"])
    result: dict[str, Any] = {"runs": runs, "interpreter_startup_s": baseline, "modules": {}}
    # This machine's speed drifts between runs; a ratio taken within each round (the runs are
    # seconds apart) cancels that drift better than a ratio of two medians.
    result["venuekit_over_httpx_per_round"] = [
        (vk - baseline) / (hx - baseline)
        for vk, hx in zip(walls["venuekit"], walls["httpx"], strict=True)
    ]
    result["venuekit_over_httpx"] = median(result["venuekit_over_httpx_per_round"])
    for module in MODULES:
        cumulative = [
            next(row[1] for row in _importtime(module, env) if row[3] == module and row[2] == 0)
            for _ in range(3)
        ]
        paired = [
            (m - baseline) / (hx - baseline)
            for m, hx in zip(walls[module], walls["httpx"], strict=True)
        ]
        result["modules"][module] = {
            "over_httpx": median(paired),
            "import_s": median(walls[module]) - baseline,
            "import_min_s": min(walls[module]) - min(walls["pass"]),
            "wall_median_s": median(walls[module]),
            "importtime_cumulative_s": median(cumulative) / 1e6,
        }
    return result


def importtime_top(module: str, *, prefixes: tuple[str, ...], limit: int) -> list[dict[str, Any]]:
    """The slowest imports under ``module`` whose names start with one of ``prefixes``.

    Sorted by self time (cumulative figures would repeat httpx under whichever module imports
    it first); each row: name, self and cumulative milliseconds.
    """
    with bytecode_env() as env:
        _importtime(module, env)  # fill the bytecode cache
        rows = [row for row in _importtime(module, env) if row[3].startswith(prefixes)]
    rows.sort(key=lambda row: row[0], reverse=True)
    return [
        {"module": name, "cumulative_ms": cum / 1e3, "self_ms": own / 1e3}
        for own, cum, _depth, name in rows[:limit]
    ]
