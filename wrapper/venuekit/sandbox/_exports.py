"""Serving the sandbox for a person: seeded orders, faults from text, ``export`` lines to paste.

`serve_with_exports` is what ``venuekit sandbox`` calls: it builds the config from the number of
orders per venue and fault settings written as ``VENUE.FIELD=VALUE`` (`parse_faults`), serves,
and prints the ``export VENUEKIT_...`` lines (base URL and credentials per venue) a user pastes
into another shell, followed by the seeded orders as ``#`` comments (so pasting everything is
harmless).
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Iterable, Mapping
from typing import TextIO

import attrs

from venuekit.sandbox._config import Faults, SandboxConfig
from venuekit.sandbox._protocol import ServerLimits
from venuekit.sandbox._server import RunningSandbox, serve

__all__ = ["banner_lines", "export_lines", "parse_faults", "serve_with_exports"]

#: The SDK's venue names (``Venue`` values) for the sandbox's own short names.
_SDK_NAMES = {"exchange": "coinbase_exchange", "intx": "coinbase_intx", "loopring": "loopring"}
_SHORT_NAMES = {sdk: short for short, sdk in _SDK_NAMES.items()}


def _fault_venues() -> tuple[str, ...]:
    """The sandbox's venues that take faults: the `Faults` fields of `SandboxConfig`."""
    return tuple(f.name for f in attrs.fields(SandboxConfig) if isinstance(f.default, Faults))


def parse_faults(settings: Iterable[str]) -> dict[str, Faults]:
    """Parse fault settings written ``VENUE.FIELD=VALUE`` into `Faults` per venue.

    ``VENUE`` is the sandbox's name (``exchange``, ``intx``, ``loopring``) or the SDK's
    (``coinbase_exchange``...); ``FIELD`` is a `Faults` attribute; settings of one venue add up.

    Raises:
        ValueError: a setting is malformed, or names an unknown venue or field, or its value
            is out of range; the message quotes the setting.

    Example:
        >>> faults = parse_faults(["intx.error_rate=0.2", "coinbase_intx.latency=0.05"])
        >>> faults["intx"].error_rate, faults["intx"].latency
        (0.2, 0.05)
    """
    venues = _fault_venues()
    fields = [f.name for f in attrs.fields(Faults)]
    values: dict[str, dict[str, float]] = {}
    for setting in settings:
        target, sep, text = setting.partition("=")
        venue, dot, field = target.strip().partition(".")
        venue = _SHORT_NAMES.get(venue, venue)
        if not sep or not dot:
            raise ValueError(f"fault setting {setting!r}: expected VENUE.FIELD=VALUE")
        if venue not in venues:
            raise ValueError(f"fault setting {setting!r}: venue is one of {', '.join(venues)}")
        if field not in fields:
            raise ValueError(f"fault setting {setting!r}: field is one of {', '.join(fields)}")
        try:
            values.setdefault(venue, {})[field] = float(text)
        except ValueError:
            raise ValueError(f"fault setting {setting!r}: the value is not a number") from None
    faults = {}
    for venue, fields_set in values.items():
        try:
            faults[venue] = Faults(**fields_set)
        except ValueError as exc:
            raise ValueError(f"fault settings of {venue}: {exc}") from None
    return faults


def export_lines(sandbox: RunningSandbox) -> list[str]:
    """The ``export VENUEKIT_...=...`` lines (POSIX shell, quoted) for a running sandbox.

    Example:
        >>> from venuekit.sandbox import create_app
        >>> lines = export_lines(RunningSandbox(app=create_app(), host="127.0.0.1", port=8080))
        >>> lines[0]
        'export VENUEKIT_COINBASE_EXCHANGE_BASE_URL=http://127.0.0.1:8080'
    """
    creds = sandbox.credentials
    values = {
        "COINBASE_EXCHANGE_BASE_URL": sandbox.exchange_url,
        "COINBASE_EXCHANGE_API_KEY": creds.exchange.api_key,
        "COINBASE_EXCHANGE_API_SECRET": creds.exchange.api_secret,
        "COINBASE_EXCHANGE_PASSPHRASE": creds.exchange.passphrase,
        "COINBASE_INTX_BASE_URL": sandbox.intx_url,
        "COINBASE_INTX_API_KEY": creds.intx.api_key,
        "COINBASE_INTX_API_SECRET": creds.intx.api_secret,
        "COINBASE_INTX_PASSPHRASE": creds.intx.passphrase,
        "LOOPRING_BASE_URL": sandbox.loopring_url,
        "LOOPRING_API_KEY": creds.loopring.api_key,
        "LOOPRING_EDDSA_PRIVATE_KEY": creds.loopring.eddsa_private_key,
        "LOOPRING_ACCOUNT_ID": str(creds.loopring.account_id),
        # Deribit with the Deribit key (main account); the CDP keys are in the comments below.
        "DERIBIT_BASE_URL": sandbox.deribit_url,
        "DERIBIT_CLIENT_ID": creds.deribit.client_id,
        "DERIBIT_CLIENT_SECRET": creds.deribit.client_secret,
    }
    return [f"export VENUEKIT_{name}={shlex.quote(value)}" for name, value in values.items()]


def banner_lines(sandbox: RunningSandbox, faults: Mapping[str, Faults] | None = None) -> list[str]:
    """Everything `serve_with_exports` prints: comments, ``export`` lines, the open orders."""
    creds, state = sandbox.credentials, sandbox.state
    intx = creds.intx
    lines = [
        f"# venuekit sandbox listening on {sandbox.url} (all venues; Ctrl-C stops it)",
        "# SANDBOX-ONLY FAKE CREDENTIALS: public values, accepted by this sandbox and nowhere else.",
        "# Paste these lines into the shell that runs venuekit:",
        *export_lines(sandbox),
        *(f"# faults: {venue} {value}" for venue, value in (faults or {}).items()),
        "# coinbase_exchange open orders (order id, client order id, product):",
        *(
            f"#   {o.id}  client:{o.client_oid}  {o.product_id}"
            for o in state.exchange_orders()
            if o.status == "open"
        ),
        f"# coinbase_intx portfolio {intx.portfolio_uuid} (or {intx.portfolio_id});"
        " open orders (order id, client order id):",
        *(
            f"#   {o.order_id}  {o.client_order_id}"
            for o in state.intx_orders()
            if o.status == "open"
        ),
        "# loopring open orders (order hash, client order id):",
        *(
            f"#   {o.hash}  {o.client_order_id}"
            for o in state.loopring_orders()
            if o.status == "open"
        ),
        "# deribit open orders of the Deribit key's account (order id, label, instrument):",
        *(
            f"#   {o.order_id}  {o.label or '-'}  {o.instrument.name}"
            for o in state.deribit.orders(user_id=creds.deribit.user_id)
            if o.order_state in ("open", "untriggered")
        ),
        "# deribit through the Coinbase gateway instead: unset VENUEKIT_DERIBIT_CLIENT_ID and"
        " _SECRET, and set",
        f"#   VENUEKIT_DERIBIT_CDP_KEY_NAME={shlex.quote(creds.cdp.ed25519.key_name)}",
        f"#   VENUEKIT_DERIBIT_CDP_PRIVATE_KEY={shlex.quote(creds.cdp.ed25519.private_key)}",
        "# (its orders are the CDP subaccount's)",
    ]
    return lines


def serve_with_exports(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    orders_per_venue: int = 5,
    faults: Mapping[str, Faults] | Iterable[str] = (),
    seed: int = 0,
    limits: ServerLimits | None = None,
    file: TextIO | None = None,
    state_file: str | os.PathLike[str] | None = None,
) -> None:
    """Seed ``orders_per_venue`` orders per venue, serve until interrupted, print the exports.

    ``state_file`` makes the book durable (`SandboxConfig.state_file`): started again on the
    same file, the sandbox has the orders and cancels of the last run instead of new ones.

    ``faults`` is `Faults` per venue (``{"intx": Faults(error_rate=0.1)}``) or settings for
    `parse_faults` (``["intx.error_rate=0.1"]``). The banner (`banner_lines`) goes to ``file``
    (default stdout) once the socket is bound, so ``port=0`` prints the real port.

    Raises:
        ValueError: bad fault settings or order count (before anything is bound).
        ModuleNotFoundError: uvicorn is missing (install ``venuekit[sandbox]``).
        OSError: the address cannot be bound.
        KeyboardInterrupt: Ctrl-C, after a clean shutdown.

    Example:
        >>> serve_with_exports(port=8080, orders_per_venue=3, faults=["exchange.error_rate=0.1"])
        ... # doctest: +SKIP
    """
    parsed = dict(faults) if isinstance(faults, Mapping) else parse_faults(faults)
    config = attrs.evolve(
        SandboxConfig(seed=seed, orders_per_venue=orders_per_venue, state_file=state_file),
        **parsed,
    )
    out = file if file is not None else sys.stdout

    def ready(sandbox: RunningSandbox) -> None:
        print("\n".join(banner_lines(sandbox, parsed)), file=out, flush=True)

    serve(host=host, port=port, config=config, limits=limits, on_ready=ready)
