"""The usual summary lines: outcomes by state/error, attempts, the sandbox's answers per fault."""

from __future__ import annotations

import collections
from collections.abc import Callable, Iterable, Sequence

import venuekit

__all__ = ["Count", "answer_lines", "counter", "outcome_lines"]

#: ``count(venue=..., endpoint=..., fate=..., status=...)`` over the sandbox's answers.
Count = Callable[..., int]
SANDBOX_NAMES = {"coinbase_exchange": "exchange", "coinbase_intx": "intx", "loopring": "loopring"}
_CANCEL = {"exchange": "exchange_cancel", "intx": "intx_cancel", "loopring": "loopring_cancel"}


def counter(rows: Iterable[tuple[tuple[str, str, str, int], int]]) -> Count:
    """A ``count`` over plain stats rows ((venue, endpoint, fate, status), n), summed."""
    totals: collections.Counter[tuple[str, str, str, int]] = collections.Counter()
    for key, n in rows:
        totals[tuple(key)] += n  # type: ignore[index]

    def count(
        *,
        venue: str | None = None,
        endpoint: str | None = None,
        fate: str | None = None,
        status: int | None = None,
    ) -> int:
        want = (venue, endpoint, fate, status)
        return sum(
            n
            for key, n in totals.items()
            if all(w is None or w == k for w, k in zip(want, key, strict=True))
        )

    return count


def outcome_lines(outcomes: Sequence[venuekit.CancelOutcome]) -> list[str]:
    """Outcomes by state or error class, and attempts per order."""
    by_kind = collections.Counter(
        o.result.state.value if o.result is not None else type(o.error).__name__ for o in outcomes
    )
    attempts = [o.attempts for o in outcomes]
    histogram = collections.Counter(attempts)
    lines = [f"  {kind:<36} {n}" for kind, n in sorted(by_kind.items(), key=lambda kv: -kv[1])]
    lines.append(
        f"attempts            {sum(attempts)}  (retries {sum(attempts) - len(outcomes)}; "
        f"per order: {', '.join(f'{k}x {v}' for k, v in sorted(histogram.items()))})"
    )
    return lines


def answer_lines(count: Count) -> tuple[list[str], int]:
    """The sandbox's answers per venue and fault, the 429 split; and the pacing 429s."""
    lines = [
        "sandbox answers (cancel endpoints and GET /time)",
        f"  {'venue':<18} {'requests':>8} {'200':>6} {'500':>6} {'429 inj':>8} {'429 pace':>8}"
        f" {'drop<':>6} {'drop>':>6} {'400':>6} {'401':>6} {'404':>6} {'/time':>6}",
    ]
    for venue, name in SANDBOX_NAMES.items():
        cancel = _CANCEL[name]
        lines.append(
            f"  {venue:<18} {count(venue=name):>8}"
            f" {count(endpoint=cancel, fate='normal', status=200):>6}"
            f" {count(venue=name, fate='server_error'):>6}"
            f" {count(venue=name, fate='rate_limited'):>8}"
            f" {count(venue=name, fate='normal', status=429):>8}"
            f" {count(venue=name, fate='drop_before_apply'):>6}"
            f" {count(venue=name, fate='drop_after_apply'):>6}"
            f" {count(endpoint=cancel, fate='normal', status=400):>6}"
            f" {count(venue=name, status=401):>6}"
            f" {count(endpoint=cancel, fate='normal', status=404):>6}"
            f" {count(endpoint='exchange_time') if name == 'exchange' else 0:>6}"
        )
    injected = count(fate="rate_limited")
    pacing = count(fate="normal", status=429)
    lines.append(
        f"429s                {injected + pacing}  (injected {injected}, "
        f"caused by the client's pacing {pacing})"
    )
    return lines, pacing
