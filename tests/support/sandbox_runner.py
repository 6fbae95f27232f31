"""Run one call on a ``Client`` or ``AsyncClient`` wired to an in-process sandbox app.

Shared by tests/client (the ``on_sandbox`` fixtures) and tests that need both modes in one test.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import venuekit
from venuekit import sandbox as sb


class SandboxRunner:
    """Runs one call on a ``Client`` or ``AsyncClient`` wired to an in-process sandbox app."""

    def __init__(self, mode: str) -> None:
        self.mode = mode

    def __call__(self, app: Any, call: Callable[[Any], Any], **overrides: Any) -> Any:
        creds = sb.DEFAULT_CREDENTIALS
        kwargs: dict[str, Any] = {
            "coinbase_exchange": creds.exchange.credentials(),
            "coinbase_intx": creds.intx.credentials(),
            "loopring": creds.loopring.credentials(),
            "deribit": creds.deribit.credentials(),
            "base_urls": {
                **dict.fromkeys(
                    ("coinbase_exchange", "coinbase_intx", "loopring"), sb.IN_PROCESS_URL
                ),
                "deribit": f"{sb.IN_PROCESS_URL}/api/v2",
            },
            **overrides,
        }
        if self.mode == "sync":
            with venuekit.Client(transport=sb.sync_transport(app), **kwargs) as client:
                return call(client)

        async def main() -> Any:
            async with venuekit.AsyncClient(transport=sb.transport(app), **kwargs) as client:
                return await call(client)

        return asyncio.run(main())
