"""Reading orders strictly: a CSV or JSON-lines input becomes orders, or nothing is sent.

Every problem is found before the first cancel and reported with its input line number: an
unreadable file, a malformed CSV line (an unterminated or stray quote, a value spanning lines,
too many or too few values), a missing or unknown header column, a line that is not a JSON
object, an unknown venue, a field the row's venue does not take, or a row its venue refuses
(``VenueSpec.cancel.prepare``: a missing or doubled id, a bad value). An input without any
order is a usage error too. Venues and their fields come from ``venuekit._venues.REGISTRY``.

Example::

    orders = read_orders(text, fmt="csv", credentials={})
    orders[0].line      # 2: the first row after the header
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs

from venuekit import errors
from venuekit._venues import REGISTRY, spec_for
from venuekit._venues._request import ALL_FIELDS, CancelRequest

__all__ = [
    "MAX_PROBLEMS_SHOWN",
    "InputError",
    "Order",
    "Problem",
    "check_order",
    "detect_format",
    "read_orders",
    "read_text",
]

#: Problems listed in one usage error before "... and N more" (a whole bad file stays readable).
MAX_PROBLEMS_SHOWN = 20

#: The header names a CSV may use: ``venue`` and every field of every venue (``-`` for ``_``).
_COLUMNS = ("venue", *ALL_FIELDS)


@attrs.frozen
class Order:
    """One order to cancel and where it came from (``line``: 1-based input line, or ``None``)."""

    request: CancelRequest
    line: int | None


@attrs.frozen
class Problem:
    """One reason the input is refused: its line (``None``: the input as a whole) and why."""

    line: int | None
    message: str

    def __str__(self) -> str:
        return self.message if self.line is None else f"line {self.line}: {self.message}"


class InputError(Exception):
    """The input cannot be read as orders: a usage error, and nothing is sent."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems)
        self.problems = problems

    def __str__(self) -> str:
        shown = [str(p) for p in self.problems[:MAX_PROBLEMS_SHOWN]]
        more = len(self.problems) - len(shown)
        if more:
            shown.append(f"... and {more} more")
        return "\n".join(shown)


def _fail(line: int | None, message: str) -> InputError:
    return InputError([Problem(line, message)])


def read_text(path: str) -> str:
    """The text of ``path`` (``-``: standard input), UTF-8 (a BOM is dropped), strictly decoded."""
    try:
        data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise _fail(None, f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _fail(line, f"not UTF-8 (byte {data[exc.start]:#04x})") from None


def detect_format(path: str, text: str, chosen: str) -> str:
    """``csv`` or ``jsonl``: ``chosen`` unless ``auto``, else by extension, else by content."""
    if chosen != "auto":
        return chosen
    suffix = Path(path).suffix.lower() if path != "-" else ""
    if suffix == ".csv":
        return "csv"
    if suffix in {".jsonl", ".ndjson", ".json"}:
        return "jsonl"
    return "jsonl" if text.lstrip().startswith("{") else "csv"


def _control(value: str) -> bool:
    return any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in value)


def _csv_rows(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, row) for each CSV record after the header; ``InputError`` at the first bad line."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    end = 0  # the last line consumed so far
    while True:
        start = end + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            if reader.line_num > start or "end of data" in str(exc):
                raise _fail(start, "unterminated quote: a quoted value runs to the end") from None
            raise _fail(start, f"malformed CSV ({exc})") from None
        end = reader.line_num
        if end > start:
            raise _fail(start, f"a quoted value spans lines {start}-{end} (a missing quote?)")
        if not record or all(not value.strip() for value in record):
            continue  # a blank line
        for value in record:
            if '"' in value or _control(value):
                raise _fail(start, f"malformed value {value[:40]!r} (a stray quote?)")
        if header is None:
            header = _check_header(start, record)
            continue
        if len(record) != len(header):
            raise _fail(start, f"{len(record)} values for {len(header)} header columns")
        yield start, dict(zip(header, record, strict=True))
    if header is None:
        raise _fail(None, "no header row and no orders: the input is empty")


def _check_header(line: int, record: list[str]) -> list[str]:
    names = [value.strip().lower().replace("-", "_") for value in record]
    if "venue" not in names and all(name in _COLUMNS for name in names):
        raise _fail(line, "the header has no venue column")
    if "venue" not in names:
        shown = ",".join(record)[:60]
        raise _fail(
            line,
            f"no header row (got {shown!r}): the first line names the columns: venue and"
            f" the venues' fields ({', '.join(ALL_FIELDS)})",
        )
    unknown = [value for value, name in zip(record, names, strict=True) if name not in _COLUMNS]
    if unknown:
        raise _fail(line, f"unknown column {unknown[0]!r}; use {', '.join(_COLUMNS)}")
    doubled = sorted({name for name in names if names.count(name) > 1})
    if doubled:
        raise _fail(line, f"column {doubled[0]!r} appears twice")
    return names


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    doubled = sorted({key for key in keys if keys.count(key) > 1})
    if doubled:
        raise ValueError(f"key {doubled[0]!r} appears twice")
    return dict(pairs)


def _json_rows(text: str) -> Iterator[tuple[int, Mapping[str, Any]]]:
    for line, content in enumerate(text.splitlines(), start=1):
        if not content.strip():
            continue
        try:
            row = json.loads(content, object_pairs_hook=_no_duplicates)
        except ValueError as exc:
            raise _fail(line, f"not JSON ({exc})") from None
        if not isinstance(row, dict):
            raise _fail(line, f"expected a JSON object, got a JSON {type(row).__name__}")
        yield line, row


def check_order(
    row: Mapping[str, object], *, line: int | None, credentials: Mapping[str, object]
) -> Order:
    """The order ``row`` describes, checked like the venue checks it; ``InputError`` otherwise.

    ``credentials`` (venue value -> credentials) lets the venue's ``prepare`` fill defaults
    (e.g. an account from the key); a venue without credentials gets only the field checks, and
    its orders fail later as ``VenueNotConfigured``.

    Example: ``check_order({"venue": venue, "order_id": "1f6d..."}, line=2, credentials={})``
    """
    try:
        request = CancelRequest.from_mapping(row)
        spec = spec_for(request.venue)
        arguments = request.arguments()
        foreign = [name for name in arguments if name not in spec.fields]
        if foreign:
            raise errors.InvalidRequest(
                f"{spec.venue.value} does not take {foreign[0]}; it takes {', '.join(spec.fields)}",
                field=foreign[0],
            )
        for name, value in arguments.items():
            if isinstance(value, str) and _control(value):
                raise errors.InvalidRequest(f"{name} holds a control character", field=name)
        given = credentials.get(spec.venue.value)
        if given is not None:
            spec.cancel.prepare(arguments, given)
    except errors.InvalidRequest as exc:
        raise _fail(line, exc.message) from None
    return Order(request=request, line=line)


def read_orders(text: str, *, fmt: str, credentials: Mapping[str, object]) -> list[Order]:
    """Every order of ``text`` (``csv`` or ``jsonl``), or ``InputError`` listing every problem.

    A malformed line stops the reading (what follows it cannot be trusted); rows that read
    but are refused are all listed. No orders at all is an error too.

    Example: ``read_orders(text, fmt="jsonl", credentials={})``
    """
    rows = _csv_rows(text) if fmt == "csv" else _json_rows(text)
    orders: list[Order] = []
    problems: list[Problem] = []
    try:
        for line, row in rows:
            try:
                orders.append(check_order(row, line=line, credentials=credentials))
            except InputError as exc:
                problems.extend(exc.problems)
    except InputError as exc:  # a malformed line: the rest is not read
        problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    if not orders:
        venues = ", ".join(v.value for v in REGISTRY)
        raise _fail(None, f"no orders in the input (one row per order: venue = {venues} ...)")
    return orders
