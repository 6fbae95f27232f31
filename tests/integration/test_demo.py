"""`make demo` (scripts/demo.py) runs as the README says: real HTTP to the local sandbox."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_demo_cancels_on_all_three_venues_and_shows_the_rejects(
    capsys: pytest.CaptureFixture[str],
) -> None:
    spec = importlib.util.spec_from_file_location("demo", ROOT / "scripts" / "demo.py")
    assert spec is not None
    assert spec.loader is not None
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)

    assert demo.main() == 0
    out = capsys.readouterr().out
    assert re.search(r"local sandbox of all three venues at http://127\.0\.0\.1:\d+", out)
    for venue in ("coinbase_exchange", "coinbase_intx", "loopring"):
        rows = [line for line in out.splitlines() if line.startswith(venue)]
        assert [row.split()[1:3] for row in rows] == [
            ["cancel", "open"],
            ["cancel", "it"],
            ["cancel", "unknown"],
        ]
        assert "CANCELLED" in rows[0]
        assert "OrderAlreadyDone" in rows[1]
        assert "OrderNotFound" in rows[2]
    assert "3 orders cancelled on 3 venues" in out
    assert "sandbox-" not in out  # the sandbox's API keys are not printed by the demo
