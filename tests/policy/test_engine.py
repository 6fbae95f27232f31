"""The engine (``venuekit._engine.flow``) with a scripted fake venue, through both drivers.

Ported from the runner tests of the old ``venuekit._retry`` (``run_sync`` / ``run_async`` /
``retry_flow``). Where those asserted objects that no longer exist, the test asserts the same
behaviour as it is observable now, and says so:

- ``Succeeded(value, attempts, failures)`` -> the ``CancelResult`` (its ``response`` is the
  scripted value) with ``attempts`` and ``history`` (one ``AttemptRecord`` per attempt);
- ``Failed(error, reason, attempts, failures)`` -> the raised ``VenueError`` (the last attempt's
  error rebuilt with ``attempts`` and ``history``); ``StopReason`` -> what the run shows: how many
  attempts were made of how many allowed, which waits were taken, the error's class and fields;
- ``AmbiguityResolved`` -> a ``CANCELLED_ON_EARLIER_ATTEMPT`` result with ``confirmed_by``;
- the ``on_timestamp_expired`` hook -> the fake venue's clock request (``GET /time``, an event
  ``("time", t)``) and the clock it sets for the next attempt's signature.

Every test runs through ``drive_sync`` and ``drive_async`` on ``venuekit.testing.FakeClock``
(``mode``); the fake venue is tests/support/fake_venue.py.
"""

from __future__ import annotations

import math
from typing import Any

import httpx
import pytest
from failures import (
    NEVER_RETRIED,
    RETRIED,
    already_done,
    connect_refused,
    dropped,
    expired,
    not_found,
    rate_limited,
    server_error,
    timeout,
)
from fake_venue import FAKE, Dated, FakeVenue

from venuekit import Venue, errors
from venuekit._clock import SystemClock
from venuekit._constants import RETRY_AFTER_MAX
from venuekit._engine import Forget, Pause, Reserve, Send, Sleep, flow
from venuekit._models import CancelResult, CancelState, GroupCancelResult
from venuekit._policy import RetryPolicy, instant_waits, is_testing
from venuekit._ratelimit import RateLimit

EXCHANGE = Venue.COINBASE_EXCHANGE
INTX = Venue.COINBASE_INTX
LOOPRING = Venue.LOOPRING

modes = pytest.mark.parametrize("mode", ["sync", "async"])


def raised(harness: FakeVenue, mode: str, policy: RetryPolicy | None = None) -> errors.VenueError:
    """Run ``harness`` and return the ``VenueError`` the call ended with (it must raise one)."""
    with pytest.raises(errors.VenueError) as caught:
        harness.run(mode, policy)
    return caught.value


def assert_same_error(error: errors.VenueError, scripted: errors.VenueError) -> None:
    """``error`` is ``scripted`` as the engine reports it: same class and venue answer."""
    assert type(error) is type(scripted)
    assert (error.message, error.status_code, error.code) == (
        scripted.message,
        scripted.status_code,
        scripted.code,
    )


def record_errors(
    error_or_result: errors.VenueError | CancelResult | GroupCancelResult,
) -> list[str | None]:
    return [record.error for record in error_or_result.history]


# --- what is retried ------------------------------------------------------------------------------


@modes
@pytest.mark.parametrize("make", RETRIED)
def test_retries_transport_5xx_and_429_then_succeeds(mode: str, make: Any) -> None:
    harness = FakeVenue([make(), make(), "order-1"])
    result = harness.run(mode)
    assert isinstance(result, CancelResult)
    assert result.response == "order-1"
    assert result.state is CancelState.CANCELLED
    assert result.attempts == 3
    # was: len(outcome.failures) == 2 -- now one record per attempt, the last one the success
    assert len(result.history) == 3
    assert [r.error is not None for r in result.history] == [True, True, False]
    assert harness.kinds() == ["attempt", "sleep", "attempt", "sleep", "attempt"]


@modes
@pytest.mark.parametrize("make", NEVER_RETRIED)
def test_never_retries_answers_that_mean_no(mode: str, make: Any) -> None:
    scripted = make()
    harness = FakeVenue([scripted, "never reached"])
    error = raised(harness, mode)
    # was: outcome.error is error, reason NOT_RETRYABLE -- the venue's error, after one attempt
    # of the five allowed, with no wait
    assert_same_error(error, scripted)
    assert error.attempts == 1
    assert harness.kinds() == ["attempt"]
    assert harness.script == ["never reached"]


@modes
def test_first_attempt_success_counts_one_attempt(mode: str) -> None:
    harness = FakeVenue(["ok"])
    result = harness.run(mode)
    # was: Succeeded(value="ok", attempts=1, failures=())
    assert result.response == "ok"
    assert result.attempts == 1
    assert result.history == ()  # recorded only when there was more than one attempt
    assert harness.kinds() == ["attempt"]


@modes
def test_attempts_are_bounded_and_counted(mode: str) -> None:
    failures = [errors.VenueUnavailable(f"down #{n}", status_code=500 + n) for n in range(4)]
    harness = FakeVenue([*failures, "never reached"])
    error = raised(harness, mode, RetryPolicy(attempts=4, deadline=None))
    # was: reason ATTEMPTS_EXHAUSTED, error is failures[-1], failures == all four
    assert_same_error(error, failures[-1])
    assert error.attempts == 4
    assert [r.number for r in error.history] == [1, 2, 3, 4]
    assert [r.status_code for r in error.history] == [500, 501, 502, 503]
    assert [r.detail for r in error.history] == [f"down #{n}" for n in range(4)]
    assert record_errors(error) == ["VenueUnavailable"] * 4
    assert harness.kinds().count("sleep") == 3
    assert harness.script == ["never reached"]


@modes
def test_policy_none_makes_exactly_one_attempt(mode: str) -> None:
    harness = FakeVenue([timeout(), "never reached"])
    error = raised(harness, mode, RetryPolicy.none())
    # was: reason ATTEMPTS_EXHAUSTED -- a retryable error, raised after the one attempt allowed
    assert isinstance(error, errors.TransportError)
    assert error.attempts == 1
    assert harness.kinds() == ["attempt"]


@modes
def test_waits_grow_exponentially_until_wait_max(mode: str) -> None:
    policy = RetryPolicy(attempts=6, deadline=None, wait_initial=1.0, wait_max=4.0, wait_jitter=0)
    harness = FakeVenue([timeout()] * 5 + ["ok"])
    harness.run(mode, policy)
    assert harness.sleeps() == [1.0, 2.0, 4.0, 4.0, 4.0]
    assert harness.clock.sleeps == [1.0, 2.0, 4.0, 4.0, 4.0]


# --- the deadline ---------------------------------------------------------------------------------


@modes
def test_deadline_stops_before_a_wait_that_would_cross_it(mode: str) -> None:
    policy = RetryPolicy(attempts=10, deadline=25.0, wait_initial=10, wait_max=10, wait_jitter=0)
    harness = FakeVenue([timeout()] * 10)
    error = raised(harness, mode, policy)
    # was: reason DEADLINE -- three attempts of the ten allowed, and no wait past 25 s
    assert isinstance(error, errors.TransportError)
    assert error.attempts == 3
    assert harness.events == [
        ("attempt", 0.0),
        ("sleep", 10.0),
        ("attempt", 10.0),
        ("sleep", 10.0),
        ("attempt", 20.0),
    ]
    assert harness.clock.monotonic() <= 25.0


@modes
def test_deadline_counts_time_spent_in_attempts(mode: str) -> None:
    # each attempt takes 4 s (e.g. a read timeout); waits are 1 s: 0-4, 5-9, 10-14, 15-19, stop
    policy = RetryPolicy(attempts=10, deadline=19.5, wait_initial=1, wait_max=1, wait_jitter=0)
    harness = FakeVenue([timeout()] * 10, attempt_seconds=4.0)
    error = raised(harness, mode, policy)
    # was: reason DEADLINE
    assert error.attempts == 4
    assert harness.clock.monotonic() == 19.0
    assert [sent.at for sent in harness.sends] == [0.0, 5.0, 10.0, 15.0]


@modes
def test_each_attempt_is_told_what_is_left_of_the_deadline(mode: str) -> None:
    # was test_attempt_step_reports_the_remaining_deadline (Attempt(number, remaining)): each
    # Send carries the absolute deadline and its timeouts cut to what is left of it.
    policy = RetryPolicy(attempts=3, deadline=10.0, wait_initial=1, wait_max=1, wait_jitter=0)
    harness = FakeVenue([timeout(), "ok"], attempt_seconds=3.0)
    harness.run(mode, policy)
    sends = [step for step in harness.steps if isinstance(step, Send)]
    assert [send.deadline for send in sends] == [10.0, 10.0]
    # What the transport is given, cut again by it to the real time left (a few ms less).
    first, second = (sent.timeout for sent in harness.sends)
    near = lambda v: pytest.approx(v, abs=0.05)  # noqa: E731
    assert first == {
        "connect": near(5.0),
        "read": near(10.0),
        "write": near(5.0),
        "pool": near(5.0),
    }
    assert second == {
        "connect": near(5.0),
        "read": near(6.0),
        "write": near(5.0),
        "pool": near(5.0),
    }

    unlimited = FakeVenue([timeout(), "ok"], attempt_seconds=3.0)
    unlimited.run(mode, RetryPolicy(deadline=None))
    assert [s.deadline for s in unlimited.steps if isinstance(s, Send)] == [math.inf] * 2
    assert unlimited.sends[1].timeout["read"] == 10.0


def test_a_driver_that_sends_no_answer_is_not_taken_for_one() -> None:
    # was test_flow_rejects_a_missing_reply_to_an_attempt (TypeError "Returned"): the flow has
    # no such check now, but a reply of None to a Send is still never read as a success or
    # a retryable failure: it raises at once.
    harness = FakeVenue(["ok"])
    steps = flow(harness.call(), clock=harness.clock)
    assert isinstance(next(steps), Send)
    with pytest.raises((TypeError, AttributeError)):
        steps.send(None)


# --- Retry-After --------------------------------------------------------------------------------


@modes
def test_retry_after_is_the_minimum_wait(mode: str) -> None:
    policy = RetryPolicy(attempts=3, deadline=None, wait_initial=0.1, wait_max=0.1)
    harness = FakeVenue([rate_limited(retry_after=3.0), rate_limited(retry_after=0.0), "ok"])
    result = harness.run(mode, policy)
    assert result.response == "ok"
    sleeps = harness.sleeps()
    assert sleeps[0] == 3.0
    assert 0.0 < sleeps[1] <= 0.1  # a hint shorter than the backoff does not shorten it


@modes
def test_retry_after_beyond_the_deadline_gives_up_without_sleeping(mode: str) -> None:
    harness = FakeVenue([rate_limited(retry_after=40.0), "never reached"])
    error = raised(harness, mode, RetryPolicy(attempts=5, deadline=30.0))
    # was: reason DEADLINE -- fails fast, as RateLimited carrying the venue's hint
    assert isinstance(error, errors.RateLimited)
    assert error.retry_after == 40.0
    assert error.attempts == 1
    assert harness.kinds() == ["attempt"]
    assert harness.clock.sleeps == []


@modes
def test_retry_after_longer_than_the_cap_gives_up(mode: str) -> None:
    harness = FakeVenue([rate_limited(retry_after=120.0), "never reached"])
    error = raised(harness, mode, RetryPolicy(deadline=None, retry_after_max=60.0))
    # was: reason RETRY_AFTER_TOO_LONG
    assert isinstance(error, errors.RateLimited)
    assert error.retry_after == 120.0
    assert error.attempts == 1
    assert harness.kinds() == ["attempt"]


@modes
def test_retry_after_over_the_library_cap_gives_up_whatever_the_policy(mode: str) -> None:
    hint = RETRY_AFTER_MAX + 1.0
    harness = FakeVenue([rate_limited(retry_after=hint), "never reached"])
    error = raised(harness, mode, RetryPolicy(deadline=None, retry_after_max=10 * RETRY_AFTER_MAX))
    assert isinstance(error, errors.RateLimited)
    assert error.retry_after == hint
    assert harness.kinds() == ["attempt"]


# --- the earlier-attempt rule ---------------------------------------------------------------------

AMBIGUOUS_THEN_DONE = [
    pytest.param(
        timeout(), errors.OrderAlreadyDone("Order already done", venue=EXCHANGE, status_code=400),
        id="exchange-timeout-already-done",
    ),
    pytest.param(
        dropped(), errors.OrderNotFound("NotFound", venue=EXCHANGE, status_code=404),
        id="exchange-dropped-notfound",
    ),
    pytest.param(
        server_error(502), errors.OrderNotFound("NotFound", venue=EXCHANGE, status_code=404),
        id="exchange-502-notfound",
    ),
    pytest.param(
        dropped(), errors.OrderAlreadyDone("Order already done", venue=INTX, status_code=400),
        id="intx-dropped-already-done",
    ),
    pytest.param(
        server_error(), errors.OrderNotFound("Order not found", venue=INTX, status_code=404),
        id="intx-5xx-notfound",
    ),
    pytest.param(
        timeout(),
        errors.OrderAlreadyDone("no orders to cancel", venue=LOOPRING, status_code=400, code=102117),
        id="loopring-timeout-102117",
    ),
    pytest.param(
        dropped(),
        errors.OrderNotFound("order does not exist", venue=LOOPRING, status_code=400, code=107003),
        id="loopring-dropped-107003",
    ),
]  # fmt: skip


@modes
@pytest.mark.parametrize(("earlier", "later"), AMBIGUOUS_THEN_DONE)
def test_ambiguous_attempt_then_done_is_resolved_as_success(
    mode: str, earlier: errors.VenueError, later: errors.VenueError
) -> None:
    harness = FakeVenue([earlier, later])
    result = harness.run(mode)
    # was: AmbiguityResolved(error=later, earlier=earlier, attempts=2, failures=(earlier, later))
    assert result.state is CancelState.CANCELLED_ON_EARLIER_ATTEMPT
    assert result.confirmed_by == str(later)
    assert result.attempts == 2
    assert record_errors(result) == [type(earlier).__name__, type(later).__name__]
    assert [r.may_have_reached_venue for r in result.history] == [True, False]
    assert (result.venue, result.order_id) == (FAKE, "order-1")


@modes
def test_not_found_confirms_nothing_on_a_venue_that_keeps_its_orders(mode: str) -> None:
    # A venue that keeps cancelled orders answers a second cancel "already done"; its "not
    # found" means an id it never knew, which after a 5xx must not read as "cancelled".
    harness = FakeVenue([server_error(), not_found()], not_found_confirms=False)
    error = raised(harness, mode)
    assert type(error) is errors.OrderNotFound
    assert error.attempts == 2
    assert error.may_have_reached_venue  # the 5xx may have reached it: the error says so
    done = FakeVenue([server_error(), already_done()], not_found_confirms=False)
    assert done.run(mode).state is CancelState.CANCELLED_ON_EARLIER_ATTEMPT


@modes
@pytest.mark.parametrize("make", [already_done, not_found])
def test_done_on_the_first_attempt_stays_an_error(mode: str, make: Any) -> None:
    harness = FakeVenue([make()])
    error = raised(harness, mode)
    # was: reason NOT_RETRYABLE
    assert isinstance(error, errors.OrderAlreadyDone | errors.OrderNotFound)
    assert error.attempts == 1
    assert not error.may_have_reached_venue


@modes
@pytest.mark.parametrize(
    "earlier",
    [
        pytest.param(connect_refused(), id="connect-error-never-sent"),
        pytest.param(rate_limited(), id="429-refused-before-acting"),
        pytest.param(
            errors.VenueUnavailable("failed to cancel", status_code=400, code=102118),
            id="loopring-102118-said-it-did-not-cancel",
        ),
    ],
)
def test_done_after_an_unambiguous_failure_stays_an_error(
    mode: str, earlier: errors.VenueError
) -> None:
    harness = FakeVenue([earlier, already_done()])
    error = raised(harness, mode)
    assert isinstance(error, errors.OrderAlreadyDone)
    assert error.attempts == 2
    assert not error.may_have_reached_venue


@modes
def test_ambiguity_survives_intervening_rate_limits(mode: str) -> None:
    harness = FakeVenue([dropped(), rate_limited(), rate_limited(), not_found()])
    result = harness.run(mode)
    # was: AmbiguityResolved with earlier is the drop, attempts == 4
    assert result.state is CancelState.CANCELLED_ON_EARLIER_ATTEMPT
    assert result.attempts == 4
    assert record_errors(result) == [
        "TransportError",
        "RateLimited",
        "RateLimited",
        "OrderNotFound",
    ]
    assert [r.may_have_reached_venue for r in result.history] == [True, False, False, False]


@modes
def test_a_group_cancel_is_never_confirmed_by_an_earlier_attempt(mode: str) -> None:
    harness = FakeVenue([timeout(), already_done()], confirmable=False)
    error = raised(harness, mode)
    assert isinstance(error, errors.OrderAlreadyDone)
    assert error.attempts == 2
    assert error.may_have_reached_venue  # the timeout may have cancelled orders


# --- what the error says about the call -----------------------------------------------------------


@modes
@pytest.mark.parametrize(
    ("script", "reached"),
    [
        pytest.param([server_error()] * 3, True, id="5xx"),
        pytest.param([connect_refused()] * 3, False, id="never-sent"),
        pytest.param([connect_refused(), rate_limited(), server_error(503)], True, id="last-5xx"),
        pytest.param([timeout(), connect_refused(), rate_limited()], True, id="first-timeout"),
        pytest.param([rate_limited(), errors.AuthenticationError("bad key")], False, id="answered"),
    ],
)
def test_may_have_reached_venue_says_whether_any_attempt_may_have(
    mode: str, script: list[errors.VenueError], reached: bool
) -> None:
    harness = FakeVenue(script)
    error = raised(harness, mode, RetryPolicy(attempts=3, deadline=None))
    assert error.may_have_reached_venue is reached
    assert len(error.history) == error.attempts == len(script)
    assert [r.number for r in error.history] == list(range(1, len(script) + 1))
    assert record_errors(error) == [type(e).__name__ for e in script]


# --- timestamp refused: one clock resync, one immediate retry -----------------------------------


@modes
def test_timestamp_expired_resyncs_once_and_retries_immediately(mode: str) -> None:
    harness = FakeVenue([expired(), "ok"], venue_offset=40.0)
    result = harness.run(mode)
    assert result.response == "ok"
    assert result.attempts == 2
    # was [attempt, resync, attempt]: the resync is the venue's clock request
    assert harness.events == [("attempt", 0.0), ("time", 0.0), ("attempt", 0.0)]
    first, second = (sent.sign_at for sent in harness.attempts())
    assert first == harness.clock.time()
    assert second == pytest.approx(
        harness.clock.time() + 40.0, abs=1e-6
    )  # signed on the venue's clock
    assert harness.sends[1].sign_at == harness.clock.time()  # the clock request: our own time


@modes
def test_timestamp_expired_never_loops(mode: str) -> None:
    harness = FakeVenue([expired() for _ in range(10)])
    error = raised(harness, mode, RetryPolicy(attempts=10))
    # was: reason NOT_RETRYABLE after 2 attempts
    assert isinstance(error, errors.AuthenticationError)
    assert error.attempts == 2
    assert harness.kinds() == ["attempt", "time", "attempt"]
    assert record_errors(error) == ["AuthenticationError"] * 2  # the clock request is no attempt


@modes
def test_timestamp_expired_after_other_retries_still_resyncs_once(mode: str) -> None:
    harness = FakeVenue([timeout(), expired(), server_error(), expired(), "never reached"])
    error = raised(harness, mode)
    assert isinstance(error, errors.AuthenticationError)
    assert error.attempts == 4
    assert harness.kinds() == [
        "attempt",
        "sleep",
        "attempt",
        "time",
        "attempt",
        "sleep",
        "attempt",
    ]


@modes
def test_a_venue_that_signs_no_timestamp_is_not_resynced(mode: str) -> None:
    # was test_timestamp_expired_without_a_hook_is_not_retried (no on_timestamp_expired hook):
    # a venue whose refusals never say "timestamp" (Loopring) is neither resynced nor retried.
    harness = FakeVenue([expired(), "never reached"], timestamp_rejected=False)
    error = raised(harness, mode)
    assert isinstance(error, errors.AuthenticationError)
    assert error.attempts == 1
    assert harness.kinds() == ["attempt"]


@modes
@pytest.mark.parametrize(
    "refusal",
    [
        pytest.param(errors.VenueError("request timestamp expired"), id="plain-venue-error"),
        pytest.param(errors.InvalidRequest("timestamp expired"), id="invalid-request"),
        pytest.param(errors.VenueRejectedRequest("timestamp expired"), id="rejected"),
    ],
)
def test_only_an_authentication_error_is_resynced(mode: str, refusal: errors.VenueError) -> None:
    # was the "only auth errors" rows of test_is_timestamp_expired
    harness = FakeVenue([refusal, "never reached"])
    error = raised(harness, mode)
    assert type(error) is type(refusal)
    assert harness.kinds() == ["attempt"]


@modes
def test_an_unexplained_refusal_with_a_skewed_clock_reading_is_resynced_from_it(mode: str) -> None:
    # was test_is_timestamp_expired_honours_a_flag_set_by_the_client: the client flagged INTX's
    # unexplained 401 as "timestamp expired" when its Date header showed the skew. Now the
    # engine reads the venue's clock from the refusal itself and resyncs from that reading.
    unauthorized = errors.AuthenticationError("Unauthorized", status_code=401)
    harness = FakeVenue(
        [Dated(unauthorized, 40.0), "ok"],
        timestamp_rejected=False,
        time_request=False,
        clock_window=5.0,
    )
    result = harness.run(mode)
    assert result.response == "ok"
    assert result.attempts == 2
    assert harness.kinds() == ["attempt", "attempt"]  # no clock request: the reading is enough
    assert harness.attempts()[1].sign_at == pytest.approx(harness.clock.time() + 40.0, abs=1e-6)

    # Within the window the same refusal is just a refusal (was: the flag left False).
    within = FakeVenue(
        [Dated(unauthorized, 3.0), "never reached"],
        timestamp_rejected=False,
        time_request=False,
        clock_window=5.0,
    )
    error = raised(within, mode)
    assert error.attempts == 1
    assert within.kinds() == ["attempt"]


@modes
def test_timestamp_expired_respects_the_attempt_budget(mode: str) -> None:
    harness = FakeVenue([expired(), "never reached"])
    error = raised(harness, mode, RetryPolicy.none())
    assert isinstance(error, errors.AuthenticationError)
    assert harness.kinds() == ["attempt"]


@modes
@pytest.mark.parametrize(
    "time_answer",
    [
        pytest.param(errors.TransportError("GET /time timed out"), id="time-request-fails"),
        pytest.param(b"<html>maintenance</html>", id="time-answer-unreadable"),
    ],
)
def test_a_failing_resync_still_gets_its_one_retry(mode: str, time_answer: object) -> None:
    # was test_a_failing_resync_hook_still_gets_its_one_retry (the hook raised)
    harness = FakeVenue([expired(), "ok"], times=[time_answer], venue_offset=40.0)
    result = harness.run(mode)
    assert result.response == "ok"
    assert result.attempts == 2
    assert harness.kinds() == ["attempt", "time", "attempt"]
    assert harness.attempts()[1].sign_at == harness.clock.time()  # no clock to go by: unchanged


@modes
def test_a_failing_time_request_falls_back_to_the_refusals_clock_reading(mode: str) -> None:
    harness = FakeVenue(
        [Dated(expired(), 40.0), "ok"], times=[errors.TransportError("GET /time timed out")]
    )
    result = harness.run(mode)
    assert result.attempts == 2
    assert harness.attempts()[1].sign_at == pytest.approx(harness.clock.time() + 40.0, abs=1e-6)


# (was test_async_runner_awaits_an_async_resync_hook: the async resync is now the clock request
# sent by drive_async, covered by every test above in "async" mode.)


# --- drivers: identical steps, other exceptions, testing switch ---------------------------------

SCRIPTS = [
    pytest.param([timeout(), server_error(), rate_limited(1.0), "ok"], id="mixed-retries"),
    pytest.param([dropped(), already_done()], id="ambiguity"),
    pytest.param([expired(), timeout(), "ok"], id="resync"),
    pytest.param([server_error()] * 6, id="exhausted"),
    pytest.param([errors.AuthenticationError("invalid signature")], id="no"),
]


def _outcome(harness: FakeVenue, mode: str) -> tuple[Any, ...]:
    try:
        result = harness.run(mode, seed=42)
    except errors.VenueError as exc:
        return (type(exc), exc.message, exc.attempts, exc.history, exc.may_have_reached_venue)
    return (result, result.attempts, result.history, result.confirmed_by)


@pytest.mark.parametrize("script", SCRIPTS)
def test_sync_and_async_drivers_take_identical_steps(script: list[object]) -> None:
    limit = RateLimit(rate=2, burst=1)  # pacing waits too
    sync_h = FakeVenue(script, attempt_seconds=0.25, venue_offset=7.0, rate_limit=limit)
    async_h = FakeVenue(script, attempt_seconds=0.25, venue_offset=7.0, rate_limit=limit)
    sync_outcome = _outcome(sync_h, "sync")
    async_outcome = _outcome(async_h, "async")
    assert sync_h.steps == async_h.steps
    assert sync_h.sends == async_h.sends
    assert sync_h.events == async_h.events
    assert sync_h.clock.sleeps == async_h.clock.sleeps
    assert sync_h.budget.calls == async_h.budget.calls
    assert sync_outcome == async_outcome


@modes
def test_foreign_exceptions_propagate_immediately(mode: str) -> None:
    harness = FakeVenue([RuntimeError("bug"), "never reached"])
    with pytest.raises(RuntimeError, match="bug"):
        harness.run(mode)
    assert harness.kinds() == ["attempt"]


@modes
def test_testing_switch_makes_every_wait_zero(mode: str) -> None:
    policy = RetryPolicy(attempts=4, deadline=1.0, wait_initial=5.0, wait_max=5.0, wait_jitter=0)
    assert not is_testing()
    with instant_waits():
        assert is_testing()
        harness = FakeVenue([timeout(), rate_limited(retry_after=0.5), server_error(), "ok"])
        result = harness.run(mode, policy)
    assert not is_testing()
    assert result.response == "ok"
    assert result.attempts == 4
    # was: three sleeps of 0.0 -- a zero wait is now no Sleep step at all: no time passes
    assert harness.kinds() == ["attempt"] * 4
    assert harness.clock.sleeps == []
    assert harness.clock.monotonic() == 0.0


@modes
def test_drivers_on_the_system_clock_really_wait_briefly(mode: str) -> None:
    # was test_runner_defaults_use_real_sleep_briefly / ..._asyncio_sleep_briefly
    harness = FakeVenue([timeout(), "ok"], clock=SystemClock())
    result = harness.run(mode, RetryPolicy(wait_initial=0.01, wait_max=0.01))
    assert result.response == "ok"
    assert result.attempts == 2


@modes
def test_a_no_answer_is_reported_as_not_retryable_even_on_the_last_attempt(mode: str) -> None:
    # StopReason is gone (NOT_RETRYABLE vs ATTEMPTS_EXHAUSTED); what stays observable: the
    # venue's own answer, one attempt, no wait and no clock request.
    harness = FakeVenue([already_done()])
    error = raised(harness, mode, RetryPolicy.none())
    assert_same_error(error, already_done())
    assert error.attempts == 1
    assert harness.kinds() == ["attempt"]


# --- the rate-limit slot, inside the deadline -------------------------------------------------------


@modes
def test_a_rate_limit_slot_past_the_deadline_fails_fast_sending_nothing(mode: str) -> None:
    harness = FakeVenue(["never reached"], rate_limit=RateLimit(rate=0.1, burst=1))
    harness.budget.inner.reserve(harness.bucket)  # someone else took the only token: next in 10 s
    error = raised(harness, mode, RetryPolicy(deadline=5.0))
    assert isinstance(error, errors.RateLimited)
    assert error.retry_after == pytest.approx(10.0)
    assert error.attempts == 0
    assert not error.may_have_reached_venue
    assert harness.sends == []
    assert [type(step) for step in harness.steps] == [Reserve]


@modes
def test_a_429_pauses_the_bucket_and_waits_at_least_the_hint(mode: str) -> None:
    harness = FakeVenue(
        [rate_limited(retry_after=3.0), "ok"], rate_limit=RateLimit(rate=10, burst=10)
    )
    result = harness.run(mode)
    assert result.attempts == 2
    kinds = [type(step) for step in harness.steps]
    assert kinds == [Reserve, Send, Pause, Sleep, Reserve, Send]
    pause = harness.steps[2]
    assert isinstance(pause, Pause)
    assert pause.seconds == 3.0
    assert harness.clock.sleeps[0] >= 3.0
    assert [name for name, _ in harness.budget.calls] == ["reserve", "pause", "reserve"]
    assert harness.budget.calls[1] == ("pause", 3.0)


# --- a refused session ----------------------------------------------------------------------------


@modes
@pytest.mark.parametrize(
    ("code", "forgets"),
    [
        pytest.param(13009, True, id="session-refused"),
        pytest.param(13004, True, id="credentials-refused"),
        pytest.param(13021, False, id="other-code"),
        pytest.param(None, False, id="no-code"),
    ],
)
def test_a_refused_session_is_forgotten_once_before_the_error(
    mode: str, code: int | None, forgets: bool
) -> None:
    refusal = errors.AuthenticationError("unauthorized", code=code, status_code=400)
    harness = FakeVenue([refusal, "never reached"], session_codes=frozenset({13004, 13009}))
    with pytest.raises(errors.AuthenticationError) as caught:
        harness.run(mode)
    assert caught.value.code == code
    assert caught.value.attempts == 1  # not retried: the next call gets a new session
    kinds = [type(step) for step in harness.steps]
    assert kinds == ([Send, Forget] if forgets else [Send])


# --- the on_event hook ------------------------------------------------------------------------------


@modes
def test_on_event_gets_one_attempt_event_per_retried_attempt_and_one_outcome(mode: str) -> None:
    policy = RetryPolicy(attempts=4, deadline=None, wait_initial=1.0, wait_max=1.0, wait_jitter=0)
    harness = FakeVenue([timeout(), rate_limited(retry_after=2.0), "ok"])
    harness.run(mode, policy)
    events = harness.hook_events
    assert [(e.kind, e.attempt, e.error, e.retry_in) for e in events] == [
        ("attempt", 1, "TransportError", 1.0),
        ("attempt", 2, "RateLimited", 2.0),
        ("outcome", 3, None, None),
    ]
    assert events[-1].state == "cancelled"
    assert {e.venue for e in events} == {FAKE}
    assert {e.order_id for e in events} == {"order-1"}


@modes
def test_on_event_outcome_of_a_failed_call_names_the_error(mode: str) -> None:
    harness = FakeVenue([server_error(503), already_done()])
    harness.run(mode)  # confirmed by the earlier attempt
    assert [(e.kind, e.attempt, e.state) for e in harness.hook_events] == [
        ("attempt", 1, None),
        ("outcome", 2, "cancelled_on_earlier_attempt"),
    ]
    failing = FakeVenue([already_done()])
    raised(failing, mode)
    assert [(e.kind, e.attempt, e.error, e.status_code) for e in failing.hook_events] == [
        ("outcome", 1, "OrderAlreadyDone", 400)
    ]


# --- engine bugs found while porting (each test was red before its fix) --------------------------


@modes
def test_the_resync_retry_is_reported_to_on_event_like_any_retried_attempt(mode: str) -> None:
    # Event: "one per attempt (kind='attempt')"; Client(on_event=...): "after every failed
    # attempt that is retried". The refused timestamp's attempt is retried (after the resync).
    harness = FakeVenue([expired(), "ok"])
    harness.run(mode)
    assert [(e.kind, e.attempt, e.error, e.retry_in) for e in harness.hook_events] == [
        ("attempt", 1, "AuthenticationError", 0.0),
        ("outcome", 2, None, None),
    ]


@modes
def test_a_resync_is_not_started_past_the_deadline(mode: str) -> None:
    # The old runner checked the deadline before its resync (StopReason.DEADLINE); a refusal
    # that arrives after the deadline ends the call with that refusal: no clock request and no
    # new attempt past the deadline (their timeouts would be cut to nothing, and the call would
    # end on a transport error that hides the venue's answer).
    harness = FakeVenue([expired(), "never reached"], attempt_seconds=6.0)
    error = raised(harness, mode, RetryPolicy(attempts=5, deadline=5.0))
    assert isinstance(error, errors.AuthenticationError)
    assert error.attempts == 1
    assert harness.kinds() == ["attempt"]


@modes
def test_a_group_cancel_reports_its_attempts_and_history(mode: str) -> None:
    # GroupCancelResult.attempts: "How many attempts the call made" (like CancelResult's).
    harness = FakeVenue([server_error(503), "4"], group=True, confirmable=False)
    result = harness.run(mode)
    assert isinstance(result, GroupCancelResult)
    assert result.cancelled_count == 4
    assert result.attempts == 2
    assert record_errors(result) == ["VenueUnavailable", None]


@modes
def test_no_timeout_and_no_deadline_stay_no_timeout(mode: str) -> None:
    # Client(timeout=httpx.Timeout(None), deadline=None) is accepted; cutting its timeouts to
    # "what is left of no deadline" made them float("inf"), which the socket layer refuses
    # (OverflowError from the real transport). No deadline: the timeouts go out unchanged.
    no_timeout = httpx.Timeout(None)
    harness = FakeVenue([timeout(), "ok"], timeout=no_timeout)
    harness.run(mode, RetryPolicy(deadline=None))
    sends = [step for step in harness.steps if isinstance(step, Send)]
    assert [send.timeout for send in sends] == [no_timeout, no_timeout]
    for sent in harness.sends:
        assert all(value is None for value in sent.timeout.values())

    # With a deadline, "no timeout" becomes what is left of it.
    bounded = FakeVenue([timeout(), "ok"], timeout=no_timeout, attempt_seconds=2.0)
    bounded.run(mode, RetryPolicy(deadline=10.0, wait_initial=1, wait_max=1, wait_jitter=0))
    assert [sent.timeout["read"] for sent in bounded.sends] == [
        pytest.approx(10.0, abs=0.05),
        pytest.approx(7.0, abs=0.05),
    ]
