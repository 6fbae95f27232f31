"""Fixtures for the client tests: thin wrappers over the shared helpers in tests/support.

Tests that go through a client take the ``harness`` fixture (``harness.Harness``), parametrized
over ``Client`` and ``AsyncClient``; the per-venue cancels and answers are in ``cancels``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from harness import Harness
from sandbox_runner import SandboxRunner

import venuekit.testing
from venuekit.testing import FakeClock


@pytest.fixture(params=["sync", "async"])
def harness(request: pytest.FixtureRequest) -> Harness:
    """A harness for ``Client`` and, in a second run, for ``AsyncClient``."""
    return Harness(request.param)


@pytest.fixture
def fake_time(harness: Harness) -> FakeClock:
    """The harness's clients run on this clock: waits are recorded and take no real time."""
    clock = FakeClock(epoch=time.time(), start=1000.0)
    harness.clock = clock
    return clock


@pytest.fixture(autouse=True)
def _instant_retries() -> Iterator[None]:
    """Retry waits are zero in these tests (attempts and decisions unchanged)."""
    with venuekit.testing.instant_retries():
        yield


@pytest.fixture(params=["sync", "async"])
def on_sandbox(request: pytest.FixtureRequest) -> SandboxRunner:
    """``on_sandbox(app, call, **client_kwargs)`` for ``Client`` and, in a second run, ``AsyncClient``."""
    return SandboxRunner(request.param)


@pytest.fixture
def on_sync_sandbox() -> SandboxRunner:
    """``on_sandbox`` for ``Client`` only (for tests too slow to run twice)."""
    return SandboxRunner("sync")
