"""Issue 11: every cancel gets exactly one true outcome, within its deadline, whatever happens.

One test (or table) per finding of the issue, through ``Client`` and ``AsyncClient`` (the
``harness`` fixture runs each body on both). Real-socket timing and body-size cases are in
tests/transport/; the CLI cases in tests/cli/.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import time
import traceback
from typing import Any

import anyio
import httpx
import pytest
from answers import in_turn, json_answer

import venuekit
from venuekit import CancelRequest, CancelState, OutcomeFate, Venue, errors
from venuekit.testing import FakeClock

CREDENTIALS = venuekit.CoinbaseExchangeCredentials(
    api_key="k-0001", api_secret="c2VjcmV0LXZhbHVl", passphrase="pass-word"
)
EXCHANGE = lambda c: c.coinbase_exchange.cancel_order(order_id="abc", product_id="BTC-USD")  # noqa: E731


# --- a false "cancelled" -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"message": "ProductNotFound"}, "product_id"),
        ({"message": "Product not found"}, "product_id"),
        ({"message": "Profile not found"}, "profile_id"),
    ],
)
def test_a_product_not_found_after_a_5xx_is_never_a_cancel(
    harness: Any, body: dict[str, str], field: str
) -> None:
    respond = in_turn(
        json_answer(500, {"message": "Internal server error"}), json_answer(404, body)
    )
    with pytest.raises(errors.VenueRejectedRequest) as caught:
        harness.run(respond, EXCHANGE)
    assert caught.value.field == field
    assert caught.value.attempts == 2
    # The 5xx may have reached the venue: the error says so, it does not read "nothing happened".
    assert caught.value.may_have_reached_venue
    assert [r.status_code for r in caught.value.history] == [500, 404]


@pytest.mark.parametrize("text", ["Order not found in book", "not found", "Account not found"])
def test_other_not_found_texts_after_a_5xx_are_never_a_cancel(harness: Any, text: str) -> None:
    respond = in_turn(
        json_answer(503, {"message": "unavailable"}), json_answer(404, {"message": text})
    )
    with pytest.raises(errors.VenueError) as caught:
        harness.run(respond, EXCHANGE)
    assert not isinstance(caught.value, errors.OrderNotFound | errors.OrderAlreadyDone)


@pytest.mark.parametrize("status", ["NEW", "WORKING", "OPEN"])
def test_an_intx_200_saying_the_order_is_still_open_is_not_cancelled(
    harness: Any, status: str
) -> None:
    body = {"order_id": "2v2ckc1g-1-0", "event_type": "NEW", "order_status": status}
    result = harness.run(
        lambda request: json_answer(200, body),
        lambda c: c.coinbase_intx.cancel_order(order_id="2v2ckc1g-1-0", portfolio="1wp37qsc-1-0"),
    )
    assert result.state is CancelState.CANCEL_PENDING
    assert result.venue_status == "NEW"


# --- deadlines that bound -------------------------------------------------------------------------


def test_a_huge_retry_after_fails_fast_with_the_hint_and_does_not_hold_the_next_call(
    harness: Any,
) -> None:
    clock = FakeClock(epoch=time.time())
    harness.clock = clock
    harness.base_urls = dict(harness.base_urls)
    calls: list[float] = []

    def respond(request: httpx.Request) -> httpx.Response:
        calls.append(clock.monotonic())
        return json_answer(
            429, {"message": "Private rate limit exceeded"}, **{"retry-after": "86400"}
        )

    def two_calls(c: Any) -> Any:
        results = []
        for _ in range(2):
            try:
                c.coinbase_exchange.cancel_order(order_id="abc", deadline=5.0)
            except errors.RateLimited as exc:
                results.append(exc)
        return results

    def two_calls_async(c: Any) -> Any:
        async def run() -> Any:
            results = []
            for _ in range(2):
                try:
                    await c.coinbase_exchange.cancel_order(order_id="abc", deadline=5.0)
                except errors.RateLimited as exc:
                    results.append(exc)
            return results

        return run()

    with venuekit.testing.instant_retries(enabled=False):
        first, second = harness.run(
            respond, two_calls if harness.mode == "sync" else two_calls_async
        )
    assert first.retry_after == 86400.0
    assert first.attempts == 1  # failed fast: no wait past the deadline
    # The bucket was paused for the capped hint (60 s): the next call, deadline 5 s, does not
    # wait for it and fails at once as RateLimited, having sent nothing.
    assert second.attempts == 0
    assert not second.may_have_reached_venue
    assert len(calls) == 1
    assert sum(clock.sleeps) < 5.0


@pytest.mark.parametrize(
    "value",
    ["Fri, 31 Dec 9999 23:59:59 GMT", "1e300", "9" * 400, "Thu, 01 Jan 1970 00:00:00 GMT"],
)
def test_absurd_retry_after_values_never_raise_raw_errors_or_hang(harness: Any, value: str) -> None:
    harness.clock = FakeClock(epoch=time.time())
    respond = in_turn(json_answer(429, {"message": "slow down"}, **{"retry-after": value}))
    with venuekit.testing.instant_retries(enabled=False), pytest.raises(errors.RateLimited):
        harness.run(respond, lambda c: c.coinbase_exchange.cancel_order(order_id="abc", deadline=5))
    assert sum(harness.clock.sleeps) < 5.0


# --- batches that lose no order ------------------------------------------------------------------


BAD_ENTRIES = [
    CancelRequest.coinbase_exchange(order_id="\ud800"),
    CancelRequest.coinbase_exchange(order_id="x" * 1_000_000),
    CancelRequest(venue="nowhere", order_id="1"),
    CancelRequest.coinbase_exchange(order_id="a\x00b"),
]


def test_bad_entries_are_their_own_outcomes_and_the_rest_are_sent(harness: Any) -> None:
    good = [CancelRequest.coinbase_exchange(order_id=f"order-{i}") for i in range(3)]
    batch = [good[0], *BAD_ENTRIES, *good[1:]]
    outcomes = harness.run(lambda r: json_answer(200, "ok"), lambda c: c.cancel_many(batch))
    assert [o.index for o in outcomes] == list(range(len(batch)))
    assert [o.ok for o in outcomes] == [True, False, False, False, False, True, True]
    for outcome in outcomes[1:5]:
        assert isinstance(outcome.error, errors.InvalidRequest)
        assert outcome.error.field in {"order_id", "venue"}
        assert outcome.attempts == 0
    assert len(harness.requests) == 3


def test_a_sync_batch_interrupted_reports_every_order_before_the_interrupt() -> None:
    seen: list[Any] = []
    orders = [CancelRequest.coinbase_exchange(order_id=f"o-{i}") for i in range(40)]

    def on_outcome(outcome: Any) -> None:
        seen.append(outcome)
        if len(seen) == 5:
            raise KeyboardInterrupt

    def slow(request: httpx.Request) -> httpx.Response:
        time.sleep(0.01)
        return json_answer(200, request.url.path.rsplit("/", 1)[-1])

    with (
        venuekit.Client(
            coinbase_exchange=CREDENTIALS,
            base_urls={"coinbase_exchange": "https://exchange.test"},
            transport=httpx.MockTransport(slow),
            rate_limits=False,
        ) as client,
        pytest.raises(KeyboardInterrupt),
    ):
        client.cancel_many(orders, concurrency=2, on_outcome=on_outcome)
    assert sorted(o.index for o in seen) == list(range(40))  # every order, exactly once
    fates = {o.fate for o in seen[5:]}
    assert fates <= {OutcomeFate.IN_FLIGHT, OutcomeFate.NOT_SENT}
    assert OutcomeFate.NOT_SENT in fates
    for outcome in seen[5:]:
        assert isinstance(outcome.error, errors.Interrupted)
        assert outcome.may_have_reached_venue is (outcome.fate is OutcomeFate.IN_FLIGHT)


@pytest.mark.anyio
async def test_an_async_batch_cancelled_by_a_timeout_reports_every_order_first() -> None:
    seen: list[Any] = []
    orders = [CancelRequest.coinbase_exchange(order_id=f"o-{i}") for i in range(30)]

    async def slow(request: httpx.Request) -> httpx.Response:
        await anyio.sleep(0.05)
        return json_answer(200, "x")

    async with venuekit.AsyncClient(
        coinbase_exchange=CREDENTIALS,
        base_urls={"coinbase_exchange": "https://exchange.test"},
        transport=httpx.MockTransport(slow),
        rate_limits=False,
    ) as client:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.12):
                await client.cancel_many(orders, concurrency=3, on_outcome=seen.append)
    assert sorted(o.index for o in seen) == list(range(30))
    assert {o.fate for o in seen} == {
        OutcomeFate.FINISHED,
        OutcomeFate.IN_FLIGHT,
        OutcomeFate.NOT_SENT,
    }


def test_a_batch_deadline_stops_sending_and_reports_the_rest_not_sent(harness: Any) -> None:
    orders = [CancelRequest.coinbase_exchange(order_id=f"o-{i}") for i in range(20)]

    def slow(request: httpx.Request) -> httpx.Response:
        time.sleep(0.05)
        return json_answer(200, "x")

    outcomes = harness.run(
        slow, lambda c: c.cancel_many(orders, concurrency=1, batch_deadline=0.12)
    )
    assert len(outcomes) == 20
    fates = [o.fate for o in outcomes]
    assert fates[0] is OutcomeFate.FINISHED
    assert fates[-1] is OutcomeFate.NOT_SENT
    assert len(harness.requests) == fates.count(OutcomeFate.FINISHED)


# --- failures that say what happened --------------------------------------------------------------


def test_an_error_keeps_every_attempt_and_says_the_cancel_may_have_landed(harness: Any) -> None:
    respond = in_turn(
        httpx.ReadTimeout("slow"),
        json_answer(502, {"message": "bad gateway"}),
        httpx.ConnectError("refused"),
    )
    with pytest.raises(errors.TransportError) as caught:
        harness.run(respond, lambda c: c.coinbase_exchange.cancel_order(order_id="a", attempts=3))
    error = caught.value
    assert error.attempts == 3
    assert [(r.status_code, r.error) for r in error.history] == [
        (None, "TransportError"),
        (502, "VenueUnavailable"),
        (None, "TransportError"),
    ]
    assert [r.may_have_reached_venue for r in error.history] == [True, True, False]
    assert error.may_have_reached_venue  # the last attempt did not, but earlier ones may have


# --- secrets in tracebacks -------------------------------------------------------------------------


def test_a_traceback_with_frame_locals_shows_no_secret(harness: Any) -> None:
    creds = harness.exchange
    echo = {"message": f"bad passphrase {creds.passphrase.reveal()} for {creds.api_key}"}
    with pytest.raises(errors.AuthenticationError) as caught:
        harness.run(lambda r: json_answer(401, echo), EXCHANGE)
    report = traceback.TracebackException.from_exception(caught.value, capture_locals=True)
    frames = [frame for frame in report.stack if "/venuekit/" in frame.filename]
    assert frames  # the engine, drivers and venue module frames are there ...
    rendered = "".join(f"{frame.name} {frame.locals}" for frame in frames)
    for secret in (creds.passphrase.reveal(), creds.api_secret.reveal()):
        assert secret not in rendered  # ... and none of their locals shows a secret
    assert "[REDACTED]" in caught.value.message


# --- bad input, typed, when the client is made ----------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"timeout": -1}, "timeout"),
        ({"timeout": float("nan")}, "timeout"),
        ({"timeout": "5"}, "timeout"),
        ({"timeout": httpx.Timeout(5.0, read=-2.0)}, "timeout"),
        ({"deadline": "5"}, "deadline"),
        ({"deadline": float("nan")}, "deadline"),
        ({"deadline": 0}, "deadline"),
        ({"attempts": 0}, "attempts"),
        ({"attempts": 2.5}, "attempts"),
        ({"rate_limits": None}, "rate_limits"),
        ({"rate_limits": {"nowhere": None}}, "rate_limits"),
        ({"base_urls": {"coinbase_exchange": "ftp://x"}}, "base_urls"),
    ],
)
@pytest.mark.parametrize("cls", [venuekit.Client, venuekit.AsyncClient])
def test_bad_client_arguments_are_refused_when_the_client_is_made(
    cls: Any, kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises(errors.InvalidRequest) as caught:
        cls(**kwargs)
    assert caught.value.field == field


def test_per_call_knobs_are_checked_before_anything_is_sent(harness: Any) -> None:
    for knobs, field in (({"deadline": "5"}, "deadline"), ({"timeout": -1.0}, "timeout")):
        with pytest.raises(errors.InvalidRequest) as caught:
            harness.run(
                lambda r: json_answer(200, "x"),
                lambda c, k=knobs: c.coinbase_exchange.cancel_order(order_id="a", **k),
            )
        assert caught.value.field == field
    assert harness.requests == []


def test_malformed_credentials_name_their_field() -> None:
    with pytest.raises(errors.InvalidCredentials) as caught:
        venuekit.CoinbaseExchangeCredentials(api_key="k", api_secret="!!", passphrase="p")
    assert caught.value.field == "api_secret"


# --- retries visible ---------------------------------------------------------------------------------


def test_each_retry_is_logged_at_warning_with_venue_order_attempt_and_reason(
    harness: Any, caplog: pytest.LogCaptureFixture
) -> None:
    events: list[venuekit.Event] = []
    respond = in_turn(json_answer(503, {"message": "unavailable"}), json_answer(200, "abc"))
    with caplog.at_level(logging.WARNING, logger="venuekit"):
        harness.run(respond, EXCHANGE, on_event=events.append)
    (record,) = [r for r in caplog.records if r.levelno == logging.WARNING]
    text = record.getMessage()
    for word in ("coinbase_exchange", "abc", "attempt 1", "VenueUnavailable", "503"):
        assert word in text
    assert [(e.kind, e.attempt, e.error) for e in events] == [
        ("attempt", 1, "VenueUnavailable"),
        ("outcome", 2, None),
    ]
    assert events[-1].state == "cancelled"
    assert events[0].venue is Venue.COINBASE_EXCHANGE


def test_requests_carry_venuekits_user_agent(harness: Any) -> None:
    harness.run(lambda r: json_answer(200, "abc"), EXCHANGE)
    assert harness.requests[0].headers["user-agent"] == f"venuekit/{venuekit.__version__}"


def test_a_failing_event_hook_does_not_change_the_outcome(harness: Any) -> None:
    def broken(event: venuekit.Event) -> None:
        raise RuntimeError("metrics down")

    result = harness.run(lambda r: json_answer(200, "abc"), EXCHANGE, on_event=broken)
    assert result.state is CancelState.CANCELLED


def _http_date(offset: float) -> str:
    return email.utils.formatdate(time.time() + offset, usegmt=True)
