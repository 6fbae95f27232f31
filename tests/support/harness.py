"""The client harness: a ``Client`` or ``AsyncClient`` around a recording ``httpx.MockTransport``.

The ``harness`` fixture (tests/client/conftest.py) is parametrized over ``"sync"`` and
``"async"``, so one test body and its assertions hold for both clients and they cannot drift
apart. Credentials are obviously fake (never valid anywhere). A test that measures waits sets
``harness.clock`` to a ``venuekit.testing.FakeClock`` (the ``fake_time`` fixture).

Example::

    def test_success(harness: Harness) -> None:
        result = harness.run(harness.json(200, "abc"), CANCELS[Venue.COINBASE_EXCHANGE])
        assert harness.wire_line == "DELETE /orders/abc"
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable
from typing import Any, ClassVar

import httpx

import venuekit

__all__ = ["EXCHANGE_SECRET", "INTX_SECRET", "Handler", "Harness"]

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
        #: The clients' clock (``None``: the system clock); see the ``fake_time`` fixture.
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
