"""CDP JWTs: venuekit's token verified by an independent implementation (cryptography)."""

from __future__ import annotations

import base64
import builtins
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from venuekit._credentials import CoinbaseCdpCredentials, CredentialsError
from venuekit._secret import Secret
from venuekit._signing import cdp

# Test-only keys, generated once (see the file's "_note"); never registered anywhere.
KEYS = json.loads((Path(__file__).parents[1] / "data" / "cdp_test_keys.json").read_text())
ED, EC = KEYS["ed25519"], KEYS["es256"]


def _b64url_decode(text: str) -> bytes:
    assert "=" not in text  # no padding
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def verify_independently(token: str, key: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Check a compact JWS with `cryptography` alone; return (header, claims)."""
    header_b64, claims_b64, sig_b64 = token.split(".")
    signed = f"{header_b64}.{claims_b64}".encode()
    signature = _b64url_decode(sig_b64)
    header = json.loads(_b64url_decode(header_b64))
    if header["alg"] == "EdDSA":
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(key["public_key_b64"]))
        public.verify(signature, signed)
    else:
        assert header["alg"] == "ES256"
        assert len(signature) == 64  # raw r || s, not DER
        r = int.from_bytes(signature[:32], "big")
        s = int.from_bytes(signature[32:], "big")
        loaded = serialization.load_pem_public_key(key["public_key_pem"].encode())
        assert isinstance(loaded, ec.EllipticCurvePublicKey)
        loaded.verify(encode_dss_signature(r, s), signed, ec.ECDSA(hashes.SHA256()))
    return header, json.loads(_b64url_decode(claims_b64))


@pytest.mark.parametrize(("key", "alg"), [(ED, "EdDSA"), (EC, "ES256")], ids=["ed25519", "es256"])
def test_jwt_verifies_with_an_independent_implementation(key: dict[str, str], alg: str) -> None:
    creds = CoinbaseCdpCredentials(key_name=key["key_name"], private_key=key["private_key"])
    assert creds.algorithm == alg
    token = cdp.build_jwt(creds.key, now=1700000000.75, nonce="0123456789abcdef")
    header, claims = verify_independently(token, key)
    assert header == {"alg": alg, "kid": key["key_name"], "nonce": "0123456789abcdef", "typ": "JWT"}
    assert claims == {"sub": key["key_name"], "iss": "cdp", "nbf": 1700000000, "exp": 1700000120}
    assert "uri" not in claims
    # A changed claim no longer verifies: the check above can fail.
    h, _, s = token.split(".")
    forged_claims = cdp.b64url(json.dumps({**claims, "exp": 1800000000}).encode())
    with pytest.raises(InvalidSignature):
        verify_independently(f"{h}.{forged_claims}.{s}", key)


def test_ed25519_32_byte_seed_signs_like_the_64_byte_form() -> None:
    seed = base64.b64decode(ED["private_key"])[:32]
    short = CoinbaseCdpCredentials(key_name="k", private_key=base64.b64encode(seed).decode())
    long = CoinbaseCdpCredentials(key_name="k", private_key=ED["private_key"])
    # Ed25519 is deterministic: same seed, same input -> same signature.
    assert cdp.build_jwt(short.key, now=1, nonce="aa") == cdp.build_jwt(long.key, now=1, nonce="aa")
    verify_independently(cdp.build_jwt(short.key, now=1, nonce="aa"), ED)


def test_pem_with_escaped_newlines_is_accepted() -> None:
    escaped = EC["private_key"].strip().replace("\n", "\\n")
    creds = CoinbaseCdpCredentials(key_name=EC["key_name"], private_key=escaped)
    verify_independently(cdp.build_jwt(creds.key, now=5, nonce="ab"), EC)


@pytest.mark.parametrize(
    ("private_key", "message"),
    [
        ("", "private key is empty"),
        ("not base64 !", "neither a PEM EC PRIVATE KEY nor base64"),
        (base64.b64encode(bytes(31)).decode(), "32 or 64 bytes, not 31"),
        (base64.b64encode(bytes(48)).decode(), "32 or 64 bytes, not 48"),
        (KEYS["p384_not_es256"]["private_key"], "not on P-256"),
        ("-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----", "could not be read"),
    ],
)
def test_bad_keys_are_refused_at_construction(private_key: str, message: str) -> None:
    with pytest.raises(CredentialsError, match=message) as info:
        CoinbaseCdpCredentials(key_name="organizations/o/apiKeys/k", private_key=private_key)
    assert info.value.field == "private_key"
    if len(private_key) > 8:
        assert private_key not in str(info.value)


def test_es256_without_cryptography_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_cryptography(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("cryptography"):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_cryptography)
    with pytest.raises(CredentialsError, match=r"venuekit\[cdp-ecdsa\]") as info:
        CoinbaseCdpCredentials(key_name=EC["key_name"], private_key=EC["private_key"])
    assert info.value.field == "private_key"
    # Ed25519 keys do not need it.
    CoinbaseCdpCredentials(key_name=ED["key_name"], private_key=ED["private_key"])


def test_header_nonce_and_time_are_checked() -> None:
    key = CoinbaseCdpCredentials(key_name="k", private_key=ED["private_key"]).key
    for nonce in ("", "XYZ", "a" * 129):
        with pytest.raises(ValueError, match="hex"):
            cdp.build_jwt(key, now=1, nonce=nonce)
    with pytest.raises(ValueError, match="finite"):
        cdp.build_jwt(key, now=float("inf"), nonce="ab")
    assert repr(key) == "CdpKey(key_name='k', algorithm='EdDSA')"
    assert isinstance(key.material, Secret)
