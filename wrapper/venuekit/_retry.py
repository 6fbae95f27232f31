"""Retry policy as small pure functions, and one sans-I/O driver shared by sync and async code.

The pieces, each testable alone (openai-python's ``_base_client`` keeps its retry policy the same
way; stamina gives the keyword-only knobs and the testing switch):

- ``RetryPolicy``: the knobs (attempts, overall deadline, backoff), keyword-only, defaults in
  ``venuekit._constants``.
- ``parse_retry_after``, ``backoff``, ``is_retryable``, ``is_timestamp_expired``,
  ``is_ambiguous`` and ``resolve_ambiguity``: pure decisions.
- ``retry_flow``: a generator that owns the loop but does no I/O, like httpx's ``auth_flow``. It
  yields a ``Step`` (``Attempt``, ``Sleep`` or ``Resync``); the caller performs it, sends the
  attempt's result back in (``Returned`` or ``Raised``), and finally receives an ``Outcome``
  (``Succeeded``, ``AmbiguityResolved`` or ``Failed``) as the generator's return value.
- ``run_sync`` / ``run_async``: short runners around ``retry_flow`` that differ only in
  ``time.sleep`` versus ``await anyio.sleep`` (asyncio or trio, like ``AsyncClient``).

What is retried. ``TransportError`` (connect error, timeout, dropped connection),
``VenueUnavailable`` (HTTP 5xx, Loopring 102118 "try later") and ``RateLimited`` (HTTP 429) are
retried with exponential backoff and full jitter; a ``Retry-After`` hint is the minimum wait.
``AuthenticationError``, ``OrderNotFound``, ``OrderAlreadyDone`` and ``InvalidRequest`` (with its
subclasses) mean "no" and are never retried, nor is an unclassified plain ``VenueError``. One
exception: an ``AuthenticationError`` that says the request timestamp expired gets one clock
resync (``Resync`` step / ``on_timestamp_expired`` hook) and one immediate retry, never more.
Every attempt is a new request, so the caller re-signs it with a fresh timestamp.

The ambiguity rule. A timeout or a dropped connection (``TransportError`` with
``may_have_reached_venue``) or an HTTP 5xx (``VenueUnavailable`` with a 5xx or unknown status)
leaves it unknown whether the venue applied the cancel. When a later attempt of the same call is
then told the order is already done or unknown, the most likely story is that the earlier attempt
cancelled it, so the flow ends with ``AmbiguityResolved`` (a success: "cancelled, confirmed by
the venue's answer") instead of the error. Per venue (errors.py maps the answers):

- coinbase_exchange: a timeout, dropped connection or 5xx, then 400 "Order already done" or
  404 "NotFound" (Exchange stops knowing an order soon after it is done);
- coinbase_intx: the same, then 400 "Order already done" (the wording is venuekit's
  assumption; the docs give none) or 404 "Order not found";
- loopring: the same, then code 102117 "no orders to cancel" (``OrderAlreadyDone``) or 107003
  "order does not exist" (``OrderNotFound``).

Not ambiguous: a connect error (``may_have_reached_venue=False``: nothing was sent), a 429 (the
venue refused before acting), Loopring 102118 "failed to cancel, try later" (the venue says it
did not cancel). The same answer on the *first* attempt stays an error: nothing of ours can have
cancelled the order. The rule cannot tell an order cancelled by our earlier attempt from one that
filled or was cancelled elsewhere in the same instant; ``AmbiguityResolved`` keeps both errors so
the caller can look.

Why not stamina or tenacity. Both are well kept, and stamina's knobs and testing switch are
copied here. But the ambiguity rule needs every earlier attempt's outcome when judging the next
one, and turns an exception into a success: stamina's ``on=`` hook and tenacity's ``retry=``
predicate see one exception at a time and can only say "retry or not" (plus, in recent stamina,
a custom wait), so the history and the success would live in closure state around the decorator.
``Retry-After`` as a *minimum* under full jitter, the one-shot clock resync (a third kind of
step), stopping *before* a wait that would cross the deadline, and one code path for sync and
async (rather than two decorated functions) are all easy in a forty-line generator, which adds
no dependency and is tested step by step on a fake clock. (stamina's own jitter is additive,
``wait_initial * 2**n + uniform(0, wait_jitter)``; here ``wait_jitter`` is a fraction, default
full jitter.)

Example::

    outcome = run_sync(lambda: client_send(prepared), policy=RetryPolicy(attempts=5))
    if isinstance(outcome, Failed):
        raise outcome.error
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import enum
import inspect
import logging
import math
import random
import time
from collections.abc import Awaitable, Callable, Generator, Iterator, Sequence
from typing import Any, Generic, TypeAlias, TypeGuard, TypeVar

import anyio
import attrs

from venuekit import errors
from venuekit._constants import (
    RETRY_AFTER_MAX,
    RETRY_ATTEMPTS,
    RETRY_DEADLINE,
    RETRY_JITTER_FRACTION,
    RETRY_WAIT_INITIAL,
    RETRY_WAIT_MAX,
)

__all__ = [
    "AmbiguityResolved",
    "Attempt",
    "Failed",
    "Outcome",
    "Raised",
    "Reply",
    "Resync",
    "RetryFlow",
    "RetryPolicy",
    "Returned",
    "Sleep",
    "Step",
    "StopReason",
    "Succeeded",
    "backoff",
    "instant_waits",
    "is_ambiguous",
    "is_retryable",
    "is_testing",
    "is_timestamp_expired",
    "parse_retry_after",
    "resolve_ambiguity",
    "retry_flow",
    "run_async",
    "run_sync",
    "set_testing",
]

logger = logging.getLogger("venuekit")

T = TypeVar("T")

#: Shared jitter source when the caller passes none: seeding a new Random per call (from
#: os.urandom) cost more than the rest of a cancel's retry bookkeeping.
_JITTER = random.Random()  # noqa: S311 - jitter, not crypto


# --- testing switch (stamina's ``set_testing``) -----------------------------------------------

_testing = False


def set_testing(enabled: bool) -> None:
    """Make every retry wait zero seconds (for test suites); attempts and decisions are unchanged.

    >>> set_testing(True); is_testing()
    True
    >>> set_testing(False)
    """
    global _testing  # one process-wide switch, like stamina's
    _testing = bool(enabled)


def is_testing() -> bool:
    """Whether ``set_testing(True)`` is in force.

    >>> is_testing()
    False
    """
    return _testing


@contextlib.contextmanager
def instant_waits(enabled: bool = True) -> Iterator[None]:
    """Context manager form of ``set_testing``; restores the previous setting on exit.

    >>> with instant_waits():
    ...     is_testing()
    True
    """
    previous = _testing
    set_testing(enabled)
    try:
        yield
    finally:
        set_testing(previous)


# --- the knobs ----------------------------------------------------------------------------------


def _non_negative_finite(instance: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{attribute.name} must be a finite number >= 0, got {value!r}")


def _positive_or_none(
    instance: object, attribute: attrs.Attribute[Any], value: float | None
) -> None:
    if value is not None and not (math.isfinite(value) and value > 0):
        raise ValueError(f"{attribute.name} must be a finite number > 0 or None, got {value!r}")


def _fraction(instance: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{attribute.name} must be between 0 and 1, got {value!r}")


def _attempts(instance: object, attribute: attrs.Attribute[Any], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"attempts must be an int >= 1, got {value!r}")


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """How often and how long one call is retried; every knob keyword-only, in seconds.

    Arguments:
        attempts: total attempts including the first (``1`` = no retries).
        deadline: overall budget from the first attempt; a wait that would cross it is not
            started and the last error is reported. ``None``: no overall budget.
        wait_initial: backoff cap before the second attempt; doubles per attempt ...
        wait_max: ... up to this cap.
        wait_jitter: jitter as a fraction of the cap; ``1.0`` is full jitter.
        retry_after_max: longest ``Retry-After`` honoured; a longer hint ends the retries.

    Per-call overrides: ``attrs.evolve(policy, attempts=1)``.

        >>> RetryPolicy(attempts=5, deadline=10.0).attempts
        5
        >>> RetryPolicy.none().attempts
        1
    """

    attempts: int = attrs.field(default=RETRY_ATTEMPTS, validator=_attempts)
    deadline: float | None = attrs.field(default=RETRY_DEADLINE, validator=_positive_or_none)
    wait_initial: float = attrs.field(default=RETRY_WAIT_INITIAL, validator=_non_negative_finite)
    wait_max: float = attrs.field(default=RETRY_WAIT_MAX, validator=_non_negative_finite)
    wait_jitter: float = attrs.field(default=RETRY_JITTER_FRACTION, validator=_fraction)
    retry_after_max: float = attrs.field(default=RETRY_AFTER_MAX, validator=_non_negative_finite)

    @classmethod
    def none(cls) -> RetryPolicy:
        """A policy that never retries (one attempt, no clock resync).

        >>> RetryPolicy.none().attempts
        1
        """
        return cls(attempts=1)


# --- pure decisions -----------------------------------------------------------------------------


def parse_retry_after(value: str | None, *, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP-date); else ``None``.

    ``now`` is the current epoch time (for the HTTP-date form). A negative delta or a date in
    the past gives ``0.0``; an empty, non-finite or unparseable value gives ``None``.

        >>> parse_retry_after("2", now=0.0)
        2.0
        >>> parse_retry_after("Thu, 01 Jan 1970 00:00:10 GMT", now=4.0)
        6.0
        >>> parse_retry_after("soon", now=0.0) is None
        True
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # asctime form or "-0000": RFC 9110 says every HTTP-date is GMT
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, when.timestamp() - now)


def backoff(attempt: int, *, policy: RetryPolicy, rng: random.Random) -> float:
    """Seconds to wait after failed attempt number ``attempt`` (1-based), with jitter.

    The cap is ``min(wait_max, wait_initial * 2 ** (attempt - 1))``; the wait is uniform in
    ``[cap * (1 - wait_jitter), cap]``, i.e. uniform(0, cap) with the default full jitter.

        >>> policy = RetryPolicy(wait_initial=1.0, wait_max=4.0)
        >>> 0.0 <= backoff(5, policy=policy, rng=random.Random(0)) <= 4.0
        True
    """
    if attempt < 1:
        raise ValueError(f"attempt is 1-based, got {attempt!r}")
    exponent = min(attempt - 1, 64)  # 2**64 * any sane wait_initial is past any wait_max
    cap = min(policy.wait_max, policy.wait_initial * 2.0**exponent)
    return rng.uniform(cap * (1.0 - policy.wait_jitter), cap)


# Answers that mean "no": never retried, whatever their ``retryable`` flag says.
_NEVER_RETRIED: tuple[type[errors.VenueError], ...] = (
    errors.AuthenticationError,
    errors.OrderNotFound,
    errors.OrderAlreadyDone,
    errors.InvalidRequest,
)
_RETRIED: tuple[type[errors.VenueError], ...] = (
    errors.TransportError,
    errors.VenueUnavailable,
    errors.RateLimited,
)


def is_retryable(exc: BaseException) -> bool:
    """Whether trying the same cancel again may succeed (transport errors, 5xx, 429).

    >>> is_retryable(errors.VenueUnavailable("Internal server error", status_code=500))
    True
    >>> is_retryable(errors.OrderAlreadyDone("Order already done", status_code=400))
    False
    """
    if isinstance(exc, _NEVER_RETRIED):
        return False
    return isinstance(exc, _RETRIED)


def is_timestamp_expired(exc: BaseException) -> TypeGuard[errors.AuthenticationError]:
    """Whether ``exc`` is an ``AuthenticationError`` about the request timestamp being stale.

    True when the error has a true ``timestamp_expired`` attribute (the client may set one, e.g.
    when a 401's ``Date`` header shows a skew beyond the venue's window) or its message contains
    both "timestamp" and "expired", in any case.

        >>> is_timestamp_expired(errors.AuthenticationError("request timestamp expired"))
        True
        >>> is_timestamp_expired(errors.AuthenticationError("invalid signature"))
        False
    """
    if not isinstance(exc, errors.AuthenticationError):
        return False
    flag = getattr(exc, "timestamp_expired", None)
    if flag is not None:
        return bool(flag)
    message = str(exc.message).lower()
    return "timestamp" in message and "expired" in message


def is_ambiguous(exc: BaseException) -> bool:
    """Whether the venue may have applied the cancel although the attempt failed.

    True for a ``TransportError`` that may have reached the venue (timeout, dropped connection)
    and for a ``VenueUnavailable`` with an HTTP 5xx (or no) status.

        >>> is_ambiguous(errors.TransportError("read timeout"))
        True
        >>> is_ambiguous(errors.TransportError("connect refused", may_have_reached_venue=False))
        False
    """
    if isinstance(exc, errors.TransportError):
        return exc.may_have_reached_venue
    if isinstance(exc, errors.VenueUnavailable):
        return exc.status_code is None or exc.status_code >= 500
    return False


@attrs.frozen(kw_only=True)
class AmbiguityResolved:
    """Success: an earlier attempt most likely cancelled the order, as a later answer confirms.

    ``error`` is the later answer (``OrderAlreadyDone`` or ``OrderNotFound``), ``earlier`` the
    last ambiguous failure before it (timeout, dropped connection, 5xx). ``attempts`` counts all
    attempts made; ``failures`` holds every failed attempt's error in order, ``error`` included.
    """

    error: errors.OrderAlreadyDone | errors.OrderNotFound
    earlier: errors.TransportError | errors.VenueUnavailable
    attempts: int = 0
    failures: tuple[errors.VenueError, ...] = ()


def resolve_ambiguity(
    exc: BaseException, earlier: Sequence[BaseException]
) -> AmbiguityResolved | None:
    """Apply the ambiguity rule: "already done"/"not found" after an ambiguous attempt is success.

    ``earlier`` holds the errors of the attempts before the one that raised ``exc``. Returns
    ``None`` when the rule does not apply (in particular when ``earlier`` is empty).

        >>> drop = errors.TransportError("connection dropped")
        >>> done = errors.OrderAlreadyDone("Order already done", status_code=400)
        >>> resolve_ambiguity(done, [drop]).earlier is drop
        True
        >>> resolve_ambiguity(done, []) is None
        True
    """
    if not isinstance(exc, errors.OrderAlreadyDone | errors.OrderNotFound):
        return None
    for previous in reversed(earlier):
        if isinstance(previous, errors.TransportError | errors.VenueUnavailable) and is_ambiguous(
            previous
        ):
            return AmbiguityResolved(error=exc, earlier=previous)
    return None


# --- the sans-I/O driver --------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Attempt:
    """Step: make attempt ``number`` now (build and sign a fresh request), send back its result.

    ``remaining`` is what is left of the deadline in seconds (``None``: no deadline), so the
    caller can shorten the attempt's own timeouts.
    """

    number: int
    remaining: float | None


@attrs.frozen(kw_only=True)
class Sleep:
    """Step: wait ``seconds`` (zero under ``set_testing``) because of ``error``, then send None."""

    seconds: float
    error: errors.VenueError
    next_attempt: int


@attrs.frozen(kw_only=True)
class Resync:
    """Step: the timestamp expired; resync the clock offset once, then send None."""

    error: errors.AuthenticationError


Step: TypeAlias = Attempt | Sleep | Resync


@attrs.frozen
class Returned(Generic[T]):
    """Reply to ``Attempt``: the attempt returned ``value``."""

    value: T


@attrs.frozen
class Raised:
    """Reply to ``Attempt``: the attempt raised ``error``."""

    error: errors.VenueError


Reply: TypeAlias = Returned[T] | Raised | None


class StopReason(enum.StrEnum):
    """Why the flow gave up and returned ``Failed``."""

    #: The error means "no" (auth, not found, already done, invalid, unclassified).
    NOT_RETRYABLE = "not_retryable"
    #: ``policy.attempts`` attempts were made.
    ATTEMPTS_EXHAUSTED = "attempts_exhausted"
    #: The next wait would have crossed ``policy.deadline``.
    DEADLINE = "deadline"
    #: The venue asked for a wait longer than ``policy.retry_after_max``.
    RETRY_AFTER_TOO_LONG = "retry_after_too_long"


@attrs.frozen(kw_only=True)
class Succeeded(Generic[T]):
    """Outcome: an attempt returned ``value``; ``failures`` are the failed attempts before it."""

    value: T
    attempts: int
    failures: tuple[errors.VenueError, ...] = ()


@attrs.frozen(kw_only=True)
class Failed:
    """Outcome: the call failed with ``error`` after ``attempts`` attempts, for ``reason``.

    ``failures`` holds every failed attempt's error in order; ``error`` is the last of them.
    """

    error: errors.VenueError
    attempts: int
    reason: StopReason
    failures: tuple[errors.VenueError, ...] = ()


Outcome: TypeAlias = Succeeded[T] | AmbiguityResolved | Failed
RetryFlow: TypeAlias = Generator[Step, Reply[T], Outcome[T]]

_OUTCOMES = (Succeeded, AmbiguityResolved, Failed)


def _wait_after(
    error: errors.VenueError, attempt: int, *, policy: RetryPolicy, rng: random.Random
) -> float | None:
    """Backoff for ``attempt``, raised to the venue's ``Retry-After``; None if that is too long."""
    wait = backoff(attempt, policy=policy, rng=rng)
    if isinstance(error, errors.RateLimited) and error.retry_after is not None:
        if error.retry_after > policy.retry_after_max:
            return None
        wait = max(wait, error.retry_after)
    return wait


def retry_flow(
    policy: RetryPolicy | None = None,
    *,
    clock: Callable[[], float] = time.monotonic,
    rng: random.Random | None = None,
    can_resync: bool = True,
) -> RetryFlow[T]:
    """Drive one call's attempts without doing I/O; the caller performs each yielded ``Step``.

    Protocol: start with ``next(flow)`` (or ``flow.send(None)``); on ``Attempt`` send
    ``Returned(value)`` or ``Raised(error)``; on ``Sleep`` or ``Resync`` do it and send ``None``.
    The generator returns the ``Outcome`` (``StopIteration.value``). ``clock`` is monotonic
    seconds for the deadline; ``can_resync=False`` when the caller has no way to resync.

        >>> flow = retry_flow(RetryPolicy(attempts=2), clock=lambda: 0.0, rng=random.Random(0))
        >>> next(flow)
        Attempt(number=1, remaining=30.0)
        >>> type(flow.send(Raised(errors.TransportError("timeout")))).__name__
        'Sleep'
    """
    policy = policy if policy is not None else RetryPolicy()
    rng = rng if rng is not None else _JITTER
    start = clock()
    failures: list[errors.VenueError] = []
    resynced = False
    number = 0

    def remaining() -> float | None:
        return None if policy.deadline is None else policy.deadline - (clock() - start)

    def failed(error: errors.VenueError, reason: StopReason) -> Failed:
        logger.debug("giving up after %d attempt(s): %s (%s)", number, type(error).__name__, reason)
        return Failed(error=error, attempts=number, reason=reason, failures=tuple(failures))

    while True:
        number += 1
        reply = yield Attempt(number=number, remaining=remaining())
        if isinstance(reply, Returned):
            return Succeeded(value=reply.value, attempts=number, failures=tuple(failures))
        if not isinstance(reply, Raised):
            raise TypeError(f"send Returned(...) or Raised(...) after Attempt, got {reply!r}")
        error = reply.error
        resolved = resolve_ambiguity(error, failures)
        failures.append(error)
        if resolved is not None:
            logger.debug(
                "attempt %d: %s after %s: cancelled by an earlier attempt",
                number,
                type(error).__name__,
                type(resolved.earlier).__name__,
            )
            return attrs.evolve(resolved, attempts=number, failures=tuple(failures))
        resync = can_resync and not resynced and is_timestamp_expired(error)
        if not resync and not is_retryable(error):
            return failed(error, StopReason.NOT_RETRYABLE)
        if number >= policy.attempts:
            return failed(error, StopReason.ATTEMPTS_EXHAUSTED)
        if resync and isinstance(error, errors.AuthenticationError):
            left = remaining()
            if left is not None and left <= 0:
                return failed(error, StopReason.DEADLINE)
            resynced = True
            logger.debug("attempt %d: timestamp expired; resyncing the clock once", number)
            yield Resync(error=error)
            continue
        wait = _wait_after(error, number, policy=policy, rng=rng)
        if wait is None:
            return failed(error, StopReason.RETRY_AFTER_TOO_LONG)
        if _testing:
            wait = 0.0
        left = remaining()
        if left is not None and wait >= left:
            return failed(error, StopReason.DEADLINE)
        logger.debug(
            "attempt %d/%d: %s; retrying in %.3f s",
            number,
            policy.attempts,
            type(error).__name__,
            wait,
        )
        yield Sleep(seconds=wait, error=error, next_attempt=number + 1)


def _advance(flow: RetryFlow[T], reply: Returned[T] | Raised | None) -> Step | Outcome[T]:
    """Send ``reply`` into ``flow``; return the next step, or the outcome when it is done."""
    try:
        return flow.send(reply)
    except StopIteration as stop:
        outcome: Outcome[T] = stop.value
        return outcome


def run_sync(
    send: Callable[[], T],
    *,
    policy: RetryPolicy | None = None,
    clock: Callable[[], float] = time.monotonic,
    rng: random.Random | None = None,
    sleep: Callable[[float], object] = time.sleep,
    on_timestamp_expired: Callable[[], object] | None = None,
) -> Outcome[T]:
    """Call ``send`` until it returns or the policy gives up; never raises a ``VenueError``.

    ``send`` makes one attempt (builds, signs and sends a fresh request) and raises a
    ``venuekit.errors.VenueError`` on failure; any other exception propagates at once.
    ``on_timestamp_expired`` resyncs the clock (called at most once); a ``VenueError`` it raises
    is logged and the retry goes ahead with the old offset.

        >>> run_sync(lambda: "cancelled").value
        'cancelled'
    """
    flow: RetryFlow[T] = retry_flow(
        policy, clock=clock, rng=rng, can_resync=on_timestamp_expired is not None
    )
    reply: Returned[T] | Raised | None = None
    while not isinstance(step := _advance(flow, reply), _OUTCOMES):
        reply = None
        if isinstance(step, Attempt):
            try:
                reply = Returned(send())
            except errors.VenueError as exc:
                reply = Raised(exc)
        elif isinstance(step, Sleep):
            sleep(step.seconds)
        elif on_timestamp_expired is not None:
            try:
                on_timestamp_expired()
            except errors.VenueError as exc:
                logger.debug("clock resync failed: %r", exc)
    return step


async def run_async(
    send: Callable[[], Awaitable[T]],
    *,
    policy: RetryPolicy | None = None,
    clock: Callable[[], float] = time.monotonic,
    rng: random.Random | None = None,
    sleep: Callable[[float], Awaitable[object]] = anyio.sleep,
    on_timestamp_expired: Callable[[], object] | None = None,
) -> Outcome[T]:
    """Async ``run_sync``: awaits ``send()`` and ``sleep``; the hook may be sync or async.

    >>> async def send() -> str:
    ...     return "cancelled"
    >>> anyio.run(run_async, send).value
    'cancelled'
    """
    flow: RetryFlow[T] = retry_flow(
        policy, clock=clock, rng=rng, can_resync=on_timestamp_expired is not None
    )
    reply: Returned[T] | Raised | None = None
    while not isinstance(step := _advance(flow, reply), _OUTCOMES):
        reply = None
        if isinstance(step, Attempt):
            try:
                reply = Returned(await send())
            except errors.VenueError as exc:
                reply = Raised(exc)
        elif isinstance(step, Sleep):
            await sleep(step.seconds)
        elif on_timestamp_expired is not None:
            try:
                result = on_timestamp_expired()
                if inspect.isawaitable(result):
                    await result
            except errors.VenueError as exc:
                logger.debug("clock resync failed: %r", exc)
    return step
