"""Retry policy as pure functions (``venuekit._policy``): Retry-After, backoff, knobs, classification.

The runner-level tests of the old ``_retry`` module are engine tests now, with a fake venue:
tests/policy/test_engine.py.
"""

from __future__ import annotations

import email.utils
import random
from typing import Any

import attrs
import pytest
from failures import (
    NEVER_RETRIED,
    RETRIED,
    already_done,
    connect_refused,
    dropped,
    not_found,
    rate_limited,
    server_error,
    timeout,
)

from venuekit import errors
from venuekit._policy import (
    RetryPolicy,
    backoff,
    confirms_earlier_attempt,
    instant_waits,
    is_ambiguous,
    is_retryable,
    is_testing,
    message_says_timestamp_expired,
    parse_retry_after,
    set_testing,
)

# --- parse_retry_after -------------------------------------------------------------------------


def http_date(epoch: float) -> str:
    return email.utils.formatdate(epoch, usegmt=True)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2", 2.0),
        ("0", 0.0),
        ("1.5", 1.5),
        (" 7 ", 7.0),
        ("-3", 0.0),
        (http_date(1_700_000_010), 10.0),
        (http_date(1_699_999_000), 0.0),  # a date in the past: go now
        ("Sunday, 14-Nov-23 22:13:30 GMT", 10.0),  # RFC 850 form
        ("Tue Nov 14 22:13:30 2023", 10.0),  # asctime form, GMT by definition
        (None, None),
        ("", None),
        ("   ", None),
        ("soon", None),
        ("nan", None),
        ("inf", None),
        ("Tue, 99 Nov 2023 25:61:00 GMT", None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=1_700_000_000.0) == expected


# --- backoff -------------------------------------------------------------------------------------


def test_backoff_full_jitter_stays_within_the_exponential_cap() -> None:
    policy = RetryPolicy(wait_initial=0.5, wait_max=4.0)
    rng = random.Random(1234)
    for attempt in range(1, 12):
        cap = min(4.0, 0.5 * 2 ** (attempt - 1))
        samples = [backoff(attempt, policy=policy, rng=rng) for _ in range(200)]
        assert all(0.0 <= s <= cap for s in samples)
        # full jitter really spreads over [0, cap]: both halves are used
        assert min(samples) < cap / 4
        assert max(samples) > 3 * cap / 4


def test_backoff_is_deterministic_for_a_seed_and_exact_without_jitter() -> None:
    policy = RetryPolicy(wait_initial=0.1, wait_max=5.0)
    first = [backoff(n, policy=policy, rng=random.Random(7)) for n in range(1, 6)]
    second = [backoff(n, policy=policy, rng=random.Random(7)) for n in range(1, 6)]
    assert first == second
    exact = RetryPolicy(wait_initial=0.1, wait_max=1.0, wait_jitter=0.0)
    assert [backoff(n, policy=exact, rng=random.Random()) for n in range(1, 7)] == pytest.approx(
        [0.1, 0.2, 0.4, 0.8, 1.0, 1.0]
    )


def test_backoff_partial_jitter_and_huge_attempt_numbers() -> None:
    half = RetryPolicy(wait_initial=2.0, wait_max=2.0, wait_jitter=0.5)
    rng = random.Random(0)
    assert all(1.0 <= backoff(3, policy=half, rng=rng) <= 2.0 for _ in range(100))
    assert 0.0 <= backoff(10_000, policy=RetryPolicy(), rng=rng) <= RetryPolicy().wait_max
    with pytest.raises(ValueError, match="1-based"):
        backoff(0, policy=half, rng=rng)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"attempts": 0},
        {"attempts": True},
        {"attempts": 2.0},
        {"deadline": 0.0},
        {"deadline": -1.0},
        {"deadline": float("inf")},
        {"wait_initial": -0.1},
        {"wait_max": float("nan")},
        {"wait_jitter": 1.5},
        {"retry_after_max": -1.0},
    ],
)
def test_retry_policy_rejects_nonsense(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the message names the knob; any is fine
        RetryPolicy(**kwargs)


def test_retry_policy_knobs_are_keyword_only_with_constants_defaults() -> None:
    from venuekit import _constants as c

    policy = RetryPolicy()
    assert (policy.attempts, policy.deadline) == (c.RETRY_ATTEMPTS, c.RETRY_DEADLINE)
    assert (policy.wait_initial, policy.wait_max) == (c.RETRY_WAIT_INITIAL, c.RETRY_WAIT_MAX)
    assert policy.wait_jitter == c.RETRY_JITTER_FRACTION
    assert RetryPolicy.none().attempts == 1
    assert attrs.evolve(policy, attempts=9).attempts == 9
    with pytest.raises(TypeError):
        RetryPolicy(5)  # type: ignore[call-arg]


# --- classification ----------------------------------------------------------------------------


@pytest.mark.parametrize("make", RETRIED)
def test_is_retryable_transport_5xx_429(make: Any) -> None:
    assert is_retryable(make())


@pytest.mark.parametrize("make", NEVER_RETRIED)
def test_is_retryable_never_for_answers_that_mean_no(make: Any) -> None:
    assert not is_retryable(make())


def test_is_retryable_ignores_foreign_exceptions() -> None:
    assert not is_retryable(TimeoutError())
    assert not is_retryable(ValueError("x"))


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (errors.AuthenticationError("request timestamp expired"), True),
        (errors.AuthenticationError("Request Timestamp EXPIRED"), True),
        (errors.AuthenticationError("Timestamp has expired (skew)"), True),
        (errors.AuthenticationError("invalid signature"), False),
        (errors.AuthenticationError("Unauthorized"), False),
    ],
)
def test_message_says_timestamp_expired(error: errors.AuthenticationError, expected: bool) -> None:
    assert message_says_timestamp_expired(error) is expected


# The old ``is_timestamp_expired`` also refused non-authentication errors (a plain VenueError or an
# InvalidRequest saying "timestamp expired") and honoured a ``timestamp_expired`` flag the client
# wrote onto the exception. Both decisions are the engine's now: only an AuthenticationError is
# ever resynced, and the "flag" is the venue's clock reading in the refusal (INTX's Date header).
# Their tests are in tests/policy/test_engine.py (test_only_an_authentication_error_is_resynced,
# test_an_unexplained_refusal_with_a_skewed_clock_reading_is_resynced_from_it and
# test_a_venue_that_signs_no_timestamp_is_not_resynced).


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (timeout(), True),
        (dropped(), True),
        (connect_refused(), False),
        (server_error(500), True),
        (server_error(504), True),
        (errors.VenueUnavailable("try later"), True),  # no status: assume the worst
        (errors.VenueUnavailable("failed to cancel", status_code=400, code=102118), False),
        (rate_limited(), False),
        (already_done(), False),
    ],
)
def test_is_ambiguous(error: errors.VenueError, expected: bool) -> None:
    assert is_ambiguous(error) is expected


def test_confirms_earlier_attempt_needs_an_ambiguous_earlier_attempt() -> None:
    # The old resolve_ambiguity also named the latest ambiguous attempt; the new rule answers
    # yes/no (the engine records every attempt in ``history`` instead). Same cases, same verdicts.
    first, second = timeout(), server_error()
    purges = lambda e: isinstance(e, errors.OrderAlreadyDone | errors.OrderNotFound)  # noqa: E731
    assert confirms_earlier_attempt(
        not_found(), [first, rate_limited(), second, rate_limited()], purges
    )
    # By default (a venue that keeps its orders) "not found" confirms nothing.
    assert not confirms_earlier_attempt(not_found(), [first, second])
    assert confirms_earlier_attempt(already_done(), [rate_limited(), second])
    assert not confirms_earlier_attempt(already_done(), [rate_limited(), connect_refused()])
    assert not confirms_earlier_attempt(server_error(), [timeout()])
    assert not confirms_earlier_attempt(already_done(), [])
    # Only the venue's exact "already done" / "not found" answers confirm.
    assert not confirms_earlier_attempt(
        errors.VenueRejectedRequest("Invalid order id", status_code=400), [timeout()]
    )
    assert not confirms_earlier_attempt(errors.VenueError("NotFound", status_code=404), [dropped()])


def test_set_testing_toggles_and_the_context_manager_restores() -> None:
    set_testing(True)
    try:
        with instant_waits(False):
            assert not is_testing()
        assert is_testing()
    finally:
        set_testing(False)
    assert not is_testing()
