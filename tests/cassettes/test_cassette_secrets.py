"""No secret reaches a cassette: every credential value used while recording is absent."""

from __future__ import annotations

import pytest
from cassette_recorder import CASSETTES as CASSETTE_DIR
from cassette_recorder import SECRET_HEADERS, credential_values, scrub_response

CASSETTES = sorted(CASSETTE_DIR.rglob("*.yaml"))  # local-sandbox and live recordings alike


def test_there_are_cassettes_to_scan() -> None:
    assert len(CASSETTES) >= 18


@pytest.mark.parametrize("cassette", CASSETTES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_credential_value_in_cassette(cassette: object) -> None:
    text = cassette.read_text(encoding="utf-8")  # type: ignore[attr-defined]
    lowered = text.lower()
    for secret in credential_values():
        assert secret not in text, f"a credential value leaked into {cassette}"
        assert secret.lower() not in lowered, f"a credential value leaked into {cassette}"


@pytest.mark.parametrize("cassette", CASSETTES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_secret_header_in_cassette(cassette: object) -> None:
    lowered = cassette.read_text(encoding="utf-8").lower()  # type: ignore[attr-defined]
    for header in SECRET_HEADERS:
        assert f"{header}:" not in lowered, f"header {header} was not scrubbed from {cassette}"


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
