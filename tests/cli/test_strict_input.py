"""Strict input (issue 11 item 7): every malformed or refused input is a usage error (exit 2)
that names its line, and NOTHING is sent: each case runs against a sandbox served on 127.0.0.1
and then checks the sandbox saw no request and every order in its book is still open."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from venuekit import _cli
from venuekit.sandbox import RunningSandbox

Rows = Callable[[RunningSandbox], list[str]]


def good_rows(sandbox: RunningSandbox) -> list[str]:
    """Five valid CSV rows (header ``venue,order_id,product_id,portfolio,order_hash``)."""
    state, portfolio = sandbox.state, sandbox.credentials.intx.portfolio_uuid
    ex, intx, ring = state.exchange_orders(), state.intx_orders(), state.loopring_orders()
    return [
        f"coinbase_exchange,{ex[0].id},{ex[0].product_id},,",
        f"coinbase_intx,{intx[0].order_id},,{portfolio},",
        f"loopring,,,,{ring[0].hash}",
        f"coinbase_exchange,{ex[1].id},,,",
        f"loopring,,,,{ring[1].hash}",
    ]


HEADER = "venue,order_id,product_id,portfolio,order_hash"


def nothing_sent(sandbox: RunningSandbox) -> None:
    assert sandbox.app.stats.count() == 0, "a request reached the sandbox"
    state = sandbox.state
    books = (state.exchange_orders(), state.intx_orders(), state.loopring_orders())
    assert all(order.status == "open" for book in books for order in book)


def run_file(
    capsys: Any, kit: Any, sandbox: RunningSandbox, path: Path, *extra: str
) -> tuple[int, str, str]:
    code = _cli.main(["cancel-many", str(path), *extra, *kit.base_urls(sandbox)])
    out, err = capsys.readouterr()
    kit.assert_no_secret(out, err)
    return code, out, err


def with_line(rows: list[str], number: int, text: str) -> list[str]:
    """``rows`` (file lines 2...) with file line ``number`` replaced by ``text``."""
    changed = list(rows)
    changed[number - 2] = text
    return changed


CSV_CASES: list[tuple[str, Callable[[list[str]], list[str]], str]] = [
    # The case: an unterminated quote on line 3 swallowed lines 4-6 into one id.
    (
        "unterminated quote",
        lambda rows: with_line(rows, 3, rows[1].replace(",,", ',"', 1)),
        "line 3: unterminated quote",
    ),
    (
        "quoted value spanning lines",
        lambda rows: [rows[0], rows[1] + '"x', 'y"', *rows[2:]],
        "line 3: a quoted value spans lines 3-4",
    ),
    ("stray quote", lambda rows: with_line(rows, 4, 'loopring,,,,"0x1"2'), "line 4: malformed"),
    ("quote inside a value", lambda rows: with_line(rows, 4, 'loopring,,,,0x"1'), "line 4:"),
    ("too many values", lambda rows: with_line(rows, 5, rows[3] + ",extra"), "line 5: 6 values"),
    ("too few values", lambda rows: with_line(rows, 5, "loopring,0x1"), "line 5: 2 values"),
    (
        "missing field for its venue",
        lambda rows: with_line(
            rows, 3, rows[1].split(",")[0] + "," + rows[1].split(",")[1] + ",,,"
        ),
        "line 3: portfolio is required",
    ),
    (
        "field its venue does not take",
        lambda rows: with_line(rows, 4, rows[2].replace(",,,", ",,BTC-USD,", 1)),
        "line 4: loopring does not take product_id",
    ),
    ("unknown venue", lambda rows: with_line(rows, 2, "kraken,1,,,"), "line 2: unknown venue"),
    ("unchanged", lambda rows: rows, None),  # the control: the valid file is sent
    (
        "over-long id",
        lambda rows: with_line(rows, 5, f"coinbase_exchange,{'7' * 5000},,,"),
        "line 5: order_id is 5000 characters long",
    ),
    ("control character", lambda rows: with_line(rows, 2, "loopring,,,,0x1\x07"), "line 2:"),
]


@pytest.mark.parametrize(
    ("change", "message"), [c[1:] for c in CSV_CASES], ids=[c[0] for c in CSV_CASES]
)
def test_a_bad_csv_line_is_a_usage_error_naming_it_and_nothing_is_sent(
    served: RunningSandbox,
    kit: Any,
    capsys: Any,
    tmp_path: Path,
    change: Callable[[list[str]], list[str]],
    message: str | None,
) -> None:
    path = tmp_path / "orders.csv"
    path.write_text("\n".join([HEADER, *change(good_rows(served))]) + "\n")
    if message is None:  # the control case: the same file, valid, is sent
        code, out, _ = run_file(capsys, kit, served, path)
        assert code == 0, out
        assert served.app.stats.count() == 5
        return
    code, out, err = run_file(capsys, kit, served, path)
    assert code == 2
    assert out == ""
    assert message in err
    assert "nothing was sent" in err
    nothing_sent(served)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "no header row and no orders"),
        ("\n\n  \n", "no header row and no orders"),
        (HEADER + "\n", "no orders in the input"),
        (HEADER + "\n\n\n", "no orders in the input"),
        ("coinbase_exchange,6c77a656-f125-45ce-b201-5588d13107a8\n", "line 1: no header row"),
        (
            "order_id,product_id\n6c77a656-f125-45ce-b201-5588d13107a8,BTC-USD\n",
            "line 1: the header has no venue column",
        ),
        ("venue,order_idd\ncoinbase_exchange,1\n", "line 1: unknown column 'order_idd'"),
        ("venue,order_id,Order-Id\nloopring,1,1\n", "line 1: column 'order_id' appears twice"),
    ],
)
def test_headers_and_empty_inputs(
    served: RunningSandbox, kit: Any, capsys: Any, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(content)
    code, out, err = run_file(capsys, kit, served, path)
    assert (code, out) == (2, "")
    assert message in err
    nothing_sent(served)


def test_every_refused_row_is_listed_with_its_line(
    served: RunningSandbox, kit: Any, capsys: Any, tmp_path: Path
) -> None:
    rows = good_rows(served)
    rows[1] = "coinbase_intx,123,,,"  # line 3: no portfolio
    rows[3] = "kraken,1,,,"  # line 5
    path = tmp_path / "orders.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    code, _, err = run_file(capsys, kit, served, path)
    assert code == 2
    assert "line 3: portfolio is required" in err
    assert "line 5: unknown venue 'kraken'" in err
    nothing_sent(served)


JSONL_CASES = [
    ('{"venue": "loopring", "order_hash": "0x1"}\n{not json\n', "line 2: not JSON"),
    ('{"venue": "loopring", "order_hash": "0x1"}\n\n[1, 2]\n', "line 3: expected a JSON object"),
    ('{"venue": "loopring", "order_hash": "0x1", "order_hash": "0x2"}\n', "line 1: not JSON"),
    (
        '{"venue": "loopring", "order_hash": "0x1"}\n{"venue": "loopring", "hash": "0x2"}\n',
        "line 2: unknown field 'hash'",
    ),
    (
        '{"venue": "loopring", "order_hash": "0x1"}\n{"order_hash": "0x2"}\n',
        "line 2: venue is required",
    ),
    ('{"venue": "loopring"}\n', "line 1: order_hash or client_order_id is required"),
    (
        '{"venue": "loopring", "order_hash": "0x1", "portfolio": "p"}\n',
        "line 1: loopring does not take portfolio",
    ),
    ('{"venue": "loopring", "order_hash": ["0x1"]}\n', "line 1: order_hash must be a str"),
    ("\n\n", "no orders in the input"),
]


@pytest.mark.parametrize(("content", "message"), JSONL_CASES)
def test_json_lines_are_as_strict(
    served: RunningSandbox, kit: Any, capsys: Any, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "orders.jsonl"
    path.write_text(content)
    code, out, err = run_file(capsys, kit, served, path)
    assert (code, out) == (2, "")
    assert message in err
    nothing_sent(served)


def test_bytes_that_are_not_utf8_name_their_line(
    served: RunningSandbox, kit: Any, capsys: Any, tmp_path: Path
) -> None:
    path = tmp_path / "orders.csv"
    path.write_bytes(HEADER.encode() + b"\nloopring,,,,0x1\nloopring,,,,0x\xff\n")
    code, _, err = run_file(capsys, kit, served, path)
    assert code == 2
    assert "line 3: not UTF-8" in err
    nothing_sent(served)


def test_a_missing_file_is_a_usage_error(
    served: RunningSandbox, kit: Any, capsys: Any, tmp_path: Path
) -> None:
    code, _, err = run_file(capsys, kit, served, tmp_path / "missing.csv")
    assert code == 2
    assert "cannot read" in err
    nothing_sent(served)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--venue", "coinbase_intx", "--order-id", "1"], "portfolio is required"),
        (["--venue", "loopring", "--order-hash", "0x1", "--product-id", "X"], "does not take"),
        (["--venue", "coinbase_exchange"], "order_id"),
    ],
)
def test_cancel_checks_its_order_before_sending(
    served: RunningSandbox, kit: Any, capsys: Any, argv: list[str], message: str
) -> None:
    code = _cli.main(["cancel", *argv, *kit.base_urls(served)])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert message in err
    nothing_sent(served)


def test_json_integers_are_accepted_as_ids_and_accounts(
    served: RunningSandbox, kit: Any, capsys: Any, tmp_path: Path
) -> None:
    ring = served.state.loopring_orders()[0]
    account = served.credentials.loopring.account_id
    path = tmp_path / "orders.jsonl"
    row = {"venue": "loopring", "order_hash": ring.hash, "account_id": account}
    path.write_text("\n" + json.dumps(row) + "\n")
    code, out, _ = run_file(capsys, kit, served, path, "--json")
    assert code == 0, out
    (line,) = [json.loads(text) for text in out.splitlines()]
    assert line["request"] == row
    assert line["line"] == 2
