"""Shared pytest configuration: async backend and the network rule (loopback only, see pyproject)."""

from __future__ import annotations

import pytest

# Fixtures that start a real valkey-server on 127.0.0.1 (tests/support/valkey_server.py).
from valkey_server import fresh_valkey_server, valkey_server  # noqa: F401


@pytest.fixture
def anyio_backend() -> str:
    """Run async tests on asyncio only (the SDK is tested where users run it)."""
    return "asyncio"
