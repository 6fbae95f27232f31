"""Retries inside the client, over httpx.MockTransport: what is retried, how often, re-signed.

Every test runs for ``Client`` and ``AsyncClient`` (the ``harness`` fixture). Retry waits are
instant (``venuekit.testing.instant_retries``, autouse in conftest) unless a test measures them
on a fake clock.
"""

from __future__ import annotations

import email.utils
import hashlib
import hmac
import json
import time
from typing import Any

import httpx
import pytest
from answers import in_turn, json_answer
from cancels import (
    ALREADY_DONE,
    CANCELS,
    EXCHANGE_CANCEL,
    INTX_CANCEL,
    NO_ANSWERS,
    NOT_FOUND,
    PREPARED,
    SIGNATURE_HEADERS,
    SUCCESS,
    error_id,
)

import venuekit
from venuekit import CancelState, Venue, errors
from venuekit._signing import coinbase
from venuekit._venues import RawResponse, interpret
from venuekit.testing import FakeClock


def http_date(offset: float) -> str:
    return email.utils.formatdate(time.time() + offset, usegmt=True)


# --- what is retried ----------------------------------------------------------------------------


@pytest.mark.parametrize("venue", list(Venue))
def test_every_retry_is_signed_afresh_with_one_of_each_header(harness: Any, venue: Venue) -> None:
    # Each answer's Date header moves the venue clock by 100 s, so a re-signed attempt carries a
    # new timestamp (Coinbase); Loopring signs no timestamp but must still sign every attempt.
    respond = in_turn(
        json_answer(500, {"message": "Internal server error"}, date=http_date(100)),
        json_answer(503, {"message": "Service Unavailable"}, date=http_date(200)),
        json_answer(200, SUCCESS[venue], date=http_date(200)),
    )
    result = harness.run(respond, CANCELS[venue])

    assert result.state is CancelState.CANCELLED
    assert result.attempts == 3
    assert len(harness.requests) == 3
    for request in harness.requests:
        for name in SIGNATURE_HEADERS[venue]:
            assert len(request.headers.get_list(name)) == 1, name
    if venue is Venue.LOOPRING:
        return
    if venue is Venue.DERIBIT:  # a fresh nonce and a signature over each request, recomputed
        secret = harness.deribit.client_secret.reveal().encode()
        nonces = set()
        for request in harness.requests:
            scheme, _, fields = request.headers["Authorization"].partition(" ")
            parts = dict(item.split("=", 1) for item in fields.split(","))
            data = f"GET\n{request.url.raw_path.decode()}\n\n"
            string = f"{parts['ts']}\n{parts['nonce']}\n{data}".encode()
            assert scheme == "deri-hmac-sha256"
            assert parts["sig"] == hmac.new(secret, string, hashlib.sha256).hexdigest()
            nonces.add(parts["nonce"])
        assert len(nonces) == 3
        return
    stamps = [float(r.headers["CB-ACCESS-TIMESTAMP"]) for r in harness.requests]
    assert stamps[1] - stamps[0] == pytest.approx(100, abs=2)
    assert stamps[2] - stamps[0] == pytest.approx(200, abs=2)
    secret = (
        harness.exchange.api_secret if venue is Venue.COINBASE_EXCHANGE else harness.intx.api_secret
    )
    prehash = (
        coinbase.exchange_prehash if venue is Venue.COINBASE_EXCHANGE else coinbase.intx_prehash
    )
    signatures = set()
    for request in harness.requests:
        path = request.url.raw_path.decode()
        if venue is Venue.COINBASE_INTX:
            path = path.split("?", 1)[0]
        expected = coinbase.signature(
            secret_key=coinbase.decode_secret(secret),
            prehash=prehash(
                timestamp=request.headers["CB-ACCESS-TIMESTAMP"],
                method=request.method,
                request_path=path,
            ),
        )
        assert request.headers["CB-ACCESS-SIGN"] == expected
        signatures.add(expected)
    assert len(signatures) == 3


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ConnectError("refused"),
        httpx.ReadTimeout("slow"),
        httpx.RemoteProtocolError("dropped"),
        json_answer(429, {"message": "Private rate limit exceeded"}),
        json_answer(500, {"message": "Internal server error"}),
        json_answer(502, {"message": "Bad gateway"}),
    ],
    ids=["connect", "read-timeout", "dropped", "429", "500", "502"],
)
def test_transport_errors_5xx_and_429_are_retried(
    harness: Any, failure: httpx.Response | Exception
) -> None:
    result = harness.run(in_turn(failure, json_answer(200, "abc")), EXCHANGE_CANCEL)
    assert result.state is CancelState.CANCELLED
    assert result.attempts == 2
    assert len(harness.requests) == 2


def adapters_error(venue: Venue, status: int, body: Any) -> errors.VenueError:
    """The error the venue module maps this answer to (the mapping is tested in test_adapters)."""
    raw = RawResponse(
        status_code=status,
        headers=httpx.Headers({"content-type": "application/json"}),
        content=json.dumps(body).encode(),
        now=time.time(),
    )
    with pytest.raises(errors.VenueError) as caught:
        interpret(PREPARED[venue], raw)
    return caught.value


@pytest.mark.parametrize("row", NO_ANSWERS, ids=[error_id(row) for row in NO_ANSWERS])
def test_answers_that_mean_no_are_never_retried(harness: Any, row: tuple[Any, ...]) -> None:
    venue, status, body, _ = row
    with pytest.raises(errors.VenueError) as caught:
        harness.run(lambda request: json_answer(status, body), CANCELS[venue])
    # The class each answer maps to is asserted once, at the adapter level (test_adapters.py);
    # the client's job: raise that error after one attempt of the five allowed.
    assert type(caught.value) is type(adapters_error(venue, status, body))
    assert caught.value.attempts == 1
    assert len(harness.requests) == 1


def test_invalid_arguments_report_zero_attempts(harness: Any) -> None:
    with pytest.raises(errors.InvalidRequest) as caught:
        harness.run(
            lambda request: json_answer(200, "x"),
            lambda c: c.coinbase_exchange.cancel_order(order_id=" "),
        )
    assert caught.value.attempts == 0
    assert harness.requests == []


def test_attempts_are_bounded_per_client_and_per_call(harness: Any) -> None:
    failing = lambda request: json_answer(500, {"message": "Internal server error"})  # noqa: E731
    with pytest.raises(errors.VenueUnavailable) as caught:
        harness.run(failing, EXCHANGE_CANCEL)
    assert caught.value.attempts == venuekit._constants.RETRY_ATTEMPTS == 5
    assert len(harness.requests) == 5

    harness.requests.clear()
    with pytest.raises(errors.VenueUnavailable) as caught:
        harness.run(failing, EXCHANGE_CANCEL, attempts=1)
    assert (caught.value.attempts, len(harness.requests)) == (1, 1)

    harness.requests.clear()
    with pytest.raises(errors.VenueUnavailable) as caught:
        harness.run(failing, lambda c: c.coinbase_exchange.cancel_order(order_id="abc", attempts=2))
    assert (caught.value.attempts, len(harness.requests)) == (2, 2)


@pytest.mark.parametrize("bad", [0, -1, True, 1.5])
def test_bad_attempts_are_an_invalid_request(harness: Any, bad: object) -> None:
    with pytest.raises(errors.InvalidRequest) as caught:
        harness.run(
            lambda request: json_answer(200, "x"),
            lambda c: c.coinbase_exchange.cancel_order(order_id="abc", attempts=bad),
        )
    assert caught.value.field == "attempts"
    with pytest.raises(errors.InvalidRequest):
        venuekit.Client(attempts=bad)  # type: ignore[arg-type]


# --- waits, on a fake clock ----------------------------------------------------------------------


def test_retry_after_is_honoured(harness: Any, fake_time: FakeClock) -> None:
    seen: list[float] = []

    def respond(request: httpx.Request) -> httpx.Response:
        seen.append(fake_time.monotonic())
        if len(seen) == 1:
            return json_answer(
                429, {"message": "Private rate limit exceeded"}, **{"Retry-After": "3"}
            )
        return json_answer(200, "abc")

    with venuekit.testing.instant_retries(enabled=False):
        result = harness.run(respond, EXCHANGE_CANCEL)
    assert result.attempts == 2
    assert seen[1] - seen[0] >= 3.0
    assert fake_time.sleeps[0] >= 3.0  # the retry wait itself, not only the limiter


def test_backoff_grows_and_is_jittered_within_its_cap(harness: Any, fake_time: FakeClock) -> None:
    failing = lambda request: json_answer(500, {"message": "x"})  # noqa: E731
    with venuekit.testing.instant_retries(enabled=False), pytest.raises(errors.VenueUnavailable):
        harness.run(failing, EXCHANGE_CANCEL, rate_limits=False)
    assert len(fake_time.sleeps) == 4
    for number, wait in enumerate(fake_time.sleeps, start=1):
        assert 0.0 <= wait <= 0.1 * 2 ** (number - 1)


def test_instant_retries_skips_the_waits(harness: Any, fake_time: FakeClock) -> None:
    failing = lambda request: json_answer(429, {"message": "slow down"}, **{"Retry-After": "30"})  # noqa: E731
    with pytest.raises(errors.RateLimited):
        harness.run(failing, EXCHANGE_CANCEL, rate_limits=False)
    assert len(harness.requests) == 5
    assert sum(fake_time.sleeps) == 0


def test_the_deadline_stops_retries_and_cuts_the_attempt_timeout(
    harness: Any, fake_time: FakeClock
) -> None:
    def slow_failure(request: httpx.Request) -> httpx.Response:
        fake_time.advance(10.0)  # each attempt "takes" 10 s
        return json_answer(500, {"message": "Internal server error"})

    with pytest.raises(errors.VenueUnavailable) as caught:
        harness.run(
            slow_failure,
            lambda c: c.coinbase_exchange.cancel_order(order_id="abc", deadline=15.0),
        )
    assert caught.value.attempts == 2
    first, second = (r.extensions["timeout"] for r in harness.requests)
    assert first["read"] == pytest.approx(10.0, abs=0.05)  # the client's read timeout
    assert second["read"] == pytest.approx(5.0, abs=0.05)  # what was left of the 15 s deadline


# --- the ambiguity rule ------------------------------------------------------------------------


@pytest.mark.parametrize("venue", list(Venue))
@pytest.mark.parametrize("answer", ["already_done", "not_found"])
@pytest.mark.parametrize(
    "earlier",
    [
        httpx.ReadTimeout("slow"),
        httpx.RemoteProtocolError("dropped"),
        json_answer(500, {"message": "x"}),
    ],
    ids=["timeout", "dropped", "5xx"],
)
def test_done_after_an_ambiguous_attempt_is_a_cancel(
    harness: Any, venue: Venue, answer: str, earlier: httpx.Response | Exception
) -> None:
    status, body = (ALREADY_DONE if answer == "already_done" else NOT_FOUND)[venue]
    if answer == "not_found" and venue is not Venue.COINBASE_EXCHANGE:
        # Only Exchange forgets cancelled orders; elsewhere "not found" means an id the venue
        # never knew, so after an ambiguous attempt it stays an error that says the earlier
        # attempt may have reached the venue (never a false "cancelled").
        with pytest.raises(errors.OrderNotFound) as caught:
            harness.run(in_turn(earlier, json_answer(status, body)), CANCELS[venue])
        assert caught.value.attempts == 2
        assert caught.value.may_have_reached_venue
        return
    result = harness.run(in_turn(earlier, json_answer(status, body)), CANCELS[venue])
    assert result.state is CancelState.CANCELLED_ON_EARLIER_ATTEMPT
    assert result.attempts == 2
    assert result.venue is venue
    assert result.confirmed_by is not None
    assert str(status) in result.confirmed_by


@pytest.mark.parametrize(
    "earlier",
    [None, httpx.ConnectError("refused"), json_answer(429, {"message": "slow down"})],
    ids=["first-attempt", "connect-error", "429"],
)
def test_done_after_an_unambiguous_attempt_stays_an_error(
    harness: Any, earlier: httpx.Response | Exception | None
) -> None:
    done = json_answer(400, {"message": "Order already done"})
    respond = in_turn(done) if earlier is None else in_turn(earlier, done)
    with pytest.raises(errors.OrderAlreadyDone):
        harness.run(respond, EXCHANGE_CANCEL)


# --- clock skew ----------------------------------------------------------------------------------


def test_exchange_resyncs_with_get_time_once_then_retries(harness: Any) -> None:
    skew = 40.0

    def respond(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/time":
            assert "CB-ACCESS-SIGN" not in request.headers  # /time is public: not signed
            return json_answer(200, {"iso": "x", "epoch": time.time() + skew})
        stamp = float(request.headers["CB-ACCESS-TIMESTAMP"])
        if abs(stamp - (time.time() + skew)) > 30:
            return json_answer(401, {"message": "request timestamp expired"})
        return json_answer(200, "abc")

    result = harness.run(respond, EXCHANGE_CANCEL)
    assert result.state is CancelState.CANCELLED
    assert result.attempts == 2
    assert [r.url.path for r in harness.requests] == ["/orders/abc", "/time", "/orders/abc"]


def test_timestamp_expired_is_resynced_only_once(harness: Any) -> None:
    def respond(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/time":
            return json_answer(200, {"epoch": time.time()})
        return json_answer(401, {"message": "request timestamp expired"})

    with pytest.raises(errors.AuthenticationError) as caught:
        harness.run(respond, EXCHANGE_CANCEL)
    assert caught.value.attempts == 2
    assert [r.url.path for r in harness.requests] == ["/orders/abc", "/time", "/orders/abc"]


def test_intx_unexplained_401_with_a_skewed_date_resyncs_from_the_date_header(
    harness: Any,
) -> None:
    skew = 40.0  # INTX allows 5 s; its 401 gives no reason, its Date header tells the skew

    def respond(request: httpx.Request) -> httpx.Response:
        stamp = int(request.headers["CB-ACCESS-TIMESTAMP"])
        date = http_date(skew)
        if abs(stamp - (time.time() + skew)) > 5:
            return json_answer(401, {"message": "Unauthorized"}, date=date)
        return json_answer(200, SUCCESS[Venue.COINBASE_INTX], date=date)

    result = harness.run(respond, INTX_CANCEL)
    assert result.state is CancelState.CANCELLED
    assert result.attempts == 2
    assert [r.url.path for r in harness.requests] == ["/api/v1/orders/123"] * 2


def test_a_plain_bad_signature_is_not_resynced(harness: Any) -> None:
    respond = lambda request: json_answer(401, {"message": "invalid signature"}, date=http_date(0))  # noqa: E731
    with pytest.raises(errors.AuthenticationError):
        harness.run(respond, EXCHANGE_CANCEL)
    assert len(harness.requests) == 1


# --- rate limits -------------------------------------------------------------------------------


def test_exchange_burst_of_100_never_exceeds_15_per_second_after_the_burst(
    harness: Any, fake_time: FakeClock
) -> None:
    sent: list[float] = []

    def respond(request: httpx.Request) -> httpx.Response:
        sent.append(fake_time.monotonic())
        return json_answer(200, "abc")

    def burst(client: Any) -> Any:
        calls = [client.coinbase_exchange.cancel_order(order_id="abc") for _ in range(100)]
        if harness.mode == "sync":
            return calls

        async def gather() -> list[Any]:
            return [await call for call in calls]

        return gather()

    harness.run(respond, burst)
    assert len(sent) == 100
    # The venue's own bucket (15/s, burst 30, starting full) would accept every request ...
    tokens, last = 30.0, sent[0]
    for at in sent:
        tokens = min(30.0, tokens + (at - last) * 15.0)
        last = at
        assert tokens >= 1.0
        tokens -= 1.0
    # ... and once the burst is spent, no one-second window holds more than 15 requests.
    after_burst = sent[29:]
    for i, start in enumerate(after_burst):
        window = [t for t in after_burst[i:] if t < start + 1.0]
        assert len(window) <= 15
    assert sent[-1] - sent[0] >= (100 - 30) / 15.0


def test_rate_limits_can_be_overridden_or_turned_off(harness: Any, fake_time: FakeClock) -> None:
    def many(client: Any, venue: Venue, n: int) -> Any:
        calls = [CANCELS[venue](client) for _ in range(n)]
        if harness.mode == "sync":
            return calls

        async def gather() -> list[Any]:
            return [await call for call in calls]

        return gather()

    loopring_ok = lambda request: json_answer(200, SUCCESS[Venue.LOOPRING])  # noqa: E731
    harness.run(loopring_ok, lambda c: many(c, Venue.LOOPRING, 20), rate_limits=False)
    assert fake_time.monotonic() == 1000.0  # never waited

    harness.run(
        loopring_ok,
        lambda c: many(c, Venue.LOOPRING, 11),
        rate_limits={"loopring": venuekit.RateLimit(rate=2, burst=1)},
    )
    # 2/s with the 2 % margin is 1.96/s: ten waits of 1/1.96 s after the first request.
    assert fake_time.monotonic() - 1000.0 == pytest.approx(10 / 1.96, rel=1e-6)


def test_bad_rate_limits_are_refused() -> None:
    with pytest.raises(errors.InvalidRequest) as caught:
        venuekit.Client(rate_limits={"kraken": venuekit.RateLimit(rate=1, burst=1)})
    assert caught.value.field == "rate_limits"
    with pytest.raises(errors.InvalidRequest):
        venuekit.Client(rate_limits={"loopring": 5})  # type: ignore[dict-item]
