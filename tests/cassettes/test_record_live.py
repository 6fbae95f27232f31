"""``make record-live`` for Deribit: its code path run against the local sandbox, and its skips.

The real run needs a testnet key and cannot happen here; pointing ``VENUEKIT_DERIBIT_BASE_URL``
at the sandbox runs exactly the same code (same calls, same recorder, same scrubbing) into a
temporary directory.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest
import yaml
from cassette_recorder import credential_values

from venuekit._venues import spec_for
from venuekit.sandbox import DEFAULT_CREDENTIALS, SandboxConfig, run_in_thread

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "record_cassettes.py"


@pytest.fixture(scope="module")
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("record_cassettes_under_test", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_live_deribit_default_is_the_testnet() -> None:
    assert spec_for("deribit").sandbox_base_url == "https://test.deribit.com/api/v2"


def test_live_deribit_records_each_outcome_scrubbed(
    script: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = DEFAULT_CREDENTIALS.deribit
    with run_in_thread(config=SandboxConfig(seed=5)) as sandbox:
        order = sandbox.state.deribit.orders(user_id=key.user_id)[0]
        environ = {
            "VENUEKIT_DERIBIT_CLIENT_ID": key.client_id,
            "VENUEKIT_DERIBIT_CLIENT_SECRET": key.client_secret,
            "VENUEKIT_LIVE_DERIBIT_ORDER": json.dumps({"order_id": order.order_id}),
            "VENUEKIT_DERIBIT_BASE_URL": sandbox.deribit_url,
        }
        assert script.record_live_deribit(environ, library=tmp_path) == 6
        cancelled = sandbox.state.deribit.get(order.order_id)
        assert cancelled is not None
        assert cancelled.order_state == "cancelled"
        untouched = sandbox.state.deribit.orders(user_id=key.user_id)[1:]
        assert all(o.order_state != "cancelled" for o in untouched), "nothing else cancelled"
    printed = capsys.readouterr().out.splitlines()
    assert printed == [
        "deribit success: CANCELLED (venue status cancelled)",
        "deribit already_done: OrderAlreadyDone: deribit: not_open_order (HTTP 400, code 11044)",
        "deribit not_found: OrderNotFound: deribit: order_not_found (HTTP 400, code 10004)",
        "deribit bad_credentials: AuthenticationError: deribit: unauthorized: bad signature"
        " (HTTP 400, code 13009)",
        "deribit invalid_params: VenueRejectedRequest: deribit: Invalid params: invalid currency"
        " (HTTP 400, code -32602)",
        "deribit cancel_by_label: cancel_by_label: 0 cancelled",
    ]
    written = sorted(p.name for p in (tmp_path / "deribit" / "deribit_hmac").iterdir())
    assert written == sorted(
        f"{name}.yaml"
        for name in (
            "success",
            "already_done",
            "not_found",
            "bad_credentials",
            "invalid_params",
            "cancel_by_label",
        )
    )
    for path in (tmp_path / "deribit" / "deribit_hmac").iterdir():
        text = path.read_text(encoding="utf-8")
        assert "sig=" not in text
        for secret in credential_values():
            assert secret not in text
        (exchange,) = yaml.safe_load(text)["interactions"]
        assert exchange["request"]["headers"]["authorization"] == ["deri-hmac-sha256 REDACTED"]


def test_live_without_deribit_variables_skips_deribit(
    script: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    assert script.record_live_deribit({}) == 0
    assert script.record_live_deribit({"VENUEKIT_DERIBIT_CLIENT_ID": "id"}) == 0
    assert script.record_live({}) == 1  # nothing recorded anywhere: no network, no traceback
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == (
        "deribit: skipped (needs VENUEKIT_DERIBIT_CLIENT_ID, VENUEKIT_DERIBIT_CLIENT_SECRET,"
        " VENUEKIT_LIVE_DERIBIT_ORDER)"
    )
    assert printed[1] == (
        "deribit: skipped (needs VENUEKIT_DERIBIT_CLIENT_SECRET, VENUEKIT_LIVE_DERIBIT_ORDER)"
    )
    assert printed[-2:] == [
        printed[0],
        "nothing recorded: no venue has credentials and an open order in the environment",
    ]


def test_live_deribit_refuses_a_malformed_order_variable(
    script: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    environ = {
        "VENUEKIT_DERIBIT_CLIENT_ID": "id",
        "VENUEKIT_DERIBIT_CLIENT_SECRET": "secret",
        "VENUEKIT_LIVE_DERIBIT_ORDER": "ETH-349249",  # not JSON
    }
    assert script.record_live_deribit(environ) == -1
    environ["VENUEKIT_LIVE_DERIBIT_ORDER"] = '{"order_id": 349249}'  # JSON, but not an id
    assert script.record_live_deribit(environ) == -1
    assert capsys.readouterr().out.count("must be JSON") == 2


def test_live_deribit_deletes_a_cassette_that_would_hold_a_wire_secret(
    script: ModuleType,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The safety net behind the scrubber: with scrubbing switched off, nothing stays on disk."""
    import vcr

    def unscrubbed(*, record: bool, library: Path) -> vcr.VCR:
        return vcr.VCR(cassette_library_dir=str(library), record_mode="all")

    monkeypatch.setattr(script, "cassette_vcr", unscrubbed)
    key = DEFAULT_CREDENTIALS.deribit
    with run_in_thread(config=SandboxConfig(seed=5)) as sandbox:
        order = sandbox.state.deribit.orders(user_id=key.user_id)[0]
        environ = {
            "VENUEKIT_DERIBIT_CLIENT_ID": key.client_id,
            "VENUEKIT_DERIBIT_CLIENT_SECRET": key.client_secret,
            "VENUEKIT_LIVE_DERIBIT_ORDER": json.dumps({"order_id": order.order_id}),
            "VENUEKIT_DERIBIT_BASE_URL": sandbox.deribit_url,
        }
        assert script.record_live_deribit(environ, library=tmp_path) == -1
    assert not list(tmp_path.rglob("*.yaml"))
    assert capsys.readouterr().out.splitlines()[-1] == (
        "deribit success: a secret sent on the wire reached deribit/deribit_hmac/success.yaml;"
        " deleted"
    )
