"""``venuekit cancel-all``: a venue's group cancels (every open order, or those matching a filter).

The venues that have group cancels, their actions and the arguments each takes come from the
registry (``VenueSpec.actions``: ``Action.fields`` / ``Action.required``); the command picks the
one action whose arguments fit the options given (e.g. a label selects the by-label cancel) and
calls it through the venue's handle. The line printed is the venue's count: a group cancel may
match several orders, or none.
"""

from __future__ import annotations

import argparse
import json
import sys

from venuekit import errors
from venuekit._cli.output import EXIT_INTERRUPTED, EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE
from venuekit._cli.parser import add_client_options, client_settings, venue_choice
from venuekit._client import Client
from venuekit._venues import REGISTRY, spec_for

__all__ = ["add_group_arguments", "group_venues", "run_group"]


def group_venues() -> list[str]:
    """The venues that have group cancels, from the registry."""
    return [venue.value for venue, spec in REGISTRY.items() if spec.actions]


def _group_fields() -> list[str]:
    names: dict[str, None] = {}
    for spec in REGISTRY.values():
        for action in spec.actions.values():
            names.update(dict.fromkeys(action.fields))
    return list(names)


def add_group_arguments(parser: argparse.ArgumentParser) -> None:
    """``--venue`` and one option per argument of any venue's group cancels."""
    parser.add_argument(
        "--venue", required=True, type=venue_choice, help=f"one of {', '.join(group_venues())}"
    )
    for name in _group_fields():
        parser.add_argument(f"--{name.replace('_', '-')}", dest=name, default=None, metavar="TEXT")
    add_client_options(parser)


def _pick(venue: str, given: dict[str, str]) -> str:
    """The one group action of ``venue`` whose arguments fit ``given``; ``InvalidRequest``."""
    spec = spec_for(venue)
    fits = [
        name
        for name, action in spec.actions.items()
        if set(given) <= set(action.fields) and set(action.required) <= set(given)
    ]
    if not fits:
        takes = "; ".join(
            f"{name}: {', '.join(action.fields) or 'nothing'}"
            for name, action in spec.actions.items()
        )
        raise errors.InvalidRequest(
            f"{venue} has no group cancel taking {', '.join(sorted(given)) or 'no filter'}"
            f" ({takes or 'it has no group cancels'})",
            field="venue",
        )
    return fits[0]


def run_group(args: argparse.Namespace) -> int:
    """Run one group cancel; print the venue's count; the exit code."""
    given = {name: getattr(args, name) for name in _group_fields() if getattr(args, name)}
    environ, knobs = client_settings(args)
    filters = " ".join(f"{key}={value}" for key, value in given.items())
    try:
        action = _pick(args.venue, given)
        client = Client.from_env(environ=environ, **knobs)
        handle = getattr(client, args.venue)
    except errors.InvalidRequest as exc:
        print(f"venuekit {args.command}: {exc.message}\nnothing was sent", file=sys.stderr)
        return EXIT_USAGE
    try:
        with client:
            result = getattr(handle, action)(**given)
    except KeyboardInterrupt:
        print(
            f"UNKNOWN {args.venue} {action} {filters}: interrupted in flight (may have "
            "reached the venue)"
        )
        return EXIT_INTERRUPTED
    except errors.InvalidRequest as exc:
        print(f"venuekit {args.command}: {exc.message}\nnothing was sent", file=sys.stderr)
        return EXIT_USAGE
    except errors.VenueError as exc:
        reached = " (may have reached the venue)" if exc.may_have_reached_venue else ""
        print(f"FAILED  {args.venue} {action} {filters}: {type(exc).__name__}: {exc}{reached}")
        auth = isinstance(exc, errors.AuthenticationError)
        return EXIT_USAGE if auth else EXIT_SOME_FAILED
    if args.json:
        print(
            json.dumps(
                {
                    "venue": args.venue,
                    "action": action,
                    "filters": given,
                    "cancelled_count": result.cancelled_count,
                    "attempts": result.attempts,
                }
            )
        )
    else:
        print(
            f"ok      {args.venue} {action} {filters}: {result.cancelled_count} cancelled "
            f"({result.attempts} attempt{'s' if result.attempts != 1 else ''})"
        )
    return EXIT_OK
