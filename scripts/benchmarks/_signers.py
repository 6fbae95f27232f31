"""(c) Signer throughput, reusing the timed functions of ``scripts/bench_signers.py``."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

from _stats import median

__all__ = ["LOOPRING_TARGET", "run_signers"]

LOOPRING_TARGET = 1_000  # signatures per second (issue 7)
_BENCH_SIGNERS = Path(__file__).resolve().parent.parent / "bench_signers.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_signers", _BENCH_SIGNERS)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_signers(*, scale: float, repeats: int) -> dict[str, Any]:
    """Signatures per second for each signer: the median of ``repeats`` timed batches.

    Measures the pure signing functions (prehash / signature base + signature) exactly as
    ``bench_signers.py`` does, plus its bare ``hmac.new`` + base64 baseline.
    """
    signers = _load()
    cases = {
        "hmac_baseline": (signers.hmac_baseline, 50_000),
        "coinbase_exchange_sign": (signers.exchange_sign, 50_000),
        "coinbase_intx_sign": (signers.intx_sign, 50_000),
        "loopring_sign": (signers.loopring_sign, 600),
        "loopring_verify": (signers.loopring_verify, 150),
    }
    result: dict[str, Any] = {}
    for name, (func, iterations) in cases.items():
        count = max(1, int(iterations * scale))
        rates = [signers.rate(func, count) for _ in range(repeats)]
        result[name] = {"per_second": median(rates), "iterations": count, "repeats": repeats}
    return result
