"""Every order's reported outcome against the sandbox's book: one row per order, a table of rows.

An order is *reported cancelled* when its outcome's state is ``CANCELLED`` or
``CANCELLED_ON_EARLIER_ATTEMPT``; *reported failed* when it has an error. Each order lands in
exactly one row. The rows marked ``must be 0`` are the falsehoods issue 11 is about (and orders
lost or reported twice); every other row is a truthful outcome, counted.
"""

from __future__ import annotations

import collections
import csv
from collections.abc import Mapping, Sequence
from pathlib import Path

import attrs

import venuekit
from venuekit import errors

from .book import BookKey, Kind, Planned

__all__ = ["MUST_BE_ZERO", "Verdict", "judge"]

_CANCELLED = {venuekit.CancelState.CANCELLED, venuekit.CancelState.CANCELLED_ON_EARLIER_ATTEMPT}

# Rows that must be 0 (a false "cancelled", an order lost or reported twice, a failure that
# hides a cancel it made, or a sandbox that cancelled what it had to refuse).
LOST = "lost: no outcome"
DUPLICATED = "duplicated: more than one outcome"
FALSE_CANCEL = "reported cancelled, open in the book"
HIDDEN_CANCEL = "reported failed, cancelled in the book, says it never reached the venue"
WRONG_PRODUCT_CANCELLED = "wrong product_id, cancelled in the book (the sandbox applied it)"
MUST_BE_ZERO = (LOST, DUPLICATED, FALSE_CANCEL, HIDDEN_CANCEL, WRONG_PRODUCT_CANCELLED)

# Truthful rows.
CANCELLED = "open -> reported CANCELLED, cancelled in the book"
CANCELLED_EARLIER = "open -> reported CANCELLED_ON_EARLIER_ATTEMPT, cancelled in the book"
MAY_HAVE_REACHED = "open -> reported failed (may have reached the venue), cancelled in the book"
FAILED_OPEN = "open -> reported failed, open in the book"
PENDING = "reported CANCEL_PENDING"
WRONG_PRODUCT_REJECTED = "wrong product_id -> VenueRejectedRequest(product_id), open in the book"
WRONG_PRODUCT_OTHER = "wrong product_id -> other failure, open in the book"
UNKNOWN_NOT_FOUND = "unknown id -> OrderNotFound, not in the book"
UNKNOWN_EARLIER = "unknown id -> CANCELLED_ON_EARLIER_ATTEMPT, not in the book (see note)"
UNKNOWN_OTHER = "unknown id -> other failure, not in the book"
DONE_ALREADY = "already cancelled -> OrderAlreadyDone, cancelled in the book"
DONE_EARLIER = "already cancelled -> CANCELLED_ON_EARLIER_ATTEMPT, cancelled in the book"
DONE_OTHER = "already cancelled -> other failure, cancelled in the book"
WRONG_PRODUCT_ROWS = (WRONG_PRODUCT_CANCELLED, WRONG_PRODUCT_REJECTED, WRONG_PRODUCT_OTHER)
ROWS = (
    FALSE_CANCEL,
    LOST,
    DUPLICATED,
    HIDDEN_CANCEL,
    WRONG_PRODUCT_CANCELLED,
    MAY_HAVE_REACHED,
    CANCELLED,
    CANCELLED_EARLIER,
    FAILED_OPEN,
    PENDING,
    WRONG_PRODUCT_REJECTED,
    WRONG_PRODUCT_OTHER,
    DONE_ALREADY,
    DONE_EARLIER,
    DONE_OTHER,
    UNKNOWN_NOT_FOUND,
    UNKNOWN_EARLIER,
    UNKNOWN_OTHER,
)
UNKNOWN_NOTE = (
    "note: an unknown id answered 'not found' after a 5xx or a lost answer is reported\n"
    "  CANCELLED_ON_EARLIER_ATTEMPT by the earlier-attempt rule: from the answers alone a client\n"
    "  cannot tell it from an order its earlier attempt cancelled (it is not in the book at all,\n"
    "  so it is not an open order reported cancelled)."
)


@attrs.frozen
class Verdict:
    """Each order's row, the count per row, and the orders in a ``must be 0`` row."""

    rows: tuple[str, ...]  # per input position
    counts: Mapping[str, int]
    wrong_product_after_5xx: int  # issue 11's case, exercised: ProductNotFound after a 5xx
    wrong_product_reported_cancelled: int  # must be 0 (counted in FALSE_CANCEL too)
    bad: tuple[int, ...]  # input positions in a must-be-0 row

    @property
    def ok(self) -> bool:
        """Whether every ``must be 0`` row is 0."""
        return not self.bad

    def lines(self) -> list[str]:
        """The table, then every order in a ``must be 0`` row (at most 20)."""
        out = ["per order: reported outcome against the sandbox's book"]
        for row in ROWS:
            mark = "  (must be 0)" if row in MUST_BE_ZERO else ""
            out.append(f"  {self.counts.get(row, 0):>6}  {row}{mark}")
        wrong = sum(self.counts.get(row, 0) for row in WRONG_PRODUCT_ROWS)
        if wrong:
            out.append(
                f"  wrong product_id orders whose ProductNotFound came after a 5xx (issue 11's"
                f" case): {self.wrong_product_after_5xx} of {wrong}; reported cancelled: "
                f"{self.wrong_product_reported_cancelled}"
            )
        if self.counts.get(UNKNOWN_EARLIER, 0):
            out.append(UNKNOWN_NOTE)
        return out


def _state(outcome: venuekit.CancelOutcome) -> str:
    if outcome.result is not None:
        return outcome.result.state.value
    return type(outcome.error).__name__


def _row(planned: Planned, outcome: venuekit.CancelOutcome, status: str | None) -> str:
    result, error = outcome.result, outcome.error
    cancelled = result is not None and result.state in _CANCELLED
    earlier = (
        result is not None and result.state is venuekit.CancelState.CANCELLED_ON_EARLIER_ATTEMPT
    )
    if planned.kind is Kind.UNKNOWN:
        if earlier:
            return UNKNOWN_EARLIER
        if cancelled:
            return FALSE_CANCEL  # a 200 for an id the venue does not hold
        if result is not None:
            return PENDING
        return UNKNOWN_NOT_FOUND if isinstance(error, errors.OrderNotFound) else UNKNOWN_OTHER
    if cancelled and status != "cancelled":
        return FALSE_CANCEL
    if planned.kind is Kind.WRONG_PRODUCT:
        if status == "cancelled":
            return WRONG_PRODUCT_CANCELLED
        if result is not None:
            return PENDING
        rejected = isinstance(error, errors.VenueRejectedRequest) and error.field == "product_id"
        return WRONG_PRODUCT_REJECTED if rejected else WRONG_PRODUCT_OTHER
    if planned.kind is Kind.ALREADY_CANCELLED:
        if earlier:
            return DONE_EARLIER
        if result is not None:
            return CANCELLED if cancelled else PENDING
        return DONE_ALREADY if isinstance(error, errors.OrderAlreadyDone) else DONE_OTHER
    if result is not None:
        return (CANCELLED_EARLIER if earlier else CANCELLED) if cancelled else PENDING
    if status == "cancelled":
        return MAY_HAVE_REACHED if outcome.may_have_reached_venue else HIDDEN_CANCEL
    return FAILED_OPEN


def _after_5xx(outcome: venuekit.CancelOutcome) -> bool:
    error = outcome.error
    history = error.history if error is not None else ()
    return isinstance(error, errors.VenueRejectedRequest) and any(
        (record.status_code or 0) >= 500 for record in history
    )


def judge(
    plan: Sequence[Planned],
    outcomes: Sequence[venuekit.CancelOutcome],
    streamed: Sequence[venuekit.CancelOutcome],
    book: Mapping[BookKey, str],
) -> Verdict:
    """Each planned order's row: ``outcomes`` as returned, ``streamed`` as given to on_outcome."""
    returned: dict[int, list[venuekit.CancelOutcome]] = collections.defaultdict(list)
    for outcome in outcomes:
        returned[outcome.index].append(outcome)
    told = collections.Counter(outcome.index for outcome in streamed)
    rows = []
    after_5xx = wrong_cancelled = 0
    for index, planned in enumerate(plan):
        got = returned.get(index, [])
        if not got or told[index] == 0 or got[0].request is not planned.request:
            rows.append(LOST)
        elif len(got) > 1 or told[index] > 1:
            rows.append(DUPLICATED)
        else:
            status = book.get(planned.key) if planned.key is not None else None
            rows.append(_row(planned, got[0], status))
            if planned.kind is Kind.WRONG_PRODUCT:
                after_5xx += _after_5xx(got[0])
                wrong_cancelled += rows[-1] == FALSE_CANCEL
    counts = collections.Counter(rows)
    stray = [i for i in [*returned, *told] if not 0 <= i < len(plan)]  # outside the input
    if stray:
        counts[DUPLICATED] += len(stray)
    bad = tuple(i for i, row in enumerate(rows) if row in MUST_BE_ZERO) + tuple(-1 for _ in stray)
    return Verdict(
        rows=tuple(rows),
        counts=dict(counts),
        wrong_product_after_5xx=after_5xx,
        wrong_product_reported_cancelled=wrong_cancelled,
        bad=bad,
    )


def bad_lines(
    verdict: Verdict,
    plan: Sequence[Planned],
    outcomes: Sequence[venuekit.CancelOutcome],
    book: Mapping[BookKey, str],
) -> list[str]:
    """One line per order in a ``must be 0`` row, then per order reported failed although the
    book has it cancelled (allowed: its outcome says it may have reached the venue); 20 each."""
    by_index = {o.index: o for o in outcomes}
    allowed = [i for i, row in enumerate(verdict.rows) if row == MAY_HAVE_REACHED]
    lines = []
    for title, indexes in (
        ("in a must-be-0 row:", verdict.bad),
        ("reported failed, cancelled in the book, may have reached the venue:", tuple(allowed)),
    ):
        if indexes:
            lines.append(f"  {title}")
        for index in indexes[:20]:
            if index < 0:
                lines.append("    outcomes reported for positions outside the input")
                continue
            planned, outcome = plan[index], by_index.get(index)
            status = book.get(planned.key) if planned.key is not None else "not in the book"
            got = "none" if outcome is None else f"{_state(outcome)} {outcome.error or ''}".strip()
            history = (
                " ".join(str(r.status_code or r.error) for r in outcome.error.history)
                if outcome is not None and outcome.error is not None
                else ""
            )
            lines.append(
                f"    #{index} {planned.venue} {planned.kind.value} {planned.reference}:"
                f" {verdict.rows[index]} | reported {got} [{history}] | book {status}"
            )
    return lines


def write_csv(
    path: Path,
    verdict: Verdict,
    plan: Sequence[Planned],
    outcomes: Sequence[venuekit.CancelOutcome],
    book: Mapping[BookKey, str],
) -> None:
    """Every order on one line: what it was, what was reported, what the book says, its row."""
    path.parent.mkdir(parents=True, exist_ok=True)
    by_index = {o.index: o for o in outcomes}
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(
            [
                "index",
                "venue",
                "kind",
                "reference",
                "reported",
                "fate",
                "may_have_reached_venue",
                "attempts",
                "book",
                "row",
            ]
        )
        for index, planned in enumerate(plan):
            outcome = by_index.get(index)
            writer.writerow(
                [
                    index,
                    planned.venue,
                    planned.kind.value,
                    planned.reference,
                    "" if outcome is None else _state(outcome),
                    "" if outcome is None else outcome.fate.value,
                    "" if outcome is None else outcome.may_have_reached_venue,
                    "" if outcome is None else outcome.attempts,
                    book.get(planned.key, "?") if planned.key is not None else "not in the book",
                    verdict.rows[index],
                ]
            )
