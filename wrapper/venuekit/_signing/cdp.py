"""Coinbase CDP API-key JWTs (for ``public/auth`` at drb.coinbase.com), as pure functions.

The format is that of Coinbase's own client (coinbase-advanced-py ``jwt_generator.build_jwt``,
without the ``uri`` claim, which ``public/auth`` does not use), see ``shared/design/venues.md``:

1. `jwt_header`: ``{"alg": "EdDSA" | "ES256", "kid": <key name>, "nonce": <hex>, "typ": "JWT"}``.
2. `jwt_claims`: ``{"sub": <key name>, "iss": "cdp", "nbf": now, "exp": now + 120}`` (whole
   seconds; the lifetime is ``CDP_JWT_LIFETIME`` below).
3. `signing_input`: ``base64url(header) + "." + base64url(claims)``, compact JSON, no padding.
4. `sign`: Ed25519 (PyNaCl) over the signing input, or ECDSA P-256 with SHA-256
   (``cryptography``, the ``cdp-ecdsa`` extra) given as raw ``r || s`` (64 bytes, RFC 7518 3.4),
   not DER.
5. `build_jwt`: ``signing_input + "." + base64url(signature)``.

Key forms (`parse_private_key`): Ed25519 as base64 of 32 or 64 raw bytes (the first 32 are the
seed; the 64-byte form is libsodium's seed + public key); ECDSA as a PEM ``EC PRIVATE KEY`` on
P-256 (a JSON-escaped PEM with literal ``\\n`` is accepted too). Time and the nonce come in as
arguments; private keys travel as `venuekit._secret.Secret` and are revealed only inside the
signing expression.

Example:
    >>> import base64
    >>> key = CdpKey(key_name="organizations/o/apiKeys/k",
    ...              private_key=Secret(base64.b64encode(bytes(32)).decode()))
    >>> key.algorithm
    'EdDSA'
    >>> token = build_jwt(key, now=1700000000, nonce="00ff")
    >>> token.count("."), token.split(".")[0]
    (2, 'eyJhbGciOiJFZERTQSIsImtpZCI6Im9yZ2FuaXphdGlvbnMvby9hcGlLZXlzL2siLCJub25jZSI6IjAwZmYiLCJ0eXAiOiJKV1QifQ')
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from typing import Any, Final, Literal

import attrs

from venuekit._secret import Secret

__all__ = [
    "ECDSA_EXTRA",
    "Algorithm",
    "CdpKey",
    "InvalidCdpKeyError",
    "b64url",
    "build_jwt",
    "jwt_claims",
    "jwt_header",
    "parse_private_key",
    "sign",
    "signing_input",
]

#: Lifetime of a CDP JWT, seconds: ``exp = nbf + 120`` (coinbase-advanced-py ``build_jwt``).
CDP_JWT_LIFETIME: Final = 120

Algorithm = Literal["EdDSA", "ES256"]
#: The optional dependency set that ES256 keys need.
ECDSA_EXTRA = "cdp-ecdsa"

_NONCE = re.compile(r"[0-9a-f]{2,128}")


class InvalidCdpKeyError(ValueError):
    """The CDP private key is malformed or unusable; the message never contains the key."""


def b64url(data: bytes) -> str:
    """Base64url without padding (RFC 7515 section 2).

    Example:
        >>> b64url(b"\\xfb\\xff")
        '-_8'
    """
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _ecdsa_modules() -> Any:
    """Import ``cryptography`` lazily; ES256 keys are the only users."""
    try:
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec, utils
    except ImportError:
        raise InvalidCdpKeyError(
            "ES256 (EC PRIVATE KEY) CDP keys need the 'cryptography' package: "
            f"pip install 'venuekit[{ECDSA_EXTRA}]'"
        ) from None
    return hashes, serialization, ec, utils


def _load_pem(pem: Secret[str]) -> Any:
    _, serialization, _, _ = _ecdsa_modules()
    return serialization.load_pem_private_key(pem.reveal().encode("ascii"), password=None)


def parse_private_key(private_key: Secret[str]) -> tuple[Algorithm, Secret[bytes] | Secret[str]]:
    """Detect and check the key form: ``("EdDSA", seed)`` or ``("ES256", normalized PEM)``.

    Raises:
        InvalidCdpKeyError: neither form, a wrong length or curve, an encrypted PEM, or (ES256)
            ``cryptography`` is not installed.

    Example:
        >>> parse_private_key(Secret(base64.b64encode(bytes(64)).decode()))
        ('EdDSA', Secret('…'))
    """
    if not isinstance(private_key.reveal(), str) or not private_key.reveal().strip():
        raise InvalidCdpKeyError("private key is empty; pass the key shown at creation")
    if "-----BEGIN" in private_key.reveal():
        pem = Secret(private_key.reveal().strip().replace("\\n", "\n") + "\n")
        if not pem.reveal().isascii():
            raise InvalidCdpKeyError("PEM private key must be ASCII")
        _, _, ec, _ = _ecdsa_modules()
        try:
            curve = _load_pem(pem).curve
        except (ValueError, TypeError):
            raise InvalidCdpKeyError(
                "PEM private key could not be read (expected an unencrypted EC PRIVATE KEY)"
            ) from None
        except AttributeError:
            raise InvalidCdpKeyError(
                "PEM private key is not an EC key (ES256 needs P-256)"
            ) from None
        if not isinstance(curve, ec.SECP256R1):
            raise InvalidCdpKeyError("EC private key is not on P-256 (ES256 needs secp256r1)")
        return "ES256", pem
    try:
        length = len(base64.b64decode(private_key.reveal().strip(), validate=True))
    except (binascii.Error, ValueError):
        raise InvalidCdpKeyError(
            "private key is neither a PEM EC PRIVATE KEY nor base64 (Ed25519)"
        ) from None
    if length not in (32, 64):
        raise InvalidCdpKeyError(f"Ed25519 key must decode to 32 or 64 bytes, not {length}")
    return "EdDSA", Secret(base64.b64decode(private_key.reveal().strip(), validate=True)[:32])


@attrs.frozen(repr=False)
class CdpKey:
    """A CDP API key: its name and private key, form detected and checked when built.

    Example:
        >>> CdpKey(key_name="organizations/o/apiKeys/k", private_key=Secret("AAAA"))
        Traceback (most recent call last):
        ...
        venuekit._signing.cdp.InvalidCdpKeyError: Ed25519 key must decode to 32 or 64 bytes, not 3
    """

    key_name: str
    private_key: Secret[str]
    algorithm: Algorithm = attrs.field(init=False)
    material: Secret[bytes] | Secret[str] = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        algorithm, material = parse_private_key(self.private_key)
        object.__setattr__(self, "algorithm", algorithm)
        object.__setattr__(self, "material", material)

    def __repr__(self) -> str:
        return f"CdpKey(key_name={self.key_name!r}, algorithm={self.algorithm!r})"


def jwt_header(key: CdpKey, nonce: str) -> dict[str, str]:
    """The JOSE header: ``alg``, ``kid`` (the key name), ``nonce`` (hex), ``typ``.

    Example:
        >>> class K: algorithm, key_name = "ES256", "kn"
        >>> jwt_header(K(), "abcd")  # type: ignore[arg-type]
        {'alg': 'ES256', 'kid': 'kn', 'nonce': 'abcd', 'typ': 'JWT'}
    """
    if not isinstance(nonce, str) or not _NONCE.fullmatch(nonce):
        raise ValueError("nonce must be 2 to 128 lowercase hex digits")
    return {"alg": key.algorithm, "kid": key.key_name, "nonce": nonce, "typ": "JWT"}


def jwt_claims(key_name: str, now: float) -> dict[str, str | int]:
    """The claims: ``sub``, ``iss`` = ``"cdp"``, ``nbf`` = now, ``exp`` = now + 120 (seconds).

    Example:
        >>> jwt_claims("kn", 1700000000.9)
        {'sub': 'kn', 'iss': 'cdp', 'nbf': 1700000000, 'exp': 1700000120}
    """
    if not math.isfinite(now):
        raise ValueError("now must be a finite number of seconds")
    nbf = math.floor(now)
    return {"sub": key_name, "iss": "cdp", "nbf": nbf, "exp": nbf + CDP_JWT_LIFETIME}


def signing_input(header: dict[str, str], claims: dict[str, str | int]) -> bytes:
    """``base64url(header) + "." + base64url(claims)`` over compact JSON.

    Example:
        >>> signing_input({"a": "b"}, {"c": 1})
        b'eyJhIjoiYiJ9.eyJjIjoxfQ'
    """

    def part(value: dict[str, Any]) -> str:
        return b64url(json.dumps(value, separators=(",", ":"), ensure_ascii=True).encode("ascii"))

    return f"{part(header)}.{part(claims)}".encode("ascii")


def sign(key: CdpKey, data: bytes) -> bytes:
    """The JWS signature of ``data``: 64 bytes for both algorithms (ES256 as raw ``r || s``).

    Example:
        >>> k = CdpKey(key_name="k", private_key=Secret(base64.b64encode(bytes(32)).decode()))
        >>> len(sign(k, b"x"))
        64
    """
    if not isinstance(data, bytes):
        raise TypeError(f"data must be bytes, not {type(data).__name__}")
    if key.algorithm == "EdDSA":
        from nacl.signing import SigningKey

        return SigningKey(key.material.reveal()).sign(data).signature  # type: ignore[arg-type]
    hashes, _, ec, utils = _ecdsa_modules()
    r, s = utils.decode_dss_signature(
        _load_pem(key.material).sign(data, ec.ECDSA(hashes.SHA256()))  # type: ignore[arg-type]
    )
    return int(r).to_bytes(32, "big") + int(s).to_bytes(32, "big")


def build_jwt(key: CdpKey, *, now: float, nonce: str) -> str:
    """A compact JWS for ``public/auth``: header and claims as above, signed with ``key``.

    Example:
        >>> k = CdpKey(key_name="k", private_key=Secret(base64.b64encode(bytes(32)).decode()))
        >>> build_jwt(k, now=0, nonce="ab").split(".")[1]
        'eyJzdWIiOiJrIiwiaXNzIjoiY2RwIiwibmJmIjowLCJleHAiOjEyMH0'
    """
    data = signing_input(jwt_header(key, nonce), jwt_claims(key.key_name, now))
    return data.decode("ascii") + "." + b64url(sign(key, data))
