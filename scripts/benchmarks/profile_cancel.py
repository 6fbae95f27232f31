"""Where venuekit's per-cancel overhead over raw httpx goes: client CPU only, no server, no sockets.

Run: ``.venv-bench/bin/python scripts/benchmarks/profile_cancel.py [--profile]`` (~20 s).

Every contender sends ``DELETE /orders/{id}?product_id=BTC-USD`` to an ``httpx.MockTransport``
that answers like the sandbox (200, the id as a JSON string, a ``Date`` header), so the figures
are the client's own CPU per cancel (best of 7 batches):

- raw httpx, hand-signed (the ``raw httpx`` contender of bench.py);
- httpx with venuekit's ``CoinbaseExchangeAuth`` (signing through the ``httpx.Auth`` adapter);
- the same with the query passed as ``params=`` (what venuekit's client does today);
- venuekit ``Client.coinbase_exchange.cancel_order`` (``rate_limits=False, attempts=1``);
- the facade alone: venuekit with its httpx client replaced by a stub that returns the canned
  response at once (argument checks, retry driver, clock, interpretation; no httpx).

``--profile`` adds a cProfile of the facade alone (sorted by own time).
"""

from __future__ import annotations

import argparse
import cProfile
import email.utils
import pstats
import timeit
from collections.abc import Callable
from typing import Any

import httpx
from _contenders import EXCHANGE, PRODUCT_ID, raw_cancel_path, raw_headers

import venuekit
from venuekit.auth import CoinbaseExchangeAuth

ORDER_ID = "545c4fea-8238-47c2-85b9-bed4a8fdb94f"
BASE_URL = "http://127.0.0.1:9"  # never contacted: every client uses the mock transport
NUMBER = 3_000


def _answer(request: httpx.Request) -> httpx.Response:
    order_id = request.url.path.rsplit("/", 1)[1]
    return httpx.Response(
        200,
        content=f'"{order_id}"'.encode(),
        headers={"content-type": "application/json", "date": email.utils.formatdate(usegmt=True)},
    )


def _per_call_us(func: Callable[[], object]) -> float:
    return min(timeit.repeat(func, number=NUMBER, repeat=7)) / NUMBER * 1e6


def _venuekit_client(transport: httpx.BaseTransport | None = None) -> venuekit.Client:
    return venuekit.Client(
        coinbase_exchange=EXCHANGE.credentials(),
        base_urls={"coinbase_exchange": BASE_URL},
        transport=transport,
        rate_limits=False,
        attempts=1,
    )


class _StubHttp:
    """Stands in for the venue's httpx client: returns one canned response, no work."""

    def __init__(self, response: httpx.Response) -> None:
        self._response = response
        self.base_url = httpx.URL(BASE_URL)

    def request(self, *args: Any, **kwargs: Any) -> httpx.Response:
        return self._response


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true", help="cProfile the facade alone")
    args = parser.parse_args()

    mock = httpx.MockTransport(_answer)
    raw = httpx.Client(base_url=BASE_URL, transport=mock)
    signed = httpx.Client(
        base_url=BASE_URL, transport=mock, auth=CoinbaseExchangeAuth(EXCHANGE.credentials())
    )
    client = _venuekit_client(mock)
    path = raw_cancel_path(ORDER_ID)

    def raw_cancel() -> None:
        response = raw.delete(path, headers=raw_headers(path))
        assert response.json() == ORDER_ID

    def auth_cancel() -> None:
        assert signed.delete(path).json() == ORDER_ID

    def auth_params_cancel() -> None:
        response = signed.delete(f"/orders/{ORDER_ID}", params=(("product_id", PRODUCT_ID),))
        assert response.json() == ORDER_ID

    def venuekit_cancel() -> None:
        result = client.coinbase_exchange.cancel_order(order_id=ORDER_ID, product_id=PRODUCT_ID)
        assert result.state is venuekit.CancelState.CANCELLED

    canned = _answer(httpx.Request("DELETE", BASE_URL + path))
    canned.request = httpx.Request("DELETE", BASE_URL + path)
    canned.read()
    facade = _venuekit_client()
    facade._http[venuekit.Venue.COINBASE_EXCHANGE] = _StubHttp(canned)  # type: ignore[assignment]

    def facade_cancel() -> None:
        facade.coinbase_exchange.cancel_order(order_id=ORDER_ID, product_id=PRODUCT_ID)

    rows = [
        ("raw httpx, hand-signed", raw_cancel),
        ("httpx + venuekit CoinbaseExchangeAuth", auth_cancel),
        ("  the same with params= for the query", auth_params_cancel),
        ("venuekit Client.cancel_order", venuekit_cancel),
        ("venuekit facade alone (stub httpx client)", facade_cancel),
    ]
    print(f"client CPU per cancel, best of 7 x {NUMBER:,} (mock transport, no sockets)")
    for name, func in rows:
        func()
        print(f"  {name:44} {_per_call_us(func):7.1f} us")
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(20_000):
            facade_cancel()
        profile.disable()
        pstats.Stats(profile).sort_stats("tottime").print_stats(20)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
