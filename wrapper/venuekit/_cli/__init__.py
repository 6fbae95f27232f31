"""The ``venuekit`` command line: cancel orders on any venue of the registry from a shell.

Commands (``venuekit --help``): ``cancel`` (one order), ``cancel-many`` (a CSV or JSON-lines
file, or ``-`` for standard input), ``venues`` (the registry: venues, fields, variables) and
``sandbox`` (serve the local sandbox). The modules: ``parser`` (arguments and help, written from
``venuekit._venues.REGISTRY``), ``input`` (strict reading: nothing is sent unless every order
passes), ``output`` (one line per order as soon as it is known, the summary, the exit codes),
``commands`` (the command table and handlers) and ``sandbox`` (the sandbox subcommand). No module
here names a venue: adding one to the registry adds it to the CLI.

Exit codes (``EXIT_CODES``): 0 every order cancelled; 1 some order not cancelled; 2 usage error
(nothing sent) or authentication / configuration error; 130 interrupted by Ctrl-C (every order's
fate printed).

Example: ``main(["cancel", "--venue", venue, "--order-id", order_id])`` (see ``venuekit venues``)
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from venuekit._cli.commands import COMMANDS
from venuekit._cli.output import (
    EXIT_CODES,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_SOME_FAILED,
    EXIT_USAGE,
)
from venuekit._cli.parser import build_parser as _build_parser

__all__ = [
    "EXIT_AUTH_OR_USAGE",
    "EXIT_CODES",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_SOME_FAILED",
    "EXIT_USAGE",
    "build_parser",
    "main",
]

#: The former name of ``EXIT_USAGE`` (usage, authentication or configuration error).
EXIT_AUTH_OR_USAGE = EXIT_USAGE


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every command of ``COMMANDS`` registered.

    Example: ``build_parser().format_help()``
    """
    return _build_parser(COMMANDS)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``venuekit`` with ``argv`` (default ``sys.argv[1:]``); return the exit code.

    Argument errors exit through argparse (``SystemExit(2)``), like ``--help`` (``SystemExit(0)``).
    Ctrl-C returns 130 without a traceback.

    Example: ``main(["cancel", "--venue", venue, "--order-id", order_id])`` (see ``venuekit venues``)
    """
    try:
        args = build_parser().parse_args(argv)
        return int(args.handler(args))
    except KeyboardInterrupt:  # before any order was sent (a batch handles its own)
        print("venuekit: interrupted; nothing was sent", file=sys.stderr)
        return EXIT_INTERRUPTED
