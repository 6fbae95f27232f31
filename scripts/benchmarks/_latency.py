"""(a) Sequential single cancels: venuekit vs raw httpx vs ccxt, interleaved round by round.

The same method for every venue: ``EXCHANGE`` (Coinbase Exchange) and ``DERIBIT`` (Deribit key
and Coinbase gateway) are the contender lists bench.py runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from _contenders import Contender, make_ccxt, make_raw_httpx, make_venuekit
from _deribit_contenders import (
    make_ccxt_deribit,
    make_raw_httpx_deribit,
    make_raw_httpx_gateway,
    make_venuekit_deribit,
    make_venuekit_gateway,
)
from _sandbox_process import SandboxProcess
from _stats import median, summary

__all__ = ["DERIBIT", "EXCHANGE", "run_single_cancels"]

Factory = Callable[[str], Contender]
#: Coinbase Exchange: each factory takes the sandbox's base URL.
EXCHANGE: tuple[Factory, ...] = (make_venuekit, make_raw_httpx, make_ccxt)
#: Deribit: with a Deribit key (venuekit, raw httpx, ccxt) and through the Coinbase gateway with
#: a CDP Ed25519 key (venuekit gateway, raw httpx gateway). Each takes the sandbox's base URL.
DERIBIT: tuple[Factory, ...] = (
    make_venuekit_deribit,
    make_raw_httpx_deribit,
    make_ccxt_deribit,
    make_venuekit_gateway,
    make_raw_httpx_gateway,
)


def run_single_cancels(
    sandbox: SandboxProcess,
    *,
    rounds: int,
    per_round: int,
    warmup_rounds: int,
    factories: tuple[Factory, ...] = EXCHANGE,
) -> dict[str, Any]:
    """Cancel ``rounds * per_round`` distinct orders per contender, one at a time.

    Round ``r`` runs every contender for ``per_round`` cancels, in an order rotated by ``r``
    (A B C, B C A, C A B, ...) so no contender always follows the same one. The first
    ``warmup_rounds`` rounds are not recorded. Each call is timed alone (``perf_counter_ns``);
    a call that raises or whose answer does not confirm the cancel counts as a failure. Each
    contender cancels orders of its ``book`` (default ``exchange``), seeded in the sandbox first.
    Besides the summary over all calls, each recorded round's median per contender is kept, so
    ratios can be paired round by round (their spread shows how much the machine drifted).
    """
    contenders = [make(sandbox.url) for make in factories]
    total_rounds = warmup_rounds + rounds
    books = [getattr(contender, "book", "exchange") for contender in contenders]
    ids = {
        book: sandbox.orders(book, books.count(book) * total_rounds * per_round)
        for book in set(books)
    }
    latencies: dict[str, list[float]] = {c.name: [] for c in contenders}
    round_medians: dict[str, list[float]] = {c.name: [] for c in contenders}
    failures: dict[str, int] = {c.name: 0 for c in contenders}
    errors: dict[str, str] = {}
    clock = time.perf_counter_ns
    try:
        for round_index in range(total_rounds):
            shift = round_index % len(contenders)
            for contender in contenders[shift:] + contenders[:shift]:
                record = round_index >= warmup_rounds
                times = latencies[contender.name]
                book = ids[getattr(contender, "book", "exchange")]
                for _ in range(per_round):
                    order_id = book.pop()
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
                if record and len(times) >= per_round:
                    round_medians[contender.name].append(median(times[-per_round:]))
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
        # each recorded round's median per contender (for paired per-round ratios)
        "round_medians_ms": round_medians,
        "errors": errors,
    }
