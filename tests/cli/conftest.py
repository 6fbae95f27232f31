"""Shared set-up of the CLI tests: credentials in the environment, sandboxes served over HTTP on
127.0.0.1 (one of them able to hold chosen requests, so a batch can be stopped mid-way without
timing), and the ``venuekit`` command run as a separate process."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from cli_env import CLI_ENV, SECRETS

import venuekit.testing
from venuekit.sandbox import (
    DEFAULT_CREDENTIALS,
    RunningSandbox,
    SandboxApp,
    SandboxConfig,
    run_in_thread,
)

ROOT = Path(__file__).resolve().parents[2]
C = DEFAULT_CREDENTIALS
VENUES = ("coinbase_exchange", "coinbase_intx", "loopring")


class HoldingApp(SandboxApp):
    """The sandbox app, except that requests naming a held id wait until ``release()``.

    A held request waits before the venue sees it (its cancel is not applied), so the test
    decides when the batch is "mid-way" instead of guessing with sleeps.
    """

    def __init__(self, config: SandboxConfig, held: set[str]) -> None:
        super().__init__(config)
        self.held = held
        self.waiting: list[str] = []
        self._gate = threading.Event()

    def release(self) -> None:
        self._gate.set()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            target = scope.get("raw_path", b"").decode() + "?" + scope["query_string"].decode()
            if any(held in target for held in self.held):
                self.waiting.append(target)
                await anyio.to_thread.run_sync(self._gate.wait)
        await super().__call__(scope, receive, send)


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """The sandbox's credentials in ``os.environ`` (and nothing else of venuekit's)."""
    for name in list(os.environ):
        if name.startswith("VENUEKIT_"):
            monkeypatch.delenv(name)
    for name, value in CLI_ENV.items():
        monkeypatch.setenv(name, value)
    with venuekit.testing.instant_retries():
        yield dict(CLI_ENV)


@pytest.fixture
def served(cli_env: dict[str, str]) -> Iterator[RunningSandbox]:
    """A sandbox on 127.0.0.1 (seed 11, 5 orders per venue)."""
    with run_in_thread(config=SandboxConfig(seed=11)) as running:
        yield running


@pytest.fixture
def holding(cli_env: dict[str, str]) -> Iterator[tuple[RunningSandbox, HoldingApp]]:
    """A sandbox on 127.0.0.1 whose requests for ids added to ``app.held`` wait for release."""
    app = HoldingApp(SandboxConfig(seed=12, orders_per_venue=8), held=set())
    with run_in_thread(app) as running:
        try:
            yield running, app
        finally:
            app.release()


class Kit:
    """Helpers the CLI tests share (a fixture, since the test modules are not importable)."""

    env = CLI_ENV
    secrets = SECRETS
    venues = VENUES
    root = ROOT

    @staticmethod
    def base_urls(sandbox: RunningSandbox) -> list[str]:
        """``--base-url`` options pointing every venue at ``sandbox``."""
        urls = []
        for venue in VENUES:
            urls += ["--base-url", f"{venue}={sandbox.url}"]
        return urls

    @staticmethod
    def child_env() -> dict[str, str]:
        """The environment of a ``python -m venuekit`` child: this one plus the source paths."""
        return {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(ROOT / "wrapper"), str(ROOT / "generated")]),
            "PYTHONUNBUFFERED": "1",
        }

    @classmethod
    def start(cls, *argv: str, **options: Any) -> subprocess.Popen[str]:
        """``python -m venuekit ARGV`` as a child process with pipes (text mode)."""
        return subprocess.Popen(
            [sys.executable, "-m", "venuekit", *argv],
            env=cls.child_env(),
            text=True,
            **{"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **options},
        )

    @staticmethod
    def assert_no_secret(*texts: str) -> None:
        """No credential in any of ``texts``."""
        for secret in SECRETS:
            for text in texts:
                assert secret not in text, "a credential was printed"


@pytest.fixture
def kit() -> Kit:
    return Kit()
