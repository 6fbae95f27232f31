"""``Client`` and ``AsyncClient``: construction, the typed venue handles, and closing.

A cancel goes down and comes back up: handle (``_handles``) -> ``_plan.plan_call`` (the venue's
``Action`` checks the arguments) -> ``_engine.flow`` driven by ``_drive`` -> ``_http`` and back.
The two clients differ only in their driver and how they close (README: Architecture).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable, Mapping
from typing import Any, Generic, Self, TypeVar, Unpack

import httpx

from venuekit._bulk import (
    CancelOutcome,
    OnOutcome,
    Progress,
    run_many_async,
    run_many_sync,
)
from venuekit._clock import SYSTEM_CLOCK, Clock
from venuekit._config import (
    CLIENT_ARGUMENTS,
    RATE_LIMIT_STORE_VARIABLE,
    RateLimits,
    Timeout,
    build_config,
    credentials_from_env,
    not_configured,
    open_budget,
)
from venuekit._constants import BULK_CONCURRENCY, RETRY_ATTEMPTS, RETRY_DEADLINE
from venuekit._drive import drive_async, drive_sync
from venuekit._engine import Call, flow
from venuekit._handles import (
    CoinbaseExchangeVenue,
    CoinbaseIntxVenue,
    DeribitVenue,
    LoopringVenue,
    Options,
)
from venuekit._http import open_async_client, open_client
from venuekit._models import CancelResult
from venuekit._plan import name_venue_keywords, plan_batch, plan_call
from venuekit._steps import Event
from venuekit._venues import REGISTRY, Venue, VenueCredentials
from venuekit._venues._request import CancelRequest

__all__ = [
    "AsyncClient",
    "Client",
    "CoinbaseExchangeVenue",
    "CoinbaseIntxVenue",
    "DeribitVenue",
    "LoopringVenue",
]

_R = TypeVar("_R")
_T = TypeVar("_T")
_HttpT = TypeVar("_HttpT", httpx.Client, httpx.AsyncClient)


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
        rate_limit_store: Any = None,
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
        self._budget = open_budget(rate_limit_store, self._clock.monotonic)
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
            DeribitVenue[_R](self._submit),
        )

    def _open(self, base_url: str, kind: Any, credentials: object, transport: Any) -> _HttpT:
        raise NotImplementedError

    def _submit(
        self, venue: Venue, action: str, arguments: Mapping[str, object], options: Options
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
        rate_limit_store: Any = None,
        clock: Clock | None = None,
        on_event: Callable[[Event], object] | None = None,
    ) -> Self:
        """Build a client from ``VENUEKIT_*`` environment variables (the README lists them).

        Venues whose variables are all unset are left unconfigured; a venue with only some of
        them set raises ``InvalidCredentials`` naming the missing variable. ``environ`` replaces
        ``os.environ`` (tests); the other arguments are the constructor's.

        Example::

            with venuekit.Client.from_env() as client:
                outcomes = client.cancel_many(requests)
        """
        import os

        env = os.environ if environ is None else environ
        found, urls = credentials_from_env(env)
        if rate_limit_store is None:
            rate_limit_store = env.get(RATE_LIMIT_STORE_VARIABLE) or None
        return cls(
            base_urls=urls,
            transport=transport,
            timeout=timeout,
            attempts=attempts,
            deadline=deadline,
            rate_limits=rate_limits,
            rate_limit_store=rate_limit_store,
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
    def deribit(self) -> DeribitVenue[_R]:
        """Deribit (Deribit or Coinbase CDP keys); ``VenueNotConfigured`` without credentials."""
        return self._handle(Venue.DERIBIT, self._handles[3])

    @property
    def venues(self) -> frozenset[Venue]:
        """The venues this client has credentials for."""
        return frozenset(self._config.targets)

    def __repr__(self) -> str:
        venues = ", ".join(f"{v.value}={t.base_url!r}" for v, t in self._config.targets.items())
        return f"{type(self).__name__}({venues})"

    # -- one call -------------------------------------------------------------------------------

    def _call(
        self, venue: Venue, action: str, arguments: Mapping[str, object], options: Options
    ) -> Call[Any]:
        return plan_call(self._config, venue, action, arguments, options, on_event=self._on_event)

    def _batch(self, orders: Iterable[CancelRequest], **knobs: Any) -> tuple[Any, ...]:
        return plan_batch(self._config, self._submit, orders, **knobs)


class Client(_BaseClient[httpx.Client, CancelResult]):
    """Cancel orders on every venue venuekit knows (blocking, thread-safe).

    Example::

        with venuekit.Client(**{venue: credentials}, attempts=3) as client:
            result = getattr(client, venue).cancel_order(order_id=order_id)

    (``venue`` a ``venuekit.Venue`` value; the README shows each venue with its own keyword.)
    """

    __doc__ = (__doc__ or "") + CLIENT_ARGUMENTS

    def _open(self, base_url: str, kind: Any, credentials: object, transport: Any) -> httpx.Client:
        return open_client(base_url=base_url, auth=kind.auth(credentials), transport=transport)

    def _submit(
        self, venue: Venue, action: str, arguments: Mapping[str, object], options: Options
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
                [venuekit.CancelRequest(venue=venue, order_id=i) for i in order_ids],
                progress=lambda done, total: print(f"{done}/{total}"),
            )
            failed = [o for o in outcomes if not o.ok]
        """
        requests, cancel, knobs = self._batch(
            orders,
            concurrency=concurrency,
            progress=progress,
            on_outcome=on_outcome,
            batch_deadline=batch_deadline,
            attempts=attempts,
            deadline=deadline,
            timeout=timeout,
        )
        return run_many_sync(requests, cancel, **knobs)

    def close(self) -> None:
        """Close every venue's connections (and the transport); later cancels raise RuntimeError.

        Safe to call twice. Example: ``client.close()`` (or use ``with Client(...) as client``).
        """
        for http in self._http.values():
            http.close()
        self._budget.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncClient(_BaseClient[httpx.AsyncClient, Coroutine[Any, Any, CancelResult]]):
    """Cancel orders on every venue venuekit knows (asyncio / trio).

    The same surface as ``Client``; every ``cancel_order`` returns an awaitable. Argument errors
    (``InvalidRequest``) are raised when awaited, still before any I/O.

    Example::

        async with venuekit.AsyncClient(**{venue: credentials}) as client:
            result = await getattr(client, venue).cancel_order(order_id=order_id)
    """

    __doc__ = (__doc__ or "") + CLIENT_ARGUMENTS

    def _open(
        self, base_url: str, kind: Any, credentials: object, transport: Any
    ) -> httpx.AsyncClient:
        return open_async_client(
            base_url=base_url, auth=kind.auth(credentials), transport=transport
        )

    async def _submit(
        self, venue: Venue, action: str, arguments: Mapping[str, object], options: Options
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

        ``Client.cancel_many``'s contract, as tasks of one anyio task group. Cancelled (e.g. by
        ``asyncio.timeout``), every order not yet reported goes to ``on_outcome`` first.

        Example: ``outcomes = await client.cancel_many(orders, concurrency=16)``
        """
        requests, cancel, knobs = self._batch(
            orders,
            concurrency=concurrency,
            progress=progress,
            on_outcome=on_outcome,
            batch_deadline=batch_deadline,
            attempts=attempts,
            deadline=deadline,
            timeout=timeout,
        )
        return await run_many_async(requests, cancel, **knobs)

    async def aclose(self) -> None:
        """Close every venue's connections (and the transport); later cancels raise RuntimeError.

        Safe to call twice. Example: ``await client.aclose()`` (or ``async with``).
        """
        for http in self._http.values():
            await http.aclose()
        await self._budget.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


name_venue_keywords(_BaseClient.__init__)
