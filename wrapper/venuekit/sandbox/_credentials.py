"""The fixed, public, fake credentials the sandbox accepts.

These values are published on purpose: demos, tests and cassette scrub tests use them. They are
valid nowhere but in `venuekit.sandbox`; every API key contains ``sandbox`` so a leak scanner and a
reader both recognise them at a glance.

Field names match the constructors in `venuekit._credentials`, and each account has a
``credentials()`` method that builds the SDK object, so a demo reads like user code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import attrs

if TYPE_CHECKING:
    from venuekit._credentials import (
        CoinbaseCdpCredentials,
        CoinbaseExchangeCredentials,
        CoinbaseIntxCredentials,
        DeribitCredentials,
        LoopringCredentials,
    )

__all__ = [
    "DEFAULT_CREDENTIALS",
    "CdpAccount",
    "CdpKey",
    "DeribitAccount",
    "ExchangeAccount",
    "IntxAccount",
    "LoopringAccount",
    "SandboxCredentials",
]


@attrs.frozen
class ExchangeAccount:
    """A Coinbase Exchange API key of the sandbox and the profile it trades for."""

    api_key: str
    api_secret: str = attrs.field(repr=False)
    passphrase: str = attrs.field(repr=False)
    profile_id: str

    def credentials(self) -> CoinbaseExchangeCredentials:
        """Return these values as the SDK's `CoinbaseExchangeCredentials`."""
        from venuekit._credentials import CoinbaseExchangeCredentials

        return CoinbaseExchangeCredentials(
            api_key=self.api_key, api_secret=self.api_secret, passphrase=self.passphrase
        )


@attrs.frozen
class IntxAccount:
    """A Coinbase INTX API key of the sandbox and its portfolio (UUID and id).

    ``portfolio_id`` takes the venue's form (``1wp37qsc-1-0``) or a numeric id (an int is kept
    as its decimal string); requests may name the portfolio by either UUID or id.
    """

    api_key: str
    api_secret: str = attrs.field(repr=False)
    passphrase: str = attrs.field(repr=False)
    portfolio_uuid: str
    portfolio_id: str = attrs.field(converter=str)

    def credentials(self) -> CoinbaseIntxCredentials:
        """Return these values as the SDK's `CoinbaseIntxCredentials`."""
        from venuekit._credentials import CoinbaseIntxCredentials

        return CoinbaseIntxCredentials(
            api_key=self.api_key, api_secret=self.api_secret, passphrase=self.passphrase
        )


@attrs.frozen
class LoopringAccount:
    """A Loopring account of the sandbox: account id, API key and EdDSA private key (hex)."""

    api_key: str
    eddsa_private_key: str = attrs.field(repr=False)
    account_id: int

    def credentials(self) -> LoopringCredentials:
        """Return these values as the SDK's `LoopringCredentials`."""
        from venuekit._credentials import LoopringCredentials

        return LoopringCredentials(
            api_key=self.api_key,
            eddsa_private_key=self.eddsa_private_key,
            account_id=self.account_id,
        )


@attrs.frozen
class DeribitAccount:
    """A Deribit API key (client id and secret) of the sandbox and the account it belongs to.

    ``user_id`` keys the account's orders and its rate-limit bucket; ``trade_scope`` is the
    key's ``trade:`` access (``read_write`` may cancel; ``read``/``none`` get 13021).
    """

    client_id: str
    client_secret: str = attrs.field(repr=False)
    user_id: int
    username: str
    trade_scope: Literal["read_write", "read", "none"] = "read_write"

    def credentials(self) -> DeribitCredentials:
        """The SDK credentials for this key (``Client(deribit=...)``)."""
        from venuekit._credentials import DeribitCredentials

        return DeribitCredentials(client_id=self.client_id, client_secret=self.client_secret)


@attrs.frozen
class CdpKey:
    """A Coinbase CDP API key: ``organizations/{org}/apiKeys/{id}`` and its private key.

    ``private_key`` is base64 of 32 or 64 raw Ed25519 bytes (``algorithm`` ``EdDSA``) or a P-256
    ``EC PRIVATE KEY`` PEM (``ES256``), the two forms Coinbase issues.
    """

    key_name: str
    private_key: str = attrs.field(repr=False)
    algorithm: Literal["EdDSA", "ES256"]

    def credentials(self) -> CoinbaseCdpCredentials:
        """The SDK credentials for this key (``Client(deribit=...)`` through the gateway)."""
        from venuekit._credentials import CoinbaseCdpCredentials

        return CoinbaseCdpCredentials(key_name=self.key_name, private_key=self.private_key)


@attrs.frozen
class CdpAccount:
    """The account the Coinbase gateway (drb.coinbase.com) keys trade for: a Deribit subaccount.

    Both CDP keys (Ed25519 and ES256) authenticate the same subaccount; its orders are separate
    from the main account's (a token of one never cancels the other's orders).
    """

    ed25519: CdpKey
    es256: CdpKey
    user_id: int
    username: str

    def all_keys(self) -> tuple[CdpKey, ...]:
        """Return both keys, Ed25519 first."""
        return (self.ed25519, self.es256)


#: The sandbox's Deribit main account key (public, fake).
_DERIBIT_ACCOUNT = DeribitAccount(
    client_id="sandboxDrbt",
    client_secret="sandbox-deribit-secret-FAKE-not-a-real-key",  # noqa: S106 - public fake
    user_id=100001,
    username="venuekit_sandbox",
)

#: The sandbox's Coinbase gateway subaccount and its two CDP keys (public, fake, test-only).
_CDP_ACCOUNT = CdpAccount(
    ed25519=CdpKey(
        key_name="organizations/5a4db0c0-0000-4000-8000-0000000c0de0/apiKeys/"
        "5a4db0c0-0000-4000-8000-0000000ed255",
        # seed = sha256(b"venuekit sandbox cdp ed25519 key (public, fake)"), then the public key
        private_key="lPmlGoVZ2qIcpBx/CaMz8VhEBj/luuRx3Qe+E/h6MHrVVUcWTrQx2cFufeMjDFfOQUBGgpTnO4KEho9WH6qpJA==",
        algorithm="EdDSA",
    ),
    es256=CdpKey(
        key_name="organizations/5a4db0c0-0000-4000-8000-0000000c0de0/apiKeys/"
        "5a4db0c0-0000-4000-8000-0000000e5256",
        # d = sha256(b"venuekit sandbox cdp p-256 key (public, fake)") mod n
        private_key=(
            "-----BEGIN EC PRIVATE KEY-----\n"
            "MHcCAQEEICiwzvXa7iBVGbg11UPJvRo5iaiuEkG0LQLfBzm+ftBVoAoGCCqGSM49\n"
            "AwEHoUQDQgAEWNelPdXgnf6d7rsRWN/xdkstci+R194TeOmvAY8L68tXGiIfXnTU\n"
            "cd9I7fDrFtaJfSEyAwjIo393eHJVAxSoog==\n"
            "-----END EC PRIVATE KEY-----\n"
        ),
        algorithm="ES256",
    ),
    user_id=100002,
    username="venuekit_sandbox_gateway",
)


@attrs.frozen
class SandboxCredentials:
    """One account per venue: what a sandbox accepts.

    Deribit has two: the main account's Deribit key (``deribit``) and the subaccount of the
    Coinbase gateway's CDP keys (``cdp``).
    """

    exchange: ExchangeAccount
    intx: IntxAccount
    loopring: LoopringAccount
    deribit: DeribitAccount = _DERIBIT_ACCOUNT
    cdp: CdpAccount = _CDP_ACCOUNT


#: The sandbox's own credentials: public, fake, accepted only by `venuekit.sandbox`.
DEFAULT_CREDENTIALS = SandboxCredentials(
    exchange=ExchangeAccount(
        api_key="sandbox-exchange-key-0000000000000001",
        # base64 of b"venuekit-sandbox-exchange-secret-FAKE-not-a-real-key"
        api_secret="dmVudWVraXQtc2FuZGJveC1leGNoYW5nZS1zZWNyZXQtRkFLRS1ub3QtYS1yZWFsLWtleQ==",  # noqa: S106 - public fake
        passphrase="sandbox-exchange-passphrase",  # noqa: S106 - public fake
        profile_id="5a4db0c0-0000-4000-8000-000000000001",
    ),
    intx=IntxAccount(
        api_key="sandbox-intx-key-0000000000000001",
        # base64 of b"venuekit-sandbox-intx-secret-FAKE-not-a-real-key"
        api_secret="dmVudWVraXQtc2FuZGJveC1pbnR4LXNlY3JldC1GQUtFLW5vdC1hLXJlYWwta2V5",  # noqa: S106 - public fake
        passphrase="sandbox-intx-passphrase",  # noqa: S106 - public fake
        portfolio_uuid="5a4db0c0-0000-4000-8000-00000000a001",
        portfolio_id="sbxa0001-1-0",
    ),
    loopring=LoopringAccount(
        api_key="sandboxLoopringApiKeyFAKEnotARealKey0000000000000000000000000001",
        # sha256(b"venuekit sandbox loopring eddsa key (public, fake)") mod L
        eddsa_private_key="0x03eb3c3d08c2fb8a893b9628caf5c4a2c9a8752a436b6591caac74146bb39249",
        account_id=10001,
    ),
)
