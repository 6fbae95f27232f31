"""Coinbase HMAC request check shared by the Exchange and INTX sandboxes.

Written from the venues' documentation (venues.md), not by calling `venuekit._signing.coinbase`:
the sandbox is an independent check of the SDK's signer, so a bug there cannot hide behind the
same code on both sides.
"""

from __future__ import annotations

import base64
import hmac
import re
from collections.abc import Callable, Mapping
from typing import Protocol, TypeVar

from venuekit._constants import SANDBOX_MAX_TIMESTAMP_CHARS
from venuekit.sandbox._http import Request, Response
from venuekit.sandbox._ratelimit import TokenBuckets

__all__ = ["CoinbaseKey", "authenticate", "expected_signature", "parse_timestamp"]


class CoinbaseKey(Protocol):
    """What the check needs from an account: key, base64 secret, passphrase."""

    @property
    def api_key(self) -> str: ...
    @property
    def api_secret(self) -> str: ...
    @property
    def passphrase(self) -> str: ...


AccountT = TypeVar("AccountT", bound=CoinbaseKey)

_INTEGER = re.compile(r"[0-9]+")
_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def expected_signature(
    *, secret_b64: str, timestamp: str, method: str, path: str, body: bytes = b""
) -> str:
    """Return base64(HMAC_SHA256(base64decode(secret), timestamp + METHOD + path + body))."""
    key = base64.b64decode(secret_b64)
    prehash = f"{timestamp}{method.upper()}{path}".encode("latin-1") + body
    return base64.b64encode(hmac.digest(key, prehash, "sha256")).decode("ascii")


def parse_timestamp(value: str, *, integer: bool) -> float | None:
    """Parse ``CB-ACCESS-TIMESTAMP`` as seconds since the epoch; None when malformed.

    Exchange allows decimals (``integer=False``); INTX requires integer seconds. Only ASCII
    digits (and one decimal point) of at most `SANDBOX_MAX_TIMESTAMP_CHARS` characters parse:
    no sign, exponent, ``_``, ``inf`` or ``nan``, and a 5,000-digit value is just malformed.
    """
    text = value.strip()
    pattern = _INTEGER if integer else _DECIMAL
    if len(text) > SANDBOX_MAX_TIMESTAMP_CHARS or pattern.fullmatch(text) is None:
        return None
    return float(text)


def _equal(sent: str, expected: str) -> bool:
    return hmac.compare_digest(sent.encode("utf-8"), expected.encode("utf-8"))


def authenticate(
    request: Request,
    accounts: Mapping[str, AccountT],
    *,
    now: float,
    window: float,
    integer_timestamp: bool,
    sign_query: bool,
    buckets: TokenBuckets | None,
    unauthorized: Callable[[str], Response],
    rate_limited: Callable[[], Response],
) -> AccountT | Response:
    """Check the four ``CB-ACCESS-*`` headers; return the account, or the venue's error response.

    Order: known key, the key's rate-limit bucket, passphrase, timestamp format, timestamp
    within ``window`` seconds of ``now``, then the HMAC over
    ``timestamp + METHOD + path + body``
    (``path`` = raw path as sent, plus ``?query`` when ``sign_query`` and a query was sent;
    ``body`` = the request body, empty for a cancel).
    """
    headers = request.headers
    account = accounts.get(headers.get("cb-access-key", ""))
    if account is None:
        return unauthorized("Invalid API Key")
    if buckets is not None and not buckets.take(account.api_key):
        return rate_limited()
    if not _equal(headers.get("cb-access-passphrase", ""), account.passphrase):
        return unauthorized("Invalid Passphrase")
    sent_timestamp = headers.get("cb-access-timestamp", "")
    timestamp = parse_timestamp(sent_timestamp, integer=integer_timestamp)
    if timestamp is None:
        return unauthorized("invalid timestamp")
    if abs(timestamp - now) > window:
        return unauthorized("request timestamp expired")
    path = request.raw_path
    if sign_query and request.query_string:
        path += f"?{request.query_string}"
    expected = expected_signature(
        secret_b64=account.api_secret,
        timestamp=sent_timestamp,
        method=request.method,
        path=path,
        body=request.body,
    )
    if not _equal(headers.get("cb-access-sign", ""), expected):
        return unauthorized("invalid signature")
    return account
