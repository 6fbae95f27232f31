"""Credentials: validated at construction, secrets never shown."""

from __future__ import annotations

import base64

import pytest

from venuekit._credentials import (
    CoinbaseExchangeCredentials,
    CoinbaseIntxCredentials,
    CredentialsError,
    LoopringCredentials,
)

SECRET = base64.b64encode(b"super-secret-hmac-key-bytes").decode()
PASSPHRASE = "pass-phrase-9"
API_KEY = "api-key-0123456789"
EDDSA_KEY = "0x0dfbbcc409fbcdb07dc350b50cf034fa0ebfd259346c81b3fd3bdb8951117a1"


@pytest.mark.parametrize("cls", [CoinbaseExchangeCredentials, CoinbaseIntxCredentials])
def test_coinbase_credentials_redact(cls: type[CoinbaseExchangeCredentials]) -> None:
    creds = cls(api_key=API_KEY, api_secret=SECRET, passphrase=PASSPHRASE)
    for text in (repr(creds), str(creds)):
        assert SECRET not in text
        assert PASSPHRASE not in text
        assert API_KEY not in text
        assert text.startswith(f"{cls.__name__}(api_key='api-…')")
    assert creds.secret_key == b"super-secret-hmac-key-bytes"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"api_key": ""}, "api_key is empty"),
        ({"passphrase": ""}, "passphrase is empty"),
        ({"api_secret": ""}, "api_secret: API secret is empty"),
        ({"api_secret": "bm90IGJhc2U2NA=?"}, "api_secret: API secret is not valid base64"),
        ({"api_secret": SECRET + "\n"}, "api_secret: API secret is not valid base64"),
        ({"api_key": "key\r\nX-Injected: 1"}, "api_key must be printable ASCII"),
        ({"passphrase": "pässword"}, "passphrase must be printable ASCII"),
        ({"api_key": b"bytes"}, "api_key must be a str, not bytes"),
    ],
)
def test_coinbase_credentials_validation(changes: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {"api_key": API_KEY, "api_secret": SECRET, "passphrase": PASSPHRASE}
    fields.update(changes)
    with pytest.raises(CredentialsError, match=message) as info:
        CoinbaseExchangeCredentials(**fields)  # type: ignore[arg-type]
    assert isinstance(info.value, ValueError)
    for value in changes.values():
        if isinstance(value, str) and value:
            assert value not in str(info.value)
    # No chained exception (e.g. binascii.Error) rides along in tracebacks.
    assert info.value.__cause__ is None
    assert info.value.__context__ is None or info.value.__suppress_context__


def test_loopring_credentials_parse_the_key_once_and_redact() -> None:
    creds = LoopringCredentials(api_key=API_KEY, eddsa_private_key=EDDSA_KEY, account_id=0)
    assert creds.private_key == int(EDDSA_KEY, 16)
    assert len(creds.public_key) == 2
    assert repr(creds) == "LoopringCredentials(api_key='api-…', account_id=0)"
    assert EDDSA_KEY[2:12] not in repr(creds)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"eddsa_private_key": "0xnothex"},
            "eddsa_private_key: EdDSA private key must be hexadecimal",
        ),
        ({"eddsa_private_key": 0}, "eddsa_private_key: EdDSA private key is out of range"),
        ({"eddsa_private_key": "f" * 64}, "eddsa_private_key: EdDSA private key is out of range"),
        ({"account_id": -1}, "account_id must be a non-negative int"),
        ({"account_id": True}, "account_id must be a non-negative int"),
        ({"account_id": "1"}, "account_id must be a non-negative int"),
        ({"api_key": ""}, "api_key is empty"),
    ],
)
def test_loopring_credentials_validation(changes: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {
        "api_key": API_KEY,
        "eddsa_private_key": EDDSA_KEY,
        "account_id": 1,
    }
    fields.update(changes)
    with pytest.raises(CredentialsError, match=message) as info:
        LoopringCredentials(**fields)  # type: ignore[arg-type]
    key = changes.get("eddsa_private_key")
    if isinstance(key, str):
        assert key not in str(info.value)


def test_credentials_are_immutable() -> None:
    creds = CoinbaseIntxCredentials(api_key=API_KEY, api_secret=SECRET, passphrase=PASSPHRASE)
    with pytest.raises(AttributeError):
        creds.api_key = "other"  # type: ignore[misc]
