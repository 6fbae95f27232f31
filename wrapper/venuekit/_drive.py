"""The two drivers of the engine's flow: ``drive_sync`` (threads) and ``drive_async`` (asyncio/trio).

Each performs the steps ``venuekit._engine.flow`` yields — send a request, sleep, book or pause a
rate-limit slot, have the signer drop a refused session — and sends the outcome back in, until
the flow returns its result or raises its final error. They differ only in blocking versus
awaiting; every decision is the flow's.

Example::

    result = drive_sync(flow(call, clock=clock), http=http, budget=budget, clock=clock)
"""

from __future__ import annotations

import math
import time
from collections.abc import Generator
from typing import Any, TypeVar

import attrs
import httpx

from venuekit import errors
from venuekit._auth_common import SIGN_AT
from venuekit._clock import SYSTEM_CLOCK, Clock
from venuekit._constants import MAX_RESPONSE_BODY
from venuekit._http import Answer, send, send_async
from venuekit._ratelimit import RateBudget
from venuekit._steps import Forget, Pause, Reserve, Send, Sleep, Step

__all__ = ["drive_async", "drive_sync"]

T = TypeVar("T")


def _request(http: httpx.Client | httpx.AsyncClient, step: Send) -> httpx.Request:
    """The request for ``step``, as ``http.build_request`` would build it for an absolute URL.

    Built directly: venuekit's clients add only headers (and cookies a venue set) to a request,
    and ``build_request`` also merges query parameters, a base URL and the client's timeout, which
    venuekit never uses (``send`` sets the timeouts) -- about 7 us less per attempt.
    """
    return httpx.Request(
        step.method,
        step.url,
        headers=http.headers,
        cookies=http.cookies or None,
        extensions={SIGN_AT: step.sign_at},
    )


def _forget(http: httpx.Client | httpx.AsyncClient) -> None:
    """Have a signer that keeps a session (a cached token) drop it; others keep none."""
    invalidate = getattr(http.auth, "invalidate_token", None)
    if callable(invalidate):
        invalidate()


def _stamped(answer: Answer, clock: Clock) -> Answer:
    """The answer timed by the engine's clock (a simulated one in tests), not the socket's."""
    if clock is SYSTEM_CLOCK:
        return answer
    return attrs.evolve(answer, received_at=clock.time())


def _deadline(step: Send, clock: Clock) -> float:
    """The step's deadline on the real monotonic clock the sockets use (the engine's clock may
    be a simulated one): what is left of it, from now."""
    if math.isinf(step.deadline):
        return math.inf
    return time.monotonic() + (step.deadline - clock.monotonic())


def drive_sync(
    flow: Generator[Step, Any, T], *, http: httpx.Client, budget: RateBudget, clock: Clock
) -> T:
    """Run ``flow`` to its end on this thread; return its result or raise its error.

    Example: ``drive_sync(flow(call, clock=clock), http=http, budget=budget, clock=clock)``
    """
    reply: Any = None
    while True:
        try:
            step = flow.send(reply)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        reply = None
        if isinstance(step, Send):
            request = _request(http, step)
            try:
                reply = _stamped(
                    send(
                        http,
                        request,
                        deadline=_deadline(step, clock),
                        timeout=step.timeout,
                        max_body=MAX_RESPONSE_BODY,
                        sign=step.signed,
                    ),
                    clock,
                )
            except errors.VenueError as exc:  # no answer, or the signer's own exchange said no
                reply = exc
        elif isinstance(step, Sleep):
            clock.sleep(step.seconds)
        elif isinstance(step, Reserve):
            reply = budget.reserve(step.bucket, timeout=step.timeout)
        elif isinstance(step, Pause):
            budget.pause(step.bucket, step.seconds)
        elif isinstance(step, Forget):
            _forget(http)


async def drive_async(
    flow: Generator[Step, Any, T], *, http: httpx.AsyncClient, budget: RateBudget, clock: Clock
) -> T:
    """Run ``flow`` to its end in this task; return its result or raise its error.

    Example: ``await drive_async(flow(call, clock=clock), http=http, budget=budget, clock=clock)``
    """
    reply: Any = None
    while True:
        try:
            step = flow.send(reply)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        reply = None
        if isinstance(step, Send):
            request = _request(http, step)
            try:
                reply = _stamped(
                    await send_async(
                        http,
                        request,
                        deadline=_deadline(step, clock),
                        timeout=step.timeout,
                        max_body=MAX_RESPONSE_BODY,
                        sign=step.signed,
                    ),
                    clock,
                )
            except errors.VenueError as exc:  # no answer, or the signer's own exchange said no
                reply = exc
        elif isinstance(step, Sleep):
            await clock.sleep_async(step.seconds)
        elif isinstance(step, Reserve):
            reply = await budget.reserve_async(step.bucket, timeout=step.timeout)
        elif isinstance(step, Pause):
            await budget.pause_async(step.bucket, step.seconds)
        elif isinstance(step, Forget):
            _forget(http)
