"""Retry policy: pure functions, the sans-I/O driver, and the sync/async runners on a fake clock."""

from __future__ import annotations

import email.utils
import random
from collections.abc import Sequence
from typing import Any

import attrs
import pytest

from venuekit import Venue, errors
from venuekit._retry import (
    AmbiguityResolved,
    Attempt,
    Failed,
    Raised,
    RetryFlow,
    RetryPolicy,
    Sleep,
    StopReason,
    Succeeded,
    backoff,
    instant_waits,
    is_ambiguous,
    is_retryable,
    is_testing,
    is_timestamp_expired,
    parse_retry_after,
    resolve_ambiguity,
    retry_flow,
    run_async,
    run_sync,
    set_testing,
)

EXCHANGE = Venue.COINBASE_EXCHANGE
INTX = Venue.COINBASE_INTX
LOOPRING = Venue.LOOPRING

# --- error factories, shaped like the adapters' answers (errors.py table) ----------------------


def timeout() -> errors.TransportError:
    return errors.TransportError("read timeout", venue=EXCHANGE)


def dropped() -> errors.TransportError:
    return errors.TransportError("server disconnected without sending a response")


def connect_refused() -> errors.TransportError:
    return errors.TransportError("connection refused", may_have_reached_venue=False)


def server_error(status: int = 500) -> errors.VenueUnavailable:
    return errors.VenueUnavailable("Internal server error", status_code=status)


def rate_limited(retry_after: float | None = None) -> errors.RateLimited:
    return errors.RateLimited(
        "Private rate limit exceeded", status_code=429, retry_after=retry_after
    )


def already_done() -> errors.OrderAlreadyDone:
    return errors.OrderAlreadyDone("Order already done", venue=EXCHANGE, status_code=400)


def not_found() -> errors.OrderNotFound:
    return errors.OrderNotFound("NotFound", venue=EXCHANGE, status_code=404)


def expired() -> errors.AuthenticationError:
    return errors.AuthenticationError("request timestamp expired", status_code=401)


NEVER_RETRIED = [
    pytest.param(lambda: errors.AuthenticationError("invalid signature"), id="auth"),
    pytest.param(not_found, id="not-found"),
    pytest.param(already_done, id="already-done"),
    pytest.param(lambda: errors.InvalidRequest("bad id", field="order_id"), id="invalid"),
    pytest.param(
        lambda: errors.VenueRejectedRequest("Invalid order id", status_code=400), id="rejected"
    ),
    pytest.param(lambda: errors.VenueError("unknown code 100000", code=100000), id="unclassified"),
]
RETRIED = [
    pytest.param(timeout, id="timeout"),
    pytest.param(dropped, id="dropped"),
    pytest.param(connect_refused, id="connect"),
    pytest.param(server_error, id="5xx"),
    pytest.param(lambda: server_error(503), id="503"),
    pytest.param(rate_limited, id="429"),
    pytest.param(
        lambda: errors.VenueUnavailable("failed to cancel", status_code=400, code=102118),
        id="loopring-102118",
    ),
]


# --- a scripted venue on a fake clock, driven by either runner -----------------------------------


class Harness:
    """A fake clock, a scripted ``send`` and a recorder shared by the sync and async runners."""

    def __init__(self, script: Sequence[object], *, attempt_seconds: float = 0.0) -> None:
        self.script = list(script)
        self.now = 0.0
        self.attempt_seconds = attempt_seconds
        self.events: list[tuple[Any, ...]] = []

    def clock(self) -> float:
        return self.now

    def _next(self) -> object:
        self.events.append(("attempt", round(self.now, 9)))
        self.now += self.attempt_seconds
        item = self.script.pop(0)
        if isinstance(item, BaseException):
            raise item
        return item

    def send(self) -> object:
        return self._next()

    async def send_async(self) -> object:
        return self._next()

    def sleep(self, seconds: float) -> None:
        self.events.append(("sleep", round(seconds, 9)))
        self.now += seconds

    async def sleep_async(self, seconds: float) -> None:
        self.sleep(seconds)

    def resync(self) -> None:
        self.events.append(("resync",))


async def drive(
    mode: str,
    harness: Harness,
    policy: RetryPolicy | None = None,
    *,
    hook: bool = True,
    seed: int = 0,
) -> Succeeded[object] | AmbiguityResolved | Failed:
    """Run ``harness`` through ``run_sync`` or ``run_async`` with identical settings."""
    policy = policy if policy is not None else RetryPolicy(attempts=5, deadline=30.0)
    if mode == "sync":
        return run_sync(
            harness.send,
            policy=policy,
            clock=harness.clock,
            rng=random.Random(seed),
            sleep=harness.sleep,
            on_timestamp_expired=harness.resync if hook else None,
        )
    return await run_async(
        harness.send_async,
        policy=policy,
        clock=harness.clock,
        rng=random.Random(seed),
        sleep=harness.sleep_async,
        on_timestamp_expired=harness.resync if hook else None,
    )


modes = pytest.mark.parametrize("mode", ["sync", "async"])
pytestmark = pytest.mark.anyio


def kinds(harness: Harness) -> list[str]:
    return [event[0] for event in harness.events]


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
        (errors.VenueError("request timestamp expired"), False),  # only auth errors
        (errors.InvalidRequest("timestamp expired"), False),
    ],
)
def test_is_timestamp_expired(error: errors.VenueError, expected: bool) -> None:
    assert is_timestamp_expired(error) is expected


def test_is_timestamp_expired_honours_a_flag_set_by_the_client() -> None:
    flagged = errors.AuthenticationError("Unauthorized", status_code=401)
    flagged.timestamp_expired = True  # type: ignore[attr-defined]
    assert is_timestamp_expired(flagged)
    unflagged = expired()
    unflagged.timestamp_expired = False  # type: ignore[attr-defined]
    assert not is_timestamp_expired(unflagged)


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


def test_resolve_ambiguity_picks_the_latest_ambiguous_attempt() -> None:
    first, second = timeout(), server_error()
    resolved = resolve_ambiguity(not_found(), [first, rate_limited(), second, rate_limited()])
    assert resolved is not None
    assert resolved.earlier is second
    assert resolve_ambiguity(already_done(), [rate_limited(), connect_refused()]) is None
    assert resolve_ambiguity(server_error(), [timeout()]) is None
    assert resolve_ambiguity(already_done(), []) is None


# --- the driver, through both runners -----------------------------------------------------------


@modes
@pytest.mark.parametrize("make", RETRIED)
async def test_retries_transport_5xx_and_429_then_succeeds(mode: str, make: Any) -> None:
    harness = Harness([make(), make(), "order-1"])
    outcome = await drive(mode, harness)
    assert isinstance(outcome, Succeeded)
    assert outcome.value == "order-1"
    assert outcome.attempts == 3
    assert len(outcome.failures) == 2
    assert kinds(harness) == ["attempt", "sleep", "attempt", "sleep", "attempt"]


@modes
@pytest.mark.parametrize("make", NEVER_RETRIED)
async def test_never_retries_answers_that_mean_no(mode: str, make: Any) -> None:
    error = make()
    harness = Harness([error, "never reached"])
    outcome = await drive(mode, harness)
    assert isinstance(outcome, Failed)
    assert outcome.error is error
    assert outcome.reason is StopReason.NOT_RETRYABLE
    assert outcome.attempts == 1
    assert kinds(harness) == ["attempt"]


@modes
async def test_first_attempt_success_counts_one_attempt(mode: str) -> None:
    harness = Harness(["ok"])
    outcome = await drive(mode, harness)
    assert outcome == Succeeded(value="ok", attempts=1, failures=())


@modes
async def test_attempts_are_bounded_and_counted(mode: str) -> None:
    failures = [server_error() for _ in range(4)]
    harness = Harness([*failures, "never reached"])
    outcome = await drive(mode, harness, RetryPolicy(attempts=4, deadline=None))
    assert isinstance(outcome, Failed)
    assert outcome.reason is StopReason.ATTEMPTS_EXHAUSTED
    assert outcome.attempts == 4
    assert outcome.error is failures[-1]
    assert list(outcome.failures) == failures
    assert kinds(harness).count("sleep") == 3


@modes
async def test_policy_none_makes_exactly_one_attempt(mode: str) -> None:
    harness = Harness([timeout(), "never reached"])
    outcome = await drive(mode, harness, RetryPolicy.none())
    assert isinstance(outcome, Failed)
    assert outcome.attempts == 1
    assert outcome.reason is StopReason.ATTEMPTS_EXHAUSTED


@modes
async def test_waits_grow_exponentially_until_wait_max(mode: str) -> None:
    policy = RetryPolicy(attempts=6, deadline=None, wait_initial=1.0, wait_max=4.0, wait_jitter=0)
    harness = Harness([timeout()] * 5 + ["ok"])
    await drive(mode, harness, policy)
    assert [e[1] for e in harness.events if e[0] == "sleep"] == [1.0, 2.0, 4.0, 4.0, 4.0]


@modes
async def test_deadline_stops_before_a_wait_that_would_cross_it(mode: str) -> None:
    policy = RetryPolicy(attempts=10, deadline=25.0, wait_initial=10, wait_max=10, wait_jitter=0)
    harness = Harness([timeout()] * 10)
    outcome = await drive(mode, harness, policy)
    assert isinstance(outcome, Failed)
    assert outcome.reason is StopReason.DEADLINE
    assert outcome.attempts == 3
    assert harness.events == [
        ("attempt", 0.0),
        ("sleep", 10.0),
        ("attempt", 10.0),
        ("sleep", 10.0),
        ("attempt", 20.0),
    ]
    assert harness.now <= 25.0


@modes
async def test_deadline_counts_time_spent_in_attempts(mode: str) -> None:
    # each attempt takes 4 s (e.g. a read timeout); waits are 1 s: 0-4, 5-9, 10-14, 15-19, stop
    policy = RetryPolicy(attempts=10, deadline=19.5, wait_initial=1, wait_max=1, wait_jitter=0)
    harness = Harness([timeout()] * 10, attempt_seconds=4.0)
    outcome = await drive(mode, harness, policy)
    assert isinstance(outcome, Failed)
    assert outcome.reason is StopReason.DEADLINE
    assert outcome.attempts == 4
    assert harness.now == 19.0


def test_attempt_step_reports_the_remaining_deadline() -> None:
    now = [100.0]
    flow: RetryFlow[object] = retry_flow(
        RetryPolicy(deadline=10.0, wait_initial=1, wait_max=1, wait_jitter=0),
        clock=lambda: now[0],
        rng=random.Random(0),
    )
    assert next(flow) == Attempt(number=1, remaining=10.0)
    now[0] += 3.0
    step = flow.send(Raised(timeout()))
    assert isinstance(step, Sleep)
    assert (step.seconds, step.next_attempt) == (1.0, 2)
    now[0] += 1.0
    assert flow.send(None) == Attempt(number=2, remaining=6.0)
    unlimited: RetryFlow[object] = retry_flow(RetryPolicy(deadline=None))
    assert next(unlimited) == Attempt(number=1, remaining=None)


def test_flow_rejects_a_missing_reply_to_an_attempt() -> None:
    flow: RetryFlow[object] = retry_flow(RetryPolicy())
    next(flow)
    with pytest.raises(TypeError, match="Returned"):
        flow.send(None)


@modes
async def test_retry_after_is_the_minimum_wait(mode: str) -> None:
    policy = RetryPolicy(attempts=3, deadline=None, wait_initial=0.1, wait_max=0.1)
    harness = Harness([rate_limited(retry_after=3.0), rate_limited(retry_after=0.0), "ok"])
    outcome = await drive(mode, harness, policy)
    assert isinstance(outcome, Succeeded)
    sleeps = [e[1] for e in harness.events if e[0] == "sleep"]
    assert sleeps[0] == 3.0
    assert 0.0 <= sleeps[1] <= 0.1  # a hint shorter than the backoff does not shorten it


@modes
async def test_retry_after_beyond_the_deadline_gives_up_without_sleeping(mode: str) -> None:
    harness = Harness([rate_limited(retry_after=40.0), "never reached"])
    outcome = await drive(mode, harness, RetryPolicy(attempts=5, deadline=30.0))
    assert isinstance(outcome, Failed)
    assert outcome.reason is StopReason.DEADLINE
    assert kinds(harness) == ["attempt"]


@modes
async def test_retry_after_longer_than_the_cap_gives_up(mode: str) -> None:
    harness = Harness([rate_limited(retry_after=120.0), "never reached"])
    outcome = await drive(mode, harness, RetryPolicy(deadline=None, retry_after_max=60.0))
    assert isinstance(outcome, Failed)
    assert outcome.reason is StopReason.RETRY_AFTER_TOO_LONG


# --- the ambiguity rule ------------------------------------------------------------------------

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
async def test_ambiguous_attempt_then_done_is_resolved_as_success(
    mode: str, earlier: errors.VenueError, later: errors.VenueError
) -> None:
    harness = Harness([earlier, later])
    outcome = await drive(mode, harness)
    assert isinstance(outcome, AmbiguityResolved)
    assert outcome.error is later
    assert outcome.earlier is earlier
    assert outcome.attempts == 2
    assert outcome.failures == (earlier, later)


@modes
@pytest.mark.parametrize("make", [already_done, not_found])
async def test_done_on_the_first_attempt_stays_an_error(mode: str, make: Any) -> None:
    harness = Harness([make()])
    outcome = await drive(mode, harness)
    assert isinstance(outcome, Failed)
    assert outcome.reason is StopReason.NOT_RETRYABLE
    assert isinstance(outcome.error, errors.OrderAlreadyDone | errors.OrderNotFound)


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
async def test_done_after_an_unambiguous_failure_stays_an_error(
    mode: str, earlier: errors.VenueError
) -> None:
    harness = Harness([earlier, already_done()])
    outcome = await drive(mode, harness)
    assert isinstance(outcome, Failed)
    assert isinstance(outcome.error, errors.OrderAlreadyDone)
    assert outcome.attempts == 2


@modes
async def test_ambiguity_survives_intervening_rate_limits(mode: str) -> None:
    drop = dropped()
    harness = Harness([drop, rate_limited(), rate_limited(), not_found()])
    outcome = await drive(mode, harness)
    assert isinstance(outcome, AmbiguityResolved)
    assert outcome.earlier is drop
    assert outcome.attempts == 4


# --- timestamp expired: one resync, one immediate retry ----------------------------------------


@modes
async def test_timestamp_expired_resyncs_once_and_retries_immediately(mode: str) -> None:
    harness = Harness([expired(), "ok"])
    outcome = await drive(mode, harness)
    assert isinstance(outcome, Succeeded)
    assert outcome.attempts == 2
    assert harness.events == [("attempt", 0.0), ("resync",), ("attempt", 0.0)]


@modes
async def test_timestamp_expired_never_loops(mode: str) -> None:
    harness = Harness([expired() for _ in range(10)])
    outcome = await drive(mode, harness, RetryPolicy(attempts=10))
    assert isinstance(outcome, Failed)
    assert outcome.reason is StopReason.NOT_RETRYABLE
    assert outcome.attempts == 2
    assert kinds(harness) == ["attempt", "resync", "attempt"]


@modes
async def test_timestamp_expired_after_other_retries_still_resyncs_once(mode: str) -> None:
    harness = Harness([timeout(), expired(), server_error(), expired(), "never reached"])
    outcome = await drive(mode, harness)
    assert isinstance(outcome, Failed)
    assert kinds(harness) == [
        "attempt",
        "sleep",
        "attempt",
        "resync",
        "attempt",
        "sleep",
        "attempt",
    ]


@modes
async def test_timestamp_expired_without_a_hook_is_not_retried(mode: str) -> None:
    harness = Harness([expired(), "never reached"])
    outcome = await drive(mode, harness, hook=False)
    assert isinstance(outcome, Failed)
    assert outcome.attempts == 1


@modes
async def test_timestamp_expired_respects_the_attempt_budget(mode: str) -> None:
    harness = Harness([expired(), "never reached"])
    outcome = await drive(mode, harness, RetryPolicy.none())
    assert isinstance(outcome, Failed)
    assert kinds(harness) == ["attempt"]


def test_a_failing_resync_hook_still_gets_its_one_retry() -> None:
    calls: list[int] = []

    def hook() -> None:
        calls.append(1)
        raise errors.TransportError("GET /time timed out")

    script = [expired(), "ok"]
    outcome = run_sync(lambda: _pop(script), on_timestamp_expired=hook)
    assert isinstance(outcome, Succeeded)
    assert calls == [1]


def _pop(script: list[object]) -> object:
    item = script.pop(0)
    if isinstance(item, BaseException):
        raise item
    return item


async def test_async_runner_awaits_an_async_resync_hook() -> None:
    calls: list[str] = []

    async def hook() -> None:
        calls.append("resynced")

    async def send() -> object:
        return _pop(script)

    script: list[object] = [expired(), "ok"]
    outcome = await run_async(send, on_timestamp_expired=hook)
    assert isinstance(outcome, Succeeded)
    assert calls == ["resynced"]


# --- runners: identical steps, other exceptions, testing switch ---------------------------------

SCRIPTS = [
    pytest.param([timeout(), server_error(), rate_limited(1.0), "ok"], id="mixed-retries"),
    pytest.param([dropped(), already_done()], id="ambiguity"),
    pytest.param([expired(), timeout(), "ok"], id="resync"),
    pytest.param([server_error()] * 6, id="exhausted"),
    pytest.param([errors.AuthenticationError("invalid signature")], id="no"),
]


@pytest.mark.parametrize("script", SCRIPTS)
async def test_sync_and_async_runners_take_identical_steps(script: list[object]) -> None:
    sync_h, async_h = Harness(script), Harness(script)
    sync_outcome = await drive("sync", sync_h, seed=42)
    async_outcome = await drive("async", async_h, seed=42)
    assert sync_h.events == async_h.events
    assert sync_outcome == async_outcome


@modes
async def test_foreign_exceptions_propagate_immediately(mode: str) -> None:
    harness = Harness([RuntimeError("bug"), "never reached"])
    with pytest.raises(RuntimeError, match="bug"):
        await drive(mode, harness)
    assert kinds(harness) == ["attempt"]


@modes
async def test_testing_switch_makes_every_wait_zero(mode: str) -> None:
    policy = RetryPolicy(attempts=4, deadline=1.0, wait_initial=5.0, wait_max=5.0, wait_jitter=0)
    assert not is_testing()
    with instant_waits():
        assert is_testing()
        harness = Harness([timeout(), rate_limited(retry_after=0.5), server_error(), "ok"])
        outcome = await drive(mode, harness, policy)
    assert not is_testing()
    assert isinstance(outcome, Succeeded)
    assert [e[1] for e in harness.events if e[0] == "sleep"] == [0.0, 0.0, 0.0]


def test_set_testing_toggles_and_the_context_manager_restores() -> None:
    set_testing(True)
    try:
        with instant_waits(False):
            assert not is_testing()
        assert is_testing()
    finally:
        set_testing(False)
    assert not is_testing()


def test_runner_defaults_use_real_sleep_briefly() -> None:
    script: list[object] = [timeout(), "ok"]
    policy = RetryPolicy(wait_initial=0.01, wait_max=0.01)
    outcome = run_sync(lambda: _pop(script), policy=policy, rng=random.Random(0))
    assert isinstance(outcome, Succeeded)
    assert outcome.attempts == 2


async def test_async_runner_defaults_use_asyncio_sleep_briefly() -> None:
    script: list[object] = [timeout(), "ok"]

    async def send() -> object:
        return _pop(script)

    outcome = await run_async(send, policy=RetryPolicy(wait_initial=0.01, wait_max=0.01))
    assert isinstance(outcome, Succeeded)
    assert outcome.attempts == 2


@modes
async def test_a_no_answer_is_reported_as_not_retryable_even_on_the_last_attempt(mode: str) -> None:
    harness = Harness([already_done()])
    outcome = await drive(mode, harness, RetryPolicy.none())
    assert isinstance(outcome, Failed)
    assert outcome.reason is StopReason.NOT_RETRYABLE
