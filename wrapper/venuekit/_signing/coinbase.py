"""Coinbase Exchange and Coinbase INTX request signatures (HMAC-SHA256), as pure functions.

Both venues sign ``prehash = timestamp + METHOD + requestPath + body`` with
``HMAC_SHA256(key=base64decode(secret))`` and send the digest base64-encoded in ``CB-ACCESS-SIGN``.
They differ in two documented details:

- Exchange: ``requestPath`` is the path **with** ``?query`` when there is one; the timestamp is
  seconds since the epoch and may carry decimals (``"1700000000.123"``).
- INTX: ``requestPath`` is the path **without** the query (with its ``/api/v1`` prefix); the
  timestamp is integer seconds (``"1700000000"``).

Example:
    >>> key = decode_secret("c2VjcmV0")
    >>> prehash = exchange_prehash(
    ...     timestamp=exchange_timestamp(1700000000.0), method="DELETE",
    ...     request_path="/orders/abc?product_id=BTC-USD",
    ... )
    >>> prehash
    b'1700000000.000DELETE/orders/abc?product_id=BTC-USD'
    >>> signature(secret_key=key, prehash=prehash)
    'wLBLm7ADKjKfZSHgX3K3xHyw2mNLW3tAJdos4oIGdRI='
"""

from __future__ import annotations

import base64
import binascii
import hmac
import math

from venuekit._secret import Secret

__all__ = [
    "InvalidSecretError",
    "decode_secret",
    "exchange_prehash",
    "exchange_timestamp",
    "intx_prehash",
    "intx_timestamp",
    "signature",
]


class InvalidSecretError(ValueError):
    """The API secret is empty or not base64; the message never contains the secret."""


def decode_secret(secret_b64: str | Secret[str]) -> bytes:
    """Decode a base64 API secret (a `Secret` or plain ``str``) into the HMAC key.

    Raises:
        InvalidSecretError: the secret is empty, not a string, or not strict base64.

    Example:
        >>> decode_secret("c2VjcmV0")
        b'secret'
    """
    if isinstance(secret_b64, Secret):
        return decode_secret(secret_b64.reveal())
    if not isinstance(secret_b64, str) or not secret_b64:
        raise InvalidSecretError(
            "API secret is empty; pass the base64 secret shown at key creation"
        )
    try:
        key = base64.b64decode(secret_b64.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error):
        raise InvalidSecretError(
            "API secret is not valid base64 (characters A-Z a-z 0-9 + / and '=' padding only)"
        ) from None
    if not key:
        raise InvalidSecretError("API secret decodes to zero bytes")
    return key


def exchange_timestamp(now: float) -> str:
    """Format ``now`` (seconds since the epoch) as an Exchange timestamp, with milliseconds.

    Example:
        >>> exchange_timestamp(1700000000.1234)
        '1700000000.123'
    """
    return f"{now:.3f}"


def intx_timestamp(now: float) -> str:
    """Format ``now`` (seconds since the epoch) as an INTX timestamp: integer seconds, floored.

    Example:
        >>> intx_timestamp(1700000000.9)
        '1700000000'
    """
    return str(math.floor(now))


def exchange_prehash(*, timestamp: str, method: str, request_path: str, body: bytes = b"") -> bytes:
    """Build the Exchange prehash: timestamp + METHOD + request path (with ``?query``) + body.

    ``request_path`` is the raw path exactly as sent, percent-encoding and query included.

    Example:
        >>> exchange_prehash(timestamp="1.5", method="delete", request_path="/orders/1?product_id=X")
        b'1.5DELETE/orders/1?product_id=X'
    """
    return _prehash(timestamp, method, request_path, body)


def intx_prehash(*, timestamp: str, method: str, request_path: str, body: bytes = b"") -> bytes:
    """Build the INTX prehash: timestamp + METHOD + request path (no query) + body.

    ``request_path`` is the raw path as sent, with the ``/api/v1`` prefix; a ``?query`` part, if
    passed anyway, is dropped (INTX docs: "do NOT include the base URL or query parameters").

    Example:
        >>> intx_prehash(timestamp="1", method="DELETE", request_path="/api/v1/orders/7?portfolio=p")
        b'1DELETE/api/v1/orders/7'
    """
    return _prehash(timestamp, method, request_path.partition("?")[0], body)


def signature(*, secret_key: Secret[bytes] | bytes, prehash: bytes) -> str:
    """Compute the ``CB-ACCESS-SIGN`` value: base64(HMAC_SHA256(secret_key, prehash)).

    Pass the key as a `Secret` (it is revealed only inside the HMAC call); plain bytes are
    accepted for tests and vectors.

    Example:
        >>> signature(secret_key=Secret(b"secret"), prehash=b"1GET/time")
        '+zh88psQLjE4aId1JeGnv361EkfeuwmFIchU3NI7Fj4='
    """
    if not isinstance(prehash, bytes):
        raise TypeError(f"prehash must be bytes, not {type(prehash).__name__}")
    return base64.b64encode(
        hmac.digest(
            secret_key.reveal() if isinstance(secret_key, Secret) else secret_key,
            prehash,
            "sha256",
        )
    ).decode("ascii")


def _prehash(timestamp: str, method: str, request_path: str, body: bytes) -> bytes:
    if not request_path.startswith("/"):
        raise ValueError("request path must start with '/' (the path as sent, without the host)")
    return f"{timestamp}{method.upper()}{request_path}".encode() + body
