"""`make demo` (scripts/demo.py) runs as the README says: real HTTP to the local sandbox."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_demo_cancels_on_every_venue_and_shows_the_rejects(
    capsys: pytest.CaptureFixture[str],
) -> None:
    spec = importlib.util.spec_from_file_location("demo", ROOT / "scripts" / "demo.py")
    assert spec is not None
    assert spec.loader is not None
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)

    assert demo.main() == 0
    out = capsys.readouterr().out
    assert re.search(r"local sandbox of every venue at http://127\.0\.0\.1:\d+", out)
    for venue in ("coinbase_exchange", "coinbase_intx", "loopring", "deribit "):
        rows = [line for line in out.splitlines() if line.startswith(venue)][:3]
        assert [row.split()[1:3] for row in rows] == [
            ["cancel", "open"],
            ["cancel", "it"],
            ["cancel", "unknown"],
        ]
        assert "CANCELLED" in rows[0]
        assert "OrderAlreadyDone" in rows[1]
        assert "OrderNotFound" in rows[2]
    # Deribit: by label (a label may match several orders), and through the Coinbase gateway
    # with both kinds of CDP key.
    (by_label,) = [line for line in out.splitlines() if "cancel by label" in line]
    assert re.search(r"\b[1-9]\d* CANCELLED\s+cancel_by_label", by_label)
    for key in ("Ed25519", "ES256"):
        (row,) = [line for line in out.splitlines() if line.startswith(f"deribit via CDP {key}")]
        assert "CANCELLED" in row
    assert "6 single orders cancelled on 4 venues" in out
    assert "sandbox-" not in out  # the sandbox's API keys are not printed by the demo
    assert "sandboxDrbt" not in out
