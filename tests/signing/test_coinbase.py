"""Coinbase HMAC signing: the Exchange and INTX rules, checked against hand-computed HMACs."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from venuekit._signing import coinbase

SECRET_B64 = base64.b64encode(b"venuekit-test-secret-not-real").decode()
PATH_WITH_QUERY = "/api/v1/orders/123?portfolio=abc-1&x=%20y"


def _expected(message: str) -> str:
    """base64(HMAC_SHA256(base64decode(secret), message)), straight from the stdlib."""
    key = base64.b64decode(SECRET_B64)
    return base64.b64encode(hmac.new(key, message.encode(), hashlib.sha256).digest()).decode()


def test_exchange_and_intx_differ_exactly_by_the_documented_rules() -> None:
    # The same request, at the same instant, signed by both venues' rules:
    # - Exchange signs timestamp (seconds, decimals allowed) + METHOD + path WITH "?query" + body;
    # - INTX signs timestamp (integer seconds) + METHOD + path WITHOUT the query + body.
    now = 1700000000.25
    key = coinbase.decode_secret(SECRET_B64)

    exchange = coinbase.signature(
        secret_key=key,
        prehash=coinbase.exchange_prehash(
            timestamp=coinbase.exchange_timestamp(now),
            method="DELETE",
            request_path=PATH_WITH_QUERY,
        ),
    )
    intx = coinbase.signature(
        secret_key=key,
        prehash=coinbase.intx_prehash(
            timestamp=coinbase.intx_timestamp(now), method="DELETE", request_path=PATH_WITH_QUERY
        ),
    )

    assert exchange == _expected("1700000000.250DELETE/api/v1/orders/123?portfolio=abc-1&x=%20y")
    assert intx == _expected("1700000000DELETE/api/v1/orders/123")
    assert exchange != intx


def test_body_is_appended_after_the_path() -> None:
    prehash = coinbase.exchange_prehash(
        timestamp="1", method="post", request_path="/orders", body=b'{"a":1}'
    )
    assert prehash == b'1POST/orders{"a":1}'


@pytest.mark.parametrize(
    ("now", "exchange", "intx"),
    [
        (1700000000.0, "1700000000.000", "1700000000"),
        (1700000000.1234, "1700000000.123", "1700000000"),
        (1700000000.9999, "1700000001.000", "1700000000"),
    ],
)
def test_timestamps(now: float, exchange: str, intx: str) -> None:
    assert coinbase.exchange_timestamp(now) == exchange
    assert coinbase.intx_timestamp(now) == intx


@pytest.mark.parametrize("secret", ["", "not base64!", "YWJj\n", "YWJ", "===="])
def test_decode_secret_rejects_bad_secrets_without_echoing_them(secret: str) -> None:
    with pytest.raises(coinbase.InvalidSecretError) as info:
        coinbase.decode_secret(secret)
    assert isinstance(info.value, ValueError)
    if secret.strip():
        assert secret.strip() not in str(info.value)


def test_prehash_requires_a_path() -> None:
    with pytest.raises(ValueError, match="must start with '/'"):
        coinbase.exchange_prehash(timestamp="1", method="GET", request_path="https://x/orders")
