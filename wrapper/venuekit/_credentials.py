"""API credentials for the venues: immutable, validated when built, secrets held as `Secret`.

Every secret field (API secret, passphrase, EdDSA key, client secret, CDP private key) is stored
as a `venuekit._secret.Secret` (constructors still take plain ``str``), so it is left out of
``repr``/``str``/format/pickle and out of traceback frame locals; the API key shows only its first
four characters. A bad value raises `CredentialsError` at construction (never at the first
request), with ``field`` set and a message that names the field and never contains the value.
``redaction_values()`` lists what an error message must never show.

Example:
    >>> creds = CoinbaseExchangeCredentials(
    ...     api_key="abcd1234", api_secret="c2VjcmV0", passphrase="p4ss")
    >>> creds
    CoinbaseExchangeCredentials(api_key='abcd…')
    >>> creds.passphrase
    Secret('…')
    >>> CoinbaseExchangeCredentials(api_key="abcd1234", api_secret="", passphrase="p4ss")
    Traceback (most recent call last):
    ...
    venuekit._credentials.CredentialsError: api_secret: API secret is empty; pass the base64 secret shown at key creation
"""

from __future__ import annotations

from typing import Any

import attrs

from venuekit._secret import Secret
from venuekit._signing import cdp, coinbase, deribit, loopring
from venuekit.errors import InvalidCredentials

__all__ = [
    "CoinbaseCdpCredentials",
    "CoinbaseExchangeCredentials",
    "CoinbaseIntxCredentials",
    "CredentialsError",
    "DeribitCredentials",
    "LoopringCredentials",
]


class CredentialsError(InvalidCredentials):
    """Credentials are missing or malformed; ``field`` and the message name the field, never its value.

    A `venuekit.errors.InvalidCredentials` (so also an ``InvalidRequest`` and a ``ValueError``).
    ``field`` is required, so it is never ``None``.
    """

    field: str

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message, field=field)


def _fail(field: str, message: str) -> CredentialsError:
    return CredentialsError(message, field=field)  # one place that builds them: field always set


def _mask(value: object) -> str:
    """Show the first four characters of an identifier, enough to tell keys apart."""
    text = value if isinstance(value, str) else ""
    return repr(text[:4] + "…") if len(text) >= 8 else "'…'"


def _secret(value: object) -> Any:
    """Wrap a plain value in a `Secret` (a wrong type is left for the field's validator)."""
    if isinstance(value, str | int) and not isinstance(value, bool):
        return Secret(value)
    return value


def _secret_str(value: str | Secret[str]) -> Secret[str]:
    return _secret(value)  # type: ignore[no-any-return]


def _secret_key(value: str | int | Secret[str] | Secret[int]) -> Secret[str] | Secret[int]:
    return _secret(value)  # type: ignore[no-any-return]


def _plain(value: object) -> object:
    """The value a validator checks: a `Secret`'s content, or the value itself."""
    return value.reveal() if isinstance(value, Secret) else value


def _plain_type(value: object) -> str:
    return type(_plain(value)).__name__


def _check_header_safe(name: str, value: object) -> None:
    """Require a non-empty printable-ASCII string (the value travels in an HTTP header)."""
    text = _plain(value)
    if not isinstance(value, Secret | str) or not isinstance(text, str):
        raise _fail(name, f"{name} must be a str, not {_plain_type(value)}")
    text_ok = _printable(text)
    if text_ok is None:
        raise _fail(name, f"{name} is empty")
    if not text_ok:
        raise _fail(name, f"{name} must be printable ASCII (it is sent as an HTTP header)")


def _printable(text: str) -> bool | None:
    return None if not text else text.isascii() and text.isprintable()


def _header_safe(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    _check_header_safe(attribute.name, value)


def _base64_secret(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    """Require a non-empty base64 secret."""
    try:
        coinbase.decode_secret(_plain(value))  # type: ignore[arg-type]
    except coinbase.InvalidSecretError as exc:
        raise _fail(attribute.name, f"{attribute.name}: {exc}") from None


@attrs.frozen
class _CoinbaseCredentials:
    """Fields shared by the two Coinbase venues (same key format, different signing rules)."""

    api_key: str = attrs.field(validator=_header_safe, repr=_mask)
    api_secret: Secret[str] = attrs.field(
        converter=_secret_str, validator=_base64_secret, repr=False
    )
    passphrase: Secret[str] = attrs.field(converter=_secret_str, validator=_header_safe, repr=False)
    _key: Secret[bytes] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_key", Secret(coinbase.decode_secret(self.api_secret.reveal())))

    @property
    def secret_key(self) -> Secret[bytes]:
        """The HMAC key: the base64-decoded ``api_secret``, as a `Secret`."""
        return self._key

    def redaction_values(self) -> tuple[Secret[str], ...]:
        """What an error message must never show: API key, API secret, passphrase.

        Example:
            >>> CoinbaseExchangeCredentials(
            ...     api_key="key", api_secret="c2VjcmV0", passphrase="pas").redaction_values()
            (Secret('…'), Secret('…'), Secret('…'))
        """
        return (Secret(self.api_key), self.api_secret, self.passphrase)


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
        loopring.parse_private_key(_plain(value))  # type: ignore[arg-type]
    except loopring.InvalidPrivateKeyError as exc:
        raise _fail(attribute.name, f"{attribute.name}: {exc}") from None


def _account_id(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _fail(attribute.name, "account_id must be a non-negative int")


@attrs.frozen
class LoopringCredentials:
    """Loopring API key, EdDSA private key (hex string or int) and account id.

    The private key is parsed and the public key derived once, at construction.

    Example:
        >>> creds = LoopringCredentials(api_key="k" * 64, eddsa_private_key="0x1234", account_id=1)
        >>> creds
        LoopringCredentials(api_key='kkkk…', account_id=1)
        >>> creds.private_key, creds.private_key.reveal()
        (Secret('…'), 4660)
    """

    api_key: str = attrs.field(validator=_header_safe, repr=_mask)
    eddsa_private_key: Secret[str] | Secret[int] = attrs.field(
        converter=_secret_key, validator=_private_key, repr=False
    )
    account_id: int = attrs.field(validator=_account_id)
    _key: Secret[int] = attrs.field(init=False, repr=False, eq=False)
    _public: tuple[int, int] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(
            self, "_key", Secret(loopring.parse_private_key(self.eddsa_private_key.reveal()))
        )
        object.__setattr__(self, "_public", loopring.public_key(self._key.reveal()))

    @property
    def private_key(self) -> Secret[int]:
        """The EdDSA private key as a `Secret` int (``0 < k < L``)."""
        return self._key

    @property
    def public_key(self) -> tuple[int, int]:
        """The EdDSA public key ``(x, y)``, derived once."""
        return self._public

    def redaction_values(self) -> tuple[Secret[str], ...]:
        """What an error message must never show: the API key and every text form of the key.

        Example:
            >>> len(LoopringCredentials(
            ...     api_key="k", eddsa_private_key="0x1234", account_id=1).redaction_values())
            7
        """
        return (
            Secret(self.api_key),
            Secret(str(self.eddsa_private_key.reveal())),
            Secret(f"{self._key.reveal():x}"),
            Secret(f"{self._key.reveal():064x}"),
            Secret(str(self._key.reveal())),
            Secret(f"0x{self._key.reveal():064x}"),
            Secret(hex(self._key.reveal())),
        )


def _client_id(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    _check_header_safe(attribute.name, value)
    if not deribit.HEADER_TOKEN.fullmatch(str(value)):
        raise _fail(attribute.name, "client_id must not contain spaces, commas, '=' or quotes")


@attrs.frozen
class DeribitCredentials:
    """Deribit API key: client id and client secret (signed per request, ``deri-hmac-sha256``).

    Example:
        >>> creds = DeribitCredentials(client_id="AMANDA01", client_secret="AMANDASECRECT")
        >>> creds
        DeribitCredentials(client_id='AMAN…')
        >>> creds.client_secret
        Secret('…')
    """

    client_id: str = attrs.field(validator=_client_id, repr=_mask)
    client_secret: Secret[str] = attrs.field(
        converter=_secret_str, validator=_header_safe, repr=False
    )

    def redaction_values(self) -> tuple[Secret[str], ...]:
        """What an error message must never show: client id and client secret.

        Example:
            >>> len(DeribitCredentials(client_id="id", client_secret="s").redaction_values())
            2
        """
        return (Secret(self.client_id), self.client_secret)


def _cdp_private_key(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Secret) or not isinstance(value.reveal(), str):
        raise _fail(attribute.name, f"{attribute.name} must be a str, not {_plain_type(value)}")


@attrs.frozen
class CoinbaseCdpCredentials:
    """Coinbase CDP API key (Deribit through drb.coinbase.com): key name and private key.

    ``private_key`` is an Ed25519 key as base64 of 32 or 64 bytes, or an ECDSA P-256 PEM
    ``EC PRIVATE KEY`` (that form needs the ``venuekit[cdp-ecdsa]`` extra). The form is detected
    and checked at construction.

    Example:
        >>> creds = CoinbaseCdpCredentials(
        ...     key_name="organizations/o/apiKeys/k", private_key="A" * 43 + "=")
        >>> creds, creds.algorithm
        (CoinbaseCdpCredentials(key_name='orga…'), 'EdDSA')
    """

    key_name: str = attrs.field(validator=_header_safe, repr=_mask)
    private_key: Secret[str] = attrs.field(
        converter=_secret_str, validator=_cdp_private_key, repr=False
    )
    _key: cdp.CdpKey = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        try:
            key = cdp.CdpKey(key_name=self.key_name, private_key=self.private_key)
        except cdp.InvalidCdpKeyError as exc:
            raise _fail("private_key", f"private_key: {exc}") from None
        object.__setattr__(self, "_key", key)

    @property
    def key(self) -> cdp.CdpKey:
        """The parsed key that `venuekit._signing.cdp.build_jwt` signs with."""
        return self._key

    @property
    def algorithm(self) -> cdp.Algorithm:
        """``"EdDSA"`` or ``"ES256"``, from the key's form."""
        return self._key.algorithm

    def redaction_values(self) -> tuple[Secret[str], ...]:
        """What an error message must never show: key name, private key, and its PEM lines.

        Example:
            >>> len(CoinbaseCdpCredentials(key_name="k", private_key="A" * 43 + "=")
            ...     .redaction_values())
            4
        """
        return (
            Secret(self.key_name),
            self.private_key,
            Secret(self.private_key.reveal().strip()),
            *(
                Secret(line.strip())
                for line in self.private_key.reveal().replace("\\n", "\n").splitlines()
                if len(line.strip()) >= 16
            ),
        )
