"""The ways to cancel one Deribit order that the latency benchmark compares (issue 12).

Each contender is a callable ``cancel(order_id) -> bool`` (True when the venue's answer says
``order_state: "cancelled"``) holding one keep-alive connection to the sandbox, a ``close()``,
and ``book``: the sandbox account whose orders it cancels (``deribit`` for the Deribit key,
``cdp`` for the Coinbase gateway's CDP keys, a separate subaccount).

Deribit key (client id + secret), ``GET /api/v2/private/cancel?order_id=...``:

- ``venuekit``: ``Client(deribit=DeribitCredentials(...)).deribit.cancel_order(order_id=...)``,
  client-side rate limiting and retries off (``rate_limits=False, attempts=1``).
- ``raw httpx``: one ``httpx.Client``; the ``deri-hmac-sha256`` header written inline from
  Deribit's documented rule: RequestData = ``"GET\\n" + URI + "\\n" + "" + "\\n"`` (URI: path and
  query as sent), sig = hex HMAC-SHA256(client_secret, ts + "\\n" + nonce + "\\n" + RequestData),
  ``Authorization: deri-hmac-sha256 id=...,ts=...,sig=...,nonce=...``; the JSON-RPC answer checked.
- ``ccxt``: ``ccxt.deribit({apiKey, secret}).cancel_order(id)`` with ``urls["api"]["rest"]``
  pointed at the sandbox, its throttle off and an empty market table (so it does not call
  ``public/get_instruments``; see ccxt_deribit_sandbox.py). ccxt signs the same GET form. Its
  nonce is the millisecond timestamp (``deribit.nonce``), which repeats when two cancels leave
  within one millisecond, and the sandbox refuses a reused nonce (13009 "nonce already used"),
  so the contender sets ``nonce`` to a counter, as a ccxt user cancelling that fast must.

Coinbase gateway (CDP Ed25519 key; the Bearer token from ``public/auth`` is cached, so after
the first call a cancel is one GET with ``Authorization: Bearer``):

- ``venuekit gateway``: ``Client(deribit=CoinbaseCdpCredentials(...)).deribit.cancel_order``.
- ``raw httpx gateway``: the JWT built inline (PyNaCl Ed25519, claims as venues.md gives them),
  exchanged once at ``POST /api/v2/public/auth`` when the contender is made (not timed), then a
  GET with the Bearer token per cancel.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import secrets
import time
from typing import Any

import httpx

import venuekit
from venuekit.sandbox import DEFAULT_CREDENTIALS

__all__ = [
    "make_ccxt_deribit",
    "make_raw_httpx_deribit",
    "make_raw_httpx_gateway",
    "make_venuekit_deribit",
    "make_venuekit_gateway",
]

DERIBIT = DEFAULT_CREDENTIALS.deribit
CDP_KEY = DEFAULT_CREDENTIALS.cdp.ed25519
CANCEL_PATH = "/api/v2/private/cancel"


def _cancelled(response: httpx.Response, order_id: str) -> bool:
    if response.status_code != 200:
        return False
    result = response.json().get("result") or {}
    return bool(result.get("order_id") == order_id and result.get("order_state") == "cancelled")


class _Venuekit:
    """venuekit's sync ``Client`` with a Deribit key or a CDP key."""

    def __init__(self, name: str, book: str, url: str, credentials: Any) -> None:
        self.name = name
        self.book = book
        self.knobs: dict[str, object] = {"rate_limits": False, "attempts": 1}
        self._client = venuekit.Client(
            deribit=credentials,
            base_urls={"deribit": f"{url}/api/v2"},
            **self.knobs,  # type: ignore[arg-type]
        )
        self._venue = self._client.deribit

    def cancel(self, order_id: str) -> bool:
        result = self._venue.cancel_order(order_id=order_id)
        return result.state is venuekit.CancelState.CANCELLED

    def close(self) -> None:
        self._client.close()


def deri_hmac_header(uri: str) -> str:
    """``Authorization`` for ``GET uri`` (path with ``?query``), signed inline as Deribit documents."""
    ts = str(int(time.time() * 1000))
    nonce = secrets.token_hex(8)
    request_data = "GET\n" + uri + "\n" + "" + "\n"
    message = (ts + "\n" + nonce + "\n" + request_data).encode()
    sig = hmac.new(DERIBIT.client_secret.encode(), message, hashlib.sha256).hexdigest()
    return f"deri-hmac-sha256 id={DERIBIT.client_id},ts={ts},sig={sig},nonce={nonce}"


class _RawHttpx:
    name = "raw httpx"
    book = "deribit"

    def __init__(self, url: str) -> None:
        self._http = httpx.Client(base_url=url, timeout=10.0)

    def cancel(self, order_id: str) -> bool:
        uri = f"{CANCEL_PATH}?order_id={order_id}"  # Deribit's ids are URL-safe (ETH-349249)
        response = self._http.get(uri, headers={"Authorization": deri_hmac_header(uri)})
        return _cancelled(response, order_id)

    def close(self) -> None:
        self._http.close()


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def cdp_jwt() -> str:
    """A CDP JWT for the sandbox's Ed25519 key, built inline (header and claims per venues.md)."""
    from nacl.signing import SigningKey

    seed = base64.b64decode(CDP_KEY.private_key)[:32]
    now = int(time.time())
    header = {"alg": "EdDSA", "kid": CDP_KEY.key_name, "nonce": secrets.token_hex(16), "typ": "JWT"}
    claims = {"sub": CDP_KEY.key_name, "iss": "cdp", "nbf": now, "exp": now + 120}
    signing_input = ".".join(
        _b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims)
    )
    signature = SigningKey(seed).sign(signing_input.encode()).signature
    return f"{signing_input}.{_b64url(signature)}"


class _RawGateway:
    name = "raw httpx gateway"
    book = "cdp"

    def __init__(self, url: str) -> None:
        self._http = httpx.Client(base_url=url, timeout=10.0)
        body = {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "public/auth",
            "params": {"grant_type": "coinbase_cdp", "token": cdp_jwt()},
        }
        answer = self._http.post("/api/v2/public/auth", json=body)
        answer.raise_for_status()
        token = answer.json()["result"]["access_token"]
        self._headers = {"Authorization": f"Bearer {token}"}

    def cancel(self, order_id: str) -> bool:
        uri = f"{CANCEL_PATH}?order_id={order_id}"
        response = self._http.get(uri, headers=self._headers)
        return _cancelled(response, order_id)

    def close(self) -> None:
        self._http.close()


class _Ccxt:
    name = "ccxt"
    book = "deribit"

    def __init__(self, url: str) -> None:
        import ccxt

        self._exchange: Any = ccxt.deribit(
            {
                "apiKey": DERIBIT.client_id,
                "secret": DERIBIT.client_secret,
                "enableRateLimit": False,
                "timeout": 10_000,
                "urls": {"api": {"rest": url}},
            }
        )
        # cancel_order loads markets first (public/get_instruments), which the sandbox does not
        # serve; an empty table skips that, and parse_order copes with an unknown instrument.
        self._exchange.markets = {}
        self._exchange.markets_by_id = {}
        counter = itertools.count(1)
        self._exchange.nonce = lambda: f"ccxt{next(counter)}"

    def cancel(self, order_id: str) -> bool:
        order = self._exchange.cancel_order(order_id)
        info = order["info"]
        return bool(info.get("order_id") == order_id and info.get("order_state") == "cancelled")

    def close(self) -> None:
        self._exchange.session.close()


def make_venuekit_deribit(url: str) -> Any:
    """venuekit with the sandbox's Deribit key (``deri-hmac-sha256`` per request)."""
    return _Venuekit("venuekit", "deribit", url, DERIBIT.credentials())


def make_raw_httpx_deribit(url: str) -> Any:
    """A hand-signed ``httpx.Client`` GET against ``url``."""
    return _RawHttpx(url)


def make_ccxt_deribit(url: str) -> Any:
    """ccxt's ``deribit`` against ``url``."""
    return _Ccxt(url)


def make_venuekit_gateway(url: str) -> Any:
    """venuekit with the sandbox's CDP Ed25519 key (Bearer token, cached)."""
    return _Venuekit("venuekit gateway", "cdp", url, CDP_KEY.credentials())


def make_raw_httpx_gateway(url: str) -> Any:
    """A hand-written ``httpx.Client`` with a Bearer token obtained once at set-up."""
    return _RawGateway(url)
