"""``venuekit cancel-all``: a venue's group cancels, against the sandbox served on 127.0.0.1.

The venue and its actions come from the registry (Deribit: by label, or all / by currency / by
instrument); the printed count must be what the sandbox's book shows was cancelled.
"""

from __future__ import annotations

from typing import Any

import pytest

from venuekit._cli import main
from venuekit.sandbox import DEFAULT_CREDENTIALS

DERIBIT = DEFAULT_CREDENTIALS.deribit


@pytest.fixture
def deribit_env(monkeypatch: pytest.MonkeyPatch, served: Any) -> Any:
    monkeypatch.setenv("VENUEKIT_DERIBIT_CLIENT_ID", DERIBIT.client_id)
    monkeypatch.setenv("VENUEKIT_DERIBIT_CLIENT_SECRET", DERIBIT.client_secret)
    return served


def _open(sandbox: Any, **match: str) -> list[Any]:
    book = sandbox.state.deribit
    return [
        o
        for o in book.orders(user_id=DERIBIT.user_id)
        if o.order_state in {"open", "untriggered"}
        and all(getattr(o, key) == value for key, value in match.items())
    ]


def run(capsys: Any, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cancel_by_label_prints_the_venues_count_and_the_book_agrees(
    deribit_env: Any, capsys: Any
) -> None:
    sandbox = deribit_env
    label = next(o.label for o in _open(sandbox) if o.label)
    before = len(_open(sandbox, label=label))
    code, out, _ = run(
        capsys, "cancel-all", "--venue", "deribit", "--label", label,
        "--base-url", f"deribit={sandbox.deribit_url}",
    )  # fmt: skip
    assert code == 0
    assert out.startswith(f"ok      deribit cancel_by_label label={label}: {before} cancelled")
    assert _open(sandbox, label=label) == []


def test_cancel_all_without_a_filter_cancels_every_open_order_of_the_account(
    deribit_env: Any, capsys: Any
) -> None:
    sandbox = deribit_env
    before = len(_open(sandbox))
    code, out, _ = run(
        capsys, "cancel-all", "--venue", "deribit", "--json",
        "--base-url", f"deribit={sandbox.deribit_url}",
    )  # fmt: skip
    assert code == 0
    assert f'"cancelled_count": {before}' in out
    assert _open(sandbox) == []


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--venue", "deribit", "--kind", "future"], "kind needs a currency"),
        (["--venue", "deribit", "--label", "x", "--kind", "future"], "no group cancel"),
        (["--venue", "coinbase_exchange"], "has no group cancels"),
    ],
)
def test_a_filter_no_action_takes_is_a_usage_error_and_nothing_is_sent(
    deribit_env: Any, capsys: Any, argv: list[str], words: str
) -> None:
    sandbox = deribit_env
    before = len(_open(sandbox))
    code, _, err = run(capsys, "cancel-all", *argv, "--base-url", f"deribit={sandbox.deribit_url}")
    assert code == 2
    assert words in err
    assert "nothing was sent" in err
    assert len(_open(sandbox)) == before
