"""The CLI is driven by the venue registry (issue 10): ``venuekit venues`` lists it, the help
and the input checks follow it, and no module of the CLI names a venue. ``venuekit sandbox``
maps its options (orders per venue, faults) through one hook and prints ``export`` lines that,
pasted into a shell, make ``venuekit`` cancel on it."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import venuekit.sandbox
from venuekit import _cli
from venuekit._cli.sandbox import sandbox_call
from venuekit._venues import REGISTRY
from venuekit.sandbox import DEFAULT_CREDENTIALS, RunningSandbox, create_app

CLI_DIR = Path(_cli.__file__).parent


def test_no_module_of_the_cli_names_a_venue() -> None:
    names = set()
    for spec in REGISTRY.values():
        names |= {spec.venue.value, spec.title, *(kind.type.__name__ for kind in spec.credentials)}
    words = {word for name in names for word in re.split(r"[\s_()]+", name) if len(word) > 3}
    words -= {"Exchange", "International"}  # plain English words of the titles
    assert {"coinbase", "Coinbase", "INTX", "Loopring", "loopring"} <= words  # it has teeth
    sources = sorted(CLI_DIR.glob("*.py"))
    assert {path.name for path in sources} >= {"parser.py", "input.py", "output.py"}
    for path in [*sources, CLI_DIR.parent / "__main__.py"]:
        text = path.read_text(encoding="utf-8").lower()
        assert len(text.splitlines()) < 400, path
        for word in words:
            assert word.lower() not in text, f"{path.name} names {word!r}"


def test_venues_lists_the_registry(capsys: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    first = next(iter(REGISTRY.values()))
    for name in list(os.environ):
        if name.startswith("VENUEKIT_"):
            monkeypatch.delenv(name)
    for _, variable in first.credentials[0].env:
        monkeypatch.setenv(variable, "x")

    assert _cli.main(["venues", "--json"]) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [d["venue"] for d in listed] == [v.value for v in REGISTRY]
    for data, spec in zip(listed, REGISTRY.values(), strict=True):
        assert (data["title"], data["status"]) == (spec.title, spec.status)
        assert data["fields"] == list(spec.fields)
        assert data["credentials"] == [
            {"type": k.type.__name__, "variables": [v for _, v in k.env]} for k in spec.credentials
        ]
        assert data["configured"] is (spec is first)

    assert _cli.main(["venues"]) == 0
    text = capsys.readouterr().out
    for spec in REGISTRY.values():
        assert f"{spec.venue.value}: {spec.title}\n" in text
        assert f"fields:       {', '.join(spec.fields)}\n" in text
        assert all(variable in text for kind in spec.credentials for _, variable in kind.env)
    assert text.count("configured:   yes") == 1


@pytest.mark.parametrize("argv", [["--help"], ["cancel", "--help"], ["cancel-many", "--help"]])
def test_help_lists_every_venue_of_the_registry(argv: list[str], capsys: Any) -> None:
    with pytest.raises(SystemExit):
        _cli.main(argv)
    text = capsys.readouterr().out
    for spec in REGISTRY.values():
        assert spec.venue.value in text
        for kind in spec.credentials:
            assert all(variable in text for _, variable in kind.env)


def test_the_sandbox_hook_maps_orders_and_faults() -> None:
    config, banner = sandbox_call(
        seed=3, orders_per_venue=2, faults=["exchange.latency=0.5", "loopring.error_rate=0.25"]
    )
    assert (config.seed, config.orders_per_venue) == (3, 2)
    assert config.exchange.latency == 0.5
    assert config.loopring.error_rate == 0.25
    assert config.intx.latency == 0.0
    app = create_app(config)
    lines = banner(RunningSandbox(app=app, host="127.0.0.1", port=8080))
    assert "export VENUEKIT_COINBASE_EXCHANGE_BASE_URL=http://127.0.0.1:8080" in lines
    assert sum(o.status == "open" for o in app.state.exchange_orders()) == 2
    with pytest.raises(ValueError, match="nowhere"):
        sandbox_call(seed=0, orders_per_venue=1, faults=["nowhere.latency=1"])


def test_sandbox_subcommand_passes_its_options(
    monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    seen: dict[str, Any] = {}

    def fake_serve(**kwargs: Any) -> None:
        seen.update(kwargs)
        kwargs["on_ready"](RunningSandbox(app=create_app(kwargs["config"]), host="h", port=1))
        raise KeyboardInterrupt

    monkeypatch.setattr(venuekit.sandbox, "serve", fake_serve)
    argv = ["sandbox", "--port", "0", "--orders-per-venue", "7", "--fault", "intx.drop_rate=0.5"]
    assert _cli.main(argv) == 0
    assert seen["config"].orders_per_venue == 7
    assert seen["config"].intx.drop_rate == 0.5
    out, err = capsys.readouterr()
    assert out.count("export VENUEKIT_") >= 9
    assert "sandbox stopped" in err

    assert _cli.main(["sandbox", "--port", "0", "--fault", "intx.speed=2"]) == 1
    assert "intx.speed=2" in capsys.readouterr().err


def test_pasting_the_export_lines_makes_venuekit_cancel_on_the_sandbox(
    kit: Any, tmp_path: Path
) -> None:
    env = {k: v for k, v in kit.child_env().items() if not k.startswith("VENUEKIT_")}
    server = subprocess.Popen(
        [sys.executable, "-m", "venuekit", "sandbox", "--port", "0", "--orders-per-venue", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    with server:
        try:
            banner = []
            assert server.stdout is not None
            for line in server.stdout:
                banner.append(line)
                if line.startswith("# loopring open orders"):
                    banner += [next(server.stdout), next(server.stdout)]
                    break
            exports = "".join(line for line in banner if line.startswith("export "))
            order_hash = banner[-1].split()[1]
            script = f"{exports}\nvenuekit cancel --venue loopring --order-hash {order_hash}\n"
            done = subprocess.run(
                ["bash", "-c", script.replace("venuekit ", f"{sys.executable} -m venuekit ")],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=60)
            if server.stderr is not None:
                server.stderr.read()
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith(f"ok      loopring order_hash={order_hash}: cancelled")
    assert DEFAULT_CREDENTIALS.loopring.eddsa_private_key not in done.stdout + done.stderr
