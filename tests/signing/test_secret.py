"""Secret: never shown, never pickled, compared in constant time; credentials hold their secrets as it."""

from __future__ import annotations

import base64
import copy
import hmac
import json
import pickle
from pathlib import Path
from typing import Any

import pytest

from venuekit._credentials import (
    CoinbaseCdpCredentials,
    CoinbaseExchangeCredentials,
    CoinbaseIntxCredentials,
    CredentialsError,
    DeribitCredentials,
    LoopringCredentials,
)
from venuekit._secret import REDACTED, Secret, redact

KEYS = json.loads((Path(__file__).parents[1] / "data" / "cdp_test_keys.json").read_text())
CB_SECRET = base64.b64encode(b"hmac-key-bytes-for-secret-tests").decode()


@pytest.mark.parametrize("value", ["p4ss", b"\x00raw-key", 12345678901234567890])
def test_secret_is_never_shown(value: str | bytes | int) -> None:
    secret = Secret(value)
    shown = [
        repr(secret),
        str(secret),
        f"{secret}",
        f"{secret!s:>40}",
        "%s" % secret,  # noqa: UP031  (old-style formatting is what is tested)
        "%r" % secret,  # noqa: UP031
    ]
    shown += [f"{secret:x}" if isinstance(value, int) else f"{secret:10}"]
    for text in shown:
        assert text.strip() == "Secret('…')"
    assert secret.reveal() == value
    assert type(secret.reveal()) is type(value)


def test_secret_refuses_pickling_and_copies_to_itself() -> None:
    secret = Secret("pickle-me-not")
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        with pytest.raises(TypeError, match="cannot be pickled"):
            pickle.dumps(secret, protocol=protocol)
    creds = DeribitCredentials(client_id="client-id-1", client_secret="pickle-me-not")
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(creds)
    assert copy.copy(secret) is secret
    assert copy.deepcopy(creds).client_secret is creds.client_secret
    with pytest.raises(AttributeError):
        secret._Secret__value = "other"  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        del secret._Secret__value  # type: ignore[attr-defined]
    assert secret.reveal() == "pickle-me-not"


def test_secret_equality_is_constant_time_and_type_aware(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    assert Secret("abc") == Secret("abc")
    assert Secret("abc") == "abc"
    assert Secret("abc") != Secret("abd")
    assert Secret("1") != Secret(1)
    assert Secret(b"abc") != Secret("abc")
    assert Secret(1) != True  # noqa: E712  (a bool is not an int key)
    assert len(calls) == 5  # every comparison above went through compare_digest
    assert hash(Secret("abc")) == hash(Secret("abc"))
    assert hash(Secret(7)) != 7
    with pytest.raises(TypeError):
        Secret(1.5)  # type: ignore[type-var]
    with pytest.raises(TypeError):
        Secret(True)


def test_redact_covers_any_length_longest_first() -> None:
    text = "passphrase abc, secret abcdef, key x9"
    assert redact(text, [Secret("abc"), Secret("abcdef"), Secret("x9")]) == (
        f"passphrase {REDACTED}, secret {REDACTED}, key {REDACTED}"
    )
    assert redact("nothing here", [Secret("")]) == "nothing here"


def _all_credentials() -> list[Any]:
    return [
        CoinbaseExchangeCredentials(api_key="api-key-0001", api_secret=CB_SECRET, passphrase="abc"),
        CoinbaseIntxCredentials(api_key="api-key-0001", api_secret=CB_SECRET, passphrase="abc"),
        LoopringCredentials(api_key="api-key-0001", eddsa_private_key="0x1234", account_id=1),
        DeribitCredentials(client_id="client-0001", client_secret="client-secret-0001"),
        CoinbaseCdpCredentials(**{k: KEYS["ed25519"][k] for k in ("key_name", "private_key")}),
        CoinbaseCdpCredentials(**{k: KEYS["es256"][k] for k in ("key_name", "private_key")}),
    ]


@pytest.mark.parametrize("creds", _all_credentials(), ids=lambda c: type(c).__name__)
def test_every_secret_field_is_a_secret_and_redaction_values_cover_them(creds: Any) -> None:
    secret_fields = {
        "api_secret",
        "passphrase",
        "eddsa_private_key",
        "client_secret",
        "private_key",
    }
    plain: list[str] = []
    for name in secret_fields:
        if hasattr(type(creds), "__attrs_attrs__") and name in {
            a.name for a in type(creds).__attrs_attrs__
        }:
            value = getattr(creds, name)
            assert isinstance(value, Secret), name
            plain.append(str(value.reveal()))
    assert plain
    values = creds.redaction_values()
    assert all(isinstance(v, Secret) for v in values)
    revealed = {v.reveal() for v in values}
    for text in plain:
        assert text in revealed
        message = f"venue said: bad value {text} here"
        assert text not in redact(message, values)
    assert "Secret('…')" not in repr(creds)
    for text in plain:
        assert text not in repr(creds)


def test_short_passphrase_is_redacted() -> None:
    creds = CoinbaseExchangeCredentials(
        api_key="api-key-0001", api_secret=CB_SECRET, passphrase="q7"
    )
    assert redact("invalid passphrase q7", creds.redaction_values()) == (
        f"invalid passphrase {REDACTED}"
    )


def test_loopring_redaction_values_cover_every_text_form_of_the_key() -> None:
    creds = LoopringCredentials(api_key="api-key-0001", eddsa_private_key=0xABC, account_id=1)
    revealed = {v.reveal() for v in creds.redaction_values()}
    assert {"abc", "0xabc", "2748", f"0x{0xABC:064x}", f"{0xABC:064x}"} <= revealed


def test_constructors_still_take_plain_str_and_accept_secrets() -> None:
    a = DeribitCredentials(client_id="client-0001", client_secret="s3cret")
    b = DeribitCredentials(client_id="client-0001", client_secret=Secret("s3cret"))
    assert a == b
    assert a.client_secret.reveal() == "s3cret"
    exchange = CoinbaseExchangeCredentials(
        api_key="api-key-0001", api_secret=CB_SECRET, passphrase="abc"
    )
    assert isinstance(exchange.secret_key, Secret)
    assert exchange.secret_key.reveal() == b"hmac-key-bytes-for-secret-tests"


ED = KEYS["ed25519"]
BAD = [
    (
        CoinbaseExchangeCredentials,
        {"api_key": "", "api_secret": CB_SECRET, "passphrase": "p"},
        "api_key",
    ),
    (
        CoinbaseExchangeCredentials,
        {"api_key": "k", "api_secret": "", "passphrase": "p"},
        "api_secret",
    ),
    (
        CoinbaseExchangeCredentials,
        {"api_key": "k", "api_secret": 5, "passphrase": "p"},
        "api_secret",
    ),
    (
        CoinbaseIntxCredentials,
        {"api_key": "k", "api_secret": CB_SECRET, "passphrase": None},
        "passphrase",
    ),
    (
        CoinbaseIntxCredentials,
        {"api_key": "k", "api_secret": CB_SECRET, "passphrase": "pä"},
        "passphrase",
    ),
    (
        LoopringCredentials,
        {"api_key": "k", "eddsa_private_key": "0xzz", "account_id": 1},
        "eddsa_private_key",
    ),
    (
        LoopringCredentials,
        {"api_key": "k", "eddsa_private_key": None, "account_id": 1},
        "eddsa_private_key",
    ),
    (
        LoopringCredentials,
        {"api_key": "k", "eddsa_private_key": "0x1", "account_id": -1},
        "account_id",
    ),
    (DeribitCredentials, {"client_id": "", "client_secret": "s"}, "client_id"),
    (DeribitCredentials, {"client_id": "a,b=c", "client_secret": "s"}, "client_id"),
    (DeribitCredentials, {"client_id": "id", "client_secret": ""}, "client_secret"),
    (DeribitCredentials, {"client_id": "id", "client_secret": "tab\there"}, "client_secret"),
    (DeribitCredentials, {"client_id": "id", "client_secret": b"bytes"}, "client_secret"),
    (CoinbaseCdpCredentials, {"key_name": "", "private_key": ED["private_key"]}, "key_name"),
    (CoinbaseCdpCredentials, {"key_name": "k", "private_key": ""}, "private_key"),
    (CoinbaseCdpCredentials, {"key_name": "k", "private_key": 7}, "private_key"),
    (CoinbaseCdpCredentials, {"key_name": "k", "private_key": "AAAA"}, "private_key"),
]


@pytest.mark.parametrize(("cls", "fields", "field"), BAD)
def test_credentials_error_always_names_its_field(
    cls: type[Any], fields: dict[str, object], field: str
) -> None:
    with pytest.raises(CredentialsError) as info:
        cls(**fields)
    assert info.value.field == field
    assert str(info.value).startswith(field)
    for value in fields.values():
        if isinstance(value, str) and len(value) > 2:
            assert value not in str(info.value)


def test_credentials_error_survives_pickling_with_its_field() -> None:
    with pytest.raises(CredentialsError) as info:
        DeribitCredentials(client_id="id", client_secret="")
    copy_ = pickle.loads(pickle.dumps(info.value))
    assert (type(copy_), copy_.field, str(copy_)) == (
        CredentialsError,
        "client_secret",
        str(info.value),
    )
