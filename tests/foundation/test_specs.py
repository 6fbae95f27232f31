"""The spec extractor: seed pages reproduce specs/ exactly, and bad pages are refused clearly."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load_extractor() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "extract_specs", ROOT / "scripts/extract_specs.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["extract_specs"] = module
    spec.loader.exec_module(module)
    return module


extract_specs = _load_extractor()

PAGE = """# Cancel

prose

````yaml DELETE /things/{{id}}
openapi: 3.0.1
info: {{title: T, version: '1'}}
paths:
  /things/{{id}}:
    delete:
      operationId: cancel{suffix}
      parameters:
        - {{name: id, in: path, required: true, schema: {{type: string}}}}
      responses:
        '200': {{description: ok}}
components:
  schemas:
    Shared:
      type: {shared_type}
````
"""


def _page(*, path: str = "/things/{id}", suffix: str = "", shared_type: str = "string") -> str:
    text = PAGE.format(suffix=suffix, shared_type=shared_type)
    return text.replace("/things/{id}", path)


@pytest.mark.parametrize("venue", ["coinbase_exchange", "coinbase_intx"])
def test_pages_reproduce_committed_specs_exactly(venue: str) -> None:
    built = extract_specs.build_venue(ROOT / "specs/pages" / venue)
    assert built == (ROOT / "specs" / f"{venue}.yaml").read_text(encoding="utf-8")


def test_every_venue_folder_has_a_committed_spec() -> None:
    assert set(extract_specs.build_all()) == {"coinbase_exchange.yaml", "coinbase_intx.yaml"}


def test_extracted_operation_matches_the_block_header() -> None:
    text = (ROOT / "specs/pages/coinbase_intx/cancel-order.md").read_text(encoding="utf-8")
    method, path, document = extract_specs.extract_block(text, source="cancel-order.md")
    assert (method, path) == ("DELETE", "/api/v1/orders/{id}")
    assert document["paths"][path]["delete"]["operationId"] == "cancelOrder"


def test_page_without_block_is_refused_with_a_clear_message() -> None:
    with pytest.raises(extract_specs.SpecError, match=r"page\.md: no OpenAPI block found"):
        extract_specs.extract_block("# Title\n\n```yaml\na: 1\n```\n", source="page.md")


def test_page_with_two_blocks_is_refused_and_names_both() -> None:
    text = _page() + "\n" + _page(path="/other/{id}")
    with pytest.raises(
        extract_specs.SpecError, match=r"2 OpenAPI blocks found .*/things/.*/other/"
    ):
        extract_specs.extract_block(text, source="page.md")


def test_unclosed_block_is_refused() -> None:
    text = _page().rsplit("````", 1)[0]
    with pytest.raises(extract_specs.SpecError, match="never closed"):
        extract_specs.extract_block(text, source="page.md")


def test_header_that_disagrees_with_the_document_is_refused() -> None:
    text = _page().replace("````yaml DELETE", "````yaml GET")
    with pytest.raises(extract_specs.SpecError, match="says GET /things"):
        extract_specs.extract_block(text, source="page.md")


def test_identical_components_merge_and_paths_are_sorted(tmp_path: Path) -> None:
    venue = tmp_path / "venue"
    venue.mkdir()
    (venue / "b.md").write_text(_page(path="/alpha/{id}", suffix="A"), encoding="utf-8")
    (venue / "a.md").write_text(_page(path="/zeta/{id}", suffix="Z"), encoding="utf-8")
    text = extract_specs.build_venue(venue)
    assert text.index("/alpha/{id}:") < text.index("/zeta/{id}:")
    assert text.count("Shared:") == 1
    assert extract_specs.build_venue(venue) == text


def test_conflicting_component_names_both_pages(tmp_path: Path) -> None:
    venue = tmp_path / "venue"
    venue.mkdir()
    (venue / "one.md").write_text(_page(path="/a/{id}", suffix="A"), encoding="utf-8")
    (venue / "two.md").write_text(
        _page(path="/b/{id}", suffix="B", shared_type="integer"), encoding="utf-8"
    )
    with pytest.raises(
        extract_specs.SpecError, match=r"'components/schemas/Shared' .* one\.md and two\.md"
    ):
        extract_specs.build_venue(venue)


def test_check_mode_reports_stale_spec(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pages = tmp_path / "pages" / "venue"
    pages.mkdir(parents=True)
    (pages / "p.md").write_text(_page(), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    assert extract_specs.main(["--pages", str(tmp_path / "pages"), "--out", str(out)]) == 0
    assert (
        extract_specs.main(["--check", "--pages", str(tmp_path / "pages"), "--out", str(out)]) == 0
    )
    (out / "venue.yaml").write_text("stale\n", encoding="utf-8")
    assert (
        extract_specs.main(["--check", "--pages", str(tmp_path / "pages"), "--out", str(out)]) == 1
    )
    assert "+openapi: 3.0.1" in capsys.readouterr().out
