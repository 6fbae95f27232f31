"""The ``venuekit`` command line.

Subcommands:
    cancel        cancel one order on any venue.
    cancel-many   cancel the orders listed in a CSV or JSON-lines file (or ``-``: stdin).
    sandbox       serve the local sandbox of the three venues (needs ``venuekit[sandbox]``).

Each subcommand is registered by one ``_add_<name>`` function that sets its handler with
``set_defaults(handler=...)``; ``main`` dispatches to it. ``cancel`` and ``cancel-many`` share
everything after reading their input: both build ``CancelRequest`` entries, run them through
``Client.cancel_many`` (retries, rate limits and clock correction included) and print one line
per order, in input order. Credentials come from the environment (``Client.from_env``); nothing
printed ever contains a credential.

Exit codes: 0 every order cancelled; 1 some order not cancelled; 2 usage error (bad arguments
or input file), or an authentication or configuration error (credentials missing, malformed or
refused, a venue without credentials).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from venuekit._version import __version__

if TYPE_CHECKING:
    from venuekit._bulk import CancelOutcome, CancelRequest
    from venuekit.sandbox import RunningSandbox

__all__ = ["EXIT_AUTH_OR_USAGE", "EXIT_OK", "EXIT_SOME_FAILED", "build_parser", "main"]

Handler = Callable[[argparse.Namespace], int]

#: Every order cancelled (including "cancel pending" and "cancelled on an earlier attempt").
EXIT_OK = 0
#: At least one order was not cancelled (not found, already done, rejected, venue down ...).
EXIT_SOME_FAILED = 1
#: Usage error, or authentication / configuration error: nothing useful can be retried as is.
EXIT_AUTH_OR_USAGE = 2

_VENUES = ("coinbase_exchange", "coinbase_intx", "loopring")

_ENV_HELP = """\
credentials (environment variables; a venue is usable when all three of its variables are set):
  VENUEKIT_COINBASE_EXCHANGE_API_KEY, VENUEKIT_COINBASE_EXCHANGE_API_SECRET,
  VENUEKIT_COINBASE_EXCHANGE_PASSPHRASE
  VENUEKIT_COINBASE_INTX_API_KEY, VENUEKIT_COINBASE_INTX_API_SECRET,
  VENUEKIT_COINBASE_INTX_PASSPHRASE            (INTX is retired: sandbox and legacy use)
  VENUEKIT_LOOPRING_API_KEY, VENUEKIT_LOOPRING_EDDSA_PRIVATE_KEY,
  VENUEKIT_LOOPRING_ACCOUNT_ID                 (Loopring is reported offline)
  VENUEKIT_<VENUE>_BASE_URL                    optional base URL (or --base-url VENUE=URL)

exit codes:
  0  every order cancelled (cancelled, cancel pending, or cancelled on an earlier attempt)
  1  some order not cancelled (not found, already done, rejected, venue unavailable ...)
  2  usage error, or credentials missing, malformed or refused by the venue
"""

_CANCEL_EXAMPLES = """\
examples:
  venuekit cancel --venue coinbase_exchange --order-id 1f6d...-uuid --product-id BTC-USD
  venuekit cancel --venue coinbase_exchange --client-oid my-oid-7
  venuekit cancel --venue coinbase_intx --order-id 43877033468085760 --portfolio 5189861793641175
  venuekit cancel --venue loopring --order-hash 0x05a9... --json

"""

_MANY_EXAMPLES = """\
input: one order per row; "venue" plus that venue's fields:
  coinbase_exchange  order_id | client_oid, [product_id], [profile_id]
  coinbase_intx      order_id (exchange or client id), portfolio
  loopring           order_hash | client_order_id, [account_id]
CSV needs a header row; JSON lines hold one object per line (blank lines are skipped). A row
with a bad value is reported as that order's failure; a file that cannot be read (unknown
column, a line that is not a JSON object) is a usage error and nothing is sent.

example CSV:
  venue,order_id,product_id,portfolio,order_hash
  coinbase_exchange,1f6d...-uuid,BTC-USD,,
  coinbase_intx,43877033468085760,,5189861793641175,
  loopring,,,,0x05a9...

output: one line per order, in input order (--json: one JSON object per line); a summary and,
on a terminal, a progress bar go to stderr.

"""


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="venuekit",
        description="Cancel orders on Coinbase Exchange, Coinbase INTX and Loopring.",
        epilog=_ENV_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subcommands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _add_cancel(subcommands)
    _add_cancel_many(subcommands)
    _add_sandbox(subcommands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``venuekit`` command with ``argv`` (default: ``sys.argv[1:]``); return the exit code.

    Argument errors exit through argparse (``SystemExit(2)``), like ``--help`` (``SystemExit(0)``).

    Example: ``main(["cancel", "--venue", "loopring", "--order-hash", "0x05a9"])``
    """
    args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    return handler(args)


# --- shared options ------------------------------------------------------------------------------


def _base_url(value: str) -> tuple[str, str]:
    venue, sep, url = value.partition("=")
    venue = venue.strip().lower().replace("-", "_")
    if not sep or venue not in _VENUES or not url.strip():
        raise argparse.ArgumentTypeError(
            f"expected VENUE=URL with VENUE one of {', '.join(_VENUES)}, got {value!r}"
        )
    return venue, url.strip()


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {value!r}")
    return number


def _positive_float(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = 0.0
    if not number > 0:
        raise argparse.ArgumentTypeError(f"expected a number of seconds > 0, got {value!r}")
    return number


def _add_client_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--base-url",
        type=_base_url,
        action="append",
        default=[],
        metavar="VENUE=URL",
        help="base URL of a venue, e.g. coinbase_exchange=http://127.0.0.1:8080 (repeatable)",
    )
    parser.add_argument(
        "--attempts", type=_positive_int, help="attempts per order, the first included (default 5)"
    )
    parser.add_argument(
        "--deadline", type=_positive_float, help="seconds allowed per order, retries included (30)"
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object per order instead of text"
    )


# --- cancel --------------------------------------------------------------------------------------


def _add_cancel(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cancel = subcommands.add_parser(
        "cancel",
        help="cancel one order",
        description="Cancel one order on Coinbase Exchange, Coinbase INTX or Loopring.",
        epilog=_CANCEL_EXAMPLES + _ENV_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    cancel.add_argument("--venue", required=True, choices=_VENUES, help="the venue")
    ids = cancel.add_argument_group("the order (the venue's fields; see examples)")
    ids.add_argument("--order-id", help="exchange order id (Exchange, INTX; INTX: or client id)")
    ids.add_argument("--client-oid", help="client order id (Exchange; client: added once)")
    ids.add_argument("--order-hash", help="order hash (Loopring)")
    ids.add_argument("--client-order-id", help="client order id (Loopring, INTX)")
    ids.add_argument("--product-id", help="product, e.g. BTC-USD (Exchange; recommended)")
    ids.add_argument("--profile-id", help="profile (Exchange)")
    ids.add_argument("--portfolio", help="portfolio UUID or id (INTX; required)")
    ids.add_argument("--account-id", help="account id (Loopring; default: the key's account)")
    _add_client_options(cancel)
    cancel.set_defaults(handler=_run_cancel)


def _run_cancel(args: argparse.Namespace) -> int:
    from venuekit._bulk import CancelRequest

    fields = (
        "order_id",
        "client_oid",
        "order_hash",
        "client_order_id",
        "product_id",
        "profile_id",
        "portfolio",
        "account_id",
    )
    row = {"venue": args.venue, **{name: getattr(args, name) for name in fields}}
    return _run_batch(args, [CancelRequest.from_mapping(row)], progress_bar=False)


# --- cancel-many ---------------------------------------------------------------------------------


def _add_cancel_many(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    many = subcommands.add_parser(
        "cancel-many",
        help="cancel the orders listed in a CSV or JSON-lines file",
        description="Cancel every order listed in FILE (CSV with a header, or JSON lines).",
        epilog=_MANY_EXAMPLES + _ENV_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    many.add_argument("file", metavar="FILE", help="the orders; '-' reads standard input")
    many.add_argument(
        "--format",
        choices=("auto", "csv", "jsonl"),
        default="auto",
        help="input format (default: by file extension, else by the first character)",
    )
    many.add_argument(
        "--concurrency",
        type=_positive_int,
        default=None,
        help="cancels in flight at once per venue (default 8); rate limits still apply",
    )
    _add_client_options(many)
    many.set_defaults(handler=_run_cancel_many)


class _InputError(Exception):
    """The input file cannot be read as orders (a usage error: nothing is sent)."""


def _read_text(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise _InputError(f"cannot read {path}: {exc}") from None


def _detect_format(path: str, text: str, chosen: str) -> str:
    if chosen != "auto":
        return chosen
    suffix = Path(path).suffix.lower() if path != "-" else ""
    if suffix == ".csv":
        return "csv"
    if suffix in {".jsonl", ".ndjson", ".json"}:
        return "jsonl"
    return "jsonl" if text.lstrip().startswith("{") else "csv"


def _rows(text: str, fmt: str) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """(line number, row) for every order in ``text``; ``_InputError`` for a malformed file."""
    if fmt == "jsonl":
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as exc:
                raise _InputError(f"line {number}: not JSON ({exc})") from None
            if not isinstance(row, dict):
                raise _InputError(f"line {number}: expected a JSON object")
            yield number, row
        return
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        return
    for row in reader:
        if None in row:
            raise _InputError(f"line {reader.line_num}: more values than header columns")
        yield reader.line_num, {k: v for k, v in row.items() if k is not None}


def _requests_from(text: str, fmt: str) -> list[CancelRequest]:
    from venuekit import errors
    from venuekit._bulk import CancelRequest

    requests = []
    for number, row in _rows(text, fmt):
        try:
            requests.append(CancelRequest.from_mapping(row))
        except errors.InvalidRequest as exc:
            raise _InputError(f"line {number}: {exc.message}") from None
    return requests


def _run_cancel_many(args: argparse.Namespace) -> int:
    try:
        text = _read_text(args.file)
        requests = _requests_from(text, _detect_format(args.file, text, args.format))
    except _InputError as exc:
        print(f"venuekit cancel-many: {exc}", file=sys.stderr)
        return EXIT_AUTH_OR_USAGE
    return _run_batch(args, requests, progress_bar=True)


# --- running and printing ----------------------------------------------------------------------


def _run_batch(
    args: argparse.Namespace, requests: list[CancelRequest], *, progress_bar: bool
) -> int:
    from venuekit import errors
    from venuekit._client import Client
    from venuekit._config import base_url_variable as _base_url_var
    from venuekit._venues import Venue

    environ = dict(os.environ)
    for venue, url in args.base_url:
        environ[_base_url_var(Venue(venue))] = url
    knobs: dict[str, Any] = {}
    if args.attempts is not None:
        knobs["attempts"] = args.attempts
    if args.deadline is not None:
        knobs["deadline"] = args.deadline
    try:
        client = Client.from_env(environ=environ, **knobs)
    except errors.InvalidRequest as exc:
        print(f"venuekit {args.command}: {exc}", file=sys.stderr)
        return EXIT_AUTH_OR_USAGE
    bar = _ProgressBar(sys.stderr) if progress_bar and _isatty(sys.stderr) else None
    concurrency = getattr(args, "concurrency", None)
    with client:
        outcomes = client.cancel_many(
            requests,
            progress=bar,
            **({"concurrency": concurrency} if concurrency is not None else {}),
        )
    if bar is not None:
        bar.finish()
    for index, outcome in enumerate(outcomes):
        line = json.dumps(_as_json(index, outcome)) if args.json else _as_text(outcome)
        print(line, flush=False)
    sys.stdout.flush()
    failed = sum(not o.ok for o in outcomes)
    if args.command == "cancel-many":
        print(
            f"venuekit {args.command}: {len(outcomes) - failed} of {len(outcomes)} cancelled,"
            f" {failed} not",
            file=sys.stderr,
        )
    return _exit_code(outcomes)


def _exit_code(outcomes: Sequence[CancelOutcome]) -> int:
    from venuekit import errors

    refused = (errors.AuthenticationError, errors.VenueNotConfigured, errors.InvalidCredentials)
    if any(isinstance(o.error, refused) for o in outcomes):
        return EXIT_AUTH_OR_USAGE
    if any(not o.ok for o in outcomes):
        return EXIT_SOME_FAILED
    return EXIT_OK


def _as_json(index: int, outcome: CancelOutcome) -> dict[str, object]:
    result, error = outcome.result, outcome.error
    data: dict[str, object] = {
        "index": index,
        "request": outcome.request.to_dict(),
        "ok": outcome.ok,
        "attempts": outcome.attempts,
    }
    if result is not None:
        data.update(
            state=result.state.value,
            venue=result.venue.value,
            order_id=result.order_id,
            client_order_id=result.client_order_id,
            venue_status=result.venue_status,
        )
        if result.confirmed_by is not None:
            data["confirmed_by"] = result.confirmed_by
    if error is not None:
        data["error"] = {
            "type": type(error).__name__,
            "message": error.message,
            "status_code": error.status_code,
            "code": error.code,
        }
        field = getattr(error, "field", None)
        if field is not None:
            data["error"]["field"] = field  # type: ignore[index]
    return data


def _as_text(outcome: CancelOutcome) -> str:
    request = outcome.request.to_dict()
    venue = request.pop("venue")
    what = " ".join(f"{k}={v}" for k, v in request.items()) or "(no order given)"
    attempts = f"{outcome.attempts} attempt{'s' if outcome.attempts != 1 else ''}"
    if outcome.result is not None:
        return f"ok      {venue} {what}: {outcome.result.state.value} ({attempts})"
    error = outcome.error
    status = f" (HTTP {error.status_code})" if error is not None and error.status_code else ""
    message = error.message if error is not None else ""
    return f"FAILED  {venue} {what}: {type(error).__name__}: {message}{status} ({attempts})"


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class _ProgressBar:
    """A one-line progress bar redrawn with ``\\r`` (stderr on a terminal only)."""

    width = 30

    def __init__(self, out: TextIO) -> None:
        self._out = out

    def __call__(self, done: int, total: int) -> None:
        filled = self.width * done // total if total else self.width
        bar = "#" * filled + "." * (self.width - filled)
        self._out.write(f"\r[{bar}] {done}/{total}")
        self._out.flush()

    def finish(self) -> None:
        self._out.write("\n")
        self._out.flush()


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
