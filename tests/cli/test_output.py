"""The output format and the exit codes, from ``Report`` fed with real ``CancelOutcome`` values
(every fate and status a batch can produce), and the help text that documents them."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest

from venuekit import CancelOutcome, CancelRequest, CancelResult, CancelState, OutcomeFate, errors
from venuekit._cli import EXIT_CODES, main
from venuekit._cli.input import Order
from venuekit._cli.output import Report
from venuekit._venues import Venue

#: The documented text line: STATUS, optional "line N", VENUE, the order's fields, the detail.
LINE = re.compile(
    r"^(?P<status>ok|done|FAILED|UNKNOWN|NOTSENT) +(?:line (?P<line>\d+) )?"
    r"(?P<venue>[a-z_]+) (?P<what>[^:]*): (?P<detail>.*)$"
)

ORDERS = [Order(CancelRequest.loopring(order_hash=f"0x{n}"), line=n + 2) for n in range(6)]


def outcome(index: int, **fields: Any) -> CancelOutcome:
    return CancelOutcome(request=ORDERS[index].request, index=index, **fields)


def cancelled(attempts: int = 1) -> CancelResult:
    return CancelResult(
        venue=Venue.LOOPRING,
        order_id="0x0",
        client_order_id=None,
        state=CancelState.CANCELLED,
        venue_status="cancelled",
        response=None,
        attempts=attempts,
    )


EVERY_FATE = [
    outcome(3, error=errors.Interrupted("interrupted", attempts=1), fate=OutcomeFate.IN_FLIGHT),
    outcome(0, result=cancelled(attempts=2)),
    outcome(1, error=errors.OrderAlreadyDone("Order already done", status_code=400, attempts=1)),
    outcome(
        2, error=errors.TransportError("connection reset", attempts=3, may_have_reached_venue=True)
    ),
    outcome(
        4,
        error=errors.Interrupted("not sent", may_have_reached_venue=False),
        fate=OutcomeFate.NOT_SENT,
    ),
    outcome(5, error=errors.OrderNotFound("order does not exist", status_code=400, attempts=1)),
]


def report(**options: Any) -> tuple[Report, io.StringIO, io.StringIO]:
    out, err = io.StringIO(), io.StringIO()
    settings = {"command": "cancel-many", "json_lines": False, "already_done_ok": False, **options}
    return Report(ORDERS, out=out, err=err, **settings), out, err


def test_each_line_is_printed_when_its_outcome_arrives_in_the_documented_format() -> None:
    rep, out, _ = report()
    printed = []
    for item in EVERY_FATE:
        rep(item)
        printed.append(out.getvalue().splitlines()[-1])  # written (and flushed) at once
    assert len(printed) == len(EVERY_FATE)
    parsed = [LINE.match(text) for text in printed]
    assert all(parsed), printed
    assert [(m["status"], m["line"]) for m in parsed if m] == [
        ("UNKNOWN", "5"),
        ("ok", "2"),
        ("FAILED", "3"),
        ("FAILED", "4"),
        ("NOTSENT", "6"),
        ("FAILED", "7"),
    ]
    assert printed[0] == (
        "UNKNOWN line 5 loopring order_hash=0x3: in flight when interrupted:"
        " may have reached the venue (1 attempt)"
    )
    assert printed[1] == "ok      line 2 loopring order_hash=0x0: cancelled (2 attempts)"
    assert printed[2] == (
        "FAILED  line 3 loopring order_hash=0x1: OrderAlreadyDone: Order already done"
        " (HTTP 400) (1 attempt)"
    )
    assert printed[3].endswith("connection reset (may have reached the venue) (3 attempts)")
    assert printed[4] == "NOTSENT line 6 loopring order_hash=0x4: never sent (0 attempts)"


def test_a_repeated_report_is_printed_once() -> None:
    rep, out, _ = report()
    rep(EVERY_FATE[1])
    rep(EVERY_FATE[1])
    assert len(out.getvalue().splitlines()) == 1


@pytest.mark.parametrize(
    ("outcomes", "done_ok", "interrupted", "code", "summary"),
    [
        ([outcome(i, result=cancelled()) for i in range(6)], False, False, 0, "6 of 6 cancelled"),
        (EVERY_FATE, False, True, 130, "interrupted: 1 of 6 cancelled, 3 not, 1 in flight"),
        (EVERY_FATE[1:4] + EVERY_FATE[5:], False, False, 1, "1 of 6 cancelled, 3 not, 2 in flight"),
        (
            [EVERY_FATE[1], EVERY_FATE[2], EVERY_FATE[5]]
            + [outcome(i, result=cancelled()) for i in (2, 3, 4)],
            True,
            False,
            0,
            "4 of 6 cancelled, 2 already done or not found (counted as done), 0 not",
        ),
        (
            [outcome(i, result=cancelled()) for i in range(5)]
            + [outcome(5, error=errors.AuthenticationError("Invalid API Key", status_code=401))],
            True,
            False,
            2,
            "5 of 6 cancelled, 1 not",
        ),
    ],
    ids=["all", "interrupted", "missing-one", "already-done-ok", "auth"],
)
def test_summary_and_exit_code(
    outcomes: list[CancelOutcome], done_ok: bool, interrupted: bool, code: int, summary: str
) -> None:
    rep, out, err = report(already_done_ok=done_ok)
    for item in outcomes:
        rep(item)
    assert rep.finish(interrupted=interrupted) == code
    assert len(out.getvalue().splitlines()) == 6  # one line per order, reported or not
    assert summary in err.getvalue()
    if done_ok and code == 0:
        assert sum(line.startswith("done    ") for line in out.getvalue().splitlines()) == 2


def test_an_order_never_reported_is_printed_as_possibly_sent() -> None:
    rep, out, _ = report()
    for item in EVERY_FATE[1:]:
        rep(item)
    assert rep.finish(interrupted=True) == 130
    last = out.getvalue().splitlines()[-1]
    assert last.startswith("UNKNOWN line 5 ")
    assert last.endswith("may have reached the venue")


def test_json_lines_carry_line_fate_and_done() -> None:
    rep, out, _ = report(json_lines=True, already_done_ok=True)
    for item in EVERY_FATE:
        rep(item)
    lines = {d["index"]: d for d in map(json.loads, out.getvalue().splitlines())}
    assert lines[0]["line"] == 2
    assert (lines[0]["ok"], lines[0]["done"], lines[0]["fate"]) == (True, True, "finished")
    assert (lines[1]["ok"], lines[1]["done"]) == (False, True)
    assert lines[1]["error"]["type"] == "OrderAlreadyDone"
    assert lines[2]["error"]["may_have_reached_venue"] is True
    assert (lines[3]["fate"], lines[3]["error"]["type"]) == ("in_flight", "Interrupted")
    assert (lines[4]["fate"], lines[4]["done"]) == ("not_sent", False)
    assert lines[4]["error"]["may_have_reached_venue"] is False


def test_the_help_prints_the_exit_code_table(capsys: Any) -> None:
    with pytest.raises(SystemExit):
        main(["cancel-many", "--help"])
    text = capsys.readouterr().out
    table = text.split("exit codes:\n", 1)[1]
    for code, _ in EXIT_CODES:
        assert re.search(rf"^  {code} ", table, re.M)
    assert [code for code, _ in EXIT_CODES] == [0, 1, 2, 130]
    assert "--already-done-ok" in text
    assert "STATUS  line N VENUE" in text
