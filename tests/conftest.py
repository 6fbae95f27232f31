"""Shared pytest configuration: async backend and the network rule (loopback only, see pyproject)."""

from __future__ import annotations

import pytest


@pytest.fixture
def anyio_backend() -> str:
    """Run async tests on asyncio only (the SDK is tested where users run it)."""
    return "asyncio"
