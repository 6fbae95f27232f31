"""The command line of ``scripts/spec_report.py``."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from venuekit._spec_usage import OperationUse

from . import registry_usage, report
from ._model import Change
from ._render import exit_code, render_json, render_text
from ._resolve import parse_spec

__all__ = ["main"]

_SUFFIXES = (".yaml", ".yml", ".json")

USAGE_FILE_HELP = (
    "JSON list of operations venuekit uses, instead of the venue registry: "
    '[{"spec": "deribit", "method": "GET", "path": "/private/cancel", "sends": ["order_id"], '
    '"reads": ["result.order_state"], "relies_on": {"result.order_state": ["cancelled"]}}]'
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="spec_report.py",
        description="What changed between two versions of a venue's OpenAPI spec, classified for "
        "venuekit. Exit code: 0 no change, 1 only non-breaking changes, 2 something breaks.",
        epilog="examples: spec_report.py old/deribit.yaml specs/deribit.yaml | "
        "spec_report.py before/ specs/ | spec_report.py --since HEAD specs",
    )
    parser.add_argument("old", type=Path, nargs="?", help="old spec file (or folder of specs)")
    parser.add_argument("new", type=Path, nargs="?", help="new spec file (or folder of specs)")
    parser.add_argument(
        "--since", metavar="REV", help="compare PATH (file or folder; OLD's place) with git's REV"
    )
    parser.add_argument("--json", action="store_true", help="a JSON list of changes, for CI")
    parser.add_argument("--spec", help="spec name (file stem) for the usage; default: NEW's stem")
    parser.add_argument("--usage", type=Path, metavar="FILE", help=USAGE_FILE_HELP)
    parser.add_argument(
        "--exit-zero", action="store_true", help="exit 0 whatever changed (for make specs)"
    )
    return parser


def _spec_files(folder: Path) -> dict[str, Path]:
    return {p.name: p for p in sorted(folder.iterdir()) if p.suffix in _SUFFIXES and p.is_file()}


def _pairs(
    args: argparse.Namespace, parser: argparse.ArgumentParser
) -> list[tuple[str, str, str, str, str]]:
    """(spec name, old label, old text, new label, new text) for every pair that differs."""
    out: list[tuple[str, str, str, str, str]] = []
    if args.since is not None:
        if args.new is not None:
            parser.error("--since REV takes one PATH")
        target: Path = args.old if args.old is not None else Path("specs")
        files = list(_spec_files(target).values()) if target.is_dir() else [target]
        for path in files:
            old_text = _git_show(args.since, path)
            new_text = path.read_text(encoding="utf-8")
            if old_text is None:
                print(f"spec-report: {path} is new since {args.since}", file=sys.stderr)
            elif old_text != new_text:
                out.append(
                    (args.spec or path.stem, f"{args.since}:{path}", old_text, str(path), new_text)
                )
        return out
    if args.old is None or args.new is None:
        parser.error("give OLD and NEW, or --since REV [PATH]")
    if args.old.is_dir() and args.new.is_dir():
        old_files, new_files = _spec_files(args.old), _spec_files(args.new)
        for name in sorted(old_files.keys() ^ new_files.keys()):
            side = "NEW" if name in new_files else "OLD"
            print(f"spec-report: {name} is only in {side}; not compared", file=sys.stderr)
        for name in sorted(old_files.keys() & new_files.keys()):
            old_text = old_files[name].read_text(encoding="utf-8")
            new_text = new_files[name].read_text(encoding="utf-8")
            if old_text != new_text:
                out.append(
                    (
                        Path(name).stem,
                        str(old_files[name]),
                        old_text,
                        str(new_files[name]),
                        new_text,
                    )
                )
        return out
    if args.old.is_dir() or args.new.is_dir():
        parser.error("OLD and NEW must both be files or both be folders")
    old_text = args.old.read_text(encoding="utf-8")
    new_text = args.new.read_text(encoding="utf-8")
    out.append((args.spec or args.new.stem, str(args.old), old_text, str(args.new), new_text))
    return out


def _git_show(rev: str, path: Path) -> str | None:
    absolute = path.resolve()
    top = subprocess.run(
        ["git", "-C", str(absolute.parent), "rev-parse", "--show-toplevel"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    relative = absolute.relative_to(Path(top).resolve()).as_posix()
    shown = subprocess.run(
        ["git", "-C", top, "show", f"{rev}:{relative}"], capture_output=True, text=True, check=False
    )
    return shown.stdout if shown.returncode == 0 else None


def _usage_from_file(path: Path, spec: str) -> tuple[OperationUse, ...]:
    entries: Any = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(entries, list):
        raise ValueError(f"{path}: expected a JSON list of operations")
    uses = []
    for entry in entries:
        use = OperationUse(
            spec=entry.get("spec", spec),
            method=entry["method"],
            path=entry["path"],
            sends=entry.get("sends", ()),
            reads=entry.get("reads", ()),
            relies_on=entry.get("relies_on", {}),
        )
        if use.spec == spec:
            uses.append(use)
    return tuple(uses)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the report; see ``--help``.

    Example::

        main(["specs/old.yaml", "specs/deribit.yaml", "--json"])
    """
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        pairs = _pairs(args, parser)
        results: list[tuple[str, list[Change]]] = []
        texts: list[str] = []
        for spec, old_label, old_text, new_label, new_text in pairs:
            if args.usage is not None:
                usage = _usage_from_file(args.usage, spec)
            else:
                usage = registry_usage(spec, warn=sys.stderr)
            changes = report(
                parse_spec(old_text, source=old_label),
                parse_spec(new_text, source=new_label),
                usage=usage,
            )
            results.append((spec, changes))
            texts.append(
                render_text(
                    changes, spec=spec, old_label=old_label, new_label=new_label, used=len(usage)
                )
            )
    except (OSError, ValueError, KeyError, subprocess.CalledProcessError) as exc:
        print(f"spec-report: {exc}", file=sys.stderr)
        return 3
    if args.json:
        sys.stdout.write(render_json(results))
    elif texts:
        sys.stdout.write("\n".join(texts))
    else:
        print("spec-report: no spec changed")
    if args.exit_zero:
        return 0
    return max((exit_code(changes) for _, changes in results), default=0)
