"""A typed change report between two versions of a venue's OpenAPI spec, classified for venuekit.

``report(old, new, usage=...)`` compares two parsed documents after resolving ``$ref``s and returns
``Change`` values, breaking first; ``render_text``/``render_json`` format them and ``exit_code``
turns them into 0 (no change), 1 (nothing breaks) or 2 (something breaks). The command line is
``scripts/spec_report.py``; ``report_spec_change`` is the hook for ``make specs``.

Example::

    from specreport import load_spec, report
    changes = report(load_spec(old_path), load_spec(new_path), usage=usage_for("deribit"))
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from typing import Any, TextIO

from venuekit._spec_usage import OperationUse

from ._classify import classify
from ._compare import compare_documents
from ._model import Area, Change, Classification, Kind
from ._render import exit_code, render_json, render_text
from ._resolve import load_spec, parse_spec

__all__ = [
    "Area",
    "Change",
    "Classification",
    "Kind",
    "exit_code",
    "load_spec",
    "parse_spec",
    "registry_usage",
    "render_json",
    "render_text",
    "report",
    "report_spec_change",
]


def report(
    old: Mapping[str, Any], new: Mapping[str, Any], *, usage: Iterable[OperationUse]
) -> list[Change]:
    """Every change from ``old`` to ``new``, classified for ``usage``, breaking first.

    Example::

        changes = report(old_doc, new_doc, usage=(OperationUse(spec="deribit", method="GET",
                                                               path="/private/cancel"),))
    """
    changes = classify(compare_documents(old, new), usage)
    return sorted(changes, key=lambda c: c.classification.rank)  # stable: walk order kept


def report_spec_change(
    old_text: str,
    new_text: str,
    *,
    spec: str,
    usage: Iterable[OperationUse] | None = None,
    stream: TextIO | None = None,
) -> int:
    """Print the text report between two versions of one venue's spec; return its exit code.

    Meant for the step that rewrites ``specs/<spec>.yaml`` (``make specs``): call it with the
    file's text before and after. ``usage`` defaults to the venue registry's
    (``venuekit._spec_usage.usage_for(spec)``); without a registry it says so and classifies as
    if nothing were used.

    Example::

        report_spec_change(current_text, new_text, spec="deribit")
    """
    out = stream if stream is not None else sys.stdout
    if usage is None:
        usage = registry_usage(spec, warn=out)
    used = tuple(usage)
    changes = report(
        parse_spec(old_text, source=f"{spec} (before)"), parse_spec(new_text), usage=used
    )
    out.write(
        render_text(changes, spec=spec, old_label="before", new_label="after", used=len(used))
    )
    return exit_code(changes)


def registry_usage(spec: str, *, warn: TextIO) -> tuple[OperationUse, ...]:
    """``usage_for(spec)``, or ``()`` with a warning when venuekit has no venue registry yet.

    Example::

        uses = registry_usage("deribit", warn=sys.stderr)
    """
    from venuekit._spec_usage import usage_for

    try:
        return usage_for(spec)
    except ImportError:
        warn.write(
            "spec-report: venuekit has no venue registry (venuekit._venues); "
            "every change is classified as if venuekit used nothing\n"
        )
        return ()
