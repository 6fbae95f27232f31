"""The Deribit derivation: received spec -> selection -> pruning -> JSON Patch -> specs/deribit.yaml."""

from __future__ import annotations

import copy
import hashlib
import importlib.util
import json
import shutil
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
UPSTREAM = ROOT / "specs/upstream/deribit"
DERIVE = ROOT / "specs/derive"


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("derive_specs", ROOT / "scripts/derive_specs.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["derive_specs"] = module
    spec.loader.exec_module(module)
    return module


derive_specs = _load_script()

#: The operations venuekit uses (the task's list), as "METHOD /path".
VENUEKIT_OPERATIONS = [
    "GET /private/cancel",
    "GET /private/cancel_by_label",
    "GET /private/cancel_all",
    "GET /private/cancel_all_by_currency",
    "GET /private/cancel_all_by_instrument",
    "GET /public/auth",
    "GET /public/get_time",
]
#: Digests published with the received files (../shared/upstream/README.md, as received).
PUBLISHED_SHA256 = {
    "deribit_openapi.json": "2b5129f68f61859ce0b0ad9e17e13f387ee14f0643c5b0e633790f7ddcde548d",
    "errors.mdx": "c4ade20bc5c69b264b2277227c5d0a1d6b1fbbcbf07fb2e2a5c33641a3eac57d",
}


@pytest.fixture(scope="module")
def received() -> dict[str, Any]:
    return json.loads((UPSTREAM / "deribit_openapi.json").read_bytes())


@pytest.fixture(scope="module")
def selected(received: dict[str, Any]) -> dict[str, Any]:
    selection = yaml.safe_load((DERIVE / "deribit.selection.yaml").read_text(encoding="utf-8"))
    operations = derive_specs.parse_selection(selection, source="selection")
    return derive_specs.prune(derive_specs.select(received, operations))


@pytest.fixture(scope="module")
def patch() -> list[dict[str, Any]]:
    ops = yaml.safe_load((DERIVE / "deribit.patch.yaml").read_text(encoding="utf-8"))
    assert isinstance(ops, list)
    return ops


@pytest.fixture(scope="module")
def derived() -> dict[str, Any]:
    document = yaml.safe_load((ROOT / "specs/deribit.yaml").read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def _operations(document: dict[str, Any]) -> list[str]:
    return [
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method in item
        if method in derive_specs.METHODS
    ]


@pytest.mark.parametrize("name", sorted(PUBLISHED_SHA256))
def test_received_files_are_the_published_bytes(name: str) -> None:
    digest = hashlib.sha256((UPSTREAM / name).read_bytes()).hexdigest()
    assert digest == PUBLISHED_SHA256[name]
    assert f"{digest}  {name}" in (UPSTREAM / "SHA256SUMS").read_text(encoding="utf-8")
    assert digest in (UPSTREAM / "SOURCE.md").read_text(encoding="utf-8")


def test_derivation_reproduces_the_committed_spec_exactly() -> None:
    assert derive_specs.derive("deribit") == (ROOT / "specs/deribit.yaml").read_text(
        encoding="utf-8"
    )


def test_selection_is_exactly_the_operations_venuekit_uses(
    received: dict[str, Any], derived: dict[str, Any]
) -> None:
    assert len(_operations(received)) == 174
    assert sorted(_operations(derived)) == sorted(VENUEKIT_OPERATIONS)


def test_derived_spec_has_no_dangling_ref_no_orphan_and_nothing_ungeneratable(
    derived: dict[str, Any],
) -> None:
    assert derive_specs.problems(derived) == []
    every = {(kind, name) for kind, entries in derived["components"].items() for name in entries}
    assert derive_specs.reachable_components(derived) == every


def test_pruning_keeps_exactly_what_the_selection_reaches(
    received: dict[str, Any], selected: dict[str, Any]
) -> None:
    kept = {(kind, name) for kind, entries in selected["components"].items() for name in entries}
    assert kept == derive_specs.reachable_components(selected)
    assert ("schemas", "order") in kept
    assert ("schemas", "api_key") not in kept  # reachable only from operations left out
    assert "parameters" not in selected["components"]  # none of the seven uses a shared parameter
    for kind, name in kept:  # kept components are the received ones, untouched
        assert selected["components"][kind][name] == received["components"][kind][name]
    assert {k: v for k, v in selected.items() if k not in {"paths", "components"}} == {
        k: v for k, v in received.items() if k not in {"paths", "components"}
    }


def test_selected_spec_has_exactly_the_problems_the_patch_fixes(selected: dict[str, Any]) -> None:
    found = derive_specs.problems(selected)
    assert found[0] == "dangling $ref #/components/schemas/open_order_price"
    bodies = sorted(found[1:])
    assert bodies == sorted(
        f"requestBody without schema at /paths/{op.split(' ')[1].replace('/', '~1')}/get/requestBody"
        " (application/json)"
        for op in VENUEKIT_OPERATIONS
    )


def test_checker_catches_the_other_known_defects_of_the_received_spec(
    received: dict[str, Any],
) -> None:
    found = derive_specs.problems(received)
    assert "array without items at /components/schemas/api_key/properties/ip_whitelist" in found
    assert any(
        p.startswith("enum mixing types at /components/parameters/chart_resolution/schema")
        for p in found
    )


def test_every_patch_op_applies_and_is_commented(patch: list[dict[str, Any]]) -> None:
    text = (DERIVE / "deribit.patch.yaml").read_text(encoding="utf-8")
    blocks = text.split("\n# --- ")[1:]
    assert len(blocks) == 4
    for block in blocks:  # each group of ops is preceded by its reason
        assert block.splitlines()[1].startswith("#")
    assert {op["op"] for op in patch} <= {"add", "remove", "replace", "test"}


def test_no_patch_op_is_redundant(selected: dict[str, Any], patch: list[dict[str, Any]]) -> None:
    full = derive_specs.apply_patch(copy.deepcopy(selected), patch, source="patch")
    for index, op in enumerate(patch):
        if op["op"] == "test":
            continue
        without = patch[:index] + patch[index + 1 :]
        assert derive_specs.apply_patch(copy.deepcopy(selected), without, source="p") != full, op


def test_patch_changes_only_the_places_it_names(
    selected: dict[str, Any], derived: dict[str, Any], patch: list[dict[str, Any]]
) -> None:
    touched = {op["path"].removesuffix("/-") for op in patch if op["op"] != "test"}

    def differences(a: object, b: object, where: str) -> list[str]:
        if isinstance(a, dict) and isinstance(b, dict):
            out = []
            for key in a.keys() | b.keys():
                out.extend(differences(a.get(key), b.get(key), f"{where}/{key.replace('/', '~1')}"))
            return out
        if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            return [
                d
                for i, (x, y) in enumerate(zip(a, b, strict=True))
                for d in differences(x, y, f"{where}/{i}")
            ]
        return [] if a == b else [where]

    changed = differences(selected, derived, "")
    assert changed
    for where in changed:
        assert any(where == t or where.startswith(t + "/") for t in touched), where


def test_public_auth_requires_only_grant_type_and_knows_the_gateway_grant(
    selected: dict[str, Any], derived: dict[str, Any]
) -> None:
    before = selected["paths"]["/public/auth"]["get"]["parameters"]
    after = derived["paths"]["/public/auth"]["get"]["parameters"]
    assert [p["name"] for p in before if p["required"]] == [
        "grant_type",
        "client_id",
        "client_secret",
        "refresh_token",
        "timestamp",
        "signature",
    ]
    assert [p["name"] for p in after if p["required"]] == ["grant_type"]
    assert after[0]["schema"]["enum"][-1] == "coinbase_cdp"
    assert after[-1]["name"] == "token"


def test_open_order_price_is_a_number_or_market_price(derived: dict[str, Any]) -> None:
    price = derived["components"]["schemas"]["open_order_price"]
    assert price["oneOf"][0] == {"type": "number"}
    assert price["oneOf"][1]["enum"] == ["market_price"]


def _workspace(tmp_path: Path) -> tuple[Path, Path]:
    specs = tmp_path / "specs"
    shutil.copytree(UPSTREAM, specs / "upstream/deribit")
    shutil.copytree(DERIVE, specs / "derive")
    return specs, specs / "derive"


def test_tampered_received_copy_is_refused(tmp_path: Path) -> None:
    specs, derive = _workspace(tmp_path)
    received = specs / "upstream/deribit/deribit_openapi.json"
    received.write_bytes(received.read_bytes().replace(b"2.1.1", b"2.1.2", 1))
    with pytest.raises(derive_specs.DeriveError, match=r"does not match .*SHA256SUMS"):
        derive_specs.derive("deribit", derive, specs)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("GET /private/buy_everything", r"not in the received spec: GET /private/buy_everything"),
        ("POST /private/cancel", r"not in the received spec: POST /private/cancel"),
        ("/private/cancel", r"is not 'METHOD /path'"),
        ("GET /private/cancel", r"listed twice"),
    ],
)
def test_bad_selection_entries_are_refused(tmp_path: Path, entry: str, message: str) -> None:
    specs, derive = _workspace(tmp_path)
    selection = derive / "deribit.selection.yaml"
    selection.write_text(selection.read_text(encoding="utf-8") + f"  - {entry}\n", encoding="utf-8")
    with pytest.raises(derive_specs.DeriveError, match=message):
        derive_specs.derive("deribit", derive, specs)


def test_failing_patch_op_is_named(tmp_path: Path) -> None:
    specs, derive = _workspace(tmp_path)
    patch = derive / "deribit.patch.yaml"
    patch.write_text(
        patch.read_text(encoding="utf-8").replace("value: client_secret", "value: other", 1),
        encoding="utf-8",
    )
    with pytest.raises(derive_specs.DeriveError, match=r"op #\d+ .*parameters/2/name"):
        derive_specs.derive("deribit", derive, specs)


def test_selection_reaching_an_unpatched_defect_is_refused(tmp_path: Path) -> None:
    specs, derive = _workspace(tmp_path)
    selection = derive / "deribit.selection.yaml"
    selection.write_text(
        selection.read_text(encoding="utf-8") + "  - GET /public/get_tradingview_chart_data\n",
        encoding="utf-8",
    )
    with pytest.raises(derive_specs.DeriveError, match=r"enum mixing types .*get_tradingview"):
        derive_specs.derive("deribit", derive, specs)


def test_check_mode_reports_a_stale_spec(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    specs, derive = _workspace(tmp_path)
    args = ["--derive", str(derive), "--specs", str(specs), "--out", str(specs)]
    assert derive_specs.main(["--check", *args]) == 1  # nothing written yet
    assert derive_specs.main(args) == 0
    assert derive_specs.main(["--check", *args]) == 0
    out = specs / "deribit.yaml"
    out.write_text(out.read_text(encoding="utf-8").replace("/private/cancel:", "/x:"), "utf-8")
    capsys.readouterr()
    assert derive_specs.main(["--check", *args]) == 1
    assert "+  /private/cancel:" in capsys.readouterr().out
