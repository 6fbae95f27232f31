"""Printing outcomes as they come: one line per order, a summary, and the exit code.

``Report`` is the ``on_outcome`` callback of ``cancel_many``: each order's line is printed (and
flushed) as soon as its fate is known, in completion order, with its input line number. After
the batch, or after Ctrl-C, ``finish`` prints a line for any order not reported yet, then the
summary on stderr, and returns the exit code.

Text lines (stable: STATUS padded to 7 characters, then single spaces; ``line N`` only when
the order came from an input file)::

    STATUS  line N VENUE FIELD=VALUE ...: DETAIL (K attempts)
    ok      line 2 VENUE order_id=1f6d...: cancelled (1 attempt)

STATUS is one of ``ok`` (the venue accepted the cancel), ``done`` (already done or not found,
counted as done by ``--already-done-ok``), ``FAILED``, ``UNKNOWN`` (interrupted while its
request was out: it may have reached the venue) and ``NOTSENT`` (never sent). ``line N`` is the
order's input line (``cancel-many`` only). With ``--json`` each line is one JSON object.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from venuekit import errors
from venuekit._cli.input import Order

if TYPE_CHECKING:
    from venuekit._bulk import CancelOutcome

__all__ = [
    "EXIT_CODES",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_SOME_FAILED",
    "EXIT_USAGE",
    "ProgressBar",
    "Report",
    "isatty",
]

#: Every order cancelled (or, with ``--already-done-ok``, already done / not found).
EXIT_OK = 0
#: At least one order not cancelled (failed, or never sent because the batch deadline passed).
EXIT_SOME_FAILED = 1
#: Usage error (nothing sent), or authentication / configuration error.
EXIT_USAGE = 2
#: Interrupted by Ctrl-C (128 + SIGINT, the shell's convention); every order's fate is printed.
EXIT_INTERRUPTED = 130

#: The documented table (``--help`` prints it; the README copies it).
EXIT_CODES = (
    (
        EXIT_OK,
        "every order cancelled (cancelled, cancel pending, or cancelled on an earlier attempt;"
        ' with --already-done-ok also "already done" and "not found")',
    ),
    (
        EXIT_SOME_FAILED,
        "some order not cancelled (failed, rejected, venue unavailable ..., or not sent"
        " before --batch-deadline)",
    ),
    (
        EXIT_USAGE,
        "usage error: bad arguments or input (nothing was sent); or credentials missing,"
        " malformed or refused, or a venue without credentials",
    ),
    (EXIT_INTERRUPTED, "interrupted (Ctrl-C): the fate of every order is printed"),
)

#: Errors that say the set-up is wrong (exit 2) rather than one order.
_SETUP_ERRORS = (errors.AuthenticationError, errors.VenueNotConfigured, errors.InvalidCredentials)
#: Errors ``--already-done-ok`` counts as done: the order is no longer open.
_DONE_ERRORS = (errors.OrderAlreadyDone, errors.OrderNotFound)


def isatty(stream: TextIO) -> bool:
    """Whether ``stream`` is a terminal (``False`` for anything that cannot tell)."""
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class ProgressBar:
    """A one-line progress bar redrawn with ``\\r`` (stderr on a terminal only)."""

    width = 30

    def __init__(self, out: TextIO) -> None:
        self._out = out

    def draw(self, done: int, total: int) -> None:
        """Redraw the bar at ``done`` of ``total``."""
        filled = self.width * done // total if total else self.width
        bar = "#" * filled + "." * (self.width - filled)
        self._out.write(f"\r[{bar}] {done}/{total}")
        self._out.flush()

    def clear(self) -> None:
        """Blank the bar's line, so a line printed next starts at column 0."""
        self._out.write("\r" + " " * (self.width + 24) + "\r")
        self._out.flush()

    def finish(self) -> None:
        """End the bar's line."""
        self._out.write("\n")
        self._out.flush()


class Report:
    """Prints each outcome as it arrives; counts them; prints the summary; gives the exit code.

    Example::

        report = Report(orders, command="cancel-many", json_lines=False, already_done_ok=False)
        client.cancel_many([o.request for o in orders], on_outcome=report)
        code = report.finish(interrupted=False)
    """

    def __init__(
        self,
        orders: Sequence[Order],
        *,
        command: str,
        json_lines: bool,
        already_done_ok: bool,
        progress: bool = False,
        out: TextIO | None = None,
        err: TextIO | None = None,
    ) -> None:
        self._orders = orders
        self._command = command
        self._json = json_lines
        self._done_ok = already_done_ok
        self._out = out if out is not None else sys.stdout
        self._err = err if err is not None else sys.stderr
        self._bar = ProgressBar(self._err) if progress and isatty(self._err) else None
        self._seen: dict[int, CancelOutcome] = {}
        self._printed: set[int] = set()

    # -- one outcome ------------------------------------------------------------------------

    def __call__(self, outcome: CancelOutcome) -> None:
        """Record ``outcome`` and print its line now (the ``on_outcome`` of ``cancel_many``)."""
        index = outcome.index
        if index in self._seen:
            return  # reported once only
        self._seen[index] = outcome
        self._print(index, outcome)

    def _print(self, index: int, outcome: CancelOutcome | None) -> None:
        order = self._orders[index]
        line = (
            json.dumps(self._as_json(index, order, outcome))
            if self._json
            else self._as_text(order, outcome)
        )
        if self._bar is not None:
            self._bar.clear()
        try:
            self._out.write(line + "\n")
            self._out.flush()
        except BrokenPipeError:  # the reader went away (`| head`): the batch goes on, unprinted
            self._reader_gone()
        self._printed.add(index)
        if self._bar is not None:
            self._bar.draw(len(self._printed), len(self._orders))

    def _reader_gone(self) -> None:
        """Send the rest of stdout to the null device (Python's advice for SIGPIPE-less exits)."""
        if self._out is sys.stdout:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        else:
            self._out = open(os.devnull, "w")  # noqa: SIM115 (lives as long as the report)

    def _status(self, outcome: CancelOutcome | None) -> str:
        if outcome is None:
            return "UNKNOWN"
        fate = outcome.fate.value
        if fate == "in_flight":
            return "UNKNOWN"
        if fate == "not_sent":
            return "NOTSENT"
        if outcome.result is not None:
            return "ok"
        if self._done_ok and isinstance(outcome.error, _DONE_ERRORS):
            return "done"
        return "FAILED"

    def _as_text(self, order: Order, outcome: CancelOutcome | None) -> str:
        request = order.request.to_dict()
        venue = request.pop("venue")
        what = " ".join(f"{k}={v}" for k, v in request.items()) or "(no order given)"
        where = f"line {order.line} " if order.line is not None else ""
        status = self._status(outcome)
        head = f"{status:<7} {where}{venue} {what}"
        if outcome is None:  # never reported (not expected): the safe reading
            return f"{head}: fate unknown: may have reached the venue"
        attempts = f"{outcome.attempts} attempt{'s' if outcome.attempts != 1 else ''}"
        if status == "UNKNOWN":
            return f"{head}: in flight when interrupted: may have reached the venue ({attempts})"
        if status == "NOTSENT":
            return f"{head}: never sent ({attempts})"
        if outcome.result is not None:
            return f"{head}: {outcome.result.state.value} ({attempts})"
        error = outcome.error
        kind = type(error).__name__
        code = f" (HTTP {error.status_code})" if error is not None and error.status_code else ""
        message = error.message if error is not None else ""
        reached = (
            " (may have reached the venue)"
            if error is not None and error.may_have_reached_venue
            else ""
        )
        return f"{head}: {kind}: {message}{code}{reached} ({attempts})"

    def _as_json(
        self, index: int, order: Order, outcome: CancelOutcome | None
    ) -> dict[str, object]:
        data: dict[str, object] = {"index": index}
        if order.line is not None:
            data["line"] = order.line
        data["request"] = order.request.to_dict()
        if outcome is None:
            data.update(ok=False, done=False, fate="unknown", may_have_reached_venue=True)
            return data
        status = self._status(outcome)
        data.update(ok=outcome.ok, done=status in {"ok", "done"}, fate=outcome.fate.value)
        data["attempts"] = outcome.attempts
        result, error = outcome.result, outcome.error
        if result is not None:
            data.update(
                state=result.state.value,
                venue=result.venue.value,
                order_id=result.order_id,
                client_order_id=result.client_order_id,
                venue_status=result.venue_status,
            )
            if result.confirmed_by is not None:
                data["confirmed_by"] = result.confirmed_by
        if error is not None:
            detail: dict[str, object] = {
                "type": type(error).__name__,
                "message": error.message,
                "status_code": error.status_code,
                "code": error.code,
                "may_have_reached_venue": error.may_have_reached_venue,
            }
            field = getattr(error, "field", None)
            if field is not None:
                detail["field"] = field
            data["error"] = detail
        return data

    # -- the end ----------------------------------------------------------------------------

    def finish(self, *, interrupted: bool) -> int:
        """Print any order not reported yet, the summary (stderr), and return the exit code."""
        for index in range(len(self._orders)):
            if index not in self._printed:
                self._print(index, self._seen.get(index))
        if self._bar is not None:
            self._bar.finish()
        counts = {"ok": 0, "done": 0, "FAILED": 0, "UNKNOWN": 0, "NOTSENT": 0}
        for index in range(len(self._orders)):
            counts[self._status(self._seen.get(index))] += 1
        total, cancelled = len(self._orders), counts["ok"]
        parts = [f"{cancelled} of {total} cancelled"]
        if counts["done"]:
            parts.append(f"{counts['done']} already done or not found (counted as done)")
        parts.append(f"{counts['FAILED']} not")
        if counts["UNKNOWN"]:
            parts.append(f"{counts['UNKNOWN']} in flight (may have reached the venue)")
        if counts["NOTSENT"]:
            parts.append(f"{counts['NOTSENT']} never sent")
        summary = ", ".join(parts)
        if interrupted:
            self._say(f"interrupted: {summary}")
            again = "command" if self._command == "cancel" else "input"
            self._say(
                f"to finish, run the same {again} again with --already-done-ok (orders already"
                " cancelled then count as done)"
            )
        elif self._command != "cancel" or counts["NOTSENT"]:
            self._say(summary)
        return self.exit_code(interrupted=interrupted, counts=counts)

    def exit_code(self, *, interrupted: bool, counts: dict[str, int]) -> int:
        """The exit code of the table ``EXIT_CODES`` for these counts."""
        if interrupted:
            return EXIT_INTERRUPTED
        if any(isinstance(o.error, _SETUP_ERRORS) for o in self._seen.values()):
            return EXIT_USAGE
        if counts["FAILED"] or counts["UNKNOWN"] or counts["NOTSENT"]:
            return EXIT_SOME_FAILED
        return EXIT_OK

    def _say(self, text: str) -> None:
        try:
            self._out.flush()
        except BrokenPipeError:
            self._reader_gone()
        print(f"venuekit {self._command}: {text}", file=self._err, flush=True)
