"""Retry policy as small pure functions: the knobs, the waits, and what each answer means.

The pieces, each testable alone (openai-python's ``_base_client`` keeps its retry policy the same
way; stamina gives the keyword-only knobs and the testing switch):

- ``RetryPolicy``: the knobs (attempts, overall deadline, backoff), keyword-only, defaults in
  ``venuekit._constants``.
- ``parse_retry_after``, ``backoff``, ``is_retryable``, ``is_ambiguous`` and
  ``confirms_earlier_attempt``: pure decisions, used by the engine (``venuekit._engine``), which
  owns the loop.

What is retried. ``TransportError`` (connect error, timeout, dropped connection, an answer too
large to read), ``VenueUnavailable`` (HTTP 5xx, "try later") and ``RateLimited`` (HTTP 429) are
retried with exponential backoff and full jitter; a ``Retry-After`` hint is the minimum wait.
``AuthenticationError``, ``OrderNotFound``, ``OrderAlreadyDone``, ``VenueRejectedRequest`` and
``InvalidRequest`` mean "no" and are never retried, nor is an unclassified plain ``VenueError``.
One exception, decided by the engine: a refused timestamp gets one clock resync and one retry.

The earlier-attempt rule. A timeout or a dropped connection after sending, or an HTTP 5xx, leaves
it unknown whether the venue applied the cancel. When a later attempt of the same call is then
told, in the venue's exact words, that the order is already done or unknown (each venue module
maps only those exact answers to ``OrderAlreadyDone`` / ``OrderNotFound``), the most likely story
is that the earlier attempt cancelled it: the call ends as ``CANCELLED_ON_EARLIER_ATTEMPT``. The
same answer on the *first* attempt stays an error. The rule cannot tell an order cancelled by our
earlier attempt from one that filled in the same instant; the result keeps the answer.

Why not stamina or tenacity. Both are well kept, and stamina's knobs and testing switch are
copied here. But the earlier-attempt rule needs every earlier attempt's outcome when judging the
next one and turns an exception into a success, and the clock resync is a third kind of step;
both libraries see one exception at a time and can only say "retry or not".

Example::

    policy = RetryPolicy(attempts=3, deadline=10.0)
    wait = backoff(1, policy=policy, rng=random.Random())
"""

from __future__ import annotations

import contextlib
import math
import random
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import attrs

from venuekit import errors
from venuekit._clock import http_date_epoch
from venuekit._constants import (
    RETRY_AFTER_MAX,
    RETRY_ATTEMPTS,
    RETRY_DEADLINE,
    RETRY_JITTER_FRACTION,
    RETRY_WAIT_INITIAL,
    RETRY_WAIT_MAX,
)

__all__ = [
    "RetryPolicy",
    "already_done_confirms",
    "backoff",
    "confirms_earlier_attempt",
    "instant_waits",
    "is_ambiguous",
    "is_retryable",
    "is_testing",
    "message_says_timestamp_expired",
    "parse_retry_after",
    "set_testing",
]


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
        retry_after_max: longest ``Retry-After`` honoured; a longer hint ends the call at once
            (``RateLimited`` with the hint), as does one that would cross the deadline.

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
    epoch = http_date_epoch(text)
    return None if epoch is None else max(0.0, epoch - now)


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
    errors.VenueRejectedRequest,
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


def message_says_timestamp_expired(exc: errors.AuthenticationError) -> bool:
    """Whether an ``AuthenticationError``'s text says the request timestamp expired (any case).

    >>> message_says_timestamp_expired(errors.AuthenticationError("request timestamp expired"))
    True
    >>> message_says_timestamp_expired(errors.AuthenticationError("invalid signature"))
    False
    """
    message = str(exc.message).lower()
    return "timestamp" in message and "expired" in message


def is_ambiguous(exc: BaseException) -> bool:
    """Whether the venue may have applied the cancel although the attempt failed.

    True for a ``TransportError`` that may have reached the venue (timeout, dropped connection,
    an answer too large to read) and for a ``VenueUnavailable`` with an HTTP 5xx (or no) status.

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


def already_done_confirms(exc: errors.VenueError) -> bool:
    """The default confirmation: the venue's exact "already done" answer.

    A "not found" does not confirm by default: an id the venue never knew gets it too, so after
    a 5xx it would turn a wrong id into a "cancelled". A venue that forgets an order once it is
    cancelled (it purges the order) adds its own not-found answer.

        >>> already_done_confirms(errors.OrderNotFound("NotFound", status_code=404))
        False
    """
    return isinstance(exc, errors.OrderAlreadyDone)


def confirms_earlier_attempt(
    exc: BaseException,
    earlier: Sequence[BaseException],
    confirms: Callable[[errors.VenueError], bool] = already_done_confirms,
) -> bool:
    """The earlier-attempt rule: the venue's confirming answer after an ambiguous attempt.

    ``earlier`` holds the errors of the attempts before the one that raised ``exc``;
    ``confirms`` is the venue's rule (``VenueSpec.confirms``). Only the venue's exact answers
    are ``OrderAlreadyDone`` / ``OrderNotFound`` (each venue module maps nothing else to them).

        >>> drop = errors.TransportError("connection dropped")
        >>> done = errors.OrderAlreadyDone("Order already done", status_code=400)
        >>> confirms_earlier_attempt(done, [drop]), confirms_earlier_attempt(done, [])
        (True, False)
    """
    if not isinstance(exc, errors.OrderAlreadyDone | errors.OrderNotFound) or not confirms(exc):
        return False
    return any(is_ambiguous(previous) for previous in earlier)
