"""The sandbox's public, fake credentials as the CLI reads them (``VENUEKIT_*`` variables), and
every value a CLI test must never find in the CLI's output.

Example: ``monkeypatch.setenv(name, value) for name, value in CLI_ENV.items()``
"""

from __future__ import annotations

from venuekit.sandbox import DEFAULT_CREDENTIALS as C

__all__ = ["CLI_ENV", "SECRETS"]

CLI_ENV = {
    "VENUEKIT_COINBASE_EXCHANGE_API_KEY": C.exchange.api_key,
    "VENUEKIT_COINBASE_EXCHANGE_API_SECRET": C.exchange.api_secret,
    "VENUEKIT_COINBASE_EXCHANGE_PASSPHRASE": C.exchange.passphrase,
    "VENUEKIT_COINBASE_INTX_API_KEY": C.intx.api_key,
    "VENUEKIT_COINBASE_INTX_API_SECRET": C.intx.api_secret,
    "VENUEKIT_COINBASE_INTX_PASSPHRASE": C.intx.passphrase,
    "VENUEKIT_LOOPRING_API_KEY": C.loopring.api_key,
    "VENUEKIT_LOOPRING_EDDSA_PRIVATE_KEY": C.loopring.eddsa_private_key,
    "VENUEKIT_LOOPRING_ACCOUNT_ID": str(C.loopring.account_id),
}
SECRETS = [
    C.exchange.api_secret,
    C.exchange.passphrase,
    C.intx.api_secret,
    C.intx.passphrase,
    C.loopring.eddsa_private_key,
    C.loopring.eddsa_private_key.removeprefix("0x"),
    str(int(C.loopring.eddsa_private_key, 16)),
    C.exchange.api_key,
    C.intx.api_key,
    C.loopring.api_key,
]
