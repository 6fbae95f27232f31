"""Issue 14's must-show: the report, run on Deribit's received spec against the derived one,
lists the patch step's fixes and the operations the selection leaves out, and nothing else.

The received spec is kept in the repo (specs/upstream/deribit/, sha256 checked by
test_derive_specs.py); the selection and the patch are specs/derive/deribit.*.yaml.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "scripts") not in sys.path:
    sys.path.insert(0, str(ROOT / "scripts"))

from specreport import Kind, load_spec, report  # noqa: E402

from venuekit._spec_usage import usage_for  # noqa: E402

RECEIVED = ROOT / "specs" / "upstream" / "deribit" / "deribit_openapi.json"
DERIVED = ROOT / "specs" / "deribit.yaml"
SELECTION = ROOT / "specs" / "derive" / "deribit.selection.yaml"
PATCH = ROOT / "specs" / "derive" / "deribit.patch.yaml"


def _changes() -> list[object]:
    return report(load_spec(RECEIVED), load_spec(DERIVED), usage=usage_for("deribit"))


def test_the_operations_left_out_are_exactly_those_the_selection_does_not_keep() -> None:
    received = load_spec(RECEIVED)
    every = {f"{m.upper()} {p}" for p, item in received["paths"].items() for m in item}
    kept = set(yaml.safe_load(SELECTION.read_text())["operations"])
    removed = {
        c.operation  # type: ignore[attr-defined]
        for c in _changes()
        if c.kind is Kind.OPERATION_REMOVED  # type: ignore[attr-defined]
    }
    assert removed == every - kept
    assert len(removed) == len(every) - 7


def test_every_other_change_is_one_of_the_patch_fixes() -> None:
    patch = yaml.safe_load(PATCH.read_text())
    patched = {op["path"] for op in patch if op["op"] != "test"}
    others = [c for c in _changes() if c.kind is not Kind.OPERATION_REMOVED]  # type: ignore[attr-defined]
    assert others
    for change in others:
        # Each remaining change sits under a path the patch edits (its JSON pointer prefix).
        path = change.location  # type: ignore[attr-defined]
        operation = path.split("/")[2].replace("~1", "/")
        assert any(operation in p.replace("~1", "/") for p in patched), change
    kinds = {c.kind for c in others}  # type: ignore[attr-defined]
    assert kinds <= {
        Kind.REQUEST_BODY_REMOVED,  # the schema-less request bodies of the GETs
        Kind.UNRESOLVED_REF,  # the dangling open_order_price, now defined
        Kind.PARAMETER_REQUIRED,  # public/auth: only grant_type stays required
        Kind.PARAMETER_ADDED,  # public/auth: the gateway's token
        Kind.ENUM_VALUE_ADDED,  # public/auth: grant_type coinbase_cdp
    }
    body_fixes = [c for c in others if c.kind is Kind.REQUEST_BODY_REMOVED]  # type: ignore[attr-defined]
    assert len(body_fixes) == 7  # one per selected GET
