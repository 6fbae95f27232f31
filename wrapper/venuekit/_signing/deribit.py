"""Deribit ``deri-hmac-sha256`` request signature, as pure functions named after Deribit's docs.

Deribit API v2 "Authentication" (docs.deribit.com, also ``shared/design/venues.md``):

1. ``RequestData = UPPERCASE(HTTP_METHOD) + "\\n" + URI + "\\n" + RequestBody + "\\n"``, where URI
   is the path as sent with its ``?query`` (``/api/v2/private/cancel?order_id=1``) and the body is
   empty for GET (`request_data`).
2. ``StringToSign = Timestamp + "\\n" + Nonce + "\\n" + RequestData`` (`string_to_sign`).
3. ``Signature = HEX_STRING(HMAC-SHA256(ClientSecret, StringToSign))`` (`signature`).
4. ``Authorization: deri-hmac-sha256 id=ClientId,ts=Timestamp,sig=Signature,nonce=Nonce``
   (`authorization_header`).

The timestamp is milliseconds since the epoch and must be within 60 s of Deribit's clock; the
nonce is any random string. Nothing secret goes on the wire. Strings are handled as bytes (the
body is signed exactly as sent).

Example (the docs' vector for ``public/auth`` ``client_signature``, where RequestData is ``""``):
    >>> from venuekit._secret import Secret
    >>> string = string_to_sign(1576074319000, "1iqt2wls", b"")
    >>> string
    b'1576074319000\\n1iqt2wls\\n'
    >>> signature(Secret("AMANDASECRECT"), string)
    '56590594f97921b09b18f166befe0d1319b198bbcdad7ca73382de2f88fe9aa1'
"""

from __future__ import annotations

import hmac
import math
import re

from venuekit._secret import Secret

__all__ = [
    "HEADER_TOKEN",
    "SCHEME",
    "authorization_header",
    "request_data",
    "signature",
    "string_to_sign",
    "timestamp_ms",
]

#: The Authorization scheme name.
SCHEME = "deri-hmac-sha256"

#: A client id or nonce: printable ASCII except space, ``,``, ``=``, ``"`` and ``\\`` (it sits
#: unquoted in ``id=...,nonce=...`` of the header).
HEADER_TOKEN = re.compile(r"[!#-+\-./0-9:;<>?@A-Z\[\]^_`a-z{|}~]+")


def timestamp_ms(now: float) -> int:
    """Milliseconds since the epoch for ``now`` (seconds), floored.

    Example:
        >>> timestamp_ms(1576074319.0009)
        1576074319000
    """
    if not math.isfinite(now):
        raise ValueError("signing time must be a finite number of seconds")
    return math.floor(now * 1000)


def request_data(method: str, uri: bytes | str, body: bytes = b"") -> bytes:
    """``UPPER(method) + "\\n" + URI + "\\n" + body + "\\n"``; URI is the raw path with ``?query``.

    Example:
        >>> request_data("get", "/api/v2/private/cancel?order_id=ETH-1")
        b'GET\\n/api/v2/private/cancel?order_id=ETH-1\\n\\n'
    """
    raw_uri = uri.encode("ascii") if isinstance(uri, str) else uri
    if not raw_uri.startswith(b"/"):
        raise ValueError("URI must be the path as sent, starting with '/'")
    if not isinstance(body, bytes):
        raise TypeError(f"body must be bytes, not {type(body).__name__}")
    return method.upper().encode("ascii") + b"\n" + raw_uri + b"\n" + body + b"\n"


def string_to_sign(ts_ms: int, nonce: str, request_data: bytes) -> bytes:
    """``Timestamp + "\\n" + Nonce + "\\n" + RequestData``.

    Example:
        >>> string_to_sign(1, "n", b"GET\\n/x\\n\\n")
        b'1\\nn\\nGET\\n/x\\n\\n'
    """
    _check_nonce(nonce)
    if not isinstance(request_data, bytes):
        raise TypeError(f"request_data must be bytes, not {type(request_data).__name__}")
    return f"{int(ts_ms)}\n{nonce}\n".encode("ascii") + request_data


def signature(secret: Secret[str], string: bytes) -> str:
    """Hex HMAC-SHA256 of ``string`` keyed with the client secret (revealed only in the call).

    Example:
        >>> signature(Secret("k"), b"x")
        'c38edc8815c8489f64738978f44008f8596345545f0baa68ef6fcf5c53e57189'
    """
    if not isinstance(string, bytes):
        raise TypeError(f"string to sign must be bytes, not {type(string).__name__}")
    return hmac.digest(secret.reveal().encode("utf-8"), string, "sha256").hex()


def authorization_header(client_id: str, ts_ms: int, nonce: str, sig: str) -> str:
    """``deri-hmac-sha256 id=<client_id>,ts=<ms>,sig=<hex>,nonce=<nonce>``.

    Example:
        >>> authorization_header("AMANDA", 1576074319000, "1iqt2wls", "5659")
        'deri-hmac-sha256 id=AMANDA,ts=1576074319000,sig=5659,nonce=1iqt2wls'
    """
    _check_nonce(nonce)
    if not HEADER_TOKEN.fullmatch(client_id):
        raise ValueError("client_id must be printable ASCII without spaces, commas or '='")
    return f"{SCHEME} id={client_id},ts={int(ts_ms)},sig={sig},nonce={nonce}"


def _check_nonce(nonce: str) -> None:
    if not isinstance(nonce, str) or not HEADER_TOKEN.fullmatch(nonce):
        raise ValueError("nonce must be non-empty printable ASCII without spaces, commas or '='")
