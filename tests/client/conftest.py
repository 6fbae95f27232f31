"""Fixtures for the client tests: fake credentials and a sync/async harness over MockTransport.

Tests that go through a client take the ``harness`` fixture, which is parametrized over
``Client`` and ``AsyncClient``: the same test body and assertions hold for both, so the two
clients cannot drift apart. (Helpers are fixtures, not imports: pytest runs with
``--import-mode=importlib``.)
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable
from typing import Any, ClassVar

import httpx
import pytest
from sandbox_runner import SandboxRunner

import venuekit
import venuekit.testing

Handler = Callable[[httpx.Request], httpx.Response]

# Obviously fake credentials (never valid anywhere).
EXCHANGE_SECRET = base64.b64encode(b"venuekit-test-exchange-secret").decode()
INTX_SECRET = base64.b64encode(b"venuekit-test-intx-secret").decode()


class Harness:
    """Builds a client of one kind around a recording MockTransport and runs one call on it."""

    exchange = venuekit.CoinbaseExchangeCredentials(
        api_key="test-exchange-key-0001",
        api_secret=EXCHANGE_SECRET,
        passphrase="test-passphrase-ex",
    )
    intx = venuekit.CoinbaseIntxCredentials(
        api_key="test-intx-key-0001", api_secret=INTX_SECRET, passphrase="test-passphrase-intx"
    )
    loopring = venuekit.LoopringCredentials(
        api_key="test-loopring-api-key-0001", eddsa_private_key="0x1234abcd", account_id=10001
    )
    deribit = venuekit.DeribitCredentials(
        client_id="test-deribit-client-0001", client_secret="test-deribit-client-secret-0001"
    )
    base_urls: ClassVar[dict[str, str]] = {
        "deribit": "https://deribit.test/api/v2",
        "coinbase_exchange": "https://exchange.test",
        "coinbase_intx": "https://intx.test",
        "loopring": "https://loopring.test",
    }

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.requests: list[httpx.Request] = []
        #: The clients' clock (``None``: the system clock); see the ``fake_time`` fixtures.
        self.clock: Any = None

    # -- canned answers --------------------------------------------------------------------
    @staticmethod
    def json(status: int, body: Any, **headers: str) -> Handler:
        content = json.dumps(body).encode()
        all_headers = {"content-type": "application/json", **headers}
        return lambda request: httpx.Response(status, content=content, headers=all_headers)

    @staticmethod
    def raw(status: int, content: bytes, **headers: str) -> Handler:
        return lambda request: httpx.Response(status, content=content, headers=headers)

    # -- running ---------------------------------------------------------------------------
    def client_kwargs(self, respond: Handler) -> dict[str, Any]:
        def record(request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            return respond(request)

        return {
            "coinbase_exchange": self.exchange,
            "coinbase_intx": self.intx,
            "loopring": self.loopring,
            "deribit": self.deribit,
            "base_urls": self.base_urls,
            "transport": httpx.MockTransport(record),
            **({"clock": self.clock} if self.clock is not None else {}),
        }

    def run(self, respond: Handler, call: Callable[[Any], Any], **overrides: Any) -> Any:
        """Make a client answering with ``respond``, return ``call(client)`` (awaited if async)."""
        kwargs = {**self.client_kwargs(respond), **overrides}
        if self.mode == "sync":
            with venuekit.Client(**kwargs) as client:
                return call(client)

        async def main() -> Any:
            async with venuekit.AsyncClient(**kwargs) as client:
                return await call(client)

        return asyncio.run(main())

    @property
    def wire_line(self) -> str:
        """The last request line as sent: method and raw path including the query."""
        request = self.requests[-1]
        return f"{request.method} {request.url.raw_path.decode('ascii')}"


@pytest.fixture(params=["sync", "async"])
def harness(request: pytest.FixtureRequest) -> Harness:
    """A harness for ``Client`` and, in a second run, for ``AsyncClient``."""
    return Harness(request.param)


@pytest.fixture(autouse=True)
def _instant_retries() -> Any:
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
