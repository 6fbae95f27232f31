"""Shared by tests/cassettes: record and replay of real HTTP exchanges with the sandbox (vcrpy), scrubbed of every secret.

Replay is the default: cassettes under ``tests/cassettes/recordings/`` are played back with record
mode ``none``, so an unrecorded request fails and nothing touches a socket. ``make cassettes``
sets ``VENUEKIT_RECORD=sandbox``: each test then starts the sandbox with uvicorn on 127.0.0.1 and
records the exchange anew. ``make record-live`` (never in CI) records against the venues' own
sandboxes and Deribit's testnet (test.deribit.com) into ``tests/cassettes/live/``; see
``scripts/record_cassettes.py``. Both record through `WireSpy`, which notes every signature,
JWT and token sent or received, so the caller can check that none reached the file.

Scrubbing, applied before anything is written, to requests and responses alike:

- secret-bearing headers are dropped (case-insensitively: ``CB-ACCESS-KEY``,
  ``CB-ACCESS-PASSPHRASE``, ``CB-ACCESS-SIGN``, ``CB-ACCESS-TIMESTAMP``, ``X-API-KEY``,
  ``X-API-SIG``, cookies), except ``Authorization``, which keeps only its scheme:
  ``deri-hmac-sha256 REDACTED`` / ``Bearer REDACTED`` (so a reader sees which auth was used);
- in JSON bodies (Deribit's ``public/auth`` POST and its answer), the string value of every
  field named in `SECRET_FIELDS` (``token``: the CDP JWT, ``access_token``, ``refresh_token``,
  ``client_secret``, ``signature``) becomes ``"REDACTED"``; the same names are scrubbed from
  query strings (Deribit's GET form of ``public/auth``);
- every known credential value (`credential_values`) is replaced wherever else it appears;
- ``Content-Length`` is set to the new length whenever a body changes.

The body edit is a byte-level replacement of the quoted value, so the rest of the body (numbers,
key order, spacing) is exactly what the venue sent and the JSON stays valid; the result is
parsed again and the recording fails (rather than writing a secret) if a secret field still
holds anything but the placeholder.
"""

from __future__ import annotations

import contextlib
import json
import os
import urllib.parse
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import httpx
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
#: Secret headers kept with their scheme only (``Bearer REDACTED``); the others are dropped.
SCHEME_ONLY_HEADERS = frozenset({"authorization"})
#: JSON fields and query parameters whose value is a secret (Deribit ``public/auth``: the CDP
#: JWT is ``params.token``; the answer's ``access_token`` / ``refresh_token``; the
#: ``client_credentials`` grant's ``client_secret``; the ``client_signature`` grant's
#: ``signature``).
SECRET_FIELDS = frozenset({"token", "access_token", "refresh_token", "client_secret", "signature"})
REDACTED = "REDACTED"
_CREDENTIAL_SUFFIXES = (
    "_API_KEY",
    "_API_SECRET",
    "_PASSPHRASE",
    "_EDDSA_PRIVATE_KEY",
    "_CLIENT_ID",
    "_CLIENT_SECRET",
    "_CDP_KEY_NAME",
    "_CDP_PRIVATE_KEY",
)

#: Wrong-but-well-formed credentials used to record the "bad signature" outcomes.
WRONG_EXCHANGE_SECRET = "d3JvbmctZXhjaGFuZ2Utc2VjcmV0LWZvci1yZWNvcmRpbmc="
WRONG_INTX_SECRET = "d3JvbmctaW50eC1zZWNyZXQtZm9yLXJlY29yZGluZw=="
WRONG_LOOPRING_KEY = "0x0badc0ffee0badc0ffee0badc0ffee0badc0ffee0badc0ffee0badc0ffee01"
WRONG_DERIBIT_SECRET = "wrong-deribit-secret-for-recording"
#: A CDP Ed25519 key the sandbox does not know: seed = sha256(b"venuekit cassettes: wrong cdp
#: ed25519 key (public, fake)"), then its public key (the 64-byte form Coinbase issues).
WRONG_CDP_ED25519_KEY = (
    "zNXtkCMRIO/dywDDD0o44cTYQRjI0JSKkLXDRkYLpRxqjaz1MqmN/k9udq/piMaLZOdc8H9JjS3kfLfBHlhW8w=="
)
#: A P-256 key the sandbox does not know: d = sha256(b"venuekit cassettes: wrong cdp p-256 key
#: (public, fake)") mod n, as the ``EC PRIVATE KEY`` PEM Coinbase issues.
WRONG_CDP_ES256_KEY = (
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MHcCAQEEIM2mqWwN8bQRDqZkRknjx3NnB6XEED6SII/wVUSxBZSnoAoGCCqGSM49\n"
    "AwEHoUQDQgAEisFQ80lrVodQS233pEzCeh09BXSNtOanMnwQEVzG6fLuDRei7jhK\n"
    "YTKh+M55JV5LddWMDopK4tBDHjOTbhD+CA==\n"
    "-----END EC PRIVATE KEY-----\n"
)


def _key_forms(value: str) -> list[str]:
    """A private key or secret as it could be written: whole, stripped, and line by line (PEM)."""
    text = value.replace("\\n", "\n")
    return [value, text.strip(), *(line.strip() for line in text.splitlines())]


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
        accounts.deribit.client_id,
        accounts.deribit.client_secret,
        WRONG_DERIBIT_SECRET,
    ]
    for cdp_key in accounts.cdp.all_keys():
        values += [cdp_key.key_name, *_key_forms(cdp_key.private_key)]
    values += [*_key_forms(WRONG_CDP_ED25519_KEY), *_key_forms(WRONG_CDP_ES256_KEY)]
    for key in (accounts.loopring.eddsa_private_key, WRONG_LOOPRING_KEY):
        number = int(key, 16)
        values += [str(number), f"{number:x}", f"{number:064x}"]
    # Real credentials of a live recording (``make record-live``) come from the environment.
    for name, value in os.environ.items():
        if name.startswith("VENUEKIT_") and name.endswith(_CREDENTIAL_SUFFIXES) and value:
            values += _key_forms(value)
            if name.endswith("EDDSA_PRIVATE_KEY"):
                try:
                    number = int(value, 0) if not value.isdigit() else int(value)
                except ValueError:
                    continue
                values += [str(number), f"{number:x}", f"{number:064x}"]
    return sorted(
        {v for v in values if len(v) >= 6 and not v.startswith("-----")}, key=len, reverse=True
    )


def _scrub_text(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    return text


def secret_field_values(document: object) -> Iterator[str]:
    """Every string value of a `SECRET_FIELDS` field anywhere in a parsed JSON document."""
    if isinstance(document, dict):
        for key, value in document.items():
            if key in SECRET_FIELDS and isinstance(value, str):
                yield value
            else:
                yield from secret_field_values(value)
    elif isinstance(document, list):
        for item in document:
            yield from secret_field_values(item)


def _scrub_json_fields(text: str) -> str:
    """Replace the value of every secret field of a JSON body with ``"REDACTED"``, in place.

    The quoted value is replaced as it appears in the text (``json.dumps`` form, then the
    ``\\/``-escaped form some servers write), so nothing else in the body moves. A body that is
    not JSON is left to the value scrubbing.
    """
    try:
        document = json.loads(text)
    except ValueError:
        return text
    for value in set(secret_field_values(document)) - {REDACTED}:
        for quoted in {json.dumps(value), json.dumps(value, ensure_ascii=False)}:
            text = text.replace(quoted, f'"{REDACTED}"')
            text = text.replace(quoted.replace("/", "\\/"), f'"{REDACTED}"')
    left = set(secret_field_values(json.loads(text))) - {REDACTED}
    if left:  # fail closed: never write a body whose secret field could not be replaced
        raise ValueError("a secret JSON field could not be scrubbed from a recorded body")
    return text


def _scrub_query(uri: str) -> str:
    """Replace the value of every `SECRET_FIELDS` query parameter (raw, percent-encoded form)."""
    head, mark, query = uri.partition("?")
    if not mark:
        return uri
    parts = []
    for part in query.split("&"):
        name, equals, _value = part.partition("=")
        if equals and urllib.parse.unquote_plus(name) in SECRET_FIELDS:
            part = f"{name}={REDACTED}"
        parts.append(part)
    return f"{head}?{'&'.join(parts)}"


def _scrub_body(body: Any, secrets: Iterable[str]) -> tuple[Any, bool]:
    if isinstance(body, bytes):
        text = body.decode("utf-8", "surrogateescape")
        scrubbed = _scrub_text(_scrub_json_fields(text), secrets)
        new = scrubbed.encode("utf-8", "surrogateescape")
        return new, new != body
    if isinstance(body, str):
        new_text = _scrub_text(_scrub_json_fields(body), secrets)
        return new_text, new_text != body
    return body, False


def _scrub_headers(headers: Any) -> None:
    """Drop secret headers; keep only the scheme of ``Authorization`` (values may be lists)."""
    for name in list(headers):
        lowered = name.lower()
        if lowered in SCHEME_ONLY_HEADERS:
            value = headers[name]
            values = value if isinstance(value, list) else [value]
            kept = [f"{str(v).strip().partition(' ')[0]} {REDACTED}".strip() for v in values]
            headers[name] = kept if isinstance(value, list) else kept[0]
        elif lowered in SECRET_HEADERS:
            del headers[name]


def _fix_length(headers: Any, body: Any) -> None:
    length = len(body if isinstance(body, bytes) else str(body).encode())
    for name in list(headers):
        if name.lower() == "content-length":
            headers[name] = [str(length)] if isinstance(headers[name], list) else str(length)


def scrub_request(request: Any) -> Any:
    """Scrub headers, the URL's query and the body of a request; fix its Content-Length."""
    secrets = credential_values()
    _scrub_headers(request.headers)
    request.uri = _scrub_text(_scrub_query(request.uri), secrets)
    request.body, changed = _scrub_body(request.body, secrets)
    if changed:
        _fix_length(request.headers, request.body)
    return request


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """Scrub headers and the body of a response; fix its Content-Length."""
    secrets = credential_values()
    headers = response["headers"]
    _scrub_headers(headers)
    body = response["body"].get("string", b"")
    new_body, changed = _scrub_body(body, secrets)
    if changed:
        response["body"]["string"] = new_body
        _fix_length(headers, new_body)
    return response


class WireSpy(httpx.HTTPTransport):
    """httpx's transport (vcrpy records it), noting every secret that crosses the wire.

    Independent of the scrubber: the Authorization header after its scheme (HMAC fields and
    their ``sig``, Bearer tokens), and the `SECRET_FIELDS` of request and answer bodies (the CDP
    JWT, the tokens). It overrides ``handle_request`` and calls httpx's, which vcrpy patches, so
    what the spy sees is exactly what is recorded; the answer is read and handed on as a new
    stream (venuekit reads answers with ``iter_raw``).
    """

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def _note_body(self, content: bytes) -> None:
        with contextlib.suppress(ValueError):
            self.secrets.update(set(secret_field_values(json.loads(content))) - {REDACTED})

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        if value:
            self.secrets.add(value)
            if scheme == "deri-hmac-sha256":
                fields = dict(part.partition("=")[::2] for part in value.split(","))
                self.secrets.add(fields["sig"])
        self._note_body(request.content)
        response = super().handle_request(request)
        content = response.read()
        self._note_body(content)
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=httpx.ByteStream(content),
            extensions=response.extensions,
        )


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
