"""The harsh profile: more faults, bad orders, slow answers, and the sandbox killed mid-run.

The sandbox runs in its own process (``process``) with a durable book (a journal). The orders
are added to that journal before it starts: plain open orders, Exchange orders sent with another
product's ``product_id``, ids the venue never had, and orders cancelled before the run. When
``kill_at`` of the outcomes are in, the sandbox is killed with SIGKILL (connections cut, cancels
in flight lost or applied without an answer) and a new one is started on the same port and
journal, its clocks skewed the other way. At the end every order's reported outcome is judged
against the book (``verdict``); the live book of the last process must equal the journal's.
"""

from __future__ import annotations

import asyncio
import collections
import random
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

import venuekit
from venuekit.sandbox import DEFAULT_CREDENTIALS, Faults, JournaledState, SandboxConfig

from .book import Mix, Planned, book_statuses, plan_orders, split
from .process import SandboxProcess, Slow
from .summary import answer_lines, counter, outcome_lines
from .verdict import bad_lines, judge, write_csv

__all__ = ["HARSH", "HarshProfile", "HarshReport", "run_harsh"]


def _faults(exchange_skew: float, intx_skew: float, loopring_skew: float) -> dict[str, Faults]:
    base = Faults(error_rate=0.15, rate_limit_rate=0.05, drop_rate=0.06, drop_after_apply=0.5)
    return {
        "exchange": attrs.evolve(base, clock_offset=exchange_skew),
        "intx": attrs.evolve(base, clock_offset=intx_skew),
        "loopring": attrs.evolve(base, clock_offset=loopring_skew),
    }


@attrs.frozen
class HarshProfile:
    """Everything the harsh run varies. Skews are chosen past each venue's window (Exchange
    30 s, INTX 5 s) so the client must read the venue's clock, and flip at the restart."""

    #: 15 % HTTP 500, 5 % injected 429, 6 % dropped connections (half after applying).
    before_kill: dict[str, Faults] = attrs.field(factory=lambda: _faults(-45.0, 8.0, 3.0))
    after_restart: dict[str, Faults] = attrs.field(factory=lambda: _faults(40.0, -7.0, -3.0))
    #: 20 % of Exchange orders with a wrong product_id; 5 % unknown ids; 5 % already cancelled.
    mix: Mix = attrs.field(
        factory=lambda: Mix(wrong_product=0.2, unknown=0.05, already_cancelled=0.05)
    )
    #: 4 % of answers held 0.7-1.5 s, around the 1 s per-attempt timeout; "Retry-After: 1" on
    #: every 429.
    slow: Slow = attrs.field(factory=lambda: Slow(rate=0.04, low=0.7, high=1.5, retry_after="1"))
    timeout: float = 1.0  # per attempt, seconds
    attempts: int = 10
    deadline: float = 30.0  # per order, seconds
    kill_at: float = 0.4  # share of outcomes in when the sandbox is killed
    restart_gap: float = 0.3  # seconds between the kill and starting the new process


HARSH = HarshProfile()


def _skews(faults: dict[str, Faults]) -> str:
    return "/".join(f"{faults[v].clock_offset:+g}" for v in ("exchange", "intx", "loopring"))


def describe(profile: HarshProfile) -> list[str]:
    """The profile in two sentences (faults as on the Exchange; every venue has the same)."""
    f, slow, mix = profile.before_kill["exchange"], profile.slow, profile.mix
    return [
        f"faults on every venue: {f.error_rate:.0%} HTTP 500, {f.rate_limit_rate:.0%} injected 429"
        f" (Retry-After: {slow.retry_after}), {f.drop_rate:.0%} dropped connections"
        f" ({f.drop_after_apply:.0%} of them after the cancel was applied), {slow.rate:.0%} of"
        f" answers held {slow.low:g}-{slow.high:g} s (per-attempt timeout {profile.timeout:g} s);"
        f" clocks (exchange/intx/loopring) {_skews(profile.before_kill)} s, after the restart"
        f" {_skews(profile.after_restart)} s",
        f"orders: {mix.wrong_product:.0%} of Exchange ones with another product's product_id,"
        f" {mix.unknown:.0%} unknown ids, {mix.already_cancelled:.0%} cancelled before the run;"
        f" the sandbox process SIGKILLed after {profile.kill_at:.0%} of the outcomes and started"
        f" again on the same port and journal",
    ]


@attrs.frozen
class HarshReport:
    """What a harsh run did; ``ok`` says whether it passed."""

    lines: tuple[str, ...]
    ok: bool
    orders: int
    counts: dict[str, int]
    killed: bool
    killed_after: int  # outcomes in when the sandbox was killed (-1: it was not)
    books_agree: bool
    plan: tuple[Planned, ...] = attrs.field(repr=False)
    outcomes: tuple[venuekit.CancelOutcome, ...] = attrs.field(repr=False)


class _Chaos:
    """Kills the sandbox once ``after`` outcomes are in, then starts it again."""

    def __init__(
        self, sandbox: SandboxProcess, start_again: Callable[[], float], *, after: int, gap: float
    ) -> None:
        self.sandbox, self.start_again, self.after, self.gap = sandbox, start_again, after, gap
        self.trigger = threading.Event()
        self.done_at_kill = -1
        self.killed_at = self.up_at = 0.0
        self.stats_before: tuple[list[Any], list[float]] = ([], [])
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="loadtest-chaos", daemon=True)
        self.done = 0

    def outcome_in(self) -> None:
        self.done += 1
        if self.done >= self.after:
            self.trigger.set()

    def _run(self) -> None:
        self.trigger.wait()
        if self.done_at_kill == -2:  # the run ended before the trigger
            return
        try:
            self.stats_before = self.sandbox.stats()
            self.done_at_kill = self.done
            self.killed_at = time.monotonic()
            self.sandbox.kill()
            time.sleep(self.gap)
            self.start_again()
            self.up_at = time.monotonic()
        except BaseException as exc:  # reported in the summary
            self.error = exc

    def finish(self) -> None:
        if not self.trigger.is_set():
            self.done_at_kill = -2
            self.trigger.set()
        self.thread.join(60)


def run_harsh(
    *,
    orders: int = 900,
    seed: int = 1,
    concurrency: int = 8,
    use_sync: bool = False,
    profile: HarshProfile = HARSH,
    progress_out: Any = None,
    csv_path: Path | None = None,
) -> HarshReport:
    """Run the harsh profile and return its report (the script prints ``report.lines``)."""
    counts = split(orders)
    creds = DEFAULT_CREDENTIALS
    with tempfile.TemporaryDirectory(prefix="venuekit-loadtest-") as tmp:
        journal = Path(tmp) / "book.jsonl"
        seeded = JournaledState(creds, path=journal, seed=seed, orders_per_venue=0, clock=time.time)
        plan = plan_orders(
            seeded,
            counts,
            random.Random(seed),
            mix=profile.mix,
            portfolio=creds.intx.portfolio_uuid,
        )

        def config(generation: int) -> SandboxConfig:
            faults = profile.before_kill if generation == 1 else profile.after_restart
            return SandboxConfig(
                seed=seed * 10 + generation, orders_per_venue=0, state_file=journal, **faults
            )

        sandbox = SandboxProcess()
        try:
            sandbox.start(config(1), profile.slow)
            chaos = _Chaos(
                sandbox,
                lambda: sandbox.start(config(2), profile.slow),
                after=max(1, int(len(plan) * profile.kill_at)),
                gap=profile.restart_gap,
            )
            chaos.thread.start()
            url = f"http://127.0.0.1:{sandbox.port}"
            streamed: list[venuekit.CancelOutcome] = []
            events: list[tuple[float, str | None]] = []
            lock = threading.Lock()

            def on_outcome(outcome: venuekit.CancelOutcome) -> None:
                streamed.append(outcome)
                chaos.outcome_in()
                if progress_out is not None and len(streamed) % max(1, len(plan) // 10) == 0:
                    print(f"  {len(streamed)}/{len(plan)} done", file=progress_out, flush=True)

            def on_event(event: venuekit.Event) -> None:
                if event.kind == "attempt":
                    with lock:
                        events.append((time.monotonic(), event.error))

            kwargs: dict[str, Any] = {
                "coinbase_exchange": creds.exchange.credentials(),
                "coinbase_intx": creds.intx.credentials(),
                "loopring": creds.loopring.credentials(),
                "base_urls": dict.fromkeys(("coinbase_exchange", "coinbase_intx", "loopring"), url),
                "attempts": profile.attempts,
                "deadline": profile.deadline,
                "timeout": profile.timeout,
                "on_event": on_event,
            }
            requests = [p.request for p in plan]
            started = time.monotonic()
            if use_sync:
                with venuekit.Client(**kwargs) as client:
                    outcomes = client.cancel_many(
                        requests, concurrency=concurrency, on_outcome=on_outcome
                    )
            else:

                async def cancel_all() -> list[venuekit.CancelOutcome]:
                    async with venuekit.AsyncClient(**kwargs) as client:
                        return await client.cancel_many(
                            requests, concurrency=concurrency, on_outcome=on_outcome
                        )

                outcomes = asyncio.run(cancel_all())
            elapsed = time.monotonic() - started
            chaos.finish()
            final_stats, final_holds, live_book = sandbox.stop()
        finally:
            sandbox.close()
        journal_book = book_statuses(JournaledState(creds, path=journal, clock=time.time))
    verdict = judge(plan, outcomes, streamed, journal_book)
    if csv_path is not None:
        write_csv(csv_path, verdict, plan, outcomes, journal_book)
    count = counter([*chaos.stats_before[0], *final_stats])
    holds = [*chaos.stats_before[1], *final_holds]
    down = [e for t, e in events if chaos.killed_at <= t <= chaos.up_at]
    retried = collections.Counter(e or "?" for _t, e in events)
    killed = chaos.done_at_kill >= 0 and chaos.error is None
    books_agree = dict(live_book) == journal_book

    lines: list[str] = []
    add = lines.append
    add(
        f"venuekit load test, harsh profile ({'Client, threads' if use_sync else 'AsyncClient, tasks'})"
    )
    lines.extend(describe(profile))
    add("")
    add(f"orders              {len(plan)}  ({', '.join(f'{v} {n}' for v, n in counts.items())})")
    kinds = {
        k: sum(p.kind.value == k for p in plan)
        for k in ("open", "wrong_product", "unknown", "already_cancelled")
    }
    add(f"  kinds             {', '.join(f'{k} {n}' for k, n in kinds.items())}")
    add(f"elapsed             {elapsed:.1f} s")
    add(f"outcomes            {len(outcomes)} returned, {len(streamed)} streamed to on_outcome")
    lines.extend(outcome_lines(outcomes))
    add(
        "retried attempts    "
        + ", ".join(f"{name} {n}" for name, n in retried.most_common())
        + "  (the client's on_event)"
    )
    add(
        f"held answers        {len(holds)}, {sum(h > profile.timeout for h in holds)} of them past"
        f" the {profile.timeout:g} s per-attempt timeout (applied, the answer too late)"
    )
    if killed:
        add(
            f"sandbox killed      SIGKILL after {chaos.done_at_kill}/{len(plan)} outcomes; up again on"
            f" port {sandbox.port} after {chaos.up_at - chaos.killed_at:.2f} s; attempts failed"
            f" meanwhile {len(down)}"
        )
    else:
        add(
            f"sandbox killed      NO ({chaos.error!r})" if chaos.error else "sandbox killed      NO"
        )
    add(
        f"book                live book of the restarted sandbox {'equals' if books_agree else 'DIFFERS FROM'}"
        f" its journal ({len(journal_book)} orders,"
        f" {sum(s == 'cancelled' for s in journal_book.values())} cancelled)"
    )
    add("")
    answers, _pacing = answer_lines(count)
    lines.extend(answers)
    add("  (the killed process's answers are counted up to just before the kill)")
    add("")
    lines.extend(verdict.lines())
    lines.extend(bad_lines(verdict, plan, outcomes, journal_book))
    if csv_path is not None:
        add(f"every order: {csv_path}")
    ok = verdict.ok and killed and books_agree and len(outcomes) == len(plan)
    add("")
    add("PASS" if ok else "FAIL")
    return HarshReport(
        lines=tuple(lines),
        ok=ok,
        orders=len(plan),
        counts=dict(verdict.counts),
        killed=killed,
        killed_after=chaos.done_at_kill if killed else -1,
        books_agree=books_agree,
        plan=tuple(plan),
        outcomes=tuple(outcomes),
    )
