"""What ``venuekit sandbox`` will call: seeded orders, faults from text, ``export`` lines to paste."""

from __future__ import annotations

import io
import shutil
import subprocess
from typing import Any

import pytest

import venuekit
import venuekit.sandbox._exports as exports
from venuekit.sandbox import (
    DEFAULT_CREDENTIALS,
    Faults,
    RunningSandbox,
    SandboxConfig,
    banner_lines,
    create_app,
    export_lines,
    parse_faults,
    run_in_thread,
    serve_with_exports,
)


def shell_environment(lines: list[str]) -> dict[str, str]:
    """Run the lines in a real POSIX shell, as a user pasting them would; return VENUEKIT_*."""
    sh = shutil.which("sh")
    assert sh is not None
    script = "\n".join([*lines, "env"])
    done = subprocess.run([sh], input=script, capture_output=True, text=True, check=True, env={})
    pairs = (line.partition("=") for line in done.stdout.splitlines())
    return {k: v for k, _, v in pairs if k.startswith("VENUEKIT_")}


def test_pasted_exports_configure_a_client_that_cancels_on_every_venue() -> None:
    with run_in_thread(config=SandboxConfig(seed=11, orders_per_venue=2)) as sandbox:
        environ = shell_environment(banner_lines(sandbox))
        assert environ["VENUEKIT_COINBASE_INTX_API_SECRET"] == DEFAULT_CREDENTIALS.intx.api_secret
        assert {environ[f"VENUEKIT_{v}_BASE_URL"] for v in ("COINBASE_EXCHANGE", "LOOPRING")} == {
            sandbox.url
        }
        state = sandbox.state
        with venuekit.Client.from_env(environ=environ) as client:
            order = state.exchange_orders()[0]
            client.coinbase_exchange.cancel_order(order_id=order.id, product_id=order.product_id)
            client.coinbase_intx.cancel_order(
                order_id=state.intx_orders()[0].order_id,
                portfolio=DEFAULT_CREDENTIALS.intx.portfolio_id,
            )
            client.loopring.cancel_order(order_hash=state.loopring_orders()[0].hash)
            mine = state.deribit.orders(user_id=DEFAULT_CREDENTIALS.deribit.user_id)
            client.deribit.cancel_order(order_id=mine[0].order_id)
        assert state.deribit.get(mine[0].order_id).order_state == "cancelled"
        assert [o.status for o in state.exchange_orders()] == ["cancelled", "open"]
        assert [o.status for o in state.intx_orders()] == ["cancelled", "open"]
        assert [o.status for o in state.loopring_orders()] == ["cancelled", "open"]


def test_export_values_are_shell_quoted() -> None:
    creds = DEFAULT_CREDENTIALS
    odd = type(creds)(
        exchange=creds.exchange,
        intx=creds.intx.__class__(
            api_key="k'ey $HOME `x`",
            api_secret=creds.intx.api_secret,
            passphrase="pass word;rm -rf /",
            portfolio_uuid=creds.intx.portfolio_uuid,
            portfolio_id=creds.intx.portfolio_id,
        ),
        loopring=creds.loopring,
    )
    app = create_app(SandboxConfig(credentials=odd))
    environ = shell_environment(export_lines(RunningSandbox(app=app, host="::1", port=9)))
    assert environ["VENUEKIT_COINBASE_INTX_API_KEY"] == "k'ey $HOME `x`"
    assert environ["VENUEKIT_COINBASE_INTX_PASSPHRASE"] == "pass word;rm -rf /"
    assert environ["VENUEKIT_LOOPRING_BASE_URL"] == "http://[::1]:9"


def test_parse_faults_accepts_both_venue_names_and_merges_fields() -> None:
    faults = parse_faults(
        ["exchange.error_rate=0.25", "coinbase_exchange.latency=0.01", "loopring.drop_rate=1"]
    )
    assert faults == {
        "exchange": Faults(error_rate=0.25, latency=0.01),
        "loopring": Faults(drop_rate=1.0),
    }
    assert parse_faults([]) == {}


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("exchange.error_rate", "VENUE.FIELD=VALUE"),
        ("error_rate=0.1", "VENUE.FIELD=VALUE"),
        ("kraken.error_rate=0.1", "venue is one of"),
        ("intx.typo=0.1", "field is one of"),
        ("intx.error_rate=lots", "not a number"),
        ("intx.error_rate=1.5", "error_rate"),
    ],
)
def test_parse_faults_rejects_bad_settings(setting: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_faults([setting])


def test_serve_with_exports_seeds_orders_and_prints_the_banner(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: dict[str, Any] = {}

    def fake_serve(**kwargs: Any) -> None:
        seen.update(kwargs)
        app = create_app(kwargs["config"])
        kwargs["on_ready"](RunningSandbox(app=app, host=kwargs["host"], port=48123))

    monkeypatch.setattr(exports, "serve", fake_serve)
    out = io.StringIO()
    serve_with_exports(port=0, orders_per_venue=3, faults=["intx.error_rate=0.5"], seed=4, file=out)
    config = seen["config"]
    assert (config.orders_per_venue, config.seed, config.intx) == (3, 4, Faults(error_rate=0.5))
    assert config.exchange == Faults()
    text = out.getvalue()
    assert "export VENUEKIT_COINBASE_INTX_BASE_URL=http://127.0.0.1:48123" in text
    app = create_app(config)
    for order in app.state.intx_orders():
        assert f"#   {order.order_id}  {order.client_order_id}" in text
    assert len(app.state.exchange_orders()) == 3
    assert all(o.id in text for o in app.state.exchange_orders())
    assert all(o.hash in text for o in app.state.loopring_orders())
    assert "# faults: intx" in text
    # Every line is a comment or an export: pasting the whole banner is harmless.
    assert all(line.startswith(("# ", "export VENUEKIT_")) for line in text.splitlines())


def test_serve_with_exports_rejects_bad_input_before_binding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(exports, "serve", lambda **_: pytest.fail("must not serve"))
    with pytest.raises(ValueError, match="venue is one of"):
        serve_with_exports(faults=["nowhere.error_rate=0.1"])
    with pytest.raises(ValueError, match="orders_per_venue"):
        serve_with_exports(orders_per_venue=-1)
