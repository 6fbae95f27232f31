"""``make load-test-shared`` in small: two processes, one key, one store, a store outage.

Real HTTP to the sandbox on 127.0.0.1 with the documented Exchange limit enforced, a real
valkey-server, worker processes that share one API key. With the shared store no request may earn
a 429 and every order must end cancelled; with the store stopped and restarted mid-run no cancel
may be lost or fail. Until ``Client`` takes ``rate_limit_store`` the workers pace with the budget
outside the client (``--pacing external``); afterwards the client does it.
"""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


def test_two_processes_share_the_budget_and_survive_a_store_outage(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # imported by name, not from a file spec: the spawned workers import the same module
    monkeypatch.syspath_prepend(str(SCRIPTS))
    script = importlib.import_module("load_test_shared")
    from valkey_server import ValkeyServer

    from venuekit.sandbox import SandboxConfig, run_in_thread

    args = argparse.Namespace(
        orders=90,
        processes=2,
        concurrency=4,
        attempts=8,
        deadline=60.0,
        outage_at=1.5,
        outage=1.0,
    )
    config = SandboxConfig(seed=3, orders_per_venue=0, rate_limits=True)
    with run_in_thread(config=config) as sandbox, ValkeyServer() as store:
        shared = script.run_mode("shared", sandbox=sandbox, store=store, args=args)
        outage = script.run_mode("outage", sandbox=sandbox, store=store, args=args)
        assert store.starts == 2  # it really was stopped and started again
    summary = "\n".join(shared.lines + outage.lines)
    assert shared.cancelled == 90, summary
    assert shared.failed == 0, summary
    assert shared.pacing_429s == 0, summary
    assert outage.cancelled == 90, summary
    assert outage.failed == 0, summary
