"""``Client`` and ``AsyncClient``: construction, the typed venue handles, and closing.

A cancel goes down one way and comes back up: handle -> ``_prepare`` (the venue's ``Action``
builds and checks the request, ``InvalidRequest`` before any I/O) -> ``venuekit._engine.flow``
(the whole call, no I/O) driven by ``venuekit._drive`` (``drive_sync`` / ``drive_async``) ->
``venuekit._http`` (the bytes on the wire) and back. The two clients differ only in which
driver they use and how they close. See the README's architecture section for the walk.

Environment variables read by ``from_env`` are each venue's (``VenueSpec.credentials[*].env``),
plus ``VENUEKIT_<VENUE>_BASE_URL``; the README lists them.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine, Iterable, Mapping
from types import TracebackType
from typing import Any, Generic, Self, TypeVar, Unpack

import attrs
import httpx

from venuekit._bulk import (
    CancelOutcome,
    OnOutcome,
    Progress,
    check_batch_deadline,
    check_concurrency,
    check_request,
    run_many_async,
    run_many_sync,
)
from venuekit._clock import SYSTEM_CLOCK, Clock
from venuekit._config import (
    RateLimits,
    Timeout,
    build_config,
    check_policy,
    check_timeout,
    credentials_from_env,
    not_configured,
)
from venuekit._constants import BULK_CONCURRENCY, RETRY_ATTEMPTS, RETRY_DEADLINE
from venuekit._drive import drive_async, drive_sync
from venuekit._engine import Call, Event, flow
from venuekit._http import open_async_client, open_client
from venuekit._models import CancelResult
from venuekit._ratelimit import InProcessBudget
from venuekit._venues import REGISTRY, Venue, VenueCredentials
from venuekit._venues._request import CancelRequest

__all__ = [
    "AsyncClient",
    "Client",
    "CoinbaseExchangeVenue",
    "CoinbaseIntxVenue",
    "LoopringVenue",
]

_R = TypeVar("_R")
_T = TypeVar("_T")
_HttpT = TypeVar("_HttpT", httpx.Client, httpx.AsyncClient)


@attrs.frozen(kw_only=True)
class _Options:
    """Per-call overrides of the client's knobs; ``None`` keeps the client's value."""

    attempts: int | None = None
    deadline: float | None = None
    timeout: Timeout = None


_Submit = Callable[[Venue, str, Mapping[str, object], _Options], Any]


class _Handle(Generic[_R]):
    """What every venue handle shares: it hands its arguments to the client, as a mapping."""

    _venue: Venue

    def __init__(self, submit: _Submit) -> None:
        self._submit = submit

    def _cancel(self, arguments: Mapping[str, object], options: _Options) -> _R:
        result: _R = self._submit(self._venue, "cancel", arguments, options)
        return result


class CoinbaseExchangeVenue(_Handle[_R]):
    """Cancel orders on Coinbase Exchange (live); reached as ``client.coinbase_exchange``.

    Example::

        result = client.coinbase_exchange.cancel_order(order_id=order_id, product_id="BTC-USD")
    """

    _venue = Venue.COINBASE_EXCHANGE

    def cancel_order(
        self,
        *,
        order_id: str | None = None,
        client_oid: str | None = None,
        product_id: str | None = None,
        profile_id: str | None = None,
        attempts: int | None = None,
        deadline: float | None = None,
        timeout: Timeout = None,
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
        arguments = {
            "order_id": order_id,
            "client_oid": client_oid,
            "product_id": product_id,
            "profile_id": profile_id,
        }
        return self._cancel(
            arguments, _Options(attempts=attempts, deadline=deadline, timeout=timeout)
        )


class CoinbaseIntxVenue(_Handle[_R]):
    """Cancel orders on Coinbase INTX (retired 1 October 2026); reached as ``client.coinbase_intx``.

    Example::

        result = client.coinbase_intx.cancel_order(order_id="2v2ckc1g-1-0", portfolio=pid)
    """

    _venue = Venue.COINBASE_INTX

    def cancel_order(
        self,
        *,
        order_id: str | None = None,
        client_order_id: str | None = None,
        portfolio: str,
        attempts: int | None = None,
        deadline: float | None = None,
        timeout: Timeout = None,
    ) -> _R:
        """Cancel one order by its exchange ``order_id`` or ``client_order_id`` in ``portfolio``.

        Returns a ``CancelResult`` whose ``response`` is the generated ``OrderResultV1`` and
        whose ``price``/``size`` are exact ``Decimal``. ``attempts``, ``deadline`` and
        ``timeout`` override the client's for this call. Raises ``InvalidRequest`` before any
        I/O for bad arguments, and the ``venuekit.errors`` class matching the venue's answer.

        Example: ``client.coinbase_intx.cancel_order(order_id="2v2ckc1g-1-0", portfolio="1wp37qsc-1-0")``
        """
        arguments = {
            "order_id": order_id,
            "client_order_id": client_order_id,
            "portfolio": portfolio,
        }
        return self._cancel(
            arguments, _Options(attempts=attempts, deadline=deadline, timeout=timeout)
        )


class LoopringVenue(_Handle[_R]):
    """Cancel orders on Loopring v3 (reported offline since mid-2026); ``client.loopring``.

    Example::

        result = client.loopring.cancel_order(order_hash="0x05a9...")
    """

    _venue = Venue.LOOPRING

    def cancel_order(
        self,
        *,
        order_hash: str | None = None,
        client_order_id: str | None = None,
        account_id: int | None = None,
        attempts: int | None = None,
        deadline: float | None = None,
        timeout: Timeout = None,
    ) -> _R:
        """Cancel one order by ``order_hash`` or ``client_order_id`` (exactly one).

        ``account_id`` defaults to the credentials' account. Returns a ``CancelResult`` whose
        ``response`` is a ``LoopringCancelResponse``. ``attempts``, ``deadline`` and ``timeout``
        override the client's for this call. Raises ``InvalidRequest`` before any I/O for bad
        arguments, and the ``venuekit.errors`` class matching the venue's answer.

        Example: ``client.loopring.cancel_order(client_order_id="my-order-7")``
        """
        arguments = {
            "order_hash": order_hash,
            "client_order_id": client_order_id,
            "account_id": account_id,
        }
        return self._cancel(
            arguments, _Options(attempts=attempts, deadline=deadline, timeout=timeout)
        )


class _BaseClient(Generic[_HttpT, _R]):
    """Construction, the venue handles and the call plan shared by both clients."""

    def __init__(
        self,
        *,
        base_urls: Mapping[str, str] | None = None,
        transport: Any = None,
        timeout: Timeout = None,
        attempts: int = RETRY_ATTEMPTS,
        deadline: float | None = RETRY_DEADLINE,
        rate_limits: RateLimits = True,
        clock: Clock | None = None,
        on_event: Callable[[Event], object] | None = None,
        **credentials: Unpack[VenueCredentials],
    ) -> None:
        unknown = sorted(set(credentials) - {venue.value for venue in REGISTRY})
        if unknown:
            raise TypeError(
                f"{type(self).__name__}() got an unexpected keyword argument {unknown[0]!r}"
            )
        self._config = build_config(
            credentials=dict(credentials),
            base_urls=base_urls,
            timeout=timeout,
            attempts=attempts,
            deadline=deadline,
            rate_limits=rate_limits,
        )
        self._clock: Clock = clock if clock is not None else SYSTEM_CLOCK
        self._on_event = on_event
        self._budget = InProcessBudget(clock=self._clock.monotonic)
        self._http: dict[Venue, _HttpT] = {
            venue: self._open(
                target.base_url,
                target.spec.kind_of(target.credentials),
                target.credentials,
                transport,
            )
            for venue, target in self._config.targets.items()
        }
        self._handles = (
            CoinbaseExchangeVenue[_R](self._submit),
            CoinbaseIntxVenue[_R](self._submit),
            LoopringVenue[_R](self._submit),
        )

    def _open(self, base_url: str, kind: Any, credentials: object, transport: Any) -> _HttpT:
        raise NotImplementedError

    def _submit(
        self, venue: Venue, action: str, arguments: Mapping[str, object], options: _Options
    ) -> _R:
        raise NotImplementedError

    @classmethod
    def from_env(
        cls,
        *,
        environ: Mapping[str, str] | None = None,
        transport: Any = None,
        timeout: Timeout = None,
        attempts: int = RETRY_ATTEMPTS,
        deadline: float | None = RETRY_DEADLINE,
        rate_limits: RateLimits = True,
        clock: Clock | None = None,
        on_event: Callable[[Event], object] | None = None,
    ) -> Self:
        """Build a client from ``VENUEKIT_*`` environment variables (the README lists them).

        Venues whose variables are all unset are left unconfigured; a venue with only some of
        them set raises ``InvalidCredentials`` naming the missing variable. ``environ`` replaces
        ``os.environ`` (tests); the other arguments are the constructor's.

        Example::

            with venuekit.Client.from_env() as client:
                client.coinbase_exchange.cancel_order(order_id=order_id)
        """
        import os

        found, urls = credentials_from_env(os.environ if environ is None else environ)
        return cls(
            base_urls=urls,
            transport=transport,
            timeout=timeout,
            attempts=attempts,
            deadline=deadline,
            rate_limits=rate_limits,
            clock=clock,
            on_event=on_event,
            **found,
        )

    # -- venue handles ------------------------------------------------------------------------

    def _handle(self, venue: Venue, handle: _T) -> _T:
        if venue not in self._config.targets:
            raise not_configured(venue)
        return handle

    @property
    def coinbase_exchange(self) -> CoinbaseExchangeVenue[_R]:
        """Coinbase Exchange; ``VenueNotConfigured`` if the client has no credentials for it."""
        return self._handle(Venue.COINBASE_EXCHANGE, self._handles[0])

    @property
    def coinbase_intx(self) -> CoinbaseIntxVenue[_R]:
        """Coinbase INTX (retired); ``VenueNotConfigured`` without credentials for it."""
        return self._handle(Venue.COINBASE_INTX, self._handles[1])

    @property
    def loopring(self) -> LoopringVenue[_R]:
        """Loopring v3 (reported offline); ``VenueNotConfigured`` without credentials for it."""
        return self._handle(Venue.LOOPRING, self._handles[2])

    @property
    def venues(self) -> frozenset[Venue]:
        """The venues this client has credentials for."""
        return frozenset(self._config.targets)

    def __repr__(self) -> str:
        venues = ", ".join(f"{v.value}={t.base_url!r}" for v, t in self._config.targets.items())
        return f"{type(self).__name__}({venues})"

    # -- one call, planned ----------------------------------------------------------------------

    def _call(
        self, venue: Venue, action: str, arguments: Mapping[str, object], options: _Options
    ) -> Call[Any]:
        """Check the arguments and plan the call; ``InvalidRequest`` before any I/O."""
        target = self._config.targets.get(venue)
        if target is None:
            raise not_configured(venue)
        spec = target.spec
        act = spec.cancel if action == "cancel" else spec.actions[action]
        policy = self._config.policy
        if options.attempts is not None or options.deadline is not None:
            policy = check_policy(
                options.attempts if options.attempts is not None else policy.attempts,
                options.deadline if options.deadline is not None else policy.deadline,
            )
        return Call(
            target=target,
            prepared=act.prepare(arguments, target.credentials),
            action=act,
            policy=policy,
            timeout=self._config.timeout
            if options.timeout is None
            else check_timeout(options.timeout),
            on_event=self._on_event,
        )

    def _bulk_options(
        self, attempts: int | None, deadline: float | None, timeout: Timeout
    ) -> _Options:
        """Per-call options, checked once for a whole batch."""
        if attempts is not None or deadline is not None:
            check_policy(
                attempts if attempts is not None else self._config.policy.attempts,
                deadline if deadline is not None else self._config.policy.deadline,
            )
        if timeout is not None:
            check_timeout(timeout)
        return _Options(attempts=attempts, deadline=deadline, timeout=timeout)

    def _bulk_one(self, request: CancelRequest, options: _Options) -> _R:
        spec = check_request(request)
        return self._submit(spec.venue, "cancel", request.arguments(), options)


_CLIENT_ARGS = """
    Only venues given credentials are usable; the others raise ``VenueNotConfigured``.

    Arguments (all keyword-only):
        coinbase_exchange, coinbase_intx, loopring: the venues' credentials (one keyword per
            venue, named by its ``venuekit.Venue`` value).
        base_urls: production URLs overridden per venue (keys: venue values).
        transport: passed to every venue's httpx client (tests, proxies); closed with the client.
        timeout: per attempt, seconds or an ``httpx.Timeout`` (default connect 5 s, read 10 s).
        attempts: attempts per cancel, the first included (default 5; ``1`` turns retries off).
            Retried: connection errors, timeouts, dropped connections, HTTP 5xx and 429, with
            exponential backoff and full jitter, never sooner than ``Retry-After``. Never
            retried: authentication, not found, already done, invalid requests.
        deadline: seconds for a whole call, waits included (default 30; ``None``: no limit).
        rate_limits: client-side pacing shared by every call of this client, per venue and API
            key: ``True`` (default) paces 5 % under the documented limits; ``False`` turns pacing
            off; a mapping such as ``{"loopring": venuekit.RateLimit(rate=2, burst=2)}``
            overrides venues (``None``: no pacing for that venue).
        clock: where time is read and waited (default: the system clock;
            ``venuekit.testing.FakeClock`` in tests).
        on_event: called with a ``venuekit.Event`` after every failed attempt that is retried
            and at the end of every call (metrics, tracing); it must not raise.

    Every argument is checked here: a bad one raises ``InvalidRequest`` / ``InvalidCredentials``
    naming it. Redirects are never followed. ``venuekit.testing.instant_retries()`` makes retry
    waits zero.
"""


class Client(_BaseClient[httpx.Client, CancelResult]):
    """Cancel orders on every venue venuekit knows (blocking, thread-safe).

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

    def _open(self, base_url: str, kind: Any, credentials: object, transport: Any) -> httpx.Client:
        return open_client(base_url=base_url, auth=kind.auth(credentials), transport=transport)

    def _submit(
        self, venue: Venue, action: str, arguments: Mapping[str, object], options: _Options
    ) -> Any:
        call = self._call(venue, action, arguments, options)
        return drive_sync(
            flow(call, clock=self._clock),
            http=self._http[venue],
            budget=self._budget,
            clock=self._clock,
        )

    def cancel_many(
        self,
        orders: Iterable[CancelRequest],
        *,
        concurrency: int = BULK_CONCURRENCY,
        progress: Progress | None = None,
        on_outcome: OnOutcome | None = None,
        batch_deadline: float | None = None,
        attempts: int | None = None,
        deadline: float | None = None,
        timeout: Timeout = None,
    ) -> list[CancelOutcome]:
        """Cancel many orders across venues; exactly one ``CancelOutcome`` per input, in order.

        Up to ``concurrency`` cancels run at once per venue (threads), all paced by the client's
        rate limiter; each is retried like ``cancel_order`` (``attempts``, ``deadline`` and
        ``timeout`` apply per order). A bad request or a failed cancel is that entry's outcome;
        nothing is raised for one order. ``on_outcome(outcome)`` is called as soon as each
        order's fate is known, ``progress(done, total)`` after it. After ``batch_deadline``
        seconds no new order is sent (the rest come back ``NOT_SENT``). Interrupted (Ctrl-C),
        every order not yet reported goes to ``on_outcome`` as ``IN_FLIGHT`` (may have reached
        the venue) or ``NOT_SENT`` before the ``KeyboardInterrupt`` propagates.

        Example::

            outcomes = client.cancel_many(
                [venuekit.CancelRequest.coinbase_exchange(order_id=i) for i in order_ids],
                progress=lambda done, total: print(f"{done}/{total}"),
            )
            failed = [o for o in outcomes if not o.ok]
        """
        options = self._bulk_options(attempts, deadline, timeout)
        return run_many_sync(
            _requests(orders),
            lambda request: self._bulk_one(request, options),
            concurrency=check_concurrency(concurrency),
            progress=progress,
            on_outcome=on_outcome,
            batch_deadline=check_batch_deadline(batch_deadline),
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


class AsyncClient(_BaseClient[httpx.AsyncClient, Coroutine[Any, Any, CancelResult]]):
    """Cancel orders on every venue venuekit knows (asyncio / trio).

    The same surface as ``Client``; every ``cancel_order`` returns an awaitable. Argument errors
    (``InvalidRequest``) are raised when awaited, still before any I/O.

    Example::

        async with venuekit.AsyncClient(loopring=loopring_credentials) as client:
            result = await client.loopring.cancel_order(order_hash=order_hash)
    """

    __doc__ = (__doc__ or "") + _CLIENT_ARGS

    def _open(
        self, base_url: str, kind: Any, credentials: object, transport: Any
    ) -> httpx.AsyncClient:
        return open_async_client(
            base_url=base_url, auth=kind.auth(credentials), transport=transport
        )

    async def _submit(
        self, venue: Venue, action: str, arguments: Mapping[str, object], options: _Options
    ) -> Any:
        call = self._call(venue, action, arguments, options)
        return await drive_async(
            flow(call, clock=self._clock),
            http=self._http[venue],
            budget=self._budget,
            clock=self._clock,
        )

    async def cancel_many(
        self,
        orders: Iterable[CancelRequest],
        *,
        concurrency: int = BULK_CONCURRENCY,
        progress: Progress | None = None,
        on_outcome: OnOutcome | None = None,
        batch_deadline: float | None = None,
        attempts: int | None = None,
        deadline: float | None = None,
        timeout: Timeout = None,  # noqa: ASYNC109 - per HTTP attempt, as on Client; not a scope
    ) -> list[CancelOutcome]:
        """Cancel many orders across venues; exactly one ``CancelOutcome`` per input, in order.

        The same contract as ``Client.cancel_many``; the cancels run as tasks of one anyio task
        group, up to ``concurrency`` at once per venue. Cancelled (``asyncio.timeout``, task
        cancellation), every order not yet reported goes to ``on_outcome`` first.

        Example::

            outcomes = await client.cancel_many(orders, concurrency=16)
        """
        options = self._bulk_options(attempts, deadline, timeout)
        return await run_many_async(
            _requests(orders),
            lambda request: self._bulk_one(request, options),
            concurrency=check_concurrency(concurrency),
            progress=progress,
            on_outcome=on_outcome,
            batch_deadline=check_batch_deadline(batch_deadline),
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


def _name_venue_keywords(function: Callable[..., object]) -> None:
    """Show each venue's credentials keyword in ``function``'s signature (``help``, IDEs).

    Type checkers read them from ``VenueCredentials``; this mirrors the registry for ``inspect``.
    """
    signature = inspect.signature(function)
    kept = [p for p in signature.parameters.values() if p.kind is not p.VAR_KEYWORD]
    venues = [
        inspect.Parameter(venue.value, inspect.Parameter.KEYWORD_ONLY, default=None)
        for venue in REGISTRY
    ]
    function.__signature__ = signature.replace(parameters=[*kept, *venues])  # type: ignore[attr-defined]


_name_venue_keywords(_BaseClient.__init__)


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
