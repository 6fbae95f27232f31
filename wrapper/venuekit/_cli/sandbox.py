"""``venuekit sandbox``: serve the local sandbox and print the ``export`` lines to paste.

``sandbox_call`` is the one place where the subcommand's options (orders per venue, fault
settings ``VENUE.FIELD=VALUE``, seed) become the sandbox's config and banner. When
``venuekit.sandbox`` provides ``parse_faults`` and ``banner_lines`` (its export helpers) they are
used; until then a venue-agnostic banner is written here from the registry (the credentials
variables) and the sandbox's own accounts and order lists.

Example: ``venuekit sandbox --port 8080 --orders-per-venue 20 --fault exchange.latency=0.2``
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from venuekit._config import base_url_variable
from venuekit._venues import REGISTRY

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
        help="a fault of one venue's sandbox, e.g. exchange.latency=0.2 (repeatable; fields:"
        " latency, error_rate, rate_limit_rate, drop_rate, drop_after_apply, clock_offset)",
    )


def sandbox_call(
    *, seed: int, orders_per_venue: int, faults: list[str]
) -> tuple[SandboxConfig, Banner]:
    """THE HOOK: the subcommand's options as the sandbox's config and the banner to print.

    Raises ``ValueError`` for bad fault settings or order count (before anything is bound).

    Example: ``config, banner = sandbox_call(seed=0, orders_per_venue=3, faults=[])``
    """
    import venuekit.sandbox as sandbox

    parse: Callable[[list[str]], Mapping[str, Any]] | None = getattr(sandbox, "parse_faults", None)
    lines: Callable[..., list[str]] | None = getattr(sandbox, "banner_lines", None)
    parsed = parse(faults) if parse is not None else _parse_faults(faults)
    config = attrs.evolve(
        sandbox.SandboxConfig(seed=seed, orders_per_venue=orders_per_venue), **parsed
    )
    if lines is not None:
        return config, lambda running: lines(running, parsed)
    return config, _banner


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


# --- until venuekit.sandbox has its export helpers -------------------------------------------


def _parse_faults(settings: list[str]) -> dict[str, Any]:
    """``VENUE.FIELD=VALUE`` settings as the config's ``Faults`` fields (the sandbox's names)."""
    from venuekit.sandbox import Faults, SandboxConfig

    venues = [f.name for f in attrs.fields(SandboxConfig) if isinstance(f.default, Faults)]
    values: dict[str, dict[str, float]] = {}
    for setting in settings:
        target, sep, text = setting.partition("=")
        venue, dot, field = target.strip().partition(".")
        if not sep or not dot or venue not in venues:
            raise ValueError(
                f"fault {setting!r}: expected VENUE.FIELD=VALUE, VENUE one of {venues}"
            )
        try:
            values.setdefault(venue, {})[field] = float(text)
        except ValueError:
            raise ValueError(f"fault {setting!r}: the value is not a number") from None
    try:
        return {venue: Faults(**fields) for venue, fields in values.items()}
    except (TypeError, ValueError) as exc:
        raise ValueError(f"fault settings: {exc}") from None


def _banner(running: RunningSandbox) -> list[str]:
    """URL, ``export`` lines for every venue of the registry, then the open orders."""
    accounts = [
        getattr(running.credentials, f.name) for f in attrs.fields(type(running.credentials))
    ]
    lines = [
        f"# venuekit sandbox listening on {running.url} (every venue; Ctrl-C stops it)",
        "# SANDBOX-ONLY FAKE CREDENTIALS: public values, accepted by this sandbox and nowhere else.",
        "# Paste these lines into the shell that runs venuekit:",
    ]
    for spec in REGISTRY.values():
        kind = spec.credentials[0]
        account = next((a for a in accounts if isinstance(a.credentials(), kind.type)), None)
        if account is None:
            continue
        lines.append(f"export {base_url_variable(spec.venue)}={shlex.quote(running.url)}")
        lines.extend(
            f"export {name}={shlex.quote(str(getattr(account, field)))}" for field, name in kind.env
        )
    for account in accounts:
        extra = [
            f"{f.name}={getattr(account, f.name)}"
            for f in attrs.fields(type(account))
            if f.name.endswith(("_id", "_uuid")) and f.name != "account_id"
        ]
        if extra:
            lines.append(f"# {type(account).__name__}: {' '.join(extra)}")
    state = running.state
    for name in sorted(n for n in dir(state) if n.endswith("_orders") and not n.startswith("_")):
        lines.append(f"# open orders ({name.removesuffix('_orders')}):")
        for order in getattr(state, name)():
            if order.status == "open":
                values = [getattr(order, f.name) for f in attrs.fields(type(order))]
                lines.append("#   " + "  ".join(str(v) for v in values if isinstance(v, str | int)))
    return lines
