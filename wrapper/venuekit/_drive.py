"""The two drivers of the engine's flow: ``drive_sync`` (threads) and ``drive_async`` (asyncio/trio).

Each performs the steps ``venuekit._engine.flow`` yields — send a request, sleep, book or pause a
rate-limit slot — and sends the outcome back in, until the flow returns its result or raises its
final error. They differ only in blocking versus awaiting; every decision is the flow's.

Example::

    result = drive_sync(flow(call, clock=clock), http=http, budget=budget, clock=clock)
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, TypeVar

import httpx

from venuekit import errors
from venuekit._clock import Clock
from venuekit._http import send, send_async
from venuekit._ratelimit import RateBudget
from venuekit._steps import Pause, Reserve, Send, Sleep, Step

__all__ = ["drive_async", "drive_sync"]

T = TypeVar("T")


def _request(http: httpx.Client | httpx.AsyncClient, step: Send) -> httpx.Request:
    request = http.build_request(step.method, step.url)
    request.extensions["venuekit.sign_at"] = step.sign_at
    return request


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
                reply = send(
                    http,
                    request,
                    deadline=step.deadline,
                    timeout=step.timeout,
                    signed=step.signed,
                    clock=clock,
                )
            except errors.TransportError as exc:
                reply = exc
        elif isinstance(step, Sleep):
            clock.sleep(step.seconds)
        elif isinstance(step, Reserve):
            reply = budget.reserve(step.bucket, timeout=step.timeout)
        elif isinstance(step, Pause):
            budget.pause(step.bucket, step.seconds)


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
                reply = await send_async(
                    http,
                    request,
                    deadline=step.deadline,
                    timeout=step.timeout,
                    signed=step.signed,
                    clock=clock,
                )
            except errors.TransportError as exc:
                reply = exc
        elif isinstance(step, Sleep):
            await clock.sleep_async(step.seconds)
        elif isinstance(step, Reserve):
            reply = await budget.reserve_async(step.bucket, timeout=step.timeout)
        elif isinstance(step, Pause):
            await budget.pause_async(step.bucket, step.seconds)
