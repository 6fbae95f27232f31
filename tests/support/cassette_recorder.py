"""Shared by tests/cassettes: record and replay of real HTTP exchanges with the sandbox (vcrpy), scrubbed of every secret.

Replay is the default: cassettes under ``tests/cassettes/recordings/`` are played back with record
mode ``none``, so an unrecorded request fails and nothing touches a socket. ``make cassettes``
sets ``VENUEKIT_RECORD=sandbox``: each test then starts the sandbox with uvicorn on 127.0.0.1 and
records the exchange anew. ``make record-live`` (``VENUEKIT_RECORD=live``, never in CI) records
against the venues' own sandboxes; see ``scripts/record_cassettes.py``.

Scrubbing, applied before anything is written: every secret-bearing header is dropped
(case-insensitively: ``CB-ACCESS-KEY``, ``CB-ACCESS-PASSPHRASE``, ``CB-ACCESS-SIGN``,
``CB-ACCESS-TIMESTAMP``, ``X-API-KEY``, ``X-API-SIG``, ``Authorization``, cookies), every known
credential value is replaced wherever else it appears (URL, bodies), and ``Content-Length`` is
fixed after a body changes.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import vcr

from venuekit.sandbox import DEFAULT_CREDENTIALS

CASSETTES = Path(__file__).resolve().parents[1] / "cassettes"
#: Recordings made against the local sandbox: replayed by CI.
RECORDINGS = CASSETTES / "recordings"
#: Recordings made against the venues' own sandboxes (``make record-live``): scanned, not replayed.
LIVE_RECORDINGS = CASSETTES / "live"
RECORD_MODE = os.environ.get("VENUEKIT_RECORD", "")
SECRET_HEADERS = frozenset(
    {
        "cb-access-key",
        "cb-access-passphrase",
        "cb-access-sign",
        "cb-access-timestamp",
        "x-api-key",
        "x-api-sig",
        "authorization",
        "cookie",
        "set-cookie",
    }
)
REDACTED = "REDACTED"
_CREDENTIAL_SUFFIXES = ("_API_KEY", "_API_SECRET", "_PASSPHRASE", "_EDDSA_PRIVATE_KEY")

#: Wrong-but-well-formed credentials used to record the "bad signature" outcomes.
WRONG_EXCHANGE_SECRET = "d3JvbmctZXhjaGFuZ2Utc2VjcmV0LWZvci1yZWNvcmRpbmc="
WRONG_INTX_SECRET = "d3JvbmctaW50eC1zZWNyZXQtZm9yLXJlY29yZGluZw=="
WRONG_LOOPRING_KEY = "0x0badc0ffee0badc0ffee0badc0ffee0badc0ffee0badc0ffee0badc0ffee01"


def credential_values() -> list[str]:
    """Every secret value used while recording, in each form it could be written."""
    accounts = DEFAULT_CREDENTIALS
    values = [
        accounts.exchange.api_key,
        accounts.exchange.api_secret,
        accounts.exchange.passphrase,
        accounts.intx.api_key,
        accounts.intx.api_secret,
        accounts.intx.passphrase,
        accounts.loopring.api_key,
        accounts.loopring.eddsa_private_key,
        WRONG_EXCHANGE_SECRET,
        WRONG_INTX_SECRET,
        WRONG_LOOPRING_KEY,
    ]
    for key in (accounts.loopring.eddsa_private_key, WRONG_LOOPRING_KEY):
        number = int(key, 16)
        values += [str(number), f"{number:x}", f"{number:064x}"]
    # Real credentials of a live recording (``make record-live``) come from the environment.
    for name, value in os.environ.items():
        if name.startswith("VENUEKIT_") and name.endswith(_CREDENTIAL_SUFFIXES) and value:
            values.append(value)
            if name.endswith("EDDSA_PRIVATE_KEY"):
                try:
                    number = int(value, 0) if not value.isdigit() else int(value)
                except ValueError:
                    continue
                values += [str(number), f"{number:x}", f"{number:064x}"]
    return sorted({v for v in values if len(v) >= 6}, key=len, reverse=True)


def _scrub_text(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    return text


def _scrub_body(body: Any, secrets: Iterable[str]) -> tuple[Any, bool]:
    if isinstance(body, bytes):
        scrubbed = _scrub_text(body.decode("utf-8", "surrogateescape"), secrets)
        new = scrubbed.encode("utf-8", "surrogateescape")
        return new, new != body
    if isinstance(body, str):
        new_text = _scrub_text(body, secrets)
        return new_text, new_text != body
    return body, False


def scrub_request(request: Any) -> Any:
    """Drop secret headers and replace known secret values in the URL and body."""
    secrets = credential_values()
    for name in list(request.headers):
        if name.lower() in SECRET_HEADERS:
            del request.headers[name]
    request.uri = _scrub_text(request.uri, secrets)
    request.body, _ = _scrub_body(request.body, secrets)
    return request


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """Drop secret headers, replace known secret values in the body, fix Content-Length."""
    secrets = credential_values()
    headers = response["headers"]
    for name in list(headers):
        if name.lower() in SECRET_HEADERS:
            del headers[name]
    body = response["body"].get("string", b"")
    new_body, changed = _scrub_body(body, secrets)
    if changed:
        response["body"]["string"] = new_body
        length = len(new_body if isinstance(new_body, bytes) else new_body.encode())
        for name in list(headers):
            if name.lower() == "content-length":
                headers[name] = [str(length)]
    return response


def cassette_vcr(*, record: bool, library: Path = RECORDINGS) -> vcr.VCR:
    """The project's VCR: matches on method, path and query (never host, port or headers)."""
    return vcr.VCR(
        cassette_library_dir=str(library),
        record_mode="all" if record else "none",
        match_on=["method", "path", "query"],
        before_record_request=scrub_request,
        before_record_response=scrub_response,
        decode_compressed_response=True,
    )  # playback repeats stay off (the default): each recorded answer is played once, in order
