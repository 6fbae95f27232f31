"""The ``venuekit`` CLI driven for real: ``main([...])`` in-process and ``python -m venuekit``,
against the sandbox served over HTTP on 127.0.0.1, with credentials from the environment."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_env import CLI_ENV, SECRETS

import venuekit.testing
from venuekit import _cli
from venuekit.sandbox import DEFAULT_CREDENTIALS, RunningSandbox, SandboxConfig, run_in_thread

ROOT = Path(__file__).resolve().parents[2]
C = DEFAULT_CREDENTIALS
ENV = CLI_ENV
PORTFOLIO = C.intx.portfolio_uuid


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningSandbox]:
    for name in list(os.environ):
        if name.startswith("VENUEKIT_"):
            monkeypatch.delenv(name)
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    with (
        venuekit.testing.instant_retries(),
        run_in_thread(config=SandboxConfig(seed=11)) as running,
    ):
        yield running


def base_urls(sandbox: RunningSandbox) -> list[str]:
    urls = []
    for venue in ("coinbase_exchange", "coinbase_intx", "loopring"):
        urls += ["--base-url", f"{venue}={sandbox.url}"]
    return urls


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = _cli.main(list(argv))
    out, err = capsys.readouterr()
    for secret in SECRETS:
        assert secret not in out, "a credential reached stdout"
        assert secret not in err, "a credential reached stderr"
    return code, out, err


# --- cancel --------------------------------------------------------------------------------------


def test_cancel_on_each_venue_then_again(sandbox: RunningSandbox, capsys: Any) -> None:
    urls = base_urls(sandbox)
    ex = sandbox.state.exchange_orders()[0]
    intx = sandbox.state.intx_orders()[0]
    ring = sandbox.state.loopring_orders()[0]
    commands = [
        ["--venue", "coinbase_exchange", "--order-id", ex.id, "--product-id", ex.product_id],
        ["--venue", "coinbase_intx", "--order-id", str(intx.order_id), "--portfolio", PORTFOLIO],
        ["--venue", "loopring", "--order-hash", ring.hash],
    ]
    for command in commands:
        code, out, _ = run(capsys, "cancel", *command, *urls)
        assert code == 0
        assert out.startswith("ok ")
        assert "cancelled" in out
    assert all(o.status == "cancelled" for o in (sandbox.state.exchange_orders()[0],))
    for command in commands:  # the same orders again: the venue's cancel reject
        code, out, _ = run(capsys, "cancel", *command, *urls)
        assert code == 1
        assert "OrderAlreadyDone" in out


def test_cancel_json_output(sandbox: RunningSandbox, capsys: Any) -> None:
    order = sandbox.state.exchange_orders()[1]
    code, out, _ = run(
        capsys,
        "cancel",
        "--venue",
        "coinbase_exchange",
        "--client-oid",
        order.client_oid,
        "--json",
        *base_urls(sandbox),
    )
    assert code == 0
    (line,) = out.splitlines()
    data = json.loads(line)
    assert data["ok"] is True
    assert data["state"] == "cancelled"
    assert data["client_order_id"] == order.client_oid
    assert data["request"] == {"venue": "coinbase_exchange", "client_oid": order.client_oid}

    code, out, _ = run(
        capsys,
        "cancel",
        "--venue",
        "coinbase_exchange",
        "--order-id",
        "00000000-0000-4000-8000-00000000dead",
        "--json",
        *base_urls(sandbox),
    )
    assert code == 1
    error = json.loads(out)["error"]
    assert (error["type"], error["status_code"]) == ("OrderNotFound", 404)


def test_bad_order_arguments_are_a_usage_error(sandbox: RunningSandbox, capsys: Any) -> None:
    # Changed by issue 11 item 7: a missing field for the order's venue is a usage error (exit 2,
    # nothing sent), no longer that order's failure (exit 1, "InvalidRequest" on stdout).
    code, out, err = run(
        capsys, "cancel", "--venue", "coinbase_intx", "--order-id", "1", *base_urls(sandbox)
    )
    assert code == 2
    assert out == ""
    assert "portfolio" in err
    assert sandbox.app.stats.count() == 0


def test_missing_or_refused_credentials_exit_2(
    sandbox: RunningSandbox, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = sandbox.state.exchange_orders()[2]
    cancel = ["cancel", "--venue", "coinbase_exchange", "--order-id", order.id, *base_urls(sandbox)]

    monkeypatch.setenv("VENUEKIT_COINBASE_EXCHANGE_API_SECRET", "d3Jvbmctc2VjcmV0LWZvci1jbGk=")
    code, out, _ = run(capsys, *cancel)
    assert code == 2
    assert "AuthenticationError" in out

    monkeypatch.setenv("VENUEKIT_COINBASE_EXCHANGE_API_SECRET", "not base64!")
    code, out, err = run(capsys, *cancel)
    assert code == 2
    assert "VENUEKIT_COINBASE_EXCHANGE_API_SECRET" in err
    assert "not base64!" not in err + out

    for name in ENV:
        if "EXCHANGE" in name:
            monkeypatch.delenv(name)
    code, out, _ = run(capsys, *cancel)
    assert code == 2
    assert "VenueNotConfigured" in out
    assert "VENUEKIT_COINBASE_EXCHANGE_API_KEY" in out
    assert sandbox.state.exchange_orders()[2].status == "open"  # nothing was cancelled


@pytest.mark.parametrize(
    "argv",
    [
        ["cancel"],
        ["cancel", "--venue", "kraken", "--order-id", "1"],
        ["cancel", "--venue", "loopring", "--order-hash", "0x1", "--base-url", "nowhere"],
        ["cancel", "--venue", "loopring", "--order-hash", "0x1", "--attempts", "0"],
        ["cancel-many"],
    ],
)
def test_usage_errors_exit_2(argv: list[str], capsys: Any) -> None:
    with pytest.raises(SystemExit) as exit_info:
        _cli.main(argv)
    assert exit_info.value.code == 2
    assert "usage:" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["--help"], ["cancel", "--help"], ["cancel-many", "--help"]])
def test_help_everywhere_names_the_variables_and_exit_codes(argv: list[str], capsys: Any) -> None:
    with pytest.raises(SystemExit) as exit_info:
        _cli.main(argv)
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for name in (
        "VENUEKIT_COINBASE_EXCHANGE_API_KEY",
        "VENUEKIT_LOOPRING_ACCOUNT_ID",
        "exit codes",
    ):
        assert name in text
    if argv == ["--help"]:
        assert all(word in text for word in ("cancel", "cancel-many", "sandbox"))


# --- cancel-many ---------------------------------------------------------------------------------


def write_orders(path: Path, sandbox: RunningSandbox, fmt: str) -> list[dict[str, str]]:
    state = sandbox.state
    ex, intx, ring = state.exchange_orders(), state.intx_orders(), state.loopring_orders()
    rows = [
        {"venue": "coinbase_exchange", "order_id": ex[0].id, "product_id": ex[0].product_id},
        {"venue": "coinbase_intx", "order_id": str(intx[0].order_id), "portfolio": PORTFOLIO},
        {"venue": "loopring", "order_hash": ring[0].hash},
        {"venue": "coinbase_exchange", "client_oid": ex[1].client_oid},
        {"venue": "loopring", "client_order_id": ring[1].client_order_id},
        {"venue": "coinbase_intx", "order_id": intx[1].client_order_id, "portfolio": PORTFOLIO},
    ]
    if fmt == "csv":
        columns = [
            "venue",
            "order_id",
            "client_oid",
            "product_id",
            "portfolio",
            "order_hash",
            "client_order_id",
        ]
        lines = [",".join(columns)] + [",".join(row.get(c, "") for c in columns) for row in rows]
        path.write_text("\n".join(lines) + "\n")
    else:
        path.write_text("\n".join(json.dumps(row) for row in rows) + "\n\n")
    return rows


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_cancel_many_cancels_everything_and_prints_one_json_line_per_order(
    sandbox: RunningSandbox, capsys: Any, tmp_path: Path, fmt: str
) -> None:
    path = tmp_path / f"orders.{fmt}"
    rows = write_orders(path, sandbox, fmt)

    code, out, err = run(capsys, "cancel-many", str(path), "--json", *base_urls(sandbox))

    assert code == 0
    # Lines now come in completion order, each as soon as it is known (issue 11 item 7);
    # sorted by "index" they are the input again, with the input line numbers.
    lines = sorted((json.loads(line) for line in out.splitlines()), key=lambda d: d["index"])
    assert [line["index"] for line in lines] == list(range(len(rows)))
    first = 2 if fmt == "csv" else 1  # the CSV header is line 1
    assert [line["line"] for line in lines] == list(range(first, first + len(rows)))
    assert [line["request"] for line in lines] == rows
    assert all(line["ok"] and line["state"] == "cancelled" for line in lines)
    assert "6 of 6 cancelled" in err
    assert "\r" not in err  # stderr is not a terminal: no progress bar


def test_cancel_many_reports_bad_rows_and_failures_in_place(
    sandbox: RunningSandbox, capsys: Any, tmp_path: Path
) -> None:
    ex = sandbox.state.exchange_orders()
    path = tmp_path / "orders.txt"  # no extension: the format is sniffed (CSV)
    rows = (
        "venue,order_id,portfolio\n"
        f"coinbase_exchange,{ex[0].id},\n"
        "kraken,1,\n"
        "coinbase_intx,123,\n"
        f"coinbase_exchange,{ex[0].id},\n"
        f"coinbase_exchange,{ex[1].id},\n"
    )
    # Changed by issue 11 item 7: an unknown venue (line 3) and a row missing a field of its
    # venue (line 4) are a usage error naming both lines, and nothing at all is sent (they
    # were reported in place as InvalidRequest while the other rows were cancelled).
    path.write_text(rows)
    code, out, err = run(
        capsys, "cancel-many", str(path), "--concurrency", "1", *base_urls(sandbox)
    )
    assert (code, out) == (2, "")
    assert "line 3: unknown venue 'kraken'" in err
    assert "line 4: portfolio is required" in err
    assert sandbox.app.stats.count() == 0

    # Without them, failures are reported in place: the second cancel of one order is that
    # order's failure, with its line number; the others are cancelled.
    path.write_text(rows.replace("kraken,1,\n", "").replace("coinbase_intx,123,\n", ""))
    code, out, _ = run(capsys, "cancel-many", str(path), "--concurrency", "1", *base_urls(sandbox))

    assert code == 1
    lines = out.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("ok      line 2 coinbase_exchange ")
    assert lines[1].startswith("FAILED  line 3 coinbase_exchange ")
    assert "OrderAlreadyDone" in lines[1]
    assert lines[2].startswith("ok      line 4 ")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("venue,order_idd\ncoinbase_exchange,1\n", "order_idd"),
        ('{"venue": "loopring", "order_hash": "0x1"}\n[1, 2]\n', "line 2"),
        ('{"venue": "loopring", "order_hash": "0x1"}\n{not json\n', "line 2"),
    ],
)
def test_an_unreadable_file_is_a_usage_error_and_sends_nothing(
    sandbox: RunningSandbox, capsys: Any, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "orders"
    path.write_text(content)
    code, _, err = run(capsys, "cancel-many", str(path), *base_urls(sandbox))
    assert code == 2
    assert message in err
    assert sandbox.app.stats.count() == 0
    code, _, err = run(capsys, "cancel-many", str(tmp_path / "missing.csv"))
    assert code == 2


def test_progress_bar_only_on_a_terminal(
    sandbox: RunningSandbox, capsys: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    path = tmp_path / "orders.jsonl"
    write_orders(path, sandbox, "jsonl")
    monkeypatch.setattr(sys, "stderr", terminal)

    code, out, _ = run(capsys, "cancel-many", str(path), "--json", *base_urls(sandbox))

    assert code == 0
    assert "\r[" in terminal.getvalue()
    assert "6/6" in terminal.getvalue()
    assert "\r" not in out
    assert len(out.splitlines()) == 6


def test_python_m_venuekit_cancel_many_from_stdin(sandbox: RunningSandbox, tmp_path: Path) -> None:
    path = tmp_path / "orders.jsonl"
    rows = write_orders(path, sandbox, "jsonl")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "wrapper"), str(ROOT / "generated")]),
    }
    done = subprocess.run(
        [sys.executable, "-m", "venuekit", "cancel-many", "-", "--json", *base_urls(sandbox)],
        input=path.read_text(),
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(lines) == len(rows)
    assert all(line["ok"] for line in lines)
    for secret in SECRETS:
        assert secret not in done.stdout + done.stderr
