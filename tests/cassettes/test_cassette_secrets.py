"""No secret reaches a cassette: credential values, signatures, JWTs and tokens are all absent.

Three kinds of check:

- every cassette on disk (local-sandbox and live recordings) is scanned for every known
  credential value, for secret headers, and structurally: an ``Authorization`` header holds only
  its scheme and the placeholder, every secret JSON field and query parameter is the
  placeholder, and nothing shaped like a JWT, a Deribit token or a ``deri-hmac-sha256``
  signature is left anywhere;
- a fresh recording against the sandbox, one per Deribit key type, made here with a spy on the
  wire: none of the signatures, JWTs and tokens actually sent or received is in the file, and the
  file replays through a new client (the token flow works from the scrubbed recording);
- the scrubber's own rules, on hand-made exchanges.

``make cassettes`` also checks, while recording, that no secret seen on the wire reaches any file
(``test_deribit_cassettes.test_sync_client``).
"""

from __future__ import annotations

import json
import re
import urllib.parse
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import yaml
from cassette_recorder import CASSETTES as CASSETTE_DIR
from cassette_recorder import (
    REDACTED,
    SCHEME_ONLY_HEADERS,
    SECRET_FIELDS,
    SECRET_HEADERS,
    WireSpy,
    cassette_vcr,
    credential_values,
    scrub_request,
    scrub_response,
    secret_field_values,
)

import venuekit
from venuekit.sandbox import DEFAULT_CREDENTIALS, SandboxConfig, run_in_thread

CASSETTES = sorted(CASSETTE_DIR.rglob("*.yaml"))  # local-sandbox and live recordings alike
#: Shapes of dynamic secrets: a compact JWS (a JWT's header always starts ``eyJ``: ``{"``), a
#: Deribit token (the sandbox's ``<ms>.<base64url>``; Deribit's own start the same way), and
#: a ``deri-hmac-sha256`` signature field.
JWT = re.compile(r"eyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}")
DERIBIT_TOKEN = re.compile(r"\b1\d{12}\.[\w-]{16,}")
HMAC_SIG = re.compile(r"sig=[0-9a-fA-F]{16,}")


def _id(path: Path) -> str:
    return str(path.relative_to(CASSETTE_DIR))


def _exchanges(path: Path) -> list[dict[str, Any]]:
    return list(yaml.safe_load(path.read_text(encoding="utf-8"))["interactions"])


def _json(text: object) -> object:
    try:
        return json.loads(text) if isinstance(text, str | bytes) and text else None
    except ValueError:
        return None


def test_there_are_cassettes_to_scan() -> None:
    assert len(CASSETTES) >= 18 + 34


@pytest.mark.parametrize("cassette", CASSETTES, ids=_id)
def test_no_credential_value_in_cassette(cassette: Path) -> None:
    text = cassette.read_text(encoding="utf-8")
    lowered = text.lower()
    for secret in credential_values():
        assert secret not in text, f"a credential value leaked into {cassette}"
        assert secret.lower() not in lowered, f"a credential value leaked into {cassette}"


@pytest.mark.parametrize("cassette", CASSETTES, ids=_id)
def test_no_secret_header_in_cassette(cassette: Path) -> None:
    for exchange in _exchanges(cassette):
        for side in (exchange["request"], exchange["response"]):
            for name, values in side["headers"].items():
                lowered = name.lower()
                if lowered in SCHEME_ONLY_HEADERS:
                    for value in values:
                        scheme, _, rest = value.partition(" ")
                        assert rest == REDACTED, f"{name} in {cassette}"
                        assert " " not in scheme, f"{name} in {cassette}"
                else:
                    assert lowered not in SECRET_HEADERS, f"{name} was not dropped in {cassette}"


@pytest.mark.parametrize("cassette", CASSETTES, ids=_id)
def test_no_secret_field_query_jwt_or_token_in_cassette(cassette: Path) -> None:
    text = cassette.read_text(encoding="utf-8")
    assert not JWT.search(text), f"a JWT is in {cassette}"
    assert not DERIBIT_TOKEN.search(text), f"a Deribit token is in {cassette}"
    assert not HMAC_SIG.search(text), f"a deri-hmac-sha256 signature is in {cassette}"
    for exchange in _exchanges(cassette):
        request, response = exchange["request"], exchange["response"]
        query = urllib.parse.urlsplit(request["uri"]).query
        for name, value in urllib.parse.parse_qsl(query, keep_blank_values=True):
            assert name not in SECRET_FIELDS or value == REDACTED, f"?{name} in {cassette}"
        for body in (request["body"], response["body"].get("string")):
            assert set(secret_field_values(_json(body))) <= {REDACTED}, cassette


@pytest.mark.parametrize("cassette", CASSETTES, ids=_id)
def test_content_length_matches_the_recorded_body(cassette: Path) -> None:
    for exchange in _exchanges(cassette):
        for side, body in (
            (exchange["request"], exchange["request"]["body"]),
            (exchange["response"], exchange["response"]["body"].get("string")),
        ):
            lengths = {k.lower(): v for k, v in side["headers"].items()}.get("content-length")
            if lengths is not None:
                data = body if isinstance(body, bytes) else (body or "").encode()
                assert lengths == [str(len(data))], cassette


# --- a fresh recording, with a spy on the wire ----------------------------------------------


@pytest.mark.parametrize("key", ["deribit_hmac", "cdp_ed25519", "cdp_es256"])
def test_a_fresh_recording_holds_none_of_the_secrets_sent_and_replays(
    key: str, tmp_path: Path
) -> None:
    accounts = DEFAULT_CREDENTIALS
    credentials: Any = {
        "deribit_hmac": accounts.deribit,
        "cdp_ed25519": accounts.cdp.ed25519,
        "cdp_es256": accounts.cdp.es256,
    }[key].credentials()
    user = accounts.deribit.user_id if key == "deribit_hmac" else accounts.cdp.user_id
    spy = WireSpy()
    with run_in_thread(config=SandboxConfig(seed=3)) as sandbox:
        first, second = sandbox.state.deribit.orders(user_id=user)[:2]
        options = {"base_urls": {"deribit": sandbox.deribit_url}, "attempts": 1}
        with (
            cassette_vcr(record=True, library=tmp_path).use_cassette("fresh.yaml"),
            venuekit.Client(deribit=credentials, transport=spy, **options) as client,
        ):
            client.deribit.cancel_order(order_id=first.order_id)
            client.deribit.cancel_order(order_id=second.order_id)
    text = (tmp_path / "fresh.yaml").read_text(encoding="utf-8")
    # HMAC: (header fields, sig) for each of 2 requests. CDP: the JWT, the access token (also
    # the Bearer header of both cancels) and the refresh token.
    expected = 4 if key == "deribit_hmac" else 3
    assert len(spy.secrets) == expected, "the spy saw the secrets sent and received"
    if key != "deribit_hmac":
        assert any(JWT.fullmatch(s) for s in spy.secrets), "the spy saw the CDP JWT"
    for secret in spy.secrets:
        assert secret not in text
    replay = httpx.HTTPTransport()
    options["base_urls"] = {"deribit": "http://127.0.0.1:9/api/v2"}
    with (
        cassette_vcr(record=False, library=tmp_path).use_cassette("fresh.yaml") as tape,
        venuekit.Client(deribit=credentials, transport=replay, **options) as client,
    ):
        for order in (first, second):
            result = client.deribit.cancel_order(order_id=order.order_id)
            assert result.state is venuekit.CancelState.CANCELLED
            assert result.order_id == order.order_id
        assert tape.play_count == len(tape) == (2 if key == "deribit_hmac" else 3)


# --- the scrubber's rules -----------------------------------------------------------------


def test_scrubber_removes_headers_case_insensitively_and_fixes_length() -> None:
    secret = credential_values()[0]
    body = f'{{"echo": "{secret}"}}'.encode()
    response = {
        "headers": {"Content-Length": [str(len(body))], "Set-Cookie": ["s=1"], "X-Api-Key": ["k"]},
        "body": {"string": body},
    }
    scrubbed = scrub_response(response)
    assert secret.encode() not in scrubbed["body"]["string"]
    assert scrubbed["headers"]["Content-Length"] == [str(len(scrubbed["body"]["string"]))]
    assert set(scrubbed["headers"]) == {"Content-Length"}


def test_scrubber_replaces_token_fields_keeping_json_valid_and_the_rest_exact() -> None:
    body = (
        b'{"jsonrpc":"2.0","id":1,"result":{"access_token":"1700000000000.abc-DEF_ghi",'
        b'"expires_in":900,"refresh_token":"1700000000000.x\\/y","price":0.10},"usIn":17}'
    )
    response = {"headers": {"content-length": [str(len(body))]}, "body": {"string": body}}
    new = scrub_response(response)["body"]["string"]
    assert new == (
        b'{"jsonrpc":"2.0","id":1,"result":{"access_token":"REDACTED",'
        b'"expires_in":900,"refresh_token":"REDACTED","price":0.10},"usIn":17}'
    )
    assert response["headers"]["content-length"] == [str(len(new))]


def test_scrubber_replaces_the_jwt_of_a_public_auth_post_and_its_length() -> None:
    jwt = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJrIn0.c2lnbmF0dXJlLWJ5dGVz"
    body = json.dumps(
        {"method": "public/auth", "params": {"grant_type": "coinbase_cdp", "token": jwt}}
    )
    request = SimpleNamespace(
        uri="http://h/api/v2/public/auth",
        headers={"Content-Length": str(len(body)), "Authorization": "Bearer 17000.tok"},
        body=body.encode(),
    )
    scrub_request(request)
    assert jwt.encode() not in request.body
    assert json.loads(request.body)["params"]["token"] == REDACTED
    assert request.headers == {
        "Content-Length": str(len(request.body)),
        "Authorization": "Bearer REDACTED",
    }


def test_scrubber_replaces_secret_query_parameters() -> None:
    request = SimpleNamespace(
        uri="http://h/api/v2/public/auth?grant_type=client_credentials&client_id=cid"
        "&client_secret=s3cr3t%2Bx&token=eyJx",
        headers={},
        body=b"",
    )
    scrub_request(request)
    assert request.uri == (
        "http://h/api/v2/public/auth?grant_type=client_credentials&client_id=cid"
        "&client_secret=REDACTED&token=REDACTED"
    )


def test_scrubber_keeps_only_the_scheme_of_authorization() -> None:
    headers = {
        "authorization": ["deri-hmac-sha256 id=cid,ts=1,sig=abcdef0123456789,nonce=n"],
        "Cookie": ["a=b"],
    }
    request = SimpleNamespace(uri="http://h/x", headers=headers, body=b"")
    scrub_request(request)
    assert request.headers == {"authorization": ["deri-hmac-sha256 REDACTED"]}


def test_scrubber_refuses_to_write_a_secret_field_it_cannot_replace() -> None:
    # The value written with a \\u escape differs from json.dumps's form: fail, never write it.
    body = b'{"access_token":"tok\\u0065n-value"}'
    response = {"headers": {}, "body": {"string": body}}
    with pytest.raises(ValueError, match="could not be scrubbed"):
        scrub_response(response)
