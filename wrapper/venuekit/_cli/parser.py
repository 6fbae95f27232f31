"""The ``venuekit`` argument parser, built from the command table and the venue registry.

Each subcommand is one ``Command`` row (name, help, its arguments, its handler); ``build_parser``
adds them in table order. Everything that depends on the venues (choices, the fields of each
venue, the credentials variables, statuses) is written from ``venuekit._venues.REGISTRY``, so
adding a venue changes no line here. A new command (a group cancel, say) is one more row.

Example: ``build_parser().parse_args(["venues"]).command`` is ``"venues"``.
"""

from __future__ import annotations

import argparse
import os
import textwrap
from collections.abc import Callable, Sequence
from typing import Any

import attrs

from venuekit._cli.output import EXIT_CODES
from venuekit._config import RATE_LIMIT_STORE_VARIABLE, base_url_variable
from venuekit._venues import REGISTRY, Venue, venue_named
from venuekit._version import __version__

__all__ = [
    "Command",
    "add_client_options",
    "add_order_options",
    "build_parser",
    "client_settings",
    "credentials_help",
    "exit_codes_help",
    "fields_help",
    "positive_float",
    "positive_int",
    "venue_choice",
]

Handler = Callable[[argparse.Namespace], int]
_WIDTH = 96


@attrs.frozen(kw_only=True)
class Command:
    """One subcommand: its name, one-line help, description, options and handler."""

    name: str
    help: str
    description: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Handler
    #: Text after the options in ``--help`` (examples, formats); the variables and the exit
    #: codes are appended when ``sends`` is true.
    epilog: str = ""
    sends: bool = True


def exit_codes_help() -> str:
    """The exit code table, as ``--help`` prints it."""
    lines = ["exit codes:"]
    for code, meaning in EXIT_CODES:
        wrapped = textwrap.wrap(meaning, _WIDTH - 9)
        lines.append(f"  {code:<5}{wrapped[0]}")
        lines.extend(f"       {more}" for more in wrapped[1:])
    return "\n".join(lines) + "\n"


def credentials_help() -> str:
    """Every venue, its status and its credentials variables, from the registry."""
    lines = ["venues and credentials (environment variables; a venue is usable when all are set):"]
    for spec in REGISTRY.values():
        lines.extend(
            textwrap.wrap(
                f"{spec.venue.value}: {spec.title}; {spec.status}",
                _WIDTH,
                initial_indent="  ",
                subsequent_indent="      ",
            )
        )
        for number, kind in enumerate(spec.credentials):
            names = ("or " if number else "") + " ".join(name for _, name in kind.env)
            lines.extend(
                textwrap.wrap(names, _WIDTH, initial_indent="    ", subsequent_indent="    ")
            )
    lines.append("  VENUEKIT_<VENUE>_BASE_URL: optional base URL (or --base-url VENUE=URL)")
    return "\n".join(lines) + "\n"


def fields_help() -> str:
    """Each venue and the fields its orders take, one venue per line."""
    width = max(len(venue.value) for venue in REGISTRY)
    return "\n".join(
        f"  {spec.venue.value:<{width}}  {', '.join(spec.fields)}" for spec in REGISTRY.values()
    )


def venue_choice(value: str) -> str:
    """An argparse type: the ``Venue`` value ``value`` names (any case, ``-`` for ``_``)."""
    venue = venue_named(value)
    if venue is None or venue not in REGISTRY:
        known = ", ".join(venue.value for venue in REGISTRY)
        raise argparse.ArgumentTypeError(f"unknown venue {value!r}; use one of {known}")
    return venue.value


def _base_url(value: str) -> tuple[str, str]:
    venue, sep, url = value.partition("=")
    if not sep or not url.strip():
        raise argparse.ArgumentTypeError(f"expected VENUE=URL, got {value!r}")
    return venue_choice(venue), url.strip()


def positive_int(value: str) -> int:
    """An argparse type: an integer >= 1."""
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {value!r}")
    return number


def positive_float(value: str) -> float:
    """An argparse type: a finite number of seconds > 0."""
    try:
        number = float(value)
    except ValueError:
        number = 0.0
    if not 0 < number < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of seconds > 0, got {value!r}")
    return number


def client_settings(args: argparse.Namespace) -> tuple[dict[str, str], dict[str, Any]]:
    """What ``add_client_options`` gave, as ``Client.from_env(environ=environ, **knobs)`` takes it.

    ``--base-url`` and ``--rate-limit-store`` override the process environment's variables;
    ``--attempts`` and ``--deadline``, when given, become knobs.
    """
    environ = dict(os.environ)
    for venue, url in args.base_url:
        environ[base_url_variable(Venue(venue))] = url
    if args.rate_limit_store:
        environ[RATE_LIMIT_STORE_VARIABLE] = args.rate_limit_store
    knobs: dict[str, Any] = {}
    if args.attempts is not None:
        knobs["attempts"] = args.attempts
    if args.deadline is not None:
        knobs["deadline"] = args.deadline
    return environ, knobs


def add_client_options(parser: argparse.ArgumentParser) -> None:
    """The options of every command that sends cancels."""
    parser.add_argument(
        "--base-url",
        type=_base_url,
        action="append",
        default=[],
        metavar="VENUE=URL",
        help="base URL of a venue, e.g. a local sandbox (repeatable)",
    )
    parser.add_argument(
        "--attempts", type=positive_int, help="attempts per order, the first included (default 5)"
    )
    parser.add_argument(
        "--deadline", type=positive_float, help="seconds allowed per order, retries included (30)"
    )
    parser.add_argument(
        "--rate-limit-store",
        metavar="URL",
        default=None,
        help="redis:// URL of a Redis/Valkey store whose rate budget every process with the "
        "same key shares (or VENUEKIT_RATE_LIMIT_STORE; needs venuekit[redis])",
    )
    parser.add_argument(
        "--already-done-ok",
        action="store_true",
        help='count "already done" and "not found" as done (re-running after an interruption)',
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object per order instead of text"
    )


def add_order_options(parser: argparse.ArgumentParser) -> None:
    """``--venue`` and one option per field any venue takes (``--order-id`` ...)."""
    known = ", ".join(venue.value for venue in REGISTRY)
    parser.add_argument("--venue", required=True, type=venue_choice, help=f"one of {known}")
    group = parser.add_argument_group("the order (the venue's fields; see below)")
    fields: dict[str, list[Venue]] = {}
    for spec in REGISTRY.values():
        for field in spec.fields:
            fields.setdefault(field, []).append(spec.venue)
    for field, venues in fields.items():
        group.add_argument(
            "--" + field.replace("_", "-"),
            dest=field,
            metavar=field.upper(),
            help=", ".join(venue.value for venue in venues),
        )


def build_parser(commands: Sequence[Command]) -> argparse.ArgumentParser:
    """The ``venuekit`` parser with every command of ``commands`` registered."""
    names = ", ".join(spec.title for spec in REGISTRY.values())
    parser = argparse.ArgumentParser(
        prog="venuekit",
        description=f"Cancel orders on {names}.",
        epilog=credentials_help() + "\n" + exit_codes_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subcommands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in commands:
        epilog = command.epilog
        if command.sends:
            epilog += credentials_help() + "\n" + exit_codes_help()
        sub = subcommands.add_parser(
            command.name,
            help=command.help,
            description=command.description,
            epilog=epilog,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        command.add_arguments(sub)
        sub.set_defaults(handler=command.run)
    return parser
