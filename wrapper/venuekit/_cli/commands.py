"""The command table and the handlers: ``cancel``, ``cancel-many``, ``venues``, ``sandbox``.

``cancel`` and ``cancel-many`` share ``run_orders``: read the credentials from the environment,
check every order (``venuekit._cli.input``: nothing is sent unless all of them pass), build the
client, then run ``Client.cancel_many`` with a ``Report`` as its ``on_outcome`` so each line is
printed as soon as its order's fate is known. Ctrl-C (``KeyboardInterrupt``) ends the batch:
``cancel_many`` reports every order still out (in flight or never sent) before re-raising, the
report prints them and the summary, and the exit code is 130. Nothing printed ever contains a
credential.

To add a command (a group cancel, for instance): write its ``add_arguments`` and handler here
and add one ``Command`` row to ``COMMANDS``.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from venuekit import errors
from venuekit._cli.group import add_group_arguments, group_venues, run_group
from venuekit._cli.input import (
    InputError,
    Order,
    check_order,
    detect_format,
    read_orders,
    read_text,
)
from venuekit._cli.output import EXIT_OK, EXIT_USAGE, Report
from venuekit._cli.parser import (
    Command,
    add_client_options,
    add_order_options,
    client_settings,
    fields_help,
    positive_float,
    positive_int,
)
from venuekit._cli.sandbox import add_sandbox_arguments, run_sandbox
from venuekit._client import Client
from venuekit._config import base_url_variable, credentials_from_env
from venuekit._venues import REGISTRY

__all__ = ["COMMANDS", "run_orders"]


def _say(args: argparse.Namespace, text: str) -> None:
    for line in text.splitlines():
        print(f"venuekit {args.command}: {line}", file=sys.stderr)


@contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Ignore a second Ctrl-C while the fates are printed (main thread only)."""
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: nothing to protect
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def run_orders(
    args: argparse.Namespace,
    read: Callable[[Mapping[str, object]], list[Order]],
    *,
    progress: bool,
) -> int:
    """Check the orders ``read(credentials)`` gives, cancel them, print them; the exit code.

    Example: ``run_orders(args, lambda credentials: [order], progress=False)``
    """
    environ, knobs = client_settings(args)
    try:
        credentials, _ = credentials_from_env(environ)
        orders = read(credentials)
        client = Client.from_env(environ=environ, **knobs)
    except InputError as exc:
        _say(args, f"{exc}\nnothing was sent")
        return EXIT_USAGE
    except errors.InvalidRequest as exc:  # credentials or settings: before anything is sent
        _say(args, f"{exc.message}\nnothing was sent")
        return EXIT_USAGE
    report = Report(
        orders,
        command=args.command,
        json_lines=args.json,
        already_done_ok=args.already_done_ok,
        progress=progress,
    )
    options: dict[str, Any] = {}
    if getattr(args, "concurrency", None) is not None:
        options["concurrency"] = args.concurrency
    if getattr(args, "batch_deadline", None) is not None:
        options["batch_deadline"] = args.batch_deadline
    interrupted = False
    try:
        with client:
            client.cancel_many([o.request for o in orders], on_outcome=report, **options)
    except KeyboardInterrupt:
        interrupted = True
    with _sigint_ignored():
        return report.finish(interrupted=interrupted)


# --- cancel --------------------------------------------------------------------------------------


def _add_cancel(parser: argparse.ArgumentParser) -> None:
    add_order_options(parser)
    add_client_options(parser)


def _run_cancel(args: argparse.Namespace) -> int:
    fields = {field for spec in REGISTRY.values() for field in spec.fields}
    row = {"venue": args.venue, **{name: getattr(args, name) for name in sorted(fields)}}

    def read(credentials: Mapping[str, object]) -> list[Order]:
        return [check_order(row, line=None, credentials=credentials)]

    return run_orders(args, read, progress=False)


# --- cancel-many ---------------------------------------------------------------------------------


def _add_cancel_many(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="the orders; '-' reads standard input")
    parser.add_argument(
        "--format",
        choices=("auto", "csv", "jsonl"),
        default="auto",
        help="input format (default: by file extension, else by the first character)",
    )
    parser.add_argument(
        "--concurrency",
        type=positive_int,
        default=None,
        help="cancels in flight at once per venue (default 8); rate limits still apply",
    )
    parser.add_argument(
        "--batch-deadline",
        type=positive_float,
        default=None,
        metavar="SECONDS",
        help="send no new cancel after SECONDS; orders not sent by then are NOTSENT (exit 1)",
    )
    add_client_options(parser)


def _run_cancel_many(args: argparse.Namespace) -> int:
    def read(credentials: Mapping[str, object]) -> list[Order]:
        text = read_text(args.file)
        fmt = detect_format(args.file, text, args.format)
        return read_orders(text, fmt=fmt, credentials=credentials)

    return run_orders(args, read, progress=True)


_MANY_EPILOG = f"""\
input: one order per row: "venue" and that venue's fields:
{fields_help()}
CSV needs a header row naming the columns; JSON lines hold one object per line (blank lines are
skipped). The whole input is checked before anything is sent: a malformed line, an unknown or
missing column, a row its venue refuses (a missing or extra field, a bad value) or an input
without orders is a usage error (exit 2) naming its line, and nothing is sent.

output: one line per order, printed as soon as its outcome is known (completion order):
  STATUS  line N VENUE FIELD=VALUE ...: DETAIL (K attempts)
STATUS is ok, done (already done or not found, with --already-done-ok), FAILED, UNKNOWN
(in flight when interrupted: may have reached the venue) or NOTSENT (never sent). --json prints one JSON object
per order ("index", "line", "request", "ok", "done", "fate", ...). The summary and, on a
terminal, a progress bar go to stderr. Ctrl-C stops the batch and prints every order's fate.

"""

_CANCEL_EPILOG = f"""\
the fields each venue takes:
{fields_help()}
The order is checked before it is sent: a missing or extra field is a usage error (exit 2).

"""


# --- venues --------------------------------------------------------------------------------------


def _add_venues(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object per venue")


def _run_venues(args: argparse.Namespace) -> int:
    for spec in REGISTRY.values():
        kinds = [(kind.type.__name__, [name for _, name in kind.env]) for kind in spec.credentials]
        configured = any(all(os.environ.get(name) for name in names) for _, names in kinds)
        if args.json:
            data = {
                "venue": spec.venue.value,
                "title": spec.title,
                "status": spec.status,
                "fields": list(spec.fields),
                "credentials": [{"type": kind, "variables": names} for kind, names in kinds],
                "base_url_variable": base_url_variable(spec.venue),
                "configured": configured,
            }
            print(json.dumps(data))
            continue
        print(f"{spec.venue.value}: {spec.title}")
        print(f"  status:       {spec.status}")
        print(f"  fields:       {', '.join(spec.fields)}")
        for number, (kind, names) in enumerate(kinds):
            label = "credentials:" if number == 0 else "          or"
            print(f"  {label:<14}{kind}: {' '.join(names)}")
        print(f"  base URL:     {base_url_variable(spec.venue)} (optional)")
        print(f"  configured:   {'yes' if configured else 'no'} (in this environment)")
    return EXIT_OK


#: Every subcommand, in the order ``--help`` lists them.
COMMANDS: tuple[Command, ...] = (
    Command(
        name="cancel",
        help="cancel one order",
        description="Cancel one order on any venue (see `venuekit venues`).",
        add_arguments=_add_cancel,
        run=_run_cancel,
        epilog=_CANCEL_EPILOG,
    ),
    Command(
        name="cancel-many",
        help="cancel the orders listed in a CSV or JSON-lines file",
        description="Cancel every order listed in FILE (CSV with a header, or JSON lines).",
        add_arguments=_add_cancel_many,
        run=_run_cancel_many,
        epilog=_MANY_EPILOG,
    ),
    Command(
        name="cancel-all",
        help="cancel every open order of a venue, or those matching a filter",
        description=(
            "A venue's group cancel (" + ", ".join(group_venues()) + "): every open order, or\n"
            "those of one label, currency (and kind) or instrument. A label is not unique: it\n"
            "may match several orders. Prints the venue's count."
        ),
        add_arguments=add_group_arguments,
        run=run_group,
    ),
    Command(
        name="venues",
        help="list the venues, their fields and credentials variables",
        description="List every venue venuekit knows: title, status, fields and variables.",
        add_arguments=_add_venues,
        run=_run_venues,
        sends=False,
    ),
    Command(
        name="sandbox",
        help="serve the local sandbox of every venue",
        description=(
            "Serve the local sandbox of every venue on one port until Ctrl-C. It prints the\n"
            "`export` lines to paste (its public fake credentials) and its seeded orders."
        ),
        add_arguments=add_sandbox_arguments,
        run=run_sandbox,
        sends=False,
    ),
)
