"""scripts/spec_report.py: exit codes, --json shape, folders, --since, the registry's usage, the make hook."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

from venuekit._spec_usage import OperationUse

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests/data/spec_report"
if str(ROOT / "scripts") not in sys.path:
    sys.path.insert(0, str(ROOT / "scripts"))

from specreport import report_spec_change  # noqa: E402
from specreport._cli import main  # noqa: E402

DERIBIT_OLD, DERIBIT_NEW = DATA / "deribit_old.yaml", DATA / "deribit_new.yaml"
CANCEL_USE = {
    "spec": "deribit",
    "method": "GET",
    "path": "/private/cancel",
    "sends": ["order_id"],
    "reads": ["result.order_state", "result.amount"],
    "relies_on": {"result.order_state": ["cancelled"]},
}
JSON_KEYS = {
    "spec",
    "kind",
    "location",
    "operation",
    "area",
    "subject",
    "old",
    "new",
    "classification",
    "reason",
}


@pytest.fixture
def usage_file(tmp_path: Path) -> Path:
    path = tmp_path / "usage.json"
    path.write_text(json.dumps([CANCEL_USE]), encoding="utf-8")
    return path


@pytest.fixture
def no_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """venuekit._venues absent, as on a branch without the registry."""
    monkeypatch.setitem(sys.modules, "venuekit._venues", None)


def test_identical_specs_exit_0(capsys: pytest.CaptureFixture[str], usage_file: Path) -> None:
    assert main([str(DERIBIT_OLD), str(DERIBIT_OLD), "--usage", str(usage_file)]) == 0
    assert "no changes" in capsys.readouterr().out


def test_only_harmless_or_attention_changes_exit_1(tmp_path: Path, usage_file: Path) -> None:
    new = tmp_path / "deribit.yaml"
    text = DERIBIT_OLD.read_text(encoding="utf-8")
    new.write_text(
        text.replace("enum: [open, filled,", "enum: [open, expired, filled,"), encoding="utf-8"
    )
    assert main([str(DERIBIT_OLD), str(new), "--usage", str(usage_file)]) == 1


def test_something_breaking_exits_2_and_the_text_puts_it_first(
    capsys: pytest.CaptureFixture[str], usage_file: Path
) -> None:
    assert (
        main([str(DERIBIT_OLD), str(DERIBIT_NEW), "--spec", "deribit", "--usage", str(usage_file)])
        == 2
    )
    out = capsys.readouterr().out
    assert out.index("BREAKING (") < out.index("NEEDS ATTENTION (") < out.index("HARMLESS (")
    assert "property-removed: response result.amount" in out
    assert "why: venuekit reads result.amount" in out
    assert "GET /public/get_time: operation-removed" in out


def test_exit_zero_for_make_specs(usage_file: Path) -> None:
    argv = [str(DERIBIT_OLD), str(DERIBIT_NEW), "--usage", str(usage_file), "--exit-zero"]
    assert main(argv) == 0


def test_json_is_a_list_of_changes_with_kind_location_and_classification(
    capsys: pytest.CaptureFixture[str], usage_file: Path
) -> None:
    assert (
        main(
            [
                str(DERIBIT_OLD),
                str(DERIBIT_NEW),
                "--json",
                "--spec",
                "deribit",
                "--usage",
                str(usage_file),
            ]
        )
        == 2
    )
    items = json.loads(capsys.readouterr().out)
    assert isinstance(items, list)
    assert len(items) == 18
    assert all(set(item) == JSON_KEYS for item in items)
    assert {item["spec"] for item in items} == {"deribit"}
    removed = [i for i in items if i["kind"] == "property-removed"]
    assert removed == [
        {
            "spec": "deribit",
            "kind": "property-removed",
            "location": "/paths/~1private~1cancel/get/responses/200/content/application~1json"
            "/schema/properties/result/properties/amount",
            "operation": "GET /private/cancel",
            "area": "response",
            "subject": "result.amount",
            "old": {"type": "number", "required": False},
            "new": None,
            "classification": "breaking",
            "reason": "venuekit reads result.amount",
        }
    ]
    order = ["breaking", "needs-attention", "harmless"]
    ranks = [order.index(i["classification"]) for i in items]
    assert ranks == sorted(ranks)


def test_usage_file_entries_for_other_specs_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "usage.json"
    path.write_text(json.dumps([{**CANCEL_USE, "spec": "coinbase_intx"}]), encoding="utf-8")
    # the same breaking edits, but nothing of spec "deribit" is used: only non-breaking changes
    assert main([str(DERIBIT_OLD), str(DERIBIT_NEW), "--usage", str(path)]) == 1


def test_usage_comes_from_the_venue_registry_by_default(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = types.ModuleType("venuekit._venues")
    use = OperationUse(
        spec="deribit", method="GET", path="/private/cancel", reads={"result.amount"}
    )
    other = OperationUse(spec="coinbase_intx", method="GET", path="/private/cancel_all")
    fake.REGISTRY = {  # type: ignore[attr-defined]
        "deribit": types.SimpleNamespace(operations=(use,)),
        "coinbase_intx": types.SimpleNamespace(operations=(other,)),
    }
    monkeypatch.setitem(sys.modules, "venuekit._venues", fake)
    assert main([str(DERIBIT_OLD), str(DERIBIT_NEW), "--spec", "deribit"]) == 2
    assert "venuekit uses 1 operation of this spec" in capsys.readouterr().out


def test_without_a_registry_it_warns_and_treats_nothing_as_used(
    no_registry: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(DERIBIT_OLD), str(DERIBIT_NEW)]) == 1
    captured = capsys.readouterr()
    assert "no venue registry" in captured.err
    assert "venuekit uses no operation of this spec" in captured.out


def test_folders_compare_same_named_specs_that_differ(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], usage_file: Path
) -> None:
    before, after = tmp_path / "before", tmp_path / "after"
    before.mkdir()
    after.mkdir()
    shutil.copy(DERIBIT_OLD, before / "deribit.yaml")
    shutil.copy(DERIBIT_NEW, after / "deribit.yaml")
    for folder in (before, after):
        shutil.copy(DATA / "coinbase_intx_old.yaml", folder / "coinbase_intx.yaml")
    shutil.copy(DATA / "coinbase_exchange_old.yaml", after / "coinbase_exchange.yaml")
    assert main([str(before), str(after), "--json", "--usage", str(usage_file)]) == 2
    captured = capsys.readouterr()
    assert {item["spec"] for item in json.loads(captured.out)} == {"deribit"}
    assert "coinbase_exchange.yaml is only in NEW" in captured.err


def test_since_compares_the_working_tree_with_a_git_revision(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], usage_file: Path
) -> None:
    git = shutil.which("git")
    assert git is not None, "git is needed by make spec-report"
    repo = tmp_path / "repo"
    (repo / "specs").mkdir(parents=True)
    spec = repo / "specs" / "deribit.yaml"
    shutil.copy(DERIBIT_OLD, spec)
    env = ["-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false"]
    subprocess.run([git, "init", "-q", str(repo)], check=True)
    subprocess.run([git, "-C", str(repo), *env, "add", "."], check=True)
    subprocess.run([git, "-C", str(repo), *env, "commit", "-qm", "spec"], check=True)
    assert main(["--since", "HEAD", str(repo / "specs"), "--usage", str(usage_file)]) == 0
    assert "no spec changed" in capsys.readouterr().out
    shutil.copy(DERIBIT_NEW, spec)
    assert main(["--since", "HEAD", str(repo / "specs"), "--usage", str(usage_file)]) == 2
    assert "spec-report deribit: HEAD:" in capsys.readouterr().out


def test_unreadable_input_exits_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], usage_file: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("not: [an openapi", encoding="utf-8")
    assert main([str(bad), str(DERIBIT_OLD), "--usage", str(usage_file)]) == 3
    assert "bad.yaml: not JSON or YAML" in capsys.readouterr().err
    assert (
        main([str(DERIBIT_OLD), str(DERIBIT_OLD), "--usage", str(tmp_path / "missing.json")]) == 3
    )
    assert "missing.json" in capsys.readouterr().err


def test_the_script_runs_as_a_command() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts/spec_report.py"), str(DERIBIT_OLD), str(DERIBIT_OLD)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "no changes" in result.stdout


def test_make_specs_hook_prints_the_report_and_returns_its_exit_code(no_registry: None) -> None:
    out = io.StringIO()
    code = report_spec_change(
        DERIBIT_OLD.read_text(encoding="utf-8"),
        DERIBIT_NEW.read_text(encoding="utf-8"),
        spec="deribit",
        usage=(
            OperationUse(
                spec="deribit", method="GET", path="/private/cancel", reads={"result.amount"}
            ),
        ),
        stream=out,
    )
    assert code == 2
    assert out.getvalue().startswith("spec-report deribit: before -> after\n")
    out = io.StringIO()
    text = DERIBIT_OLD.read_text(encoding="utf-8")
    assert report_spec_change(text, text, spec="deribit", stream=out) == 0
    assert "no venue registry" in out.getvalue()
