"""The RateBudget interface: Bucket, key_id, and the in-process RateLimiter as a RateBudget."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from venuekit._ratelimit import Bucket, RateBudget, RateLimit, RateLimiter, TokenBucket, key_id

EXCHANGE = RateLimit(rate=15, burst=30)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


# --- key_id ----------------------------------------------------------------------------------


def test_key_id_is_the_documented_hmac_of_the_api_key() -> None:
    """HMAC-SHA256(secret, label + key), 32 hex digits: the construction the docstring states."""
    expected = hmac.new(
        b"s3cret", b"venuekit rate-limit bucket v1\x00" + b"api-key-1", hashlib.sha256
    ).hexdigest()[:32]
    assert key_id("api-key-1", b"s3cret") == expected
    assert len(expected) == 32


def test_key_id_is_stable_and_depends_on_key_and_secret() -> None:
    assert key_id("api-key-1", b"s3cret") == key_id("api-key-1", bytearray(b"s3cret"))
    assert key_id("api-key-1", b"s3cret") != key_id("api-key-2", b"s3cret")
    assert key_id("api-key-1", b"s3cret") != key_id("api-key-1", b"other")
    api_key = "0123456789abcdef0123456789abcdef"  # Exchange keys are 32 hex digits too
    assert key_id(api_key, b"s3cret") != api_key
    assert api_key not in key_id(api_key, b"s3cret")


@pytest.mark.parametrize(("api_key", "secret"), [("", b"s"), ("k", b""), ("k", "s")])
def test_key_id_refuses_empty_or_wrong_inputs_without_echoing_them(
    api_key: str, secret: bytes
) -> None:
    with pytest.raises(ValueError, match="must be") as info:
        key_id(api_key, secret)
    assert "s3cret" not in str(info.value)


# --- Bucket ----------------------------------------------------------------------------------


def test_bucket_accepts_a_venue_enum_and_a_key_id() -> None:
    from venuekit import Venue

    bucket = Bucket(Venue.COINBASE_EXCHANGE, key_id("k", b"s"), EXCHANGE)
    assert bucket.venue == "coinbase_exchange"
    assert bucket == Bucket("coinbase_exchange", key_id("k", b"s"), EXCHANGE)
    assert hash(bucket) == hash(Bucket("coinbase_exchange", key_id("k", b"s"), EXCHANGE))


@pytest.mark.parametrize(
    ("venue", "kid"),
    [
        ("coinbase_exchange", "organizations/abc/apiKeys/def"),  # a CDP key name: not a hash
        ("coinbase_exchange", "short"),
        ("coinbase_exchange", "ABCDEF0123456789"),  # upper case is not key_id's output
        ("coinbase exchange", "0123456789abcdef"),
        ("venuekit:rl", "0123456789abcdef"),  # a colon would break the key's structure
    ],
)
def test_bucket_refuses_what_is_not_a_venue_and_key_id(venue: str, kid: str) -> None:
    with pytest.raises(ValueError, match="must match"):
        Bucket(venue, kid, EXCHANGE)


def test_bucket_needs_a_rate_limit() -> None:
    with pytest.raises(TypeError):
        Bucket("loopring", key_id("k", b"s"), (5, 5))  # type: ignore[arg-type]


# --- RateLimiter as a RateBudget -------------------------------------------------------------


def test_rate_limiter_is_a_rate_budget() -> None:
    assert isinstance(RateLimiter(), RateBudget)
    assert not isinstance(TokenBucket(1, 1), RateBudget)


def test_limiter_paces_a_bucket_at_the_bucket_limit_burst_then_rate() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock)
    bucket = Bucket("coinbase_exchange", key_id("k", b"s"), EXCHANGE)
    waits = [limiter.reserve(bucket, timeout=0.01) for _ in range(40)]
    assert waits[:30] == [0.0] * 30  # the bucket's own limit (burst 30), not limits[venue] (28)
    assert waits[30:] == pytest.approx([k / 15 for k in range(1, 11)])
    assert limiter.token_bucket(bucket) is limiter.token_bucket(bucket)


def test_limiter_keeps_buckets_apart_by_key_id_and_by_limit() -> None:
    limiter = RateLimiter(clock=FakeClock())
    one = Bucket("loopring", key_id("key-1", b"s"), RateLimit(rate=1, burst=1))
    two = Bucket("loopring", key_id("key-2", b"s"), RateLimit(rate=1, burst=1))
    assert limiter.reserve(one) == 0.0
    assert limiter.reserve(one) == 1.0
    assert limiter.reserve(two) == 0.0  # another key: another budget
    # the (venue, key) form is a separate table and keeps its own behaviour
    assert limiter.reserve("loopring", "key-1") == 0.0


def test_limiter_serves_a_venue_it_has_no_default_for() -> None:
    """A Bucket brings its limit, so a new venue (Deribit) needs no entry in ``limits``."""
    limiter = RateLimiter(clock=FakeClock())
    deribit = Bucket("deribit", key_id("client-id", b"s"), RateLimit(rate=5, burst=20))
    assert [limiter.reserve(deribit) for _ in range(21)][-2:] == pytest.approx([0.0, 0.2])


def test_limiter_pause_in_both_forms() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock=clock)
    bucket = Bucket("loopring", key_id("k", b"s"), RateLimit(rate=10, burst=10))
    limiter.pause(bucket, 2.0)
    assert limiter.reserve(bucket) == pytest.approx(2.0)
    limiter.pause(bucket, seconds=3.0)
    assert limiter.reserve(bucket) == pytest.approx(3.0)
    limiter.pause("loopring", "k", 1.5)  # the old form
    assert limiter.reserve("loopring", "k") == pytest.approx(1.5)
    with pytest.raises(TypeError, match="pause"):
        limiter.pause("loopring", 1.5)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="reserve"):
        limiter.reserve("loopring")  # type: ignore[call-overload]


@pytest.mark.anyio
async def test_limiter_async_methods_share_the_sync_buckets() -> None:
    limiter = RateLimiter(clock=FakeClock())
    bucket = Bucket("loopring", key_id("k", b"s"), RateLimit(rate=4, burst=1))
    assert limiter.reserve(bucket) == 0.0
    assert await limiter.reserve_async(bucket, timeout=1.0) == 0.25
    await limiter.pause_async(bucket, 5.0)
    assert limiter.reserve(bucket) == pytest.approx(5.0)
    await limiter.aclose()
    limiter.close()
    assert limiter.reserve(bucket) > 5.0  # closing releases nothing; it stays usable
