"""The load test's judge (``scripts/loadtest/verdict.py``) catches each falsehood it is there for.

Synthetic outcomes against a synthetic book: a false "cancelled", a lost and a duplicated
outcome, a failure hiding a cancel it made, and the truthful rows next to them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import venuekit
from venuekit import errors

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from loadtest.book import Kind, Planned
from loadtest.verdict import (
    CANCELLED,
    CANCELLED_EARLIER,
    DONE_ALREADY,
    DUPLICATED,
    FAILED_OPEN,
    FALSE_CANCEL,
    HIDDEN_CANCEL,
    LOST,
    MAY_HAVE_REACHED,
    UNKNOWN_EARLIER,
    WRONG_PRODUCT_CANCELLED,
    WRONG_PRODUCT_REJECTED,
    bad_lines,
    judge,
)


def _planned(n: int, kind: Kind = Kind.OPEN) -> Planned:
    ref = f"00000000-0000-4000-8000-{n:012d}"
    request = venuekit.CancelRequest.coinbase_exchange(order_id=ref, product_id="BTC-USD")
    key = None if kind is Kind.UNKNOWN else ("exchange", ref)
    return Planned(request, kind, "coinbase_exchange", key, ref)


def _ok(planned: Planned, index: int, state: venuekit.CancelState) -> venuekit.CancelOutcome:
    result = venuekit.CancelResult(
        venue=venuekit.Venue.COINBASE_EXCHANGE,
        order_id=planned.reference,
        client_order_id=None,
        state=state,
        venue_status=None,
        response=planned.reference,
    )
    return venuekit.CancelOutcome(request=planned.request, index=index, result=result)


def _failed(planned: Planned, index: int, error: errors.VenueError) -> venuekit.CancelOutcome:
    return venuekit.CancelOutcome(request=planned.request, index=index, error=error)


def test_each_falsehood_lands_in_its_must_be_zero_row_and_truth_does_not() -> None:
    plan = [_planned(i) for i in range(7)]
    plan += [_planned(7, Kind.WRONG_PRODUCT), _planned(8, Kind.WRONG_PRODUCT)]
    plan += [_planned(9, Kind.UNKNOWN), _planned(10, Kind.ALREADY_CANCELLED)]
    book = {p.key: "cancelled" for p in plan if p.key is not None}
    book[plan[0].key] = "open"  # type: ignore[index]
    book[plan[4].key] = "open"  # type: ignore[index]
    book[plan[8].key] = "open"  # type: ignore[index]
    cancelled, earlier = (
        venuekit.CancelState.CANCELLED,
        venuekit.CancelState.CANCELLED_ON_EARLIER_ATTEMPT,
    )
    rejected = errors.VenueRejectedRequest("ProductNotFound", field="product_id", status_code=404)
    outcomes = [
        _ok(plan[0], 0, earlier),  # reported cancelled, open in the book
        # plan[1]: no outcome at all (lost)
        _ok(plan[2], 2, cancelled),
        _failed(plan[3], 3, errors.VenueUnavailable("HTTP 503", status_code=503)),  # hides a cancel
        _failed(plan[4], 4, errors.VenueUnavailable("HTTP 503", status_code=503)),  # truthful
        _failed(plan[5], 5, errors.TransportError("dropped")),  # may have reached: allowed
        _ok(plan[6], 6, earlier),
        _failed(plan[7], 7, rejected),  # the sandbox cancelled a wrong product_id
        _failed(plan[8], 8, rejected),
        _ok(plan[9], 9, earlier),
        _failed(plan[10], 10, errors.OrderAlreadyDone("Order already done", status_code=400)),
    ]
    streamed = [*outcomes, outcomes[1]]  # plan[2] reported twice to on_outcome
    verdict = judge(plan, outcomes, streamed, book)

    assert verdict.rows == (
        FALSE_CANCEL,
        LOST,
        DUPLICATED,
        HIDDEN_CANCEL,
        FAILED_OPEN,
        MAY_HAVE_REACHED,
        CANCELLED_EARLIER,
        WRONG_PRODUCT_CANCELLED,
        WRONG_PRODUCT_REJECTED,
        UNKNOWN_EARLIER,
        DONE_ALREADY,
    )
    assert verdict.bad == (0, 1, 2, 3, 7)
    assert not verdict.ok
    listed = bad_lines(verdict, plan, outcomes, book)
    assert [line.split(":")[0].strip() for line in listed if line.startswith("    #")] == [
        f"#{i} coinbase_exchange {plan[i].kind.value} {plan[i].reference}"
        for i in (0, 1, 2, 3, 7, 5)
    ]


def test_a_clean_run_passes_and_counts_every_row() -> None:
    plan = [_planned(i) for i in range(3)]
    book = {p.key: "cancelled" for p in plan}
    outcomes = [_ok(p, i, venuekit.CancelState.CANCELLED) for i, p in enumerate(plan)]
    verdict = judge(plan, outcomes, outcomes, book)  # type: ignore[arg-type]
    assert verdict.ok
    assert verdict.counts == {CANCELLED: 3}
    table = "\n".join(verdict.lines())
    assert "     0  reported cancelled, open in the book  (must be 0)" in table
    assert "     3  open -> reported CANCELLED, cancelled in the book" in table
