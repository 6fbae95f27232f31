"""The sandbox ASGI application: routing on the raw path, faults, and the three venues."""

from __future__ import annotations

import enum
import logging
import random
import urllib.parse
from typing import Literal

import anyio
import attrs

from venuekit._constants import SANDBOX_MAX_HEADER_BYTES
from venuekit.sandbox._config import Faults, SandboxConfig
from venuekit.sandbox._deribit import API_PREFIX as _DERIBIT_PREFIX
from venuekit.sandbox._deribit import DeribitVenue
from venuekit.sandbox._exchange import ExchangeVenue
from venuekit.sandbox._guard import Rejection, check_head, read_body, venue_error
from venuekit.sandbox._http import (
    ConnectionDropped,
    Receive,
    Request,
    Response,
    Scope,
    Send,
    http_date,
)
from venuekit.sandbox._ids import IntxIdForm
from venuekit.sandbox._intx import IntxVenue
from venuekit.sandbox._journal import JournaledState
from venuekit.sandbox._loopring import LoopringVenue
from venuekit.sandbox._ratelimit import TokenBuckets
from venuekit.sandbox._state import SandboxState
from venuekit.sandbox._stats import SandboxStats, StatsKey

__all__ = ["Fate", "SandboxApp", "VenueName", "create_app"]

logger = logging.getLogger("venuekit.sandbox")

VenueName = Literal["exchange", "intx", "loopring", "deribit"]
Venue = ExchangeVenue | IntxVenue | LoopringVenue | DeribitVenue

_EXCHANGE_ORDERS = "/orders/"
_INTX_ORDERS = "/api/v1/orders/"
_LOOPRING_ORDER = "/api/v3/order"


class Fate(enum.Enum):
    """What the fault generator decided for one request."""

    NORMAL = "normal"
    DROP_BEFORE_APPLY = "drop_before_apply"
    DROP_AFTER_APPLY = "drop_after_apply"
    SERVER_ERROR = "server_error"
    RATE_LIMITED = "rate_limited"


@attrs.frozen
class _Route:
    venue: Venue
    endpoint: Literal[
        "exchange_cancel", "exchange_time", "intx_cancel", "loopring_cancel", "deribit_rpc", "none"
    ]
    methods: tuple[str, ...] = ()
    segment: str | None = None  # the raw (still percent-encoded) order id segment


def _decode_segment(segment: str) -> str | None:
    """Percent-decode one raw path segment as UTF-8; None when it is not valid UTF-8."""
    try:
        return urllib.parse.unquote_to_bytes(segment).decode("utf-8")
    except UnicodeDecodeError:
        return None


def _raw_path(scope: Scope) -> str:
    """The path as sent (percent-encoding kept, no query), as latin-1 text."""
    raw: bytes = scope.get("raw_path") or str(scope.get("path", "")).encode("utf-8", "replace")
    return raw.split(b"?", 1)[0].decode("latin-1")


def _book(config: SandboxConfig) -> SandboxState:
    """The order book: in memory, or journaled to ``config.state_file`` (durable)."""
    form: IntxIdForm = "numeric" if config.intx_answers == "docs" else "recorded"
    if config.state_file is None:
        return SandboxState(
            config.credentials,
            seed=config.seed,
            orders_per_venue=config.orders_per_venue,
            clock=config.clock,
            intx_id_form=form,
        )
    return JournaledState(
        config.credentials,
        path=config.state_file,
        seed=config.seed,
        orders_per_venue=config.orders_per_venue,
        clock=config.clock,
        intx_id_form=form,
    )


class SandboxApp:
    """The sandbox of Coinbase Exchange, Coinbase INTX and Loopring as one ASGI 3 application.

    Serve it with uvicorn (`venuekit.sandbox.run_in_thread`, ``venuekit sandbox``) or call it
    in-process through `venuekit.sandbox.transport` / `sync_transport`. All three venues share one
    base URL; their paths do not overlap.

    Attributes:
        config: the configuration it was built from.
        state: the order book; add and list orders through it.
        stats: counters of the answers per venue, endpoint, fault fate and status (load tests
            tell injected 429s, fate ``rate_limited``, from earned ones, fate ``normal``).
    """

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.state = _book(config)
        self.stats = SandboxStats()
        limits = config.rate_limits
        self._exchange = ExchangeVenue(
            config.credentials.exchange,
            self.state,
            TokenBuckets(config.exchange_rate_limit, clock=config.clock) if limits else None,
        )
        self._intx = IntxVenue(
            config.credentials.intx,
            self.state,
            TokenBuckets(config.intx_rate_limit, clock=config.clock) if limits else None,
            answers=config.intx_answers,
        )
        self._loopring = LoopringVenue(
            config.credentials.loopring,
            self.state,
            TokenBuckets(config.loopring_rate_limit, clock=config.clock) if limits else None,
        )
        self._deribit = DeribitVenue(
            config.credentials,
            self.state.deribit,
            TokenBuckets(config.deribit_rate_limit, clock=config.clock) if limits else None,
            token_lifetime=config.deribit_token_lifetime,
            clock=lambda: self.now("deribit"),
        )
        self._faults: dict[str, Faults] = {
            "exchange": config.exchange,
            "intx": config.intx,
            "loopring": config.loopring,
            "deribit": config.deribit,
        }
        # One generator per venue: interleaving requests of two venues never changes either
        # venue's sequence of fates. Not for cryptography: reproducible faults.
        self._fault_rngs = {
            name: random.Random(f"venuekit-sandbox/faults/{config.seed}/{name}")  # noqa: S311
            for name in self._faults
        }

    def now(self, venue: VenueName) -> float:
        """Return the venue's sandbox clock: ``config.clock()`` plus its ``clock_offset``."""
        return self.config.clock() + self._faults[venue].clock_offset

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection scope (``http``; ``lifespan`` is acknowledged)."""
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            raise ValueError(f"the sandbox serves HTTP only, not {scope['type']!r}")
        route = self._route(_raw_path(scope))
        venue = route.venue
        now = self.now(venue.name)
        fate = Fate.NORMAL
        rejection = check_head(
            scope,
            max_head_bytes=SANDBOX_MAX_HEADER_BYTES,
            max_body_bytes=self.config.max_body_bytes,
        )
        body = None if rejection else await read_body(receive, limit=self.config.max_body_bytes)
        if body is None:
            response = venue_error(
                venue.name, rejection or Rejection(413, "request body too large")
            )
            request = Request.from_scope(scope)
        else:
            request = Request.from_scope(scope, body)
            response, fate = await self._answer(route, request)
            now = self.now(venue.name)
        logger.debug(
            "%s %s?%s -> %s (%s)",
            request.method,
            request.raw_path,
            "..." if venue.name == "deribit" else request.query_string,  # may carry a secret
            response.status,
            fate.value,
        )
        self.stats.record(StatsKey(venue.name, route.endpoint, fate.value, response.status))
        headers = response.raw_headers(((b"date", http_date(now)),))
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        if fate in (Fate.DROP_BEFORE_APPLY, Fate.DROP_AFTER_APPLY):
            raise ConnectionDropped(f"sandbox fault: connection dropped ({fate.value})")
        await send({"type": "http.response.body", "body": response.body, "more_body": False})

    # --- steps ----------------------------------------------------------------------------

    async def _answer(self, route: _Route, request: Request) -> tuple[Response, Fate]:
        """Route, draw the fault fate, wait the latency, then answer like the venue."""
        venue = route.venue
        if route.endpoint == "none":
            return venue.not_found(), Fate.NORMAL
        if request.method not in route.methods:
            allow = ((b"allow", ", ".join(route.methods).encode()),)
            return attrs.evolve(venue.method_not_allowed(), headers=allow), Fate.NORMAL
        fate = self._draw(venue.name)
        latency = self._faults[venue.name].latency
        if latency:
            await anyio.sleep(latency)
        if fate in (Fate.DROP_BEFORE_APPLY, Fate.SERVER_ERROR):
            return venue.server_error(), fate  # a dropped one is never seen by the client
        if fate is Fate.RATE_LIMITED:
            return venue.rate_limited(), fate
        return self._dispatch(route, request, self.now(venue.name)), fate

    def _route(self, raw_path: str) -> _Route:
        """Route on the raw path: an encoded ``/`` (``%2F``) stays inside the order id."""
        if raw_path == _DERIBIT_PREFIX or raw_path.startswith(f"{_DERIBIT_PREFIX}/"):
            return _Route(self._deribit, "deribit_rpc", ("GET", "POST"))
        if raw_path == "/time":
            return _Route(self._exchange, "exchange_time", ("GET",))
        if raw_path.startswith(_INTX_ORDERS):
            segment = raw_path[len(_INTX_ORDERS) :]
            if segment and "/" not in segment:
                return _Route(self._intx, "intx_cancel", ("DELETE",), segment)
            return _Route(self._intx, "none")
        if raw_path == _LOOPRING_ORDER:
            return _Route(self._loopring, "loopring_cancel", ("DELETE",))
        if raw_path.startswith(_EXCHANGE_ORDERS):
            segment = raw_path[len(_EXCHANGE_ORDERS) :]
            if segment and "/" not in segment:
                return _Route(self._exchange, "exchange_cancel", ("DELETE",), segment)
        if raw_path.startswith("/api/v1/"):
            return _Route(self._intx, "none")
        if raw_path.startswith("/api/v3/"):
            return _Route(self._loopring, "none")
        return _Route(self._exchange, "none")

    def _draw(self, venue: VenueName) -> Fate:
        """Draw one request's fate; always four numbers, so the sequence only depends on order."""
        faults = self._faults[venue]
        rng = self._fault_rngs[venue]
        drop, after, error, limited = rng.random(), rng.random(), rng.random(), rng.random()
        if drop < faults.drop_rate:
            return (
                Fate.DROP_AFTER_APPLY if after < faults.drop_after_apply else Fate.DROP_BEFORE_APPLY
            )
        if error < faults.error_rate:
            return Fate.SERVER_ERROR
        if limited < faults.rate_limit_rate:
            return Fate.RATE_LIMITED
        return Fate.NORMAL

    def _dispatch(self, route: _Route, request: Request, now: float) -> Response:
        if route.endpoint == "exchange_time":
            return self._exchange.time(now)
        if route.endpoint == "exchange_cancel":
            assert route.segment is not None
            return self._exchange.cancel(request, _decode_segment(route.segment), now)
        if route.endpoint == "deribit_rpc":
            return self._deribit.handle(request, now)
        if route.endpoint == "intx_cancel":
            assert route.segment is not None
            return self._intx.cancel(request, _decode_segment(route.segment), now)
        return self._loopring.cancel(request, now)

    @staticmethod
    async def _lifespan(receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return


def create_app(config: SandboxConfig | None = None) -> SandboxApp:
    """Build a sandbox app; ``config`` defaults to `SandboxConfig()` (seed 0, no faults).

    Example:
        >>> app = create_app(SandboxConfig(seed=7, exchange=Faults(error_rate=0.1)))
        >>> len(app.state.exchange_orders())
        5
    """
    return SandboxApp(config if config is not None else SandboxConfig())
