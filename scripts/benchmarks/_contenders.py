"""The three ways to cancel one Coinbase Exchange order that the latency benchmark compares.

Each contender is a callable ``cancel(order_id) -> bool`` (True when the venue confirmed the
cancel) holding one keep-alive connection to the sandbox, and a ``close()``:

- ``venuekit``: ``Client.coinbase_exchange.cancel_order(order_id=..., product_id="BTC-USD")``,
  with client-side rate limiting and retries off when the client has such knobs.
- ``raw httpx``: what a user writes by hand: one ``httpx.Client``, the HMAC computed inline with
  hmac/hashlib/base64, ``DELETE /orders/{id}?product_id=BTC-USD``, status and body checked.
- ``ccxt``: ``ccxt.coinbaseexchange({apiKey, secret, password}).cancel_order(id, "BTC/USD")``
  with ``urls["api"]`` pointed at the sandbox, ccxt's own throttle off
  (``enableRateLimit=False``) and one market set by hand (so it does not call
  ``GET /products``). ccxt sends ``product_id`` as a JSON body on the DELETE
  (``{"product_id": "BTC/USD"}``) and signs it; the sandbox checks that HMAC over the body too.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import inspect
import time
from collections.abc import Callable
from typing import Any, Protocol

import httpx

import venuekit
from venuekit.sandbox import DEFAULT_CREDENTIALS

__all__ = [
    "Contender",
    "client_knobs_off",
    "make_ccxt",
    "make_raw_httpx",
    "make_venuekit",
    "raw_cancel_path",
    "raw_headers",
]

EXCHANGE = DEFAULT_CREDENTIALS.exchange
PRODUCT_ID = "BTC-USD"
CCXT_SYMBOL = "BTC/USD"


class Contender(Protocol):
    """A way to cancel one order: ``cancel(order_id) -> confirmed``, then ``close()``."""

    name: str

    def cancel(self, order_id: str) -> bool: ...
    def close(self) -> None: ...


#: Client keyword arguments that turn client-side policy off, by the names venuekit may use.
_OFF_VALUES: dict[str, object] = {
    "rate_limit": False,
    "rate_limits": False,
    "rate_limiting": False,
    "client_rate_limit": False,
    "retries": 0,
    "max_retries": 0,
    "retry": False,
    "max_attempts": 1,
    "attempts": 1,
}


def client_knobs_off(cls: Callable[..., object]) -> dict[str, object]:
    """The keyword arguments of ``cls`` (``Client``/``AsyncClient``) that disable its policy.

    Read at run time from the signature, so the benchmark follows the SDK as it grows.
    """
    parameters = inspect.signature(cls).parameters
    return {name: value for name, value in _OFF_VALUES.items() if name in parameters}


class _Venuekit:
    name = "venuekit"

    def __init__(self, url: str) -> None:
        self.knobs = client_knobs_off(venuekit.Client)
        self._client = venuekit.Client(
            coinbase_exchange=EXCHANGE.credentials(),
            base_urls={"coinbase_exchange": url},
            **self.knobs,  # type: ignore[arg-type]
        )
        self._venue = self._client.coinbase_exchange

    def cancel(self, order_id: str) -> bool:
        result = self._venue.cancel_order(order_id=order_id, product_id=PRODUCT_ID)
        return result.state is venuekit.CancelState.CANCELLED

    def close(self) -> None:
        self._client.close()


_SECRET = base64.b64decode(EXCHANGE.api_secret)


def raw_cancel_path(order_id: str) -> str:
    """The path a hand-written client sends to cancel ``order_id`` (query included)."""
    return f"/orders/{order_id}?product_id={PRODUCT_ID}"


def raw_headers(path: str) -> dict[str, str]:
    """The four ``CB-ACCESS-*`` headers for ``DELETE path``, signed inline (no venuekit)."""
    timestamp = f"{time.time():.3f}"
    message = f"{timestamp}DELETE{path}".encode()
    signature = base64.b64encode(hmac.new(_SECRET, message, hashlib.sha256).digest())
    return {
        "CB-ACCESS-KEY": EXCHANGE.api_key,
        "CB-ACCESS-SIGN": signature.decode(),
        "CB-ACCESS-TIMESTAMP": timestamp,
        "CB-ACCESS-PASSPHRASE": EXCHANGE.passphrase,
    }


class _RawHttpx:
    name = "raw httpx"

    def __init__(self, url: str) -> None:
        self._http = httpx.Client(base_url=url, timeout=10.0)

    def cancel(self, order_id: str) -> bool:
        path = raw_cancel_path(order_id)
        response = self._http.delete(path, headers=raw_headers(path))
        return response.status_code == 200 and response.json() == order_id

    def close(self) -> None:
        self._http.close()


class _Ccxt:
    name = "ccxt"

    def __init__(self, url: str) -> None:
        import ccxt

        self._exchange: Any = ccxt.coinbaseexchange(
            {
                "apiKey": EXCHANGE.api_key,
                "secret": EXCHANGE.api_secret,
                "password": EXCHANGE.passphrase,
                "enableRateLimit": False,
                "timeout": 10_000,
            }
        )
        self._exchange.urls["api"] = {"public": url, "private": url}
        self._exchange.set_markets([_ccxt_market()])

    def cancel(self, order_id: str) -> bool:
        order = self._exchange.cancel_order(order_id, CCXT_SYMBOL)
        # ccxt raises on an HTTP error; it keeps a bare JSON string body as its raw text.
        return order["info"] in (order_id, f'"{order_id}"')

    def close(self) -> None:
        self._exchange.session.close()


def _ccxt_market() -> dict[str, Any]:
    """The one market ccxt needs to resolve ``BTC/USD`` without ``GET /products``."""
    return {
        "id": PRODUCT_ID,
        "symbol": CCXT_SYMBOL,
        "base": "BTC",
        "quote": "USD",
        "baseId": "BTC",
        "quoteId": "USD",
        "type": "spot",
        "spot": True,
        "margin": False,
        "swap": False,
        "future": False,
        "option": False,
        "contract": False,
        "active": True,
        "precision": {"amount": 1e-8, "price": 0.01},
        "limits": {"amount": {"min": None, "max": None}, "price": {"min": None, "max": None}},
        "info": {},
    }


def make_venuekit(url: str) -> Contender:
    """venuekit's sync ``Client`` against ``url``."""
    return _Venuekit(url)


def make_raw_httpx(url: str) -> Contender:
    """A hand-signed ``httpx.Client`` request against ``url``."""
    return _RawHttpx(url)


def make_ccxt(url: str) -> Contender:
    """ccxt's ``coinbaseexchange`` against ``url``."""
    return _Ccxt(url)
