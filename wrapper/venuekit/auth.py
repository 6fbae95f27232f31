"""Request signing for httpx: Coinbase Exchange, INTX, Loopring and Deribit (both key types).

`CoinbaseExchangeAuth`, `CoinbaseIntxAuth`, `LoopringAuth` are defined here; `DeribitHmacAuth`
(Deribit keys, ``deri-hmac-sha256``) and `DeribitTokenAuth` (Coinbase CDP keys: a cached Bearer
token from ``public/auth``) live in ``venuekit._auth_deribit`` and are re-exported here.

Each class is an `httpx.Auth`: its ``auth_flow`` signs the request exactly as it goes on the
wire and yields it, with no I/O. httpx drives the same code from `httpx.Client` and
`httpx.AsyncClient`, so these adapters also work with any httpx client you already have
(your own transport, proxies, timeouts, event hooks): pass ``auth=`` to the client or per request.

What is signed is read from the final `httpx.Request`, after httpx has encoded it:

- Coinbase Exchange: prehash = timestamp (seconds, 3 decimals) + method + ``request.url.raw_path``
  (percent-encoded path **with** ``?query``) + body bytes.
- Coinbase INTX: the same with the query removed and an integer-seconds timestamp.
- Deribit: ``deri-hmac-sha256`` over ``METHOD\nraw path with ?query\nbody\n`` with a
  millisecond timestamp and a random nonce (see `venuekit._signing.deribit`).
- Loopring: signature base from ``scheme://host[:port]`` (port only when not the default) + the
  decoded ``request.url.path`` (Loopring's reference code builds it from the plain URL; the
  cancel path ``/api/v3/order`` has nothing to decode either way) and the query parameters as
  the server will decode them (``parse_qsl`` of the raw query, blank values kept). Only
  query-string requests (GET, DELETE) are supported; POST/PUT bodies raise `ValueError`.

Every attempt is signed afresh: existing ``CB-ACCESS-*`` / ``X-API-*`` headers are removed first,
so a retried request carries a new timestamp and exactly one of each header. The clock is
injectable (``clock=``) and ``clock_offset`` (seconds added to ``clock()``) can be changed at any
time to correct for skew. The client's engine owns the signing time of each attempt: when
``request.extensions["venuekit.sign_at"]`` (`SIGN_AT`, epoch seconds as a float) is set, the
adapters sign with it instead of reading their clock, so a concurrent call cannot move the clock
between reading and signing. Secrets are held as `venuekit._secret.Secret` and revealed only
inside the expression that uses them. Debug logs (logger ``venuekit.auth``) show the prehash / signature base,
never a secret, the API key or a signature.

Example (any client; here one with a mock transport so nothing leaves the machine):
    >>> import httpx
    >>> from venuekit._credentials import CoinbaseExchangeCredentials
    >>> creds = CoinbaseExchangeCredentials(
    ...     api_key="key-0001", api_secret="c2VjcmV0", passphrase="pass")
    >>> auth = CoinbaseExchangeAuth(creds, clock=lambda: 1700000000.0)
    >>> transport = httpx.MockTransport(lambda request: httpx.Response(200, json="abc"))
    >>> with httpx.Client(base_url="https://api.exchange.coinbase.com",
    ...                   transport=transport, auth=auth) as client:
    ...     response = client.delete("/orders/abc", params={"product_id": "BTC-USD"})
    >>> response.request.headers["CB-ACCESS-TIMESTAMP"]
    '1700000000.000'
    >>> async def cancel() -> httpx.Response:  # the same auth object with an async client
    ...     async with httpx.AsyncClient(transport=transport, auth=auth) as client:
    ...         return await client.delete("https://api.exchange.coinbase.com/orders/abc")
"""

from __future__ import annotations

import logging
import time
from urllib.parse import parse_qsl

import httpx

from venuekit._auth_common import SIGN_AT, Clock
from venuekit._auth_common import ClockedAuth as _ClockedAuth
from venuekit._auth_common import replace_headers as _replace_headers
from venuekit._auth_deribit import DeribitHmacAuth, DeribitTokenAuth
from venuekit._credentials import (
    CoinbaseExchangeCredentials,
    CoinbaseIntxCredentials,
    LoopringCredentials,
)
from venuekit._signing import coinbase, loopring

__all__ = [
    "SIGN_AT",
    "Clock",
    "CoinbaseExchangeAuth",
    "CoinbaseIntxAuth",
    "DeribitHmacAuth",
    "DeribitTokenAuth",
    "LoopringAuth",
]

_LOG = logging.getLogger("venuekit.auth")


class _CoinbaseAuth(_ClockedAuth):
    """HMAC signing shared by the two Coinbase venues; subclasses pick the prehash rule."""

    requires_request_body = True

    def __init__(
        self,
        credentials: CoinbaseExchangeCredentials | CoinbaseIntxCredentials,
        clock: Clock,
        clock_offset: float,
    ) -> None:
        super().__init__(clock, clock_offset)
        self.credentials = credentials

    def __repr__(self) -> str:
        name = type(self).__name__
        return f"{name}(credentials={self.credentials!r}, clock_offset={self.clock_offset!r})"

    def _prehash(self, request: httpx.Request, now: float) -> tuple[str, bytes]:
        raise NotImplementedError

    def sign(self, request: httpx.Request) -> None:
        """Set fresh ``CB-ACCESS-*`` headers on ``request`` (its body must already be read)."""
        timestamp, prehash = self._prehash(request, self.signing_time(request))
        _LOG.debug("%s prehash: %r", type(self).__name__, prehash)
        signature = coinbase.signature(secret_key=self.credentials.secret_key, prehash=prehash)
        _replace_headers(
            request,
            {
                "CB-ACCESS-KEY": self.credentials.api_key,
                "CB-ACCESS-TIMESTAMP": timestamp,
                "CB-ACCESS-SIGN": signature,
            },
        )
        # Revealed straight into the header, never into a local or a dict.
        request.headers["CB-ACCESS-PASSPHRASE"] = self.credentials.passphrase.reveal()


class CoinbaseExchangeAuth(_CoinbaseAuth):
    """Sign Coinbase Exchange requests (path with ``?query``, timestamp with decimals).

    Example:
        >>> from venuekit._credentials import CoinbaseExchangeCredentials
        >>> creds = CoinbaseExchangeCredentials(
        ...     api_key="key-0001", api_secret="c2VjcmV0", passphrase="pass")
        >>> request = httpx.Request("DELETE", "https://x/orders/1?product_id=BTC-USD")
        >>> CoinbaseExchangeAuth(creds, clock=lambda: 1.5).sign(request)
        >>> request.headers["CB-ACCESS-TIMESTAMP"], request.headers["CB-ACCESS-SIGN"]
        ('1.500', '7i3j3VcTbAoXCsn4D0FsC3YbZSIuBbod0rfZQZFNMOY=')
    """

    def __init__(
        self,
        credentials: CoinbaseExchangeCredentials,
        *,
        clock: Clock = time.time,
        clock_offset: float = 0.0,
    ) -> None:
        super().__init__(credentials, clock, clock_offset)

    def _prehash(self, request: httpx.Request, now: float) -> tuple[str, bytes]:
        timestamp = coinbase.exchange_timestamp(now)
        prehash = coinbase.exchange_prehash(
            timestamp=timestamp,
            method=request.method,
            request_path=request.url.raw_path.decode("ascii"),
            body=request.content,
        )
        return timestamp, prehash


class CoinbaseIntxAuth(_CoinbaseAuth):
    """Sign Coinbase INTX requests (path without query, integer-seconds timestamp).

    Example:
        >>> from venuekit._credentials import CoinbaseIntxCredentials
        >>> creds = CoinbaseIntxCredentials(
        ...     api_key="key-0001", api_secret="c2VjcmV0", passphrase="pass")
        >>> request = httpx.Request("DELETE", "https://x/api/v1/orders/1?portfolio=p")
        >>> CoinbaseIntxAuth(creds, clock=lambda: 1.5).sign(request)
        >>> request.headers["CB-ACCESS-TIMESTAMP"], request.headers["CB-ACCESS-SIGN"]
        ('1', '7HTCQwhGjg3Hs6J8Qib/eix0AMwQyf8kfVLui171BmE=')
    """

    def __init__(
        self,
        credentials: CoinbaseIntxCredentials,
        *,
        clock: Clock = time.time,
        clock_offset: float = 0.0,
    ) -> None:
        super().__init__(credentials, clock, clock_offset)

    def _prehash(self, request: httpx.Request, now: float) -> tuple[str, bytes]:
        timestamp = coinbase.intx_timestamp(now)
        prehash = coinbase.intx_prehash(
            timestamp=timestamp,
            method=request.method,
            request_path=request.url.raw_path.partition(b"?")[0].decode("ascii"),
            body=request.content,
        )
        return timestamp, prehash


def _loopring_url(url: httpx.URL) -> str:
    """Return ``scheme://host[:port]/path`` for the signature base (decoded path, no query)."""
    return f"{url.scheme}://{url.netloc.decode('ascii')}{url.path}"


def _loopring_params(url: httpx.URL) -> list[tuple[str, str]]:
    """Return the query parameters as the server decodes them (blank values kept)."""
    return parse_qsl(url.query.decode("ascii"), keep_blank_values=True)


class LoopringAuth(_ClockedAuth):
    """Sign Loopring v3 requests with ``X-API-KEY`` and the EdDSA ``X-API-SIG``.

    ``clock`` and ``clock_offset`` are accepted for symmetry; the signature has no timestamp.

    Example:
        >>> from venuekit._credentials import LoopringCredentials
        >>> creds = LoopringCredentials(api_key="k" * 64, eddsa_private_key="0x1234", account_id=1)
        >>> request = httpx.Request(
        ...     "GET", "https://api.uat.loopring.pro/api/v3/apiKey", params={"accountId": "10001"})
        >>> LoopringAuth(creds).sign(request)
        >>> request.headers["X-API-SIG"][:18]
        '0x0dfbbcc409fbcdb0'
    """

    requires_request_body = False

    def __init__(
        self,
        credentials: LoopringCredentials,
        *,
        clock: Clock = time.time,
        clock_offset: float = 0.0,
    ) -> None:
        super().__init__(clock, clock_offset)
        self.credentials = credentials

    def __repr__(self) -> str:
        return f"LoopringAuth(credentials={self.credentials!r})"

    def sign(self, request: httpx.Request) -> None:
        """Set fresh ``X-API-KEY`` and ``X-API-SIG`` headers on ``request``."""
        if request.method in {"POST", "PUT", "PATCH"}:
            raise ValueError("LoopringAuth signs query-string requests (GET, DELETE) only")
        base = loopring.signature_base(
            method=request.method,
            url=_loopring_url(request.url),
            params=_loopring_params(request.url),
        )
        _LOG.debug("LoopringAuth signature base: %s", base)
        creds = self.credentials
        sig = loopring.sign(creds.private_key, loopring.message(base), public=creds.public_key)
        _replace_headers(request, {"X-API-KEY": creds.api_key, "X-API-SIG": sig})
