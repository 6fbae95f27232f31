"""``Client`` and ``AsyncClient``: one typed cancel API over three venues.

Everything but the sending is shared: argument checks and request building live in the I/O-free
adapters (``venuekit._adapters``), configuration and result interpretation in ``_BaseClient``, and
the one method that differs, ``_send``, is a few lines in each client. Each venue handle
(``client.coinbase_exchange`` ...) has a single ``cancel_order`` body shared by both clients; on
``AsyncClient`` it returns a coroutine.

Coinbase Exchange and INTX requests go through the generated clients' httpx clients
(``coinbase_exchange_api.Client`` / ``coinbase_intx_api.Client``) configured with venuekit's
``httpx.Auth`` signer, the caller's transport, timeouts from ``venuekit._constants`` and
``follow_redirects=False``; Loopring (no spec) gets a plain httpx client configured the same way.

Environment variables read by ``from_env`` (a venue is configured when its variables are set;
setting only some of them is an error; empty counts as unset):

=====================================  ==========================================================
variable                               meaning
=====================================  ==========================================================
VENUEKIT_COINBASE_EXCHANGE_API_KEY     Coinbase Exchange API key
VENUEKIT_COINBASE_EXCHANGE_API_SECRET  its base64 secret
VENUEKIT_COINBASE_EXCHANGE_PASSPHRASE  its passphrase
VENUEKIT_COINBASE_INTX_API_KEY         INTX API key (INTX is retired; sandbox and legacy use)
VENUEKIT_COINBASE_INTX_API_SECRET      its base64 secret
VENUEKIT_COINBASE_INTX_PASSPHRASE      its passphrase
VENUEKIT_LOOPRING_API_KEY              Loopring API key (Loopring is reported offline)
VENUEKIT_LOOPRING_EDDSA_PRIVATE_KEY    its EdDSA private key (hex, with or without ``0x``)
VENUEKIT_LOOPRING_ACCOUNT_ID           its account id (decimal integer)
VENUEKIT_<VENUE>_BASE_URL              optional base URL override, ``<VENUE>`` one of
                                       COINBASE_EXCHANGE, COINBASE_INTX, LOOPRING
=====================================  ==========================================================
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Coroutine, Mapping
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

import attrs
import httpx

import coinbase_exchange_api
import coinbase_intx_api
from venuekit import errors
from venuekit._adapters import PreparedCancel, RawResponse, interpret
from venuekit._adapters import coinbase_exchange as _exchange
from venuekit._adapters import coinbase_intx as _intx
from venuekit._adapters import loopring as _loopring
from venuekit._adapters._common import logger, redact
from venuekit._constants import (
    CONNECT_TIMEOUT,
    DEFAULT_BASE_URLS,
    POOL_TIMEOUT,
    READ_TIMEOUT,
    WRITE_TIMEOUT,
)
from venuekit._credentials import (
    CoinbaseExchangeCredentials,
    CoinbaseIntxCredentials,
    CredentialsError,
    LoopringCredentials,
)
from venuekit._models import CancelResult, Venue
from venuekit.auth import CoinbaseExchangeAuth, CoinbaseIntxAuth, LoopringAuth

__all__ = [
    "ENV_VARS",
    "AsyncClient",
    "Client",
    "CoinbaseExchangeVenue",
    "CoinbaseIntxVenue",
    "LoopringVenue",
]

_R = TypeVar("_R")
_TransportT = TypeVar("_TransportT", httpx.BaseTransport, httpx.AsyncBaseTransport)
_Build = Callable[[], PreparedCancel]
_Credentials = CoinbaseExchangeCredentials | CoinbaseIntxCredentials | LoopringCredentials

#: Environment variable names read by ``from_env``, per venue: (constructor field, variable).
ENV_VARS: Mapping[Venue, tuple[tuple[str, str], ...]] = {
    Venue.COINBASE_EXCHANGE: (
        ("api_key", "VENUEKIT_COINBASE_EXCHANGE_API_KEY"),
        ("api_secret", "VENUEKIT_COINBASE_EXCHANGE_API_SECRET"),
        ("passphrase", "VENUEKIT_COINBASE_EXCHANGE_PASSPHRASE"),
    ),
    Venue.COINBASE_INTX: (
        ("api_key", "VENUEKIT_COINBASE_INTX_API_KEY"),
        ("api_secret", "VENUEKIT_COINBASE_INTX_API_SECRET"),
        ("passphrase", "VENUEKIT_COINBASE_INTX_PASSPHRASE"),
    ),
    Venue.LOOPRING: (
        ("api_key", "VENUEKIT_LOOPRING_API_KEY"),
        ("eddsa_private_key", "VENUEKIT_LOOPRING_EDDSA_PRIVATE_KEY"),
        ("account_id", "VENUEKIT_LOOPRING_ACCOUNT_ID"),
    ),
}

_CREDENTIAL_TYPES: Mapping[Venue, type[_Credentials]] = {
    Venue.COINBASE_EXCHANGE: CoinbaseExchangeCredentials,
    Venue.COINBASE_INTX: CoinbaseIntxCredentials,
    Venue.LOOPRING: LoopringCredentials,
}


def _base_url_var(venue: Venue) -> str:
    return f"VENUEKIT_{venue.value.upper()}_BASE_URL"


# --- venue handles: the one shared body of every cancel_order -------------------------------


class CoinbaseExchangeVenue(Generic[_R]):
    """Cancel orders on Coinbase Exchange; reached as ``client.coinbase_exchange``.

    Example::

        result = client.coinbase_exchange.cancel_order(order_id=order_id, product_id="BTC-USD")
    """

    def __init__(self, send: Callable[[_Build], _R]) -> None:
        self._send = send

    def cancel_order(
        self,
        *,
        order_id: str | None = None,
        client_oid: str | None = None,
        product_id: str | None = None,
        profile_id: str | None = None,
    ) -> _R:
        """Cancel one order by exchange ``order_id`` or by ``client_oid`` (exactly one).

        ``client_oid`` may carry the ``client:`` namespace or not; it is sent with it exactly
        once. ``product_id`` is recommended by Coinbase (avoids a race). Returns a
        ``CancelResult`` (``AsyncClient``: awaitable). Raises ``InvalidRequest`` before any I/O
        for bad arguments, and the ``venuekit.errors`` class matching the venue's answer.

        Example: ``client.coinbase_exchange.cancel_order(client_oid="8fd1...", product_id="BTC-USD")``
        """
        return self._send(
            lambda: _exchange.prepare_cancel(
                order_id=order_id,
                client_oid=client_oid,
                product_id=product_id,
                profile_id=profile_id,
            )
        )


class CoinbaseIntxVenue(Generic[_R]):
    """Cancel orders on Coinbase INTX (retired 1 October 2026); reached as ``client.coinbase_intx``.

    Example::

        result = client.coinbase_intx.cancel_order(order_id="43877033468085760", portfolio=pid)
    """

    def __init__(self, send: Callable[[_Build], _R]) -> None:
        self._send = send

    def cancel_order(self, *, order_id: str, portfolio: str) -> _R:
        """Cancel one order by its exchange or client order id in ``portfolio`` (UUID or id).

        Returns a ``CancelResult`` whose ``response`` is the generated ``OrderResultV1`` and
        whose ``price``/``size`` are exact ``Decimal``. Raises ``InvalidRequest`` before any I/O
        for bad arguments, and the ``venuekit.errors`` class matching the venue's answer.

        Example: ``client.coinbase_intx.cancel_order(order_id="438...", portfolio="5189861793641175")``
        """
        return self._send(lambda: _intx.prepare_cancel(order_id=order_id, portfolio=portfolio))


class LoopringVenue(Generic[_R]):
    """Cancel orders on Loopring v3 (reported offline since mid-2026); ``client.loopring``.

    Example::

        result = client.loopring.cancel_order(order_hash="0x05a9...")
    """

    def __init__(self, send: Callable[[_Build], _R], *, default_account_id: int) -> None:
        self._send = send
        self._default_account_id = default_account_id

    def cancel_order(
        self,
        *,
        order_hash: str | None = None,
        client_order_id: str | None = None,
        account_id: int | None = None,
    ) -> _R:
        """Cancel one order by ``order_hash`` or ``client_order_id`` (exactly one).

        ``account_id`` defaults to the credentials' account. Returns a ``CancelResult`` whose
        ``response`` is a ``LoopringCancelResponse``. Raises ``InvalidRequest`` before any I/O for
        bad arguments, and the ``venuekit.errors`` class matching the venue's answer.

        Example: ``client.loopring.cancel_order(client_order_id="my-order-7")``
        """
        default = self._default_account_id
        return self._send(
            lambda: _loopring.prepare_cancel(
                order_hash=order_hash,
                client_order_id=client_order_id,
                account_id=account_id,
                default_account_id=default,
            )
        )


# --- shared configuration --------------------------------------------------------------------


@attrs.frozen
class _VenueSetup:
    """Everything needed to open an httpx client for one configured venue."""

    venue: Venue
    base_url: str
    auth: httpx.Auth = attrs.field(repr=False)
    secrets: frozenset[str] = attrs.field(repr=False)


def _secrets_of(credentials: _Credentials) -> frozenset[str]:
    """The credential values an error message must never show."""
    if isinstance(credentials, LoopringCredentials):
        key = credentials.private_key
        raw = credentials.eddsa_private_key
        return frozenset(
            {credentials.api_key, str(raw), f"{key:x}", f"{key:064x}", hex(key), f"0x{key:064x}"}
        )
    return frozenset({credentials.api_key, credentials.api_secret, credentials.passphrase})


def _check_base_url(venue: Venue, value: object) -> str:
    """Validate a base URL (http/https, a host, no query or fragment); drop a trailing ``/``."""
    if not isinstance(value, str):
        raise errors.InvalidRequest(
            f"base URL for {venue.value} must be a str", field="base_urls", venue=venue
        )
    try:
        url = httpx.URL(value)
    except httpx.InvalidURL:
        url = None
    if (
        url is None
        or url.scheme not in {"http", "https"}
        or not url.host
        or url.query
        or url.fragment
        or url.userinfo
    ):
        raise errors.InvalidRequest(
            f"base URL for {venue.value} must be http(s)://host[:port][/path] (no query,"
            " fragment or user:password)",
            field="base_urls",
            venue=venue,
        )
    return value.rstrip("/")


def _timeout(value: float | httpx.Timeout | None) -> httpx.Timeout:
    if value is None:
        return httpx.Timeout(
            connect=CONNECT_TIMEOUT, read=READ_TIMEOUT, write=WRITE_TIMEOUT, pool=POOL_TIMEOUT
        )
    return value if isinstance(value, httpx.Timeout) else httpx.Timeout(value)


class _BaseClient(Generic[_TransportT, _R]):
    """Configuration, venue handles and answer interpretation shared by both clients."""

    def __init__(
        self,
        *,
        coinbase_exchange: CoinbaseExchangeCredentials | None = None,
        coinbase_intx: CoinbaseIntxCredentials | None = None,
        loopring: LoopringCredentials | None = None,
        base_urls: Mapping[str, str] | None = None,
        transport: _TransportT | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> None:
        urls = dict(DEFAULT_BASE_URLS)
        for key, value in (base_urls or {}).items():
            if key not in urls:
                raise errors.InvalidRequest(
                    f"unknown venue {key!r} in base_urls; use one of {sorted(urls)}",
                    field="base_urls",
                )
            urls[key] = _check_base_url(Venue(key), value)
        given: dict[Venue, object] = {
            Venue.COINBASE_EXCHANGE: coinbase_exchange,
            Venue.COINBASE_INTX: coinbase_intx,
            Venue.LOOPRING: loopring,
        }
        self._transport: _TransportT | None = transport
        self._timeout = _timeout(timeout)
        self._setups: dict[Venue, _VenueSetup] = {}
        for venue, credentials in given.items():
            if credentials is None:
                continue
            expected = _CREDENTIAL_TYPES[venue]
            if not isinstance(credentials, expected):
                raise errors.InvalidCredentials(
                    f"{venue.value} needs {expected.__name__}, not {type(credentials).__name__}",
                    field=venue.value,
                    venue=venue,
                )
            self._setups[venue] = _VenueSetup(
                venue=venue,
                base_url=urls[venue.value],
                auth=_auth_for(credentials),
                secrets=_secrets_of(credentials),
            )
        self._exchange_handle = CoinbaseExchangeVenue(self._send)
        self._intx_handle = CoinbaseIntxVenue(self._send)
        self._loopring_handle = LoopringVenue(
            self._send, default_account_id=loopring.account_id if loopring is not None else 0
        )
        self._open_all()

    @classmethod
    def from_env(
        cls,
        *,
        environ: Mapping[str, str] | None = None,
        transport: _TransportT | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> Self:
        """Build a client from ``VENUEKIT_*`` environment variables (table in the module doc).

        Venues whose variables are all unset are left unconfigured; a venue with only some of
        them set raises ``InvalidCredentials`` naming the missing variable. ``environ`` replaces
        ``os.environ`` (tests).

        Example::

            with venuekit.Client.from_env() as client:
                client.coinbase_exchange.cancel_order(order_id=order_id)
        """
        env = os.environ if environ is None else environ
        found: dict[Venue, _Credentials] = {}
        base_urls: dict[str, str] = {}
        for venue, variables in ENV_VARS.items():
            values = {field: env.get(name, "") for field, name in variables}
            url = env.get(_base_url_var(venue), "")
            if url:
                base_urls[venue.value] = url
            if not any(values.values()):
                continue
            missing = [name for field, name in variables if not values[field]]
            if missing:
                raise errors.InvalidCredentials(
                    f"{venue.value}: {', '.join(missing)} not set (the other variables are)",
                    field=missing[0],
                    venue=venue,
                )
            found[venue] = _credentials_from_env(venue, values)
        exchange = found.get(Venue.COINBASE_EXCHANGE)
        intx = found.get(Venue.COINBASE_INTX)
        loopring = found.get(Venue.LOOPRING)
        return cls(
            coinbase_exchange=exchange
            if isinstance(exchange, CoinbaseExchangeCredentials)
            else None,
            coinbase_intx=intx if isinstance(intx, CoinbaseIntxCredentials) else None,
            loopring=loopring if isinstance(loopring, LoopringCredentials) else None,
            base_urls=base_urls,
            transport=transport,
            timeout=timeout,
        )

    # -- venue handles ------------------------------------------------------------------------

    @property
    def coinbase_exchange(self) -> CoinbaseExchangeVenue[_R]:
        """Coinbase Exchange; ``VenueNotConfigured`` if the client has no credentials for it."""
        self._require(Venue.COINBASE_EXCHANGE)
        return self._exchange_handle

    @property
    def coinbase_intx(self) -> CoinbaseIntxVenue[_R]:
        """Coinbase INTX (retired); ``VenueNotConfigured`` without credentials for it."""
        self._require(Venue.COINBASE_INTX)
        return self._intx_handle

    @property
    def loopring(self) -> LoopringVenue[_R]:
        """Loopring v3 (reported offline); ``VenueNotConfigured`` without credentials for it."""
        self._require(Venue.LOOPRING)
        return self._loopring_handle

    @property
    def venues(self) -> frozenset[Venue]:
        """The venues this client has credentials for."""
        return frozenset(self._setups)

    def __repr__(self) -> str:
        venues = ", ".join(f"{v.value}={s.base_url!r}" for v, s in self._setups.items())
        return f"{type(self).__name__}({venues})"

    # -- shared internals ---------------------------------------------------------------------

    def _require(self, venue: Venue) -> None:
        if venue in self._setups:
            return
        kind = _CREDENTIAL_TYPES[venue].__name__
        names = ", ".join(name for _, name in ENV_VARS[venue])
        raise errors.VenueNotConfigured(
            f"{venue.value} is not configured: pass {venue.value}={kind}(...) to the client, "
            f"or set {names} for from_env()",
            field=venue.value,
            venue=venue,
        )

    def _httpx_args(self, setup: _VenueSetup) -> dict[str, Any]:
        """Arguments for the venue's httpx client (besides base URL, timeout, redirects)."""
        args: dict[str, Any] = {"auth": setup.auth}
        if self._transport is not None:
            args["transport"] = self._transport
        return args

    def _generated_client(
        self, setup: _VenueSetup
    ) -> coinbase_exchange_api.Client | coinbase_intx_api.Client | None:
        """The generated client for a Coinbase venue; ``None`` for Loopring (no spec)."""
        factory: type[coinbase_exchange_api.Client] | type[coinbase_intx_api.Client]
        if setup.venue is Venue.COINBASE_EXCHANGE:
            factory = coinbase_exchange_api.Client
        elif setup.venue is Venue.COINBASE_INTX:
            factory = coinbase_intx_api.Client
        else:
            return None
        return factory(
            base_url=setup.base_url,
            timeout=self._timeout,
            follow_redirects=False,
            httpx_args=self._httpx_args(setup),
        )

    def _plain_httpx_kwargs(self, setup: _VenueSetup) -> dict[str, Any]:
        return {
            "base_url": setup.base_url,
            "timeout": self._timeout,
            "follow_redirects": False,
            **self._httpx_args(setup),
        }

    def _open_all(self) -> None:
        """Open one httpx client per configured venue (sync or async: the subclass decides)."""
        raise NotImplementedError

    def _send(self, build: _Build) -> _R:
        """Build the request (raising ``InvalidRequest`` before I/O), send it, interpret it."""
        raise NotImplementedError

    def _before_send(self, prepared: PreparedCancel) -> None:
        logger.debug(
            "%s: %s %s %s", prepared.venue.value, prepared.method, prepared.url, prepared.params
        )

    def _interpret(self, prepared: PreparedCancel, response: httpx.Response) -> CancelResult:
        logger.debug(
            "%s: %s %s -> HTTP %s",
            prepared.venue.value,
            prepared.method,
            response.request.url.raw_path.decode("ascii", "replace"),
            response.status_code,
        )
        raw = RawResponse(
            status_code=response.status_code,
            headers=response.headers,
            content=response.content,
            now=time.time(),
            secrets=self._setups[prepared.venue].secrets,
        )
        return interpret(prepared, raw)

    def _transport_error(self, prepared: PreparedCancel, exc: httpx.HTTPError) -> errors.VenueError:
        secrets = self._setups[prepared.venue].secrets
        text = redact(f"{type(exc).__name__}: {exc}", secrets)
        if isinstance(exc, httpx.DecodingError):
            return errors.VenueError(
                f"response body could not be decoded ({text})", venue=prepared.venue
            )
        not_sent = (
            httpx.ConnectError,
            httpx.ConnectTimeout,
            httpx.PoolTimeout,
            httpx.ProxyError,
            httpx.UnsupportedProtocol,
        )
        return errors.TransportError(
            text, may_have_reached_venue=not isinstance(exc, not_sent), venue=prepared.venue
        )


def _auth_for(credentials: _Credentials) -> httpx.Auth:
    if isinstance(credentials, CoinbaseExchangeCredentials):
        return CoinbaseExchangeAuth(credentials)
    if isinstance(credentials, CoinbaseIntxCredentials):
        return CoinbaseIntxAuth(credentials)
    return LoopringAuth(credentials)


def _credentials_from_env(venue: Venue, values: Mapping[str, str]) -> _Credentials:
    """Build one venue's credentials from its variables; ``InvalidCredentials`` naming the variable."""
    names = dict(ENV_VARS[venue])
    try:
        if venue is Venue.LOOPRING:
            account_text = values["account_id"].strip()
            if not account_text.isdecimal():
                raise errors.InvalidCredentials(
                    f"{names['account_id']} must be a decimal integer",
                    field=names["account_id"],
                    venue=venue,
                )
            return LoopringCredentials(
                api_key=values["api_key"],
                eddsa_private_key=values["eddsa_private_key"],
                account_id=int(account_text),
            )
        coinbase_type = (
            CoinbaseExchangeCredentials
            if venue is Venue.COINBASE_EXCHANGE
            else CoinbaseIntxCredentials
        )
        return coinbase_type(
            api_key=values["api_key"],
            api_secret=values["api_secret"],
            passphrase=values["passphrase"],
        )
    except CredentialsError as exc:
        field = str(exc).split(":", 1)[0].split(" ", 1)[0]
        variable = names.get(field, field)
        raise errors.InvalidCredentials(f"{variable}: {exc}", field=variable, venue=venue) from None


# --- the two clients: only opening, sending and closing differ -------------------------------


class Client(_BaseClient[httpx.BaseTransport, CancelResult]):
    """Cancel orders on Coinbase Exchange, Coinbase INTX and Loopring (blocking).

    Only venues given credentials are usable; the others raise ``VenueNotConfigured``.
    ``base_urls`` overrides the production URLs per venue (keys ``"coinbase_exchange"``,
    ``"coinbase_intx"``, ``"loopring"``); ``transport`` is passed to every venue's httpx client
    (tests, proxies) and is closed with the client. Redirects are never followed.

    Example::

        with venuekit.Client(
            coinbase_exchange=venuekit.CoinbaseExchangeCredentials(
                api_key=key, api_secret=secret, passphrase=passphrase
            )
        ) as client:
            result = client.coinbase_exchange.cancel_order(order_id=order_id)
    """

    def _open_all(self) -> None:
        self._http: dict[Venue, httpx.Client] = {}
        for venue, setup in self._setups.items():
            generated = self._generated_client(setup)
            self._http[venue] = (
                generated.get_httpx_client()
                if generated is not None
                else httpx.Client(**self._plain_httpx_kwargs(setup))
            )

    def _send(self, build: _Build) -> CancelResult:
        prepared = build()
        self._before_send(prepared)
        try:
            response = self._http[prepared.venue].request(
                prepared.method, prepared.url, params=prepared.params
            )
        except httpx.HTTPError as exc:
            raise self._transport_error(prepared, exc) from exc
        return self._interpret(prepared, response)

    def close(self) -> None:
        """Close every venue's connections (and the transport); later cancels raise RuntimeError.

        Safe to call twice. Example: ``client.close()`` (or use ``with Client(...) as client``).
        """
        for http in self._http.values():
            http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class AsyncClient(_BaseClient[httpx.AsyncBaseTransport, Coroutine[Any, Any, CancelResult]]):
    """Cancel orders on Coinbase Exchange, Coinbase INTX and Loopring (asyncio / trio).

    The same surface as ``Client``; every ``cancel_order`` returns an awaitable. Argument errors
    (``InvalidRequest``) are raised when awaited, still before any I/O.

    Example::

        async with venuekit.AsyncClient(loopring=loopring_credentials) as client:
            result = await client.loopring.cancel_order(order_hash=order_hash)
    """

    def _open_all(self) -> None:
        self._http: dict[Venue, httpx.AsyncClient] = {}
        for venue, setup in self._setups.items():
            generated = self._generated_client(setup)
            self._http[venue] = (
                generated.get_async_httpx_client()
                if generated is not None
                else httpx.AsyncClient(**self._plain_httpx_kwargs(setup))
            )

    async def _send(self, build: _Build) -> CancelResult:
        prepared = build()
        self._before_send(prepared)
        try:
            response = await self._http[prepared.venue].request(
                prepared.method, prepared.url, params=prepared.params
            )
        except httpx.HTTPError as exc:
            raise self._transport_error(prepared, exc) from exc
        return self._interpret(prepared, response)

    async def aclose(self) -> None:
        """Close every venue's connections (and the transport); later cancels raise RuntimeError.

        Safe to call twice. Example: ``await client.aclose()`` (or ``async with``).
        """
        for http in self._http.values():
            await http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()
