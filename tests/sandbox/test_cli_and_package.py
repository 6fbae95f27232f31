"""The ``venuekit sandbox`` subcommand and the shape of the ``venuekit.sandbox`` package."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import venuekit.sandbox
from venuekit import _cli
from venuekit.sandbox import (
    DEFAULT_CREDENTIALS,
    Faults,
    RunningSandbox,
    SandboxConfig,
    create_app,
)
from venuekit.sandbox._http import dump_json

ROOT = Path(__file__).resolve().parents[2]


def test_sandbox_subcommand_prints_credentials_and_orders(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: dict[str, Any] = {}

    def fake_serve(**kwargs: Any) -> None:
        seen.update(kwargs)
        app = create_app(kwargs["config"])
        kwargs["on_ready"](RunningSandbox(app=app, host=kwargs["host"], port=48123))
        raise KeyboardInterrupt  # Ctrl-C

    monkeypatch.setattr(venuekit.sandbox, "serve", fake_serve)
    assert _cli.main(["sandbox", "--port", "0", "--seed", "9"]) == 0
    assert (seen["host"], seen["port"], seen["config"].seed) == ("127.0.0.1", 0, 9)

    out = capsys.readouterr().out
    assert "http://127.0.0.1:48123" in out
    assert "SANDBOX-ONLY FAKE CREDENTIALS" in out
    for value in (
        DEFAULT_CREDENTIALS.exchange.api_key,
        DEFAULT_CREDENTIALS.exchange.api_secret,
        DEFAULT_CREDENTIALS.intx.passphrase,
        DEFAULT_CREDENTIALS.loopring.eddsa_private_key,
    ):
        assert value in out
    app = create_app(SandboxConfig(seed=9))
    assert all(o.id in out for o in app.state.exchange_orders())
    assert all(str(o.order_id) in out for o in app.state.intx_orders())
    assert all(o.hash in out for o in app.state.loopring_orders())


def test_cli_requires_a_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        _cli.main([])
    assert exit_info.value.code == 2
    assert "sandbox" in _cli.build_parser().format_help()
    capsys.readouterr()


def test_public_surface() -> None:
    assert sorted(venuekit.sandbox.__all__) == sorted(
        [
            "DEFAULT_CREDENTIALS",
            "DERIBIT_INSTRUMENTS",
            "INTX_INSTRUMENTS",
            "IN_PROCESS_URL",
            "AsyncSandboxTransport",
            "CancelOutcome",
            "CdpAccount",
            "CdpKey",
            "ConnectionDropped",
            "DeribitAccount",
            "DeribitBook",
            "DeribitInstrument",
            "DeribitOrder",
            "ExchangeAccount",
            "ExchangeOrder",
            "Fate",
            "Faults",
            "IntxAccount",
            "IntxInstrument",
            "IntxOrder",
            "JournaledState",
            "LoopringAccount",
            "LoopringOrder",
            "RateLimit",
            "RunningSandbox",
            "SandboxApp",
            "SandboxConfig",
            "SandboxCredentials",
            "SandboxState",
            "ServerLimits",
            "SyncSandboxTransport",
            "banner_lines",
            "create_app",
            "export_lines",
            "parse_faults",
            "read_journal",
            "run_in_thread",
            "serve",
            "serve_with_exports",
            "sync_transport",
            "transport",
        ]
    )


def test_import_does_not_need_uvicorn() -> None:
    code = "import sys, venuekit.sandbox; assert 'uvicorn' not in sys.modules"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "wrapper"), str(ROOT / "generated")]),
    }
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=60)


def test_default_credentials_are_obviously_fake() -> None:
    creds = DEFAULT_CREDENTIALS
    for key in (creds.exchange.api_key, creds.intx.api_key, creds.loopring.api_key):
        assert "sandbox" in key.lower()
    assert "api_secret" not in repr(creds)  # secrets stay out of reprs like the SDK's own


def test_same_seed_same_orders() -> None:
    first, second = create_app(SandboxConfig(seed=4)), create_app(SandboxConfig(seed=4))
    assert [o.id for o in first.state.exchange_orders()] == [
        o.id for o in second.state.exchange_orders()
    ]
    assert [o.order_id for o in first.state.intx_orders()] == [
        o.order_id for o in second.state.intx_orders()
    ]
    other = create_app(SandboxConfig(seed=5))
    assert first.state.loopring_orders() != other.state.loopring_orders()


def test_config_validation() -> None:
    with pytest.raises(ValueError, match="error_rate"):
        Faults(error_rate=1.5)
    with pytest.raises(ValueError, match="latency"):
        Faults(latency=-1.0)
    app = create_app()
    taken = app.state.exchange_orders()[0].id
    with pytest.raises(ValueError, match="already"):
        app.state.add_exchange_order(order_id=taken)


def test_json_numbers_are_exact() -> None:
    body = {"order_id": 43877033468085760, "price": Decimal("20215.53"), "size": Decimal("1E-8")}
    assert dump_json(body) == '{"order_id":43877033468085760,"price":20215.53,"size":0.00000001}'
