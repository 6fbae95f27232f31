"""Loopring v3 API request signature (``X-API-SIG``), as pure functions.

The steps follow Loopring's "API request signature" docs and ``shared/design/loopring-eddsa.md``:

1. ``signature_base(method, url, params)``:
   ``METHOD & pct(url) & pct(PARAMS)``, where ``PARAMS = k1=pct(v1)&k2=pct(v2)...`` with the
   pairs sorted by key, and ``url`` is ``scheme://host[:port]/path`` with no query.
2. ``message(base)``: ``int(sha256(base)) mod Q``.
3. ``sign(private_key, message)``: EdDSA on Baby JubJub with Poseidon, giving
   ``"0x" + hex64(R.x) + hex64(R.y) + hex64(S)``.

Encoding rule (the venues' sources disagree for characters outside the unreserved set; the live
server's rule is not public). We follow the official Python reference (hello_loopring
``UrlEddsaSignHelper``) and the written docs: ``pct(s)`` is ``urllib.parse.quote(s, safe="")``,
i.e. UTF-8, then every byte except ``A-Z a-z 0-9 - _ . ~`` becomes ``%XX`` (a space is ``%20``,
never ``+``). Each key and value is encoded once inside ``PARAMS`` and the whole ``PARAMS``
string is encoded again in the base, so a comma in a value ends up as ``%252C`` and a space as
``%2520``. Keys are encoded too, as the docs say (hello_loopring leaves them alone; real keys are
plain ASCII identifiers, so both give the same bytes). Account ids and order hashes only use
unreserved characters and are never affected.

Example:
    >>> base = signature_base(method="DELETE", url="https://api3.loopring.io/api/v3/order",
    ...                       params=[("orderHash", "0xab"), ("accountId", "1")])
    >>> base
    'DELETE&https%3A%2F%2Fapi3.loopring.io%2Fapi%2Fv3%2Forder&accountId%3D1%26orderHash%3D0xab'
    >>> sig = sign(1, message(base))
    >>> verify(public_key(1), message(base), sig)
    True
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from urllib.parse import quote

from venuekit._secret import Secret
from venuekit._signing import _babyjubjub as bj
from venuekit._signing._poseidon import poseidon

__all__ = [
    "InvalidPrivateKeyError",
    "Nonce",
    "SignatureParts",
    "message",
    "nonce",
    "parse_private_key",
    "public_key",
    "sign",
    "signature_base",
    "signature_parts",
    "verify",
]

_HEX_KEY = re.compile(r"(?:0[xX])?([0-9a-fA-F]+)")
_HEX_SIGNATURE = re.compile(r"0[xX][0-9a-fA-F]{192}")

Nonce = int
"""The deterministic EdDSA nonce ``r``."""
SignatureParts = tuple[int, int, int]
"""``(R.x, R.y, S)``."""


class InvalidPrivateKeyError(ValueError):
    """The EdDSA private key is malformed or out of range; the message never contains the key."""


def parse_private_key(value: str | int) -> int:
    """Parse an EdDSA private key given as hex (with or without ``0x``) or as an int.

    Raises:
        InvalidPrivateKeyError: not hex / not an int, or outside ``0 < k < L``.

    Example:
        >>> parse_private_key("0x1234"), parse_private_key("1234"), parse_private_key(7)
        (4660, 4660, 7)
    """
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InvalidPrivateKeyError("EdDSA private key must be a hex string or an int")
    if isinstance(value, str):
        match = _HEX_KEY.fullmatch(value)
        if match is None:
            raise InvalidPrivateKeyError(
                "EdDSA private key must be hexadecimal, optionally prefixed with 0x"
            )
        value = int(match.group(1), 16)
    if not 0 < value < bj.L_ORDER:
        raise InvalidPrivateKeyError(
            "EdDSA private key is out of range: it must satisfy 0 < key < L (Baby JubJub subgroup order)"
        )
    return value


def public_key(private_key: int) -> tuple[int, int]:
    """Derive the public key ``A = k*B`` (affine ``(x, y)``).

    Example:
        >>> public_key(1) == bj.B
        True
    """
    return bj.to_affine(bj.base_mul(private_key))


def signature_base(*, method: str, url: str, params: Sequence[tuple[str, str]]) -> str:
    """Build the signature base ``METHOD&pct(url)&pct(PARAMS)`` (keys sorted, see module doc).

    ``url`` is ``scheme://host[:port]/path`` as called, without query string; ``params`` are the
    query parameters exactly as sent (decoded values), in any order.

    Example:
        >>> signature_base(method="get", url="https://x.io/p", params=[("b", "a b"), ("a", "1")])
        'GET&https%3A%2F%2Fx.io%2Fp&a%3D1%26b%3Da%2520b'
    """
    if "?" in url or "#" in url:
        raise ValueError("url must not contain a query or fragment; pass them as params")
    pairs = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in sorted(params))
    return f"{method.upper()}&{quote(url, safe='')}&{quote(pairs, safe='')}"


def message(base: str) -> int:
    """Hash the signature base to the message ``M = sha256(base) mod Q``."""
    return int.from_bytes(hashlib.sha256(base.encode()).digest(), "big") % bj.Q


def _as_secret(private_key: int | Secret[int]) -> Secret[int]:
    return private_key if isinstance(private_key, Secret) else Secret(private_key)


def nonce(private_key: int | Secret[int], message: int) -> Nonce:
    """Derive the nonce ``r = sha512(le32(k) || le32(M)) (little-endian) mod L``.

    The nonce is as secret as the key (``k = (S - r) / t``): `signature_parts` wraps it in a
    `Secret` straight away, and nothing here binds it to a name.
    """
    return (
        int.from_bytes(
            hashlib.sha512(
                _as_secret(private_key).reveal().to_bytes(32, "little")
                + message.to_bytes(32, "little")
            ).digest(),
            "little",
        )
        % bj.L_ORDER
    )


def signature_parts(
    private_key: int | Secret[int], message: int, public: tuple[int, int] | None = None
) -> SignatureParts:
    """Compute ``(R.x, R.y, S)``; pass the cached ``public`` key to skip deriving it.

    The key and the nonce stay `Secret` in this frame (revealed only inside expressions).
    """
    key = _as_secret(private_key)
    ax, ay = public if public is not None else public_key(key.reveal())
    r = Secret(nonce(key, message))
    rx, ry = bj.to_affine(bj.base_mul(r.reveal()))
    t = poseidon([rx, ry, ax, ay, message])
    return rx, ry, (r.reveal() + key.reveal() * t) % bj.E_ORDER


def sign(
    private_key: int | Secret[int], message: int, *, public: tuple[int, int] | None = None
) -> str:
    """Sign ``message``: ``"0x" + hex64(R.x) + hex64(R.y) + hex64(S)`` (194 characters).

    Example:
        >>> len(sign(1, 42))
        194
    """
    rx, ry, s = signature_parts(private_key, message, public)
    return f"0x{rx:064x}{ry:064x}{s:064x}"


def verify(public_key: tuple[int, int], message: int, signature: str) -> bool:
    """Check ``S*B == R + t*A``; ``False`` for any malformed signature or key, never raises.

    Example:
        >>> verify(public_key(5), 7, sign(5, 7)), verify(public_key(5), 8, sign(5, 7))
        (True, False)
    """
    if not isinstance(signature, str) or _HEX_SIGNATURE.fullmatch(signature) is None:
        return False
    body = signature[2:]
    r_point = (int(body[:64], 16), int(body[64:128], 16))
    s = int(body[128:], 16)
    if not (0 <= message < bj.Q and s < bj.E_ORDER):
        return False
    if not (bj.is_on_curve(r_point) and bj.is_on_curve(public_key)):
        return False
    t = poseidon([r_point[0], r_point[1], public_key[0], public_key[1], message])
    right = bj.add(_extended(r_point), bj.mul(public_key, t))
    return bj.equal(bj.base_mul(s), right)


def _extended(point: tuple[int, int]) -> bj.ExtendedPoint:
    x, y = point
    return x, y, 1, x * y % bj.Q
