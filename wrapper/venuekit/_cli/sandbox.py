"""``venuekit sandbox``: serve the local sandbox and print the ``export`` lines to paste.

``sandbox_call`` is the one place where the subcommand's options (orders per venue, fault
settings ``VENUE.FIELD=VALUE``, seed) become the sandbox's config and banner, through
``venuekit.sandbox``'s helpers (``parse_faults``, ``banner_lines``); ``run_sandbox`` serves it
with ``venuekit.sandbox.serve`` until Ctrl-C.

Example: ``venuekit sandbox --port 8080 --orders-per-venue 20 --fault VENUE.latency=0.2``
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from venuekit.sandbox import RunningSandbox, SandboxConfig

__all__ = ["add_sandbox_arguments", "run_sandbox", "sandbox_call"]

Banner = Callable[["RunningSandbox"], list[str]]


def add_sandbox_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``venuekit sandbox``."""
    parser.add_argument("--port", type=int, required=True, help="TCP port (0 picks a free one)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--seed", type=int, default=0, help="seed of orders and faults (default 0)")
    parser.add_argument(
        "--orders-per-venue",
        type=int,
        default=5,
        metavar="N",
        help="open orders seeded for each venue (default 5)",
    )
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="VENUE.FIELD=VALUE",
        help="a fault of one venue's sandbox (repeatable): VENUE is a venue or the sandbox's"
        " short name, FIELD one of latency, error_rate, rate_limit_rate, drop_rate,"
        " drop_after_apply, clock_offset",
    )


def sandbox_call(
    *, seed: int, orders_per_venue: int, faults: list[str]
) -> tuple[SandboxConfig, Banner]:
    """THE HOOK: the subcommand's options as the sandbox's config and the banner it prints.

    ``faults`` are ``VENUE.FIELD=VALUE`` settings (``venuekit.sandbox.parse_faults``); the banner
    is ``venuekit.sandbox.banner_lines`` (the ``export`` lines to paste, then the open orders).
    Raises ``ValueError`` for a bad setting or order count, before anything is bound.

    Example: ``config, banner = sandbox_call(seed=0, orders_per_venue=3, faults=[])``
    """
    from venuekit.sandbox import SandboxConfig, banner_lines, parse_faults

    parsed: dict[str, Any] = parse_faults(faults)  # Faults per config field
    config = attrs.evolve(SandboxConfig(seed=seed, orders_per_venue=orders_per_venue), **parsed)
    return config, lambda running: banner_lines(running, parsed)


def run_sandbox(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C (exit 0); a bad setting, a missing extra or a busy port: exit 1."""
    import venuekit.sandbox as sandbox

    try:
        config, banner = sandbox_call(
            seed=args.seed, orders_per_venue=args.orders_per_venue, faults=args.fault
        )
        sandbox.serve(
            host=args.host,
            port=args.port,
            config=config,
            on_ready=lambda running: print("\n".join(banner(running)), flush=True),
        )
    except KeyboardInterrupt:
        print("sandbox stopped", file=sys.stderr)
    except (ValueError, ModuleNotFoundError, OSError) as exc:
        print(f"venuekit sandbox: {exc}", file=sys.stderr)
        return 1
    return 0
