"""``Client`` and ``AsyncClient``: one typed cancel API over three venues.

Everything but the sending is shared: argument checks and request building live in the I/O-free
adapters (``venuekit._adapters``); configuration, the retry plan, clock correction and result
interpretation in ``_BaseClient``; and the methods that differ, ``_send`` and ``_resync`` (the
HTTP calls, ``time.sleep`` versus ``await anyio.sleep``), are a few lines in each client. Each
venue handle (``client.coinbase_exchange`` ...) has a single ``cancel_order`` body shared by both
clients; on ``AsyncClient`` it returns a coroutine. ``cancel_many`` shares everything but the
scheduling (``venuekit._bulk``).

One cancel, step by step (``_send``):

1. The adapter checks the arguments and builds the request (``InvalidRequest``, nothing sent).
2. ``venuekit._retry.run_sync`` / ``run_async`` drives the attempts. Each attempt waits for a
   slot of the client's ``RateLimiter`` (one bucket per venue and API key, shared by every call
   of the client), then sends a *new* request through the venue's httpx client, whose
   ``httpx.Auth`` signs it afresh (new timestamp, exactly one of each signature header). The
   per-attempt timeout is cut to what is left of the call's deadline.
3. Coinbase venues: every response's ``Date`` header feeds the venue's ``ClockOffset``; the
   offset is copied into the signer's ``clock_offset``. A 401 whose ``Date`` shows our timestamp
   outside the venue's window counts as "timestamp expired" even when the venue does not say so.
4. "Timestamp expired" (at most once per call): Exchange asks ``GET /time`` through the same
   httpx client (unsigned); INTX (no time endpoint) and any failed ``/time`` use the 401's
   ``Date`` header. The offset is forced to the new estimate and the cancel is retried at once.
5. A 429 with ``Retry-After`` pauses the venue's bucket for every call of the client.
6. The outcome: a ``CancelResult`` (``attempts`` set); ``AmbiguityResolved`` becomes a success
   with state ``CANCELLED_ON_EARLIER_ATTEMPT``; ``Failed`` raises its last error with
   ``attempts`` set. Retried: transport errors, 5xx, 429 (``venuekit._retry`` decides).

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

import logging
import math
import os
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar

import anyio
import attrs
import httpx

from venuekit import errors
from venuekit._adapters import PreparedCancel, RawResponse, interpret
from venuekit._adapters import coinbase_exchange as _exchange
from venuekit._adapters import coinbase_intx as _intx
from venuekit._adapters import loopring as _loopring
from venuekit._adapters._common import logger, redact
from venuekit._bulk import (
    CancelOutcome,
    CancelRequest,
    Progress,
    check_concurrency,
    prepare,
    run_many_async,
    run_many_sync,
)
from venuekit._clock import ClockOffset, offset_from_date_header
from venuekit._constants import (
    BULK_CONCURRENCY,
    CLOCK_DATE_HEADER_UNCERTAINTY,
    CONNECT_TIMEOUT,
    DEFAULT_BASE_URLS,
    EXCHANGE_CLOCK_WINDOW,
    INTX_CLOCK_WINDOW,
    POOL_TIMEOUT,
    READ_TIMEOUT,
    RETRY_ATTEMPTS,
    RETRY_DEADLINE,
    WRITE_TIMEOUT,
)
from venuekit._credentials import (
    CoinbaseExchangeCredentials,
    CoinbaseIntxCredentials,
    CredentialsError,
    LoopringCredentials,
)
from venuekit._models import CancelResult, CancelState, Venue
from venuekit._ratelimit import RateLimit, RateLimiter
from venuekit._retry import (
    AmbiguityResolved,
    Failed,
    Outcome,
    RetryPolicy,
    is_testing,
    run_async,
    run_sync,
)
from venuekit.auth import CoinbaseExchangeAuth, CoinbaseIntxAuth, LoopringAuth

if TYPE_CHECKING:
    import coinbase_exchange_api
    import coinbase_intx_api

__all__ = [
    "ENV_VARS",
    "AsyncClient",
    "Client",
    "CoinbaseExchangeVenue",
    "CoinbaseIntxVenue",
    "LoopringVenue",
    "RateLimits",
]

_R = TypeVar("_R")
_TransportT = TypeVar("_TransportT", httpx.BaseTransport, httpx.AsyncBaseTransport)
_Build = Callable[[], PreparedCancel]
_Credentials = CoinbaseExchangeCredentials | CoinbaseIntxCredentials | LoopringCredentials
_Timeout = float | httpx.Timeout | None

#: ``rate_limits=``: ``True`` (the venues' documented limits), ``False`` (no client-side pacing),
#: or per-venue overrides keyed by venue value (``None`` turns one venue's pacing off).
RateLimits = Mapping[str, RateLimit | None] | bool

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

#: How far off a signed timestamp may be, per venue (Loopring signs none).
_CLOCK_WINDOWS: Mapping[Venue, float] = {
    Venue.COINBASE_EXCHANGE: EXCHANGE_CLOCK_WINDOW,
    Venue.COINBASE_INTX: INTX_CLOCK_WINDOW,
}

# Monotonic clock and sleeps of the retry loop and the rate limiter, looked up at call time so a
# test can swap in a fake clock (``monkeypatch.setattr(venuekit._client, "_monotonic", ...)``).
_monotonic: Callable[[], float] = time.monotonic
_sleep: Callable[[float], object] = time.sleep
_async_sleep: Callable[[float], Awaitable[object]] = anyio.sleep


def _base_url_var(venue: Venue) -> str:
    return f"VENUEKIT_{venue.value.upper()}_BASE_URL"


@attrs.frozen(kw_only=True)
class _CallOptions:
    """Per-call overrides of the client's retry knobs; ``None`` keeps the client's value."""

    attempts: int | None = None
    deadline: float | None = None
    timeout: _Timeout = None


# --- venue handles: the one shared body of every cancel_order -------------------------------


class CoinbaseExchangeVenue(Generic[_R]):
    """Cancel orders on Coinbase Exchange; reached as ``client.coinbase_exchange``.

    Example::

        result = client.coinbase_exchange.cancel_order(order_id=order_id, product_id="BTC-USD")
    """

    def __init__(self, send: Callable[[_Build, _CallOptions], _R]) -> None:
        self._send = send

    def cancel_order(
        self,
        *,
        order_id: str | None = None,
        client_oid: str | None = None,
        product_id: str | None = None,
        profile_id: str | None = None,
        attempts: int | None = None,
        deadline: float | None = None,
        timeout: _Timeout = None,
    ) -> _R:
        """Cancel one order by exchange ``order_id`` or by ``client_oid`` (exactly one).

        ``client_oid`` may carry the ``client:`` namespace or not; it is sent with it exactly
        once. ``product_id`` is recommended by Coinbase (avoids a race). ``attempts``,
        ``deadline`` (seconds for the whole call) and ``timeout`` (per attempt) override the
        client's for this call. Returns a ``CancelResult`` (``AsyncClient``: awaitable). Raises
        ``InvalidRequest`` before any I/O for bad arguments, and the ``venuekit.errors`` class
        matching the venue's last answer once retries are exhausted.

        Example: ``client.coinbase_exchange.cancel_order(client_oid="8fd1...", product_id="BTC-USD")``
        """
        return self._send(
            lambda: _exchange.prepare_cancel(
                order_id=order_id,
                client_oid=client_oid,
                product_id=product_id,
                profile_id=profile_id,
            ),
            _CallOptions(attempts=attempts, deadline=deadline, timeout=timeout),
        )


class CoinbaseIntxVenue(Generic[_R]):
    """Cancel orders on Coinbase INTX (retired 1 October 2026); reached as ``client.coinbase_intx``.

    Example::

        result = client.coinbase_intx.cancel_order(order_id="43877033468085760", portfolio=pid)
    """

    def __init__(self, send: Callable[[_Build, _CallOptions], _R]) -> None:
        self._send = send

    def cancel_order(
        self,
        *,
        order_id: str,
        portfolio: str,
        attempts: int | None = None,
        deadline: float | None = None,
        timeout: _Timeout = None,
    ) -> _R:
        """Cancel one order by its exchange or client order id in ``portfolio`` (UUID or id).

        Returns a ``CancelResult`` whose ``response`` is the generated ``OrderResultV1`` and
        whose ``price``/``size`` are exact ``Decimal``. ``attempts``, ``deadline`` and
        ``timeout`` override the client's for this call. Raises ``InvalidRequest`` before any
        I/O for bad arguments, and the ``venuekit.errors`` class matching the venue's answer.

        Example: ``client.coinbase_intx.cancel_order(order_id="438...", portfolio="5189861793641175")``
        """
        return self._send(
            lambda: _intx.prepare_cancel(order_id=order_id, portfolio=portfolio),
            _CallOptions(attempts=attempts, deadline=deadline, timeout=timeout),
        )


class LoopringVenue(Generic[_R]):
    """Cancel orders on Loopring v3 (reported offline since mid-2026); ``client.loopring``.

    Example::

        result = client.loopring.cancel_order(order_hash="0x05a9...")
    """

    def __init__(
        self, send: Callable[[_Build, _CallOptions], _R], *, default_account_id: int
    ) -> None:
        self._send = send
        self._default_account_id = default_account_id

    def cancel_order(
        self,
        *,
        order_hash: str | None = None,
        client_order_id: str | None = None,
        account_id: int | None = None,
        attempts: int | None = None,
        deadline: float | None = None,
        timeout: _Timeout = None,
    ) -> _R:
        """Cancel one order by ``order_hash`` or ``client_order_id`` (exactly one).

        ``account_id`` defaults to the credentials' account. Returns a ``CancelResult`` whose
        ``response`` is a ``LoopringCancelResponse``. ``attempts``, ``deadline`` and ``timeout``
        override the client's for this call. Raises ``InvalidRequest`` before any I/O for bad
        arguments, and the ``venuekit.errors`` class matching the venue's answer.

        Example: ``client.loopring.cancel_order(client_order_id="my-order-7")``
        """
        default = self._default_account_id
        return self._send(
            lambda: _loopring.prepare_cancel(
                order_hash=order_hash,
                client_order_id=client_order_id,
                account_id=account_id,
                default_account_id=default,
            ),
            _CallOptions(attempts=attempts, deadline=deadline, timeout=timeout),
        )


# --- shared configuration --------------------------------------------------------------------


@attrs.frozen
class _VenueSetup:
    """Everything needed to open an httpx client for one configured venue, and its clock."""

    venue: Venue
    base_url: str
    auth: LoopringAuth | CoinbaseExchangeAuth | CoinbaseIntxAuth = attrs.field(repr=False)
    secrets: frozenset[str] = attrs.field(repr=False)
    #: The rate limiter's key: the API key (an identifier; never logged).
    key: str = attrs.field(repr=False)
    #: Venue clock minus ours; copied into ``auth.clock_offset`` whenever it changes.
    clock: ClockOffset = attrs.field(factory=ClockOffset)


@attrs.define
class _Call:
    """One cancel in progress: its request, its retry policy, and what its attempts observed."""

    prepared: PreparedCancel
    setup: _VenueSetup
    policy: RetryPolicy
    timeout: httpx.Timeout
    started: float
    #: The clock offset estimate from the ``Date`` header of the last 401, if any.
    date_estimate: float | None = None

    def attempt_timeout(self) -> httpx.Timeout:
        """The per-attempt timeout, each part cut to what is left of the deadline."""
        if self.policy.deadline is None:
            return self.timeout
        left = max(0.001, self.policy.deadline - (_monotonic() - self.started))
        t = self.timeout
        if all(v is not None and v <= left for v in (t.connect, t.read, t.write, t.pool)):
            return t  # nothing to cut (the usual case): no new Timeout per attempt

        def cut(value: float | None) -> float:
            return left if value is None else min(value, left)

        return httpx.Timeout(
            connect=cut(t.connect), read=cut(t.read), write=cut(t.write), pool=cut(t.pool)
        )


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


def _timeout(value: _Timeout) -> httpx.Timeout:
    if value is None:
        return httpx.Timeout(
            connect=CONNECT_TIMEOUT, read=READ_TIMEOUT, write=WRITE_TIMEOUT, pool=POOL_TIMEOUT
        )
    return value if isinstance(value, httpx.Timeout) else httpx.Timeout(value)


def _policy(attempts: int, deadline: float | None) -> RetryPolicy:
    """The retry policy for these knobs; ``InvalidRequest`` naming a bad one."""
    if deadline is not None and math.isinf(deadline) and deadline > 0:
        deadline = None  # per call: no overall budget
    try:
        return RetryPolicy(attempts=attempts, deadline=deadline)
    except ValueError as exc:
        field = "attempts" if "attempts" in str(exc) else "deadline"
        raise errors.InvalidRequest(str(exc), field=field) from None


def _rate_limiter(rate_limits: RateLimits) -> RateLimiter:
    if rate_limits is True:
        return RateLimiter(clock=lambda: _monotonic())
    if rate_limits is False:
        return RateLimiter.disabled()
    try:
        return RateLimiter(
            {str(venue): limit for venue, limit in rate_limits.items()},
            clock=lambda: _monotonic(),
        )
    except (TypeError, ValueError) as exc:
        raise errors.InvalidRequest(str(exc), field="rate_limits") from None


class _BaseClient(Generic[_TransportT, _R]):
    """Configuration, venue handles, retry plan and answer interpretation shared by both clients."""

    def __init__(
        self,
        *,
        coinbase_exchange: CoinbaseExchangeCredentials | None = None,
        coinbase_intx: CoinbaseIntxCredentials | None = None,
        loopring: LoopringCredentials | None = None,
        base_urls: Mapping[str, str] | None = None,
        transport: _TransportT | None = None,
        timeout: _Timeout = None,
        attempts: int = RETRY_ATTEMPTS,
        deadline: float | None = RETRY_DEADLINE,
        rate_limits: RateLimits = True,
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
        self._policy = _policy(attempts, deadline)
        self._limiter = _rate_limiter(rate_limits)
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
                key=credentials.api_key,
            )
        self._default_account_id = loopring.account_id if loopring is not None else None
        self._exchange_handle = CoinbaseExchangeVenue(self._send)
        self._intx_handle = CoinbaseIntxVenue(self._send)
        self._loopring_handle = LoopringVenue(
            self._send, default_account_id=self._default_account_id or 0
        )
        self._open_all()

    @classmethod
    def from_env(
        cls,
        *,
        environ: Mapping[str, str] | None = None,
        transport: _TransportT | None = None,
        timeout: _Timeout = None,
        attempts: int = RETRY_ATTEMPTS,
        deadline: float | None = RETRY_DEADLINE,
        rate_limits: RateLimits = True,
    ) -> Self:
        """Build a client from ``VENUEKIT_*`` environment variables (table in the module doc).

        Venues whose variables are all unset are left unconfigured; a venue with only some of
        them set raises ``InvalidCredentials`` naming the missing variable. ``environ`` replaces
        ``os.environ`` (tests); the other arguments are the constructor's.

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
            attempts=attempts,
            deadline=deadline,
            rate_limits=rate_limits,
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

    # -- shared internals: configuration --------------------------------------------------------

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
        # The generated packages are imported when a client for their venue is opened, so
        # `import venuekit` stays light and a retired venue's package costs nothing unused.
        factory: type[coinbase_exchange_api.Client] | type[coinbase_intx_api.Client]
        if setup.venue is Venue.COINBASE_EXCHANGE:
            import coinbase_exchange_api

            factory = coinbase_exchange_api.Client
        elif setup.venue is Venue.COINBASE_INTX:
            import coinbase_intx_api

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

    def _send(self, build: _Build, options: _CallOptions) -> _R:
        """Build the request (``InvalidRequest`` before I/O), then run its attempts."""
        raise NotImplementedError

    # -- shared internals: one call ---------------------------------------------------------------

    def _start(self, build: _Build, options: _CallOptions) -> _Call:
        """Check the arguments and plan the call; ``InvalidRequest`` (``attempts == 0``)."""
        prepared = build()
        self._require(prepared.venue)
        policy = self._policy
        if options.attempts is not None or options.deadline is not None:
            policy = _policy(
                options.attempts if options.attempts is not None else policy.attempts,
                options.deadline if options.deadline is not None else policy.deadline,
            )
        logger.debug(
            "%s: %s %s %s", prepared.venue.value, prepared.method, prepared.url, prepared.params
        )
        return _Call(
            prepared=prepared,
            setup=self._setups[prepared.venue],
            policy=policy,
            timeout=self._timeout if options.timeout is None else _timeout(options.timeout),
            started=_monotonic(),
        )

    @staticmethod
    def _url(prepared: PreparedCancel, base_url: httpx.URL) -> str:
        """The absolute URL to send, built once per call.

        Exactly what httpx would build from the base URL and the relative path (its base URL
        always ends with ``/``), but httpx's per-request merging and params encoding cost more
        than all of venuekit's own work per cancel (``make bench``).
        """
        base = str(base_url)  # "http://host:port" for a root base URL (raw path "/")
        slash = "" if base.endswith("/") else "/"
        return f"{base}{slash}{prepared.target().lstrip('/')}"

    def _judge(self, call: _Call, response: httpx.Response, offset_used: float) -> CancelResult:
        """Observe the clock, then interpret the answer: a result, or raise its ``VenueError``."""
        prepared, setup = call.prepared, call.setup
        received = time.time()
        if logger.isEnabledFor(logging.DEBUG):  # the arguments cost more than the check
            logger.debug(
                "%s: %s %s -> HTTP %s",
                prepared.venue.value,
                prepared.method,
                response.request.url.raw_path.decode("ascii", "replace"),
                response.status_code,
            )
        window = _CLOCK_WINDOWS.get(prepared.venue)
        date = response.headers.get("date")
        if window is not None and setup.clock.observe_date_header(date, received_at=received):
            self._apply_clock(setup)
        raw = RawResponse(
            status_code=response.status_code,
            headers=response.headers,
            content=response.content,
            now=received,
            secrets=setup.secrets,
        )
        try:
            return interpret(prepared, raw)
        except errors.AuthenticationError as exc:
            estimate = offset_from_date_header(date, received_at=received)
            call.date_estimate = estimate
            if (
                window is not None
                and estimate is not None
                and abs(estimate - offset_used) > window - CLOCK_DATE_HEADER_UNCERTAINTY
            ):
                exc.timestamp_expired = True  # read by venuekit._retry.is_timestamp_expired
            raise
        except errors.RateLimited as exc:
            if exc.retry_after is not None and not is_testing():
                self._limiter.pause(prepared.venue.value, setup.key, exc.retry_after)
            raise

    def _transport_error(self, call: _Call, exc: httpx.HTTPError) -> errors.VenueError:
        venue = call.prepared.venue
        text = redact(f"{type(exc).__name__}: {exc}", call.setup.secrets)
        if isinstance(exc, httpx.DecodingError):
            return errors.VenueError(f"response body could not be decoded ({text})", venue=venue)
        not_sent = (
            httpx.ConnectError,
            httpx.ConnectTimeout,
            httpx.PoolTimeout,
            httpx.ProxyError,
            httpx.UnsupportedProtocol,
        )
        return errors.TransportError(
            text, may_have_reached_venue=not isinstance(exc, not_sent), venue=venue
        )

    def _check_deadline(self, call: _Call) -> None:
        """After waiting for a rate-limit slot: refuse to send when the deadline has passed."""
        deadline = call.policy.deadline
        if deadline is not None and _monotonic() - call.started >= deadline:
            raise errors.TransportError(
                f"deadline of {deadline} s reached while waiting for a rate-limit slot",
                may_have_reached_venue=False,
                venue=call.prepared.venue,
            )

    @staticmethod
    def _apply_clock(setup: _VenueSetup) -> None:
        setup.auth.clock_offset = setup.clock.seconds
        logger.debug("%s: clock offset now %.3f s", setup.venue.value, setup.clock.seconds)

    def _resynced(
        self, call: _Call, response: httpx.Response | None, sent: float, received: float
    ) -> None:
        """Apply ``GET /time``'s answer, else the last 401's ``Date`` header (forced)."""
        setup = call.setup
        epoch: object = None
        if response is not None and response.status_code == httpx.codes.OK:
            try:
                epoch = response.json().get("epoch")
            except (ValueError, AttributeError):
                epoch = None
        if isinstance(epoch, int | float) and not isinstance(epoch, bool):
            setup.clock.observe_server_time(
                float(epoch), sent_at=sent, received_at=received, force=True
            )
        elif call.date_estimate is not None:
            setup.clock.update(
                call.date_estimate, uncertainty=CLOCK_DATE_HEADER_UNCERTAINTY, force=True
            )
        else:
            logger.debug("%s: no clock reference for the resync", setup.venue.value)
            return
        self._apply_clock(setup)

    @staticmethod
    def _finish(call: _Call, outcome: Outcome[CancelResult]) -> CancelResult:
        """The call's result, or raise its last error with ``attempts`` set."""
        if isinstance(outcome, Failed):
            outcome.error.attempts = outcome.attempts
            raise outcome.error
        if isinstance(outcome, AmbiguityResolved):
            prepared = call.prepared
            return CancelResult(
                venue=prepared.venue,
                order_id=prepared.order_id,
                client_order_id=prepared.client_order_id,
                state=CancelState.CANCELLED_ON_EARLIER_ATTEMPT,
                venue_status=None,
                response=None,
                attempts=outcome.attempts,
                confirmed_by=str(outcome.error),
            )
        if outcome.value.attempts == outcome.attempts:  # the usual single attempt: no copy
            return outcome.value
        return attrs.evolve(outcome.value, attempts=outcome.attempts)

    # -- shared internals: bulk -----------------------------------------------------------------

    def _options(
        self, attempts: int | None, deadline: float | None, timeout: _Timeout
    ) -> _CallOptions:
        """Per-call options, checked once for a whole batch."""
        options = _CallOptions(attempts=attempts, deadline=deadline, timeout=timeout)
        if attempts is not None or deadline is not None:
            _policy(
                attempts if attempts is not None else self._policy.attempts,
                deadline if deadline is not None else self._policy.deadline,
            )
        return options

    def _bulk_cancel(self, options: _CallOptions) -> Callable[[CancelRequest], _R]:
        """One order of ``cancel_many`` through the ordinary single-cancel path."""
        default = self._default_account_id

        def cancel(request: CancelRequest) -> _R:
            return self._send(
                lambda: prepare(request, default_account_id=default, require=self._require),
                options,
            )

        return cancel


def _auth_for(credentials: _Credentials) -> LoopringAuth | CoinbaseExchangeAuth | CoinbaseIntxAuth:
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


# --- the two clients: only opening, sending, scheduling and closing differ --------------------

_CLIENT_ARGS = """
    Only venues given credentials are usable; the others raise ``VenueNotConfigured``.

    Arguments (all keyword-only):
        coinbase_exchange, coinbase_intx, loopring: the venues' credentials.
        base_urls: production URLs overridden per venue (keys ``"coinbase_exchange"``,
            ``"coinbase_intx"``, ``"loopring"``).
        transport: passed to every venue's httpx client (tests, proxies); closed with the client.
        timeout: per attempt, seconds or an ``httpx.Timeout`` (default connect 5 s, read 10 s).
        attempts: attempts per cancel, the first included (default 5; ``1`` turns retries off).
            Retried: connection errors, timeouts, dropped connections, HTTP 5xx and 429, with
            exponential backoff and full jitter, never sooner than ``Retry-After``. Never
            retried: authentication, not found, already done, invalid requests.
        deadline: seconds for a whole call, waits included (default 30; ``None``: no limit).
        rate_limits: client-side pacing shared by every call of this client, per venue and API
            key: ``True`` (default) paces 5 % under the documented limits (Exchange 15/s burst
            30, INTX 40/s, Loopring 5/s); ``False`` turns pacing off; a mapping such as
            ``{"loopring": venuekit.RateLimit(rate=2, burst=2), "coinbase_intx": None}``
            overrides venues (``None``: no pacing for that venue).

    Redirects are never followed. ``venuekit.testing.instant_retries()`` makes retry waits zero.
"""


class Client(_BaseClient[httpx.BaseTransport, CancelResult]):
    """Cancel orders on Coinbase Exchange, Coinbase INTX and Loopring (blocking, thread-safe).

    Example::

        with venuekit.Client(
            coinbase_exchange=venuekit.CoinbaseExchangeCredentials(
                api_key=key, api_secret=secret, passphrase=passphrase
            ),
            attempts=3,
        ) as client:
            result = client.coinbase_exchange.cancel_order(order_id=order_id)
    """

    __doc__ = (__doc__ or "") + _CLIENT_ARGS

    def _open_all(self) -> None:
        self._http: dict[Venue, httpx.Client] = {}
        for venue, setup in self._setups.items():
            generated = self._generated_client(setup)
            self._http[venue] = (
                generated.get_httpx_client()
                if generated is not None
                else httpx.Client(**self._plain_httpx_kwargs(setup))
            )

    def _send(self, build: _Build, options: _CallOptions) -> CancelResult:
        call = self._start(build, options)
        prepared, setup = call.prepared, call.setup
        http = self._http[prepared.venue]
        target = self._url(prepared, http.base_url)

        def attempt() -> CancelResult:
            self._limiter.acquire(prepared.venue.value, setup.key, sleep=_sleep)
            self._check_deadline(call)
            offset = setup.auth.clock_offset
            try:
                response = http.request(
                    prepared.method,
                    target,
                    timeout=call.attempt_timeout(),
                )
            except httpx.HTTPError as exc:
                raise self._transport_error(call, exc) from exc
            return self._judge(call, response, offset)

        def resync() -> None:
            response, sent = None, time.time()
            if prepared.venue is Venue.COINBASE_EXCHANGE:
                try:
                    response = http.get("/time", auth=None, timeout=call.attempt_timeout())
                except httpx.HTTPError as exc:
                    logger.debug("coinbase_exchange: GET /time failed: %s", type(exc).__name__)
            self._resynced(call, response, sent, time.time())

        outcome = run_sync(
            attempt,
            policy=call.policy,
            clock=lambda: _monotonic(),
            sleep=lambda seconds: _sleep(seconds),
            on_timestamp_expired=resync,
        )
        return self._finish(call, outcome)

    def cancel_many(
        self,
        orders: Iterable[CancelRequest],
        *,
        concurrency: int = BULK_CONCURRENCY,
        progress: Progress | None = None,
        attempts: int | None = None,
        deadline: float | None = None,
        timeout: _Timeout = None,
    ) -> list[CancelOutcome]:
        """Cancel many orders across venues; exactly one ``CancelOutcome`` per input, in order.

        Up to ``concurrency`` cancels run at once per venue (threads), all paced by the client's
        rate limiter; each is retried like ``cancel_order`` (``attempts``, ``deadline`` and
        ``timeout`` apply per order). A bad request or a failed cancel is that entry's outcome;
        nothing is raised for one order. ``progress(done, total)`` is called after each order.

        Example::

            outcomes = client.cancel_many(
                [venuekit.CancelRequest.coinbase_exchange(order_id=i) for i in order_ids],
                progress=lambda done, total: print(f"{done}/{total}"),
            )
            failed = [o for o in outcomes if not o.ok]
        """
        options = self._options(attempts, deadline, timeout)
        return run_many_sync(
            _requests(orders),
            self._bulk_cancel(options),
            concurrency=check_concurrency(concurrency),
            progress=progress,
        )

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

    __doc__ = (__doc__ or "") + _CLIENT_ARGS

    def _open_all(self) -> None:
        self._http: dict[Venue, httpx.AsyncClient] = {}
        for venue, setup in self._setups.items():
            generated = self._generated_client(setup)
            self._http[venue] = (
                generated.get_async_httpx_client()
                if generated is not None
                else httpx.AsyncClient(**self._plain_httpx_kwargs(setup))
            )

    async def _send(self, build: _Build, options: _CallOptions) -> CancelResult:
        call = self._start(build, options)
        prepared, setup = call.prepared, call.setup
        http = self._http[prepared.venue]
        target = self._url(prepared, http.base_url)

        async def attempt() -> CancelResult:
            await self._limiter.acquire_async(prepared.venue.value, setup.key, sleep=_async_sleep)
            self._check_deadline(call)
            offset = setup.auth.clock_offset
            try:
                response = await http.request(
                    prepared.method,
                    target,
                    timeout=call.attempt_timeout(),
                )
            except httpx.HTTPError as exc:
                raise self._transport_error(call, exc) from exc
            return self._judge(call, response, offset)

        async def resync() -> None:
            response, sent = None, time.time()
            if prepared.venue is Venue.COINBASE_EXCHANGE:
                try:
                    response = await http.get("/time", auth=None, timeout=call.attempt_timeout())
                except httpx.HTTPError as exc:
                    logger.debug("coinbase_exchange: GET /time failed: %s", type(exc).__name__)
            self._resynced(call, response, sent, time.time())

        outcome = await run_async(
            attempt,
            policy=call.policy,
            clock=lambda: _monotonic(),
            sleep=lambda seconds: _async_sleep(seconds),
            on_timestamp_expired=resync,
        )
        return self._finish(call, outcome)

    async def cancel_many(
        self,
        orders: Iterable[CancelRequest],
        *,
        concurrency: int = BULK_CONCURRENCY,
        progress: Progress | None = None,
        attempts: int | None = None,
        deadline: float | None = None,
        timeout: _Timeout = None,  # noqa: ASYNC109 - per HTTP attempt, as on Client; not a scope
    ) -> list[CancelOutcome]:
        """Cancel many orders across venues; exactly one ``CancelOutcome`` per input, in order.

        The same contract as ``Client.cancel_many``; the cancels run as tasks of one anyio task
        group, up to ``concurrency`` at once per venue.

        Example::

            outcomes = await client.cancel_many(orders, concurrency=16)
        """
        options = self._options(attempts, deadline, timeout)
        return await run_many_async(
            _requests(orders),
            self._bulk_cancel(options),
            concurrency=check_concurrency(concurrency),
            progress=progress,
        )

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


def _requests(orders: Iterable[CancelRequest]) -> list[CancelRequest]:
    """The batch as a list; ``TypeError`` (nothing sent) for an entry that is no ``CancelRequest``."""
    requests = list(orders)
    for index, request in enumerate(requests):
        if not isinstance(request, CancelRequest):
            raise TypeError(
                f"cancel_many takes venuekit.CancelRequest entries; entry {index} is a "
                f"{type(request).__name__} (use CancelRequest.from_mapping for dicts)"
            )
    return requests
