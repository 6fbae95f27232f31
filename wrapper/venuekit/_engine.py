"""One cancel call, whole, as a generator that does no I/O: the engine.

``flow(call, clock=...)`` owns everything a call decides: the rate-limit slot and the deadline
(checked here, once per wait), each attempt's timeouts (cut to what is left), the signing time
(the venue's clock as last observed, handed to the signer with the request), reading the venue's
clock from every answer, judging the answer (the venue's ``Action.interpret``), the one clock
resync after a refused timestamp (one more request it yields), retries with backoff and the
venue's ``Retry-After``, the earlier-attempt rule, and the final result or error (built with the
call's record: attempts, history, whether it may have reached the venue).

It yields five kinds of step and is driven by ``venuekit._drive`` (``drive_sync`` /
``drive_async``, a few lines each, like httpx's auth flows):

- ``Send``: send this request and send back the ``Answer`` or the ``TransportError``;
- ``Sleep``: wait this long;
- ``Reserve`` / ``Pause``: book a rate-limit slot (send back the seconds to wait) / hold the
  bucket after a 429. These are steps, not calls, because a shared budget (Redis) is I/O too.
- ``Forget``: the venue refused the signer's session (``VenueSpec.session_refused``, e.g. an
  expired Bearer token): the signer drops it, so the next call obtains a new one.

    >>> RetryPolicy(attempts=2).attempts
    2

The generator returns the result or raises the final ``VenueError``; it never calls back into the
client. Time comes from one injectable ``Clock``.

Example::

    result = drive_sync(flow(call, clock=SYSTEM_CLOCK), http=http, budget=budget, clock=SYSTEM_CLOCK)
"""

from __future__ import annotations

import logging
import math
import random
from collections.abc import Callable, Collection, Generator
from typing import Any, Generic, TypeVar

import attrs
import httpx

from venuekit import errors
from venuekit._clock import Clock, ClockOffset
from venuekit._constants import RETRY_AFTER_MAX
from venuekit._models import CancelResult, CancelState, GroupCancelResult
from venuekit._policy import (
    RetryPolicy,
    backoff,
    confirms_earlier_attempt,
    is_ambiguous,
    is_retryable,
    is_testing,
)
from venuekit._ratelimit import Bucket
from venuekit._secret import Secret
from venuekit._steps import Answer, Event, Forget, Pause, Reserve, Send, Sleep, Step
from venuekit._venues._common import PreparedCancel, RawResponse, redact
from venuekit._venues._spec import Action, VenueSpec

__all__ = ["Call", "Target", "flow"]

logger = logging.getLogger("venuekit")

T = TypeVar("T")

#: Jitter source shared by every call (seeding a Random per call costs more than the call's logic).
_JITTER = random.Random()  # noqa: S311 - jitter, not crypto


@attrs.frozen(kw_only=True)
class Target:
    """One venue as a client configured it: where to send, whose budget, whose clock."""

    spec: VenueSpec
    base_url: str
    credentials: Any = attrs.field(repr=False)
    bucket: Bucket | None
    clock: ClockOffset = attrs.field(factory=ClockOffset)
    secrets: Collection[Secret[str]] = attrs.field(default=(), repr=False)


# Not frozen: built for every call (frozen attrs classes cost ~55 ns more per field).
@attrs.define(kw_only=True)
class Call(Generic[T]):
    """One call to run: the prepared request, how to judge its answer, and its knobs."""

    target: Target
    prepared: PreparedCancel
    action: Action[T]
    policy: RetryPolicy
    timeout: httpx.Timeout
    on_event: Callable[[Event], object] | None = None


def _cut(timeout: httpx.Timeout, left: float) -> httpx.Timeout:
    """``timeout`` with every part cut to ``left`` seconds (the usual case: unchanged)."""
    if left == math.inf:
        return timeout  # no deadline: "no timeout" stays None (inf is refused by sockets)
    c, r, w, p = timeout.connect, timeout.read, timeout.write, timeout.pool
    if (
        c is not None
        and r is not None
        and w is not None
        and p is not None
        and max(c, r, w, p) <= left
    ):
        return timeout
    left = max(left, 0.001)
    connect, read, write, pool = (left if v is None else min(v, left) for v in (c, r, w, p))
    return httpx.Timeout(connect=connect, read=read, write=write, pool=pool)


def _url(target: Target, prepared: PreparedCancel) -> str:
    return f"{target.base_url}/{prepared.target().lstrip('/')}"


def _record(number: int, reply: object, error: errors.VenueError | None) -> errors.AttemptRecord:
    status = getattr(reply, "status_code", None)
    return errors.AttemptRecord(
        number=number,
        status_code=status if isinstance(status, int) else None,
        error=type(error).__name__ if error is not None else None,
        may_have_reached_venue=error is not None and is_ambiguous(error),
        detail=(error.message[:200] if error is not None else ""),
    )


def flow(
    call: Call[T], *, clock: Clock, rng: random.Random | None = None
) -> Generator[Step, Any, T]:
    """Run ``call``: yield ``Step``s, return its result or raise its final ``VenueError``.

    Example: ``result = drive_sync(flow(call, clock=clock), http=http, budget=budget, clock=clock)``
    """
    target, prepared, policy = call.target, call.prepared, call.policy
    spec = target.spec
    rng = rng if rng is not None else _JITTER
    deadline = math.inf if policy.deadline is None else clock.monotonic() + policy.deadline
    history: list[errors.AttemptRecord] = []
    failures: list[errors.VenueError] = []
    resynced = False
    number = 0

    while True:
        number += 1
        if target.bucket is not None:  # the rate-limit slot, within the deadline
            wait = yield Reserve(bucket=target.bucket, timeout=deadline - clock.monotonic())
            if wait > 0:
                if clock.monotonic() + wait >= deadline:
                    number -= 1
                    raise _final(
                        call,
                        number,
                        history,
                        errors.RateLimited(
                            f"the rate-limit budget has no slot for {wait:.3f} s, past this call's"
                            " deadline; nothing was sent",
                            retry_after=wait,
                            venue=spec.venue,
                            may_have_reached_venue=False,
                        ),
                    )
                yield Sleep(seconds=wait)
        offset = target.clock.seconds
        reply = yield Send(
            method=prepared.method,
            url=_url(target, prepared),
            sign_at=clock.time() + offset,
            timeout=_cut(call.timeout, deadline - clock.monotonic()),
            deadline=deadline,
        )
        expired_by_date = False
        if isinstance(reply, errors.VenueError):  # no answer, or the signer's token request said no
            error: errors.VenueError = _attempt_error(reply, spec.venue, target.secrets)
        else:
            raw = RawResponse(
                status_code=reply.status_code,
                headers=reply.headers,
                content=reply.content,
                now=reply.received_at,
                secrets=target.secrets,
            )
            reading = spec.clock_reading(raw) if spec.clock_reading is not None else None
            if reading is not None:
                target.clock.update(reading[0], uncertainty=reading[1])
            try:
                result = call.action.interpret(prepared, raw)
            except errors.VenueError as exc:
                error = exc
                if reading is not None and spec.clock_window is not None:
                    expired_by_date = abs(reading[0] - offset) > spec.clock_window - reading[1]
            else:
                if call.on_event is not None:
                    _emit(call, number, "outcome", reply.status_code, None, state=_state(result))
                if isinstance(result, CancelResult | GroupCancelResult) and number > 1:
                    history.append(_record(number, reply, None))
                    return attrs.evolve(result, attempts=number, history=tuple(history))
                return result  # a first attempt's result carries no history
        if isinstance(error, errors.AuthenticationError) and spec.session_refused(error):
            yield Forget()  # the next call must not reuse a refused token
        history.append(_record(number, reply, error))
        if call.action.confirmable and confirms_earlier_attempt(error, failures, spec.confirms):
            _emit(call, number, "outcome", error.status_code, None, state=_EARLIER)
            return CancelResult(  # type: ignore[return-value]  # confirmable: a CancelResult call
                venue=spec.venue,
                order_id=prepared.order_id,
                client_order_id=prepared.client_order_id,
                state=CancelState.CANCELLED_ON_EARLIER_ATTEMPT,
                venue_status=None,
                response=None,
                attempts=number,
                history=tuple(history),
                confirmed_by=str(error),
            )
        failures.append(error)
        if number >= policy.attempts:
            raise _final(call, number, history, error)
        if (
            isinstance(error, errors.AuthenticationError)
            and not resynced
            and (expired_by_date or spec.timestamp_rejected(error))
        ):
            if clock.monotonic() >= deadline:  # no clock request and no attempt past it
                raise _final(call, number, history, error)
            resynced = True  # one clock resync, then one immediate retry
            yield from _resync(
                target, error, reply, clock=clock, deadline=deadline, timeout=call.timeout
            )
            _retrying(call, number, error, 0.0)
            continue
        if not is_retryable(error):
            raise _final(call, number, history, error)
        wait = backoff(number, policy=policy, rng=rng)
        if isinstance(error, errors.RateLimited) and error.retry_after is not None:
            cap = min(policy.retry_after_max, RETRY_AFTER_MAX)
            if target.bucket is not None and not is_testing():  # every call on this key waits
                yield Pause(bucket=target.bucket, seconds=min(error.retry_after, cap))
            if error.retry_after > cap:
                raise _final(call, number, history, error)  # fail fast with the venue's hint
            wait = max(wait, error.retry_after)
        if is_testing():
            wait = 0.0
        if clock.monotonic() + wait >= deadline:
            raise _final(call, number, history, error)
        _retrying(call, number, error, wait)
        if wait > 0:
            yield Sleep(seconds=wait)


def _emit(
    call: Call[Any],
    number: int,
    kind: str,
    status: int | None,
    error: str | None,
    **extra: Any,
) -> None:
    """Hand one ``Event`` to the call's ``on_event`` hook, if any; the hook cannot fail the call."""
    if call.on_event is None:
        return
    event = Event(
        kind=kind,
        venue=call.target.spec.venue,
        order_id=call.prepared.order_id,
        attempt=number,
        status_code=status,
        error=error,
        **extra,
    )
    try:
        call.on_event(event)
    except Exception as exc:  # a metrics hook must never change a cancel's outcome
        logger.warning("on_event hook raised %s; ignored", type(exc).__name__)


def _retrying(call: Call[Any], number: int, error: errors.VenueError, wait: float) -> None:
    _log_retry(call.target.spec.venue, call.prepared, number, error, wait)
    _emit(call, number, "attempt", error.status_code, type(error).__name__, retry_in=wait)


def _final(
    call: Call[Any],
    number: int,
    history: list[errors.AttemptRecord],
    error: errors.VenueError,
) -> errors.VenueError:
    """The call's last error, with its record (attempts, history); reported to ``on_event``."""
    _emit(call, number, "outcome", error.status_code, type(error).__name__)
    return error.with_record(attempts=number, history=tuple(history))


_EARLIER = CancelState.CANCELLED_ON_EARLIER_ATTEMPT.value


def _state(result: object) -> str | None:
    state = getattr(result, "state", None)
    return None if state is None else str(state)


def _attempt_error(
    error: errors.VenueError, venue: str, secrets: Collection[Secret[str]]
) -> errors.VenueError:
    """The failure of one attempt raised below the engine, naming the venue and redacted."""
    kwargs = error._kwargs()
    kwargs.update(venue=venue, message=redact(error.message, secrets))
    return type(error)(**kwargs)


def _resync(
    target: Target,
    error: errors.AuthenticationError,
    reply: Answer | errors.VenueError,
    *,
    clock: Clock,
    deadline: float,
    timeout: httpx.Timeout,
) -> Generator[Step, Any, None]:
    """Force the venue clock from its time request, else from the refusal's own clock reading."""
    spec = target.spec
    if spec.time_request is not None and spec.read_time is not None:
        sent = clock.time()
        answer = yield Send(
            method=spec.time_request.method,
            url=_url(target, spec.time_request),
            sign_at=sent,
            timeout=_cut(timeout, deadline - clock.monotonic()),
            deadline=deadline,
            signed=False,
        )
        if not isinstance(answer, errors.VenueError):
            raw = RawResponse(
                status_code=answer.status_code,
                headers=answer.headers,
                content=answer.content,
                now=answer.received_at,
            )
            epoch = spec.read_time(raw)
            if epoch is not None:
                target.clock.observe_server_time(
                    epoch, sent_at=sent, received_at=answer.received_at, force=True
                )
                return
        logger.debug("%s: time request failed; using the refusal's Date header", spec.venue)
    if spec.clock_reading is not None and not isinstance(reply, errors.VenueError):
        raw = RawResponse(
            status_code=reply.status_code,
            headers=reply.headers,
            content=b"",
            now=reply.received_at,
        )
        reading = spec.clock_reading(raw)
        if reading is not None:
            target.clock.update(reading[0], uncertainty=reading[1], force=True)
            return
    logger.debug("%s: no clock reference for the resync (%s)", spec.venue, type(error).__name__)


def _log_retry(
    venue: str, prepared: PreparedCancel, number: int, error: errors.VenueError, wait: float
) -> None:
    logger.warning(
        "%s: cancel of %s: attempt %d failed (%s%s); retrying in %.3f s",
        venue,
        prepared.order_id or prepared.client_order_id or "(group)",
        number,
        type(error).__name__,
        f", HTTP {error.status_code}" if error.status_code is not None else "",
        wait,
    )
