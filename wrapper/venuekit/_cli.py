"""The ``venuekit`` command line.

Subcommands:
    sandbox   serve the local sandbox of the three venues (needs ``venuekit[sandbox]``).

Each subcommand is registered by one ``_add_<name>`` function that sets its handler with
``set_defaults(handler=...)``; ``main`` dispatches to it. Add ``cancel`` / ``cancel-many`` the
same way.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TextIO

from venuekit._version import __version__

if TYPE_CHECKING:
    from venuekit.sandbox import RunningSandbox

__all__ = ["build_parser", "main"]

Handler = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="venuekit",
        description="Cancel orders on Coinbase Exchange, Coinbase INTX and Loopring.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subcommands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _add_sandbox(subcommands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``venuekit`` command with ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    return handler(args)


# --- sandbox ------------------------------------------------------------------------------------


def _add_sandbox(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sandbox = subcommands.add_parser(
        "sandbox",
        help="serve the local sandbox of the three venues",
        description=(
            "Serve the local sandbox of Coinbase Exchange, Coinbase INTX and Loopring until "
            "Ctrl-C. It prints the fake credentials it accepts and its seeded orders."
        ),
    )
    sandbox.add_argument("--port", type=int, required=True, help="TCP port (0 picks a free one)")
    sandbox.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    sandbox.add_argument(
        "--seed", type=int, default=0, help="seed of orders and faults (default 0)"
    )
    sandbox.set_defaults(handler=_run_sandbox)


def _run_sandbox(args: argparse.Namespace) -> int:
    from venuekit.sandbox import SandboxConfig, serve

    try:
        serve(
            host=args.host,
            port=args.port,
            config=SandboxConfig(seed=args.seed),
            on_ready=lambda running: _print_banner(running, sys.stdout),
        )
    except KeyboardInterrupt:
        print("sandbox stopped", file=sys.stderr)
    except (ModuleNotFoundError, OSError) as exc:
        print(f"venuekit sandbox: {exc}", file=sys.stderr)
        return 1
    return 0


def _print_banner(running: RunningSandbox, out: TextIO) -> None:
    """Print where the sandbox listens, the credentials it accepts and its open orders."""
    creds = running.credentials
    state = running.state
    lines = [
        f"venuekit sandbox listening on {running.url}  (base URL of all three venues)",
        "",
        "SANDBOX-ONLY FAKE CREDENTIALS: public values, accepted by this sandbox and nowhere else.",
        "",
        "Coinbase Exchange",
        f"  api_key     {creds.exchange.api_key}",
        f"  api_secret  {creds.exchange.api_secret}",
        f"  passphrase  {creds.exchange.passphrase}",
        f"  profile_id  {creds.exchange.profile_id}",
        "  open orders (id / client_oid / product side size @ price):",
        *(
            f"    {o.id}  client:{o.client_oid}  {o.product_id} {o.side} {o.size} @ {o.price}"
            for o in state.exchange_orders()
            if o.status == "open"
        ),
        "",
        "Coinbase INTX (retired venue; documented v1 API)",
        f"  api_key     {creds.intx.api_key}",
        f"  api_secret  {creds.intx.api_secret}",
        f"  passphrase  {creds.intx.passphrase}",
        f"  portfolio   {creds.intx.portfolio_uuid}  (or {creds.intx.portfolio_id})",
        "  open orders (order_id / client_order_id / symbol side size @ price):",
        *(
            f"    {o.order_id}  {o.client_order_id}  {o.instrument.symbol} {o.side} {o.size}"
            f" @ {o.price}"
            for o in state.intx_orders()
            if o.status == "open"
        ),
        "",
        "Loopring (offline venue; documented v3 API)",
        f"  api_key            {creds.loopring.api_key}",
        f"  eddsa_private_key  {creds.loopring.eddsa_private_key}",
        f"  account_id         {creds.loopring.account_id}",
        "  open orders (orderHash / clientOrderId):",
        *(
            f"    {o.hash}  {o.client_order_id}"
            for o in state.loopring_orders()
            if o.status == "open"
        ),
        "",
        "Press Ctrl-C to stop.",
    ]
    print("\n".join(lines), file=out, flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
