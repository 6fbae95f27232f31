"""A scripted fake venue for engine tests, run by the real drivers on ``venuekit.testing.FakeClock``.

The engine (``venuekit._engine.flow``) knows a venue only through its ``VenueSpec``. The fake one
here is built per test: its ``Action.interpret`` pops the next scripted item (a plain value
becomes a ``CancelResult``; any exception is raised as the venue's judgement), and the
``httpx.MockTransport`` behind the drivers replies to each ``Send``. A scripted
``TransportError`` is what the transport "replies" instead of an answer: it raises the httpx
error the real ``venuekit._http.send`` maps to that failure (``ReadTimeout`` when the request may
have reached the venue, ``ConnectError`` when it cannot have).

The unsigned clock request (the spec's ``time_request``, ``GET /time``) is answered from the
``times`` script when one is given, else with the fake venue's clock (``FakeClock.time()`` plus
``venue_offset``).

``events`` is the run as it happened, in order: ``("attempt", t)`` for each signed request and
``("time", t)`` for each clock request (``t``: the fake monotonic clock when it was sent) and
``("sleep", seconds)`` for each wait the flow asked for; ``steps`` are the flow's own steps
(``Send`` / ``Sleep`` / ``Reserve`` / ``Pause``) and ``sends`` what each request carried.

Example::

    harness = FakeVenue([errors.TransportError("read timeout"), "order-1"])
    result = harness.run("sync", RetryPolicy(attempts=3, deadline=10.0))
    assert harness.kinds() == ["attempt", "sleep", "attempt"]
"""

from __future__ import annotations

import asyncio
import json
import math
import random
from collections.abc import Generator, Mapping, Sequence
from typing import Any, TypeVar

import attrs
import httpx

from venuekit import errors
from venuekit._clock import Clock, ClockOffset
from venuekit._drive import drive_async, drive_sync
from venuekit._engine import Call, Event, Sleep, Step, Target, flow
from venuekit._models import CancelResult, CancelState, GroupCancelResult
from venuekit._policy import RetryPolicy, already_done_confirms, message_says_timestamp_expired
from venuekit._ratelimit import Bucket, RateLimit, RateLimiter
from venuekit._venues import Action, PreparedCancel, RawResponse, VenueSpec
from venuekit.testing import FakeClock

__all__ = ["FAKE", "Dated", "FakeVenue", "RecordingBudget", "Sent"]

T = TypeVar("T")

#: The fake venue's name: not a ``venuekit.Venue`` member, as the engine must not care.
FAKE: Any = "fake"
BASE_URL = "https://fake.test"
#: Header carrying the fake venue's clock reading (its clock minus ours, seconds).
OFFSET_HEADER = "x-venue-offset"
#: Uncertainty the fake venue gives its clock readings (like a ``Date`` header's).
READING_UNCERTAINTY = 1.0


@attrs.frozen
class Dated:
    """A scripted item whose answer shows the venue's clock: ``offset`` seconds ahead of ours."""

    item: object
    offset: float


@attrs.frozen(kw_only=True)
class Sent:
    """One request as the fake venue received it."""

    kind: str  # "attempt" (signed) or "time" (the clock request)
    at: float  # the fake monotonic clock when it arrived
    sign_at: float | None  # the venue time the signer was told to use
    timeout: Mapping[str, float | None]  # the per-attempt httpx timeouts, as sent
    path: str


class RecordingBudget:
    """A ``RateBudget`` that records what the drivers booked (``calls``), then books it."""

    def __init__(self, budget: RateLimiter) -> None:
        self.inner = budget
        self.calls: list[tuple[str, float]] = []

    def reserve(self, bucket: Bucket, *, timeout: float | None = None) -> float:
        wait = self.inner.reserve(bucket, timeout=timeout)
        self.calls.append(("reserve", wait))
        return wait

    async def reserve_async(self, bucket: Bucket, *, timeout: float | None = None) -> float:  # noqa: ASYNC109
        return self.reserve(bucket, timeout=timeout)

    def pause(self, bucket: Bucket, seconds: float) -> None:
        self.calls.append(("pause", seconds))
        self.inner.pause(bucket, seconds)

    async def pause_async(self, bucket: Bucket, seconds: float) -> None:
        self.pause(bucket, seconds)


def _transport_failure(error: errors.TransportError) -> httpx.HTTPError:
    """The httpx error ``venuekit._http`` maps to ``error`` (may it have reached the venue?)."""
    if error.may_have_reached_venue:
        return httpx.ReadTimeout(error.message)
    return httpx.ConnectError(error.message)


class FakeVenue:
    """A scripted venue, its ``VenueSpec`` and a driver harness around ``flow`` (sync or async).

    Arguments:
        script: one item per signed request, in order: a value (success), a ``TransportError``
            (no answer), any other exception (raised by ``interpret``), or a ``Dated`` item.
        attempt_seconds: how long each request "takes" on the fake clock.
        times: answers to the clock request in order (an epoch float, a ``TransportError``,
            or ``bytes`` sent as the body); ``None``: the venue's clock, always.
        venue_offset: the venue's clock minus ours, for the default clock answers.
        timestamp_rejected: whether the venue's refusals can say "timestamp expired"
            (``False``: a venue that signs no timestamp, like Loopring).
        session_codes: the ``AuthenticationError`` codes that say the signer's session (a
            cached token) was refused (like Deribit's 13004/13009 on gateway tokens).
        time_request: whether the venue has a clock request (``False``: only clock readings
            in its answers, like INTX's ``Date`` header).
        clock_window: how far a signed timestamp may be off the venue's clock.
        rate_limit: a client-side bucket for the venue (``None``: no pacing).
        confirmable: whether the earlier-attempt rule applies (``False``: a group cancel).
        group: answer with a ``GroupCancelResult`` (``cancelled_count`` = the scripted value).
        timeout: the call's per-attempt timeouts (default: connect 5 s, read 10 s).
        clock: the clock the flow and drivers use (default: a new ``FakeClock``).
    """

    def __init__(
        self,
        script: Sequence[object],
        *,
        attempt_seconds: float = 0.0,
        times: Sequence[object] | None = None,
        venue_offset: float = 0.0,
        timestamp_rejected: bool = True,
        session_codes: frozenset[int] = frozenset(),
        time_request: bool = True,
        clock_window: float | None = 30.0,
        rate_limit: RateLimit | None = None,
        confirmable: bool = True,
        not_found_confirms: bool = True,
        group: bool = False,
        timeout: httpx.Timeout | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.script = list(script)
        self.group = group
        self.timeout = timeout if timeout is not None else httpx.Timeout(5.0, read=10.0)
        self.attempt_seconds = attempt_seconds
        self.times = None if times is None else list(times)
        self.venue_offset = venue_offset
        self.clock: Any = clock if clock is not None else FakeClock(epoch=1_700_000_000.0)
        self.events: list[tuple[Any, ...]] = []
        self.steps: list[Step] = []
        self.sends: list[Sent] = []
        self.hook_events: list[Event] = []
        self.spec = VenueSpec(
            venue=FAKE,
            title="Fake venue",
            status="scripted",
            credentials=(),
            sandbox_base_url=None,
            rate_limit=rate_limit,
            clock_window=clock_window,
            fields=("order_id",),
            cancel=Action(
                prepare=self._prepare, interpret=self._interpret, confirmable=confirmable
            ),
            time_request=(
                PreparedCancel(venue=FAKE, method="GET", url="/time", params=())
                if time_request
                else None
            ),
            read_time=_read_time if time_request else None,
            timestamp_rejected=(
                message_says_timestamp_expired if timestamp_rejected else (lambda error: False)
            ),
            session_refused=lambda error: error.code in session_codes,
            clock_reading=_clock_reading,
            # Like Coinbase Exchange (which purges cancelled orders) unless told otherwise.
            confirms=(
                (lambda e: isinstance(e, errors.OrderAlreadyDone | errors.OrderNotFound))
                if not_found_confirms
                else already_done_confirms
            ),
        )
        self.offset = ClockOffset()
        self.bucket = (
            Bucket(venue=FAKE, key_id="fa4e0000000000000000000000000001", limit=rate_limit)
            if rate_limit
            else None
        )
        self.budget = RecordingBudget(RateLimiter(clock=self.clock.monotonic))

    # -- the venue ---------------------------------------------------------------------------
    @staticmethod
    def _prepare(arguments: Mapping[str, object], credentials: object) -> PreparedCancel:
        order_id = str(arguments.get("order_id", "order-1"))
        return PreparedCancel(
            venue=FAKE, method="DELETE", url=f"/orders/{order_id}", params=(), order_id=order_id
        )

    def _interpret(
        self, prepared: PreparedCancel, raw: RawResponse
    ) -> CancelResult | GroupCancelResult:
        item = self.script.pop(0)
        if isinstance(item, Dated):
            item = item.item
        if isinstance(item, BaseException):
            raise item
        if self.group:
            return GroupCancelResult(
                venue=FAKE, action="cancel_group", cancelled_count=int(str(item))
            )
        return CancelResult(
            venue=FAKE,
            order_id=prepared.order_id,
            client_order_id=prepared.client_order_id,
            state=CancelState.CANCELLED,
            venue_status=str(item),
            response=item,
        )

    def _respond(self, request: httpx.Request) -> httpx.Response:
        kind = "time" if request.url.path == "/time" else "attempt"
        self.events.append((kind, round(self.clock.monotonic(), 9)))
        self.sends.append(
            Sent(
                kind=kind,
                at=self.clock.monotonic(),
                sign_at=request.extensions.get("venuekit.sign_at"),
                timeout=request.extensions["timeout"],
                path=request.url.path,
            )
        )
        if self.attempt_seconds:
            self.clock.advance(self.attempt_seconds)
        if kind == "time":
            return self._time_answer()
        item = self.script[0]
        headers = {}
        if isinstance(item, Dated):
            headers[OFFSET_HEADER] = repr(item.offset)
            item = item.item
        if isinstance(item, errors.TransportError):
            self.script.pop(0)
            raise _transport_failure(item)
        status = getattr(item, "status_code", None) if isinstance(item, Exception) else 200
        return httpx.Response(status or 400, content=b"{}", headers=headers)

    def _time_answer(self) -> httpx.Response:
        answer: object = self.clock.time() + self.venue_offset
        if self.times is not None:
            answer = self.times.pop(0)
        if isinstance(answer, errors.TransportError):
            raise _transport_failure(answer)
        if isinstance(answer, bytes):
            return httpx.Response(200, content=answer)
        return httpx.Response(200, content=json.dumps({"epoch": answer}).encode())

    # -- running -----------------------------------------------------------------------------
    def call(self, policy: RetryPolicy | None = None, *, order_id: str = "order-1") -> Call[Any]:
        """The call ``flow`` runs: this venue, one order, ``policy`` (default 5 attempts, 30 s)."""
        target = Target(
            spec=self.spec,
            base_url=BASE_URL,
            credentials=None,
            bucket=self.bucket,
            clock=self.offset,
        )
        return Call(
            target=target,
            prepared=self._prepare({"order_id": order_id}, None),
            action=self.spec.cancel,
            policy=policy if policy is not None else RetryPolicy(attempts=5, deadline=30.0),
            timeout=self.timeout,
            on_event=self.hook_events.append,
        )

    def run(self, mode: str, policy: RetryPolicy | None = None, *, seed: int = 0) -> Any:
        """Run one call through ``drive_sync`` or ``drive_async``; its result, or raise its error."""
        steps = self._tap(flow(self.call(policy), clock=self.clock, rng=random.Random(seed)))
        transport = httpx.MockTransport(self._respond)
        if mode == "sync":
            with httpx.Client(base_url=BASE_URL, transport=transport) as http:
                return drive_sync(steps, http=http, budget=self.budget, clock=self.clock)

        async def main() -> Any:
            async with httpx.AsyncClient(base_url=BASE_URL, transport=transport) as http:
                return await drive_async(steps, http=http, budget=self.budget, clock=self.clock)

        return asyncio.run(main())

    def _tap(self, steps: Generator[Step, Any, T]) -> Generator[Step, Any, T]:
        """Pass ``steps`` through to the driver, recording each (and each wait) on the way."""
        reply: Any = None
        while True:
            try:
                step = steps.send(reply)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
            self.steps.append(step)
            if isinstance(step, Sleep):
                self.events.append(("sleep", round(step.seconds, 9)))
            reply = yield step

    # -- reading the run ---------------------------------------------------------------------
    def kinds(self) -> list[str]:
        """The kinds of ``events`` in order: ``"attempt"``, ``"time"``, ``"sleep"``."""
        return [event[0] for event in self.events]

    def sleeps(self) -> list[float]:
        """The waits the flow asked for, in order."""
        return [event[1] for event in self.events if event[0] == "sleep"]

    def attempts(self) -> list[Sent]:
        """The signed requests, in order."""
        return [sent for sent in self.sends if sent.kind == "attempt"]


def _read_time(raw: RawResponse) -> float | None:
    try:
        epoch = json.loads(raw.content)["epoch"]
    except (ValueError, KeyError, TypeError):
        return None
    return float(epoch) if isinstance(epoch, int | float) and math.isfinite(epoch) else None


def _clock_reading(raw: RawResponse) -> tuple[float, float] | None:
    value = raw.headers.get(OFFSET_HEADER)
    return None if value is None else (float(value), READING_UNCERTAINTY)
