"""(a) Sequential single cancels: venuekit vs raw httpx vs ccxt, interleaved round by round."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from _contenders import Contender, make_ccxt, make_raw_httpx, make_venuekit
from _sandbox_process import SandboxProcess
from _stats import summary

__all__ = ["run_single_cancels"]

FACTORIES: tuple[Callable[[str], Contender], ...] = (make_venuekit, make_raw_httpx, make_ccxt)


def run_single_cancels(
    sandbox: SandboxProcess, *, rounds: int, per_round: int, warmup_rounds: int
) -> dict[str, Any]:
    """Cancel ``rounds * per_round`` distinct orders per contender, one at a time.

    Round ``r`` runs every contender for ``per_round`` cancels, in an order rotated by ``r``
    (A B C, B C A, C A B, ...) so no contender always follows the same one. The first
    ``warmup_rounds`` rounds are not recorded. Each call is timed alone (``perf_counter_ns``);
    a call that raises or whose answer does not confirm the cancel counts as a failure.
    """
    contenders = [make(sandbox.url) for make in FACTORIES]
    total_rounds = warmup_rounds + rounds
    ids = sandbox.exchange_orders(len(contenders) * total_rounds * per_round)
    latencies: dict[str, list[float]] = {c.name: [] for c in contenders}
    failures: dict[str, int] = {c.name: 0 for c in contenders}
    errors: dict[str, str] = {}
    clock = time.perf_counter_ns
    try:
        for round_index in range(total_rounds):
            shift = round_index % len(contenders)
            for contender in contenders[shift:] + contenders[:shift]:
                record = round_index >= warmup_rounds
                times = latencies[contender.name]
                for _ in range(per_round):
                    order_id = ids.pop()
                    start = clock()
                    try:
                        ok = contender.cancel(order_id)
                    except Exception as exc:
                        ok = False
                        errors.setdefault(contender.name, f"{type(exc).__name__}: {exc}")
                    elapsed = clock() - start
                    if not ok:
                        failures[contender.name] += 1
                    elif record:
                        times.append(elapsed / 1e6)  # milliseconds
    finally:
        for contender in contenders:
            contender.close()
    knobs = getattr(contenders[0], "knobs", {})
    return {
        "rounds": rounds,
        "per_round": per_round,
        "warmup_rounds": warmup_rounds,
        "venuekit_client_kwargs": {k: repr(v) for k, v in knobs.items()},
        "contenders": {
            name: {"latency_ms": summary(times) if times else None, "failures": failures[name]}
            for name, times in latencies.items()
        },
        "errors": errors,
    }
