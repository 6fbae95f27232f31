"""The signing time comes from ``request.extensions["venuekit.sign_at"]`` when the engine sets it."""

from __future__ import annotations

import base64
import hashlib
import hmac

import httpx
import pytest

from venuekit._credentials import (
    CoinbaseExchangeCredentials,
    CoinbaseIntxCredentials,
    DeribitCredentials,
    LoopringCredentials,
)
from venuekit._signing import loopring
from venuekit.auth import (
    SIGN_AT,
    CoinbaseExchangeAuth,
    CoinbaseIntxAuth,
    DeribitHmacAuth,
    LoopringAuth,
)

KEY = b"sign-at-test-key"
SECRET = base64.b64encode(KEY).decode()
EXCHANGE = CoinbaseExchangeCredentials(api_key="api-key-01", api_secret=SECRET, passphrase="pp")
INTX = CoinbaseIntxCredentials(api_key="api-key-01", api_secret=SECRET, passphrase="pp")
URL = "https://venue.test/api/v1/orders/abc?product_id=BTC-USD"


def _sign(auth: httpx.Auth, sign_at: object | None) -> httpx.Request:
    extensions = {} if sign_at is None else {SIGN_AT: sign_at}
    request = httpx.Request("DELETE", URL, extensions=extensions)
    auth.sign(request)  # type: ignore[attr-defined]
    return request


@pytest.mark.parametrize(
    ("auth", "with_sign_at", "without"),
    [
        (
            CoinbaseExchangeAuth(EXCHANGE, clock=lambda: 10.0, clock_offset=1.0),
            "1700000000.250",
            "11.000",
        ),
        (CoinbaseIntxAuth(INTX, clock=lambda: 10.0, clock_offset=1.0), "1700000000", "11"),
    ],
    ids=["exchange", "intx"],
)
def test_coinbase_signs_with_sign_at_else_its_clock(
    auth: CoinbaseExchangeAuth, with_sign_at: str, without: str
) -> None:
    signed = _sign(auth, 1700000000.25)
    assert signed.headers["CB-ACCESS-TIMESTAMP"] == with_sign_at
    path = signed.url.raw_path if isinstance(auth, CoinbaseExchangeAuth) else b"/api/v1/orders/abc"
    prehash = with_sign_at.encode() + b"DELETE" + path
    expected = base64.b64encode(hmac.new(KEY, prehash, hashlib.sha256).digest()).decode()
    assert signed.headers["CB-ACCESS-SIGN"] == expected
    assert signed.headers["CB-ACCESS-PASSPHRASE"] == "pp"
    assert _sign(auth, None).headers["CB-ACCESS-TIMESTAMP"] == without


def test_each_request_keeps_its_own_signing_time() -> None:
    """Two calls through one adapter: each is signed with the time its engine chose."""
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["CB-ACCESS-TIMESTAMP"])
        return httpx.Response(200)

    auth = CoinbaseExchangeAuth(EXCHANGE, clock=lambda: 99.0)
    with httpx.Client(transport=httpx.MockTransport(handler), auth=auth) as client:
        client.delete(URL, extensions={SIGN_AT: 1.5})
        client.delete(URL, extensions={SIGN_AT: 2})
        client.delete(URL)
    assert seen == ["1.500", "2.000", "99.000"]


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), True, "1700000000", [1]])
@pytest.mark.parametrize(
    "auth",
    [
        CoinbaseExchangeAuth(EXCHANGE),
        CoinbaseIntxAuth(INTX),
        DeribitHmacAuth(DeribitCredentials(client_id="cid", client_secret="cs")),
    ],
    ids=["exchange", "intx", "deribit"],
)
def test_a_malformed_sign_at_is_refused(auth: httpx.Auth, bad: object) -> None:
    with pytest.raises(ValueError, match=r"venuekit\.sign_at"):
        _sign(auth, bad)


def test_loopring_has_no_timestamp_and_accepts_sign_at() -> None:
    creds = LoopringCredentials(api_key="k" * 64, eddsa_private_key="0x1234", account_id=1)
    request = httpx.Request("GET", "https://x/api/v3/order?accountId=1", extensions={SIGN_AT: 5.0})
    LoopringAuth(creds).sign(request)
    base = loopring.signature_base(
        method="GET", url="https://x/api/v3/order", params=[("accountId", "1")]
    )
    assert loopring.verify(creds.public_key, loopring.message(base), request.headers["X-API-SIG"])
