"""API credentials for the three venues: immutable, validated when built, secrets redacted.

Every secret field is left out of ``repr``/``str``; the API key shows only its first four
characters. A bad value raises `CredentialsError` at construction (never at the first request),
with a message that names the field and never contains the value.

Example:
    >>> creds = CoinbaseExchangeCredentials(
    ...     api_key="abcd1234", api_secret="c2VjcmV0", passphrase="p4ss")
    >>> creds
    CoinbaseExchangeCredentials(api_key='abcd…')
    >>> CoinbaseExchangeCredentials(api_key="abcd1234", api_secret="", passphrase="p4ss")
    Traceback (most recent call last):
    ...
    venuekit._credentials.CredentialsError: api_secret: API secret is empty; pass the base64 secret shown at key creation
"""

from __future__ import annotations

from typing import Any

import attrs

from venuekit._signing import coinbase, loopring
from venuekit.errors import InvalidCredentials

__all__ = [
    "CoinbaseExchangeCredentials",
    "CoinbaseIntxCredentials",
    "CredentialsError",
    "LoopringCredentials",
]


class CredentialsError(InvalidCredentials):
    """Credentials are missing or malformed; the message names the field, never its value.

    A `venuekit.errors.InvalidCredentials` (so also an ``InvalidRequest`` and a ``ValueError``).
    """


def _mask(value: object) -> str:
    """Show the first four characters of an identifier, enough to tell keys apart."""
    text = value if isinstance(value, str) else ""
    return repr(text[:4] + "…") if len(text) >= 8 else "'…'"


def _header_safe(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    """Require a non-empty printable-ASCII string (the value travels in an HTTP header)."""
    name = attribute.name
    if not isinstance(value, str):
        raise CredentialsError(f"{name} must be a str, not {type(value).__name__}")
    if not value:
        raise CredentialsError(f"{name} is empty")
    if not (value.isascii() and value.isprintable()):
        raise CredentialsError(f"{name} must be printable ASCII (it is sent as an HTTP header)")


def _base64_secret(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    """Require a non-empty base64 secret."""
    try:
        coinbase.decode_secret(value)  # type: ignore[arg-type]  # validated inside
    except coinbase.InvalidSecretError as exc:
        raise CredentialsError(f"{attribute.name}: {exc}") from None


@attrs.frozen
class _CoinbaseCredentials:
    """Fields shared by the two Coinbase venues (same key format, different signing rules)."""

    api_key: str = attrs.field(validator=_header_safe, repr=_mask)
    api_secret: str = attrs.field(validator=_base64_secret, repr=False)
    passphrase: str = attrs.field(validator=_header_safe, repr=False)

    @property
    def secret_key(self) -> bytes:
        """The HMAC key: the base64-decoded ``api_secret``."""
        return coinbase.decode_secret(self.api_secret)


@attrs.frozen
class CoinbaseExchangeCredentials(_CoinbaseCredentials):
    """Coinbase Exchange API key, base64 secret and passphrase.

    Example:
        >>> CoinbaseExchangeCredentials(api_key="k" * 32, api_secret="c2VjcmV0", passphrase="p")
        CoinbaseExchangeCredentials(api_key='kkkk…')
    """


@attrs.frozen
class CoinbaseIntxCredentials(_CoinbaseCredentials):
    """Coinbase International Exchange (INTX) API key, base64 secret and passphrase.

    Example:
        >>> CoinbaseIntxCredentials(api_key="k" * 32, api_secret="c2VjcmV0", passphrase="p")
        CoinbaseIntxCredentials(api_key='kkkk…')
    """


def _private_key(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    try:
        loopring.parse_private_key(value)  # type: ignore[arg-type]  # validated inside
    except loopring.InvalidPrivateKeyError as exc:
        raise CredentialsError(f"{attribute.name}: {exc}") from None


def _account_id(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise CredentialsError("account_id must be a non-negative int")


@attrs.frozen
class LoopringCredentials:
    """Loopring API key, EdDSA private key (hex string or int) and account id.

    The private key is parsed and the public key derived once, at construction.

    Example:
        >>> creds = LoopringCredentials(api_key="k" * 64, eddsa_private_key="0x1234", account_id=1)
        >>> creds
        LoopringCredentials(api_key='kkkk…', account_id=1)
        >>> creds.private_key
        4660
    """

    api_key: str = attrs.field(validator=_header_safe, repr=_mask)
    eddsa_private_key: str | int = attrs.field(validator=_private_key, repr=False)
    account_id: int = attrs.field(validator=_account_id)
    _key: int = attrs.field(init=False, repr=False, eq=False)
    _public: tuple[int, int] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        key = loopring.parse_private_key(self.eddsa_private_key)
        object.__setattr__(self, "_key", key)
        object.__setattr__(self, "_public", loopring.public_key(key))

    @property
    def private_key(self) -> int:
        """The EdDSA private key as an int (``0 < k < L``)."""
        return self._key

    @property
    def public_key(self) -> tuple[int, int]:
        """The EdDSA public key ``(x, y)``, derived once."""
        return self._public
