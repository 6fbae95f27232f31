"""Text for people (grouped by classification, breaking first, then by operation) and JSON for CI."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from ._model import Change, Classification, Kind

__all__ = ["exit_code", "render_json", "render_text"]

_TITLES = {
    Classification.BREAKING: "BREAKING",
    Classification.ATTENTION: "NEEDS ATTENTION",
    Classification.HARMLESS: "HARMLESS",
}
_VALUE_CHARS = 100
_WHOLE_OPERATION = frozenset({Kind.OPERATION_ADDED, Kind.OPERATION_REMOVED})


def exit_code(changes: Iterable[Change]) -> int:
    """0 when nothing changed, 1 when nothing breaks, 2 when something breaks.

    Example::

        sys.exit(exit_code(changes))
    """
    found = [c.classification for c in changes]
    if not found:
        return 0
    return 2 if Classification.BREAKING in found else 1


def _value(value: Any) -> str:
    if value is None:
        return "-"
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= _VALUE_CHARS else text[: _VALUE_CHARS - 3] + "..."


def _counts(changes: Sequence[Change]) -> str:
    return ", ".join(
        f"{sum(1 for c in changes if c.classification is cls)} {cls.value}"
        for cls in Classification
    )


def _place(change: Change) -> str:
    if change.subject:
        return f"{change.area} {change.subject}"
    tokens = change.location.split("/")
    if change.operation is not None and len(tokens) > 4:  # below /paths/<path>/<method>
        inner = "/".join(t.replace("~1", "/").replace("~0", "~") for t in tokens[4:])
        return inner
    return change.location


def render_text(
    changes: Sequence[Change], *, spec: str, old_label: str, new_label: str, used: int
) -> str:
    """The report for people: a header, counts, then each classification's changes by operation.

    Example::

        print(render_text(changes, spec="deribit", old_label="a.json", new_label="b.yaml", used=3))
    """
    lines = [f"spec-report {spec}: {old_label} -> {new_label}"]
    lines.append(
        f"venuekit uses {used} operation{'s' if used != 1 else ''} of this spec"
        if used
        else "venuekit uses no operation of this spec: nothing can break"
    )
    if not changes:
        lines.append("no changes")
        return "\n".join(lines) + "\n"
    lines.append(_counts(changes))
    for cls in Classification:
        group = [c for c in changes if c.classification is cls]
        if not group:
            continue
        lines.append("")
        lines.append(f"{_TITLES[cls]} ({len(group)})")
        current: object = object()
        for change in group:
            if change.kind in _WHOLE_OPERATION:
                current = object()
                lines.append(f"  {change.operation}: {change.kind}")
                if change.reason and cls is not Classification.HARMLESS:
                    lines.append(f"      why: {change.reason}")
                continue
            if change.operation != current:
                current = change.operation
                lines.append(f"  {change.operation or '(whole spec)'}")
            line = (
                f"    {change.kind}: {_place(change)}: {_value(change.old)} -> {_value(change.new)}"
            )
            lines.append(line)
            if change.reason and cls is not Classification.HARMLESS:
                lines.append(f"      why: {change.reason}")
    return "\n".join(lines) + "\n"


def render_json(reports: Iterable[tuple[str, Sequence[Change]]]) -> str:
    """The ``--json`` output: one list of change objects over every compared spec.

    Example::

        print(render_json([("deribit", changes)]))
    """
    items = [change.to_json(spec=spec) for spec, changes in reports for change in changes]
    return json.dumps(items, indent=2, sort_keys=False, ensure_ascii=False) + "\n"
