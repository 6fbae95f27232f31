"""Re-record the cassettes (``make cassettes``) or record the venues' own sandboxes (``make record-live``).

Usage::

    python scripts/record_cassettes.py          # against the local sandbox (uvicorn, 127.0.0.1)
    python scripts/record_cassettes.py --live   # against the venues' own sandboxes; never in CI

Local mode deletes the recordings in ``tests/cassettes/recordings/``, runs the cassette tests with
``VENUEKIT_RECORD=sandbox`` (each test starts the sandbox and records over real HTTP), then runs
every cassette test again in replay mode with the network blocked, the secret scan included.

Live mode needs, per venue to record, the ``Client.from_env`` credentials (for example
``VENUEKIT_COINBASE_EXCHANGE_API_KEY``, ``_API_SECRET``, ``_PASSPHRASE``) and one OPEN order to
cancel in ``VENUEKIT_LIVE_<VENUE>_ORDER``, the JSON of its ``cancel_order`` arguments::

    VENUEKIT_LIVE_COINBASE_EXCHANGE_ORDER='{"order_id": "...", "product_id": "BTC-USD"}'
    VENUEKIT_LIVE_COINBASE_INTX_ORDER='{"order_id": "...", "portfolio": "..."}'
    VENUEKIT_LIVE_LOOPRING_ORDER='{"order_hash": "0x..."}'

The venue's own sandbox is used unless ``VENUEKIT_<VENUE>_BASE_URL`` says otherwise. It records
the outcomes a real venue gives on demand: success (the order is cancelled), already done (the
same cancel again), not found (an id the venue never issued) and bad signature (a wrong secret or
key), into ``tests/cassettes/live/<venue>/``, scrubbed exactly like the local recordings, and then
runs the secret scan over every cassette. Rate-limited and server-error answers cannot be provoked
on a real venue: those recordings exist only from the local sandbox. Live recordings are kept for
review and scanned by CI; they are not replayed (their ids are the venue's, not the sandbox's).

Deribit is recorded on its testnet, ``test.deribit.com`` (``spec_for("deribit").sandbox_base_url``;
``VENUEKIT_DERIBIT_BASE_URL`` overrides it), with a Deribit API key (testnet keys are made at
test.deribit.com, separate from the main site's) and one OPEN testnet order::

    VENUEKIT_DERIBIT_CLIENT_ID=...  VENUEKIT_DERIBIT_CLIENT_SECRET=...
    VENUEKIT_LIVE_DERIBIT_ORDER='{"order_id": "ETH-349249"}'

into ``tests/cassettes/live/deribit/deribit_hmac/``: success, already done (11044), not found
(10004), bad credentials (a wrong secret: 13009), invalid params (``cancel_all`` of the currency
``DOGE``: -32602, nothing cancelled) and ``cancel_by_label`` of a label no order has (count 0).
It never calls ``cancel_all`` for real (it would cancel every testnet order of the account). CDP
keys are not recorded live: the Coinbase gateway has no testnet. Without all three variables
Deribit is skipped with a line saying which are missing. Every secret seen on the wire (the
``Authorization`` signature fields) is checked to be absent from the written file.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "support"))

from cassette_recorder import (  # noqa: E402 - after the path set-up above
    LIVE_RECORDINGS,
    RECORDINGS,
    WRONG_DERIBIT_SECRET,
    WRONG_EXCHANGE_SECRET,
    WRONG_INTX_SECRET,
    WRONG_LOOPRING_KEY,
    WireSpy,
    cassette_vcr,
)

import venuekit  # noqa: E402
from venuekit import errors  # noqa: E402
from venuekit._venues import spec_for  # noqa: E402

PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
#: The variable a wrong value is put in to record "bad signature", per venue.
WRONG = {
    "coinbase_exchange": ("VENUEKIT_COINBASE_EXCHANGE_API_SECRET", WRONG_EXCHANGE_SECRET),
    "coinbase_intx": ("VENUEKIT_COINBASE_INTX_API_SECRET", WRONG_INTX_SECRET),
    "loopring": ("VENUEKIT_LOOPRING_EDDSA_PRIVATE_KEY", WRONG_LOOPRING_KEY),
}
#: Ids no venue issued, for "not found".
UNKNOWN = {
    "coinbase_exchange": {"order_id": "00000000-0000-4000-8000-00000000dead"},
    "coinbase_intx": {"order_id": "99999999999999999"},
    "loopring": {"client_order_id": "venuekit-never-placed"},
}


#: What a live Deribit recording needs from the environment.
DERIBIT_VARIABLES = (
    "VENUEKIT_DERIBIT_CLIENT_ID",
    "VENUEKIT_DERIBIT_CLIENT_SECRET",
    "VENUEKIT_LIVE_DERIBIT_ORDER",
)
#: An order id of Deribit's form that no account has (for "not found", 10004).
DERIBIT_UNKNOWN_ORDER = "ETH-999999999999"
#: A label no order has: ``cancel_by_label`` with it cancels nothing (count 0).
DERIBIT_UNUSED_LABEL = "venuekit-record-live-no-such-label"


def record_local() -> int:
    """Re-record every local-sandbox cassette, then replay them all with the network blocked."""
    for old in RECORDINGS.rglob("*.yaml"):
        old.unlink()
    tests = str(ROOT / "tests" / "cassettes")
    recorded = subprocess.run(
        [
            *PYTEST,
            f"{tests}/test_cassettes.py",
            f"{tests}/test_deribit_cassettes.py",
            "-k",
            "test_sync_client",
        ],
        cwd=ROOT,
        env={**os.environ, "VENUEKIT_RECORD": "sandbox"},
        check=False,
    )
    if recorded.returncode != 0:
        return recorded.returncode
    replay_env = {k: v for k, v in os.environ.items() if k != "VENUEKIT_RECORD"}
    return subprocess.run([*PYTEST, tests], cwd=ROOT, env=replay_env, check=False).returncode


def _live_client(venue: str, environ: Mapping[str, str]) -> venuekit.Client:
    base_var = f"VENUEKIT_{venue.upper()}_BASE_URL"
    env = {**environ, base_var: environ.get(base_var) or spec_for(venue).sandbox_base_url or ""}
    env = {k: v for k, v in env.items() if not k.startswith("VENUEKIT_") or venue.upper() in k}
    return venuekit.Client.from_env(environ=env, attempts=1, rate_limits=False)


def _outcome(handle: Any, arguments: Mapping[str, Any]) -> str:
    """Cancel once and describe what the venue answered."""
    try:
        result = handle.cancel_order(**arguments)
    except errors.VenueError as exc:
        return f"{type(exc).__name__}: {exc}"
    return f"{result.state.name} (venue status {result.venue_status})"


def _describe(call: Callable[[Any], Any], handle: Any) -> str:
    """Call once and describe what the venue answered (a cancel or a group cancel)."""
    try:
        result = call(handle)
    except errors.VenueError as exc:
        return f"{type(exc).__name__}: {exc}"
    if isinstance(result, venuekit.GroupCancelResult):
        return f"{result.action}: {result.cancelled_count} cancelled"
    return f"{result.state.name} (venue status {result.venue_status})"


def record_live_deribit(environ: Mapping[str, str], *, library: Path = LIVE_RECORDINGS) -> int:
    """Record Deribit's testnet with a Deribit key; return the number of cassettes written.

    Returns 0 (and says why) when a variable is missing; -1 when the order variable is not the
    expected JSON or a secret seen on the wire reached a cassette.
    """
    missing = [name for name in DERIBIT_VARIABLES if not environ.get(name)]
    if missing:
        print(f"deribit: skipped (needs {', '.join(missing)})")
        return 0
    try:
        order_id = json.loads(environ["VENUEKIT_LIVE_DERIBIT_ORDER"])["order_id"]
    except (ValueError, TypeError, KeyError):
        order_id = None
    if not isinstance(order_id, str) or not order_id:
        print('deribit: VENUEKIT_LIVE_DERIBIT_ORDER must be JSON like {"order_id": "ETH-349249"}')
        return -1
    base_url = environ.get("VENUEKIT_DERIBIT_BASE_URL") or spec_for("deribit").sandbox_base_url
    client_id, secret = (
        environ["VENUEKIT_DERIBIT_CLIENT_ID"],
        environ["VENUEKIT_DERIBIT_CLIENT_SECRET"],
    )
    cases: list[tuple[str, str, Callable[[Any], Any]]] = [
        ("success", secret, lambda handle: handle.cancel_order(order_id=order_id)),
        ("already_done", secret, lambda handle: handle.cancel_order(order_id=order_id)),
        ("not_found", secret, lambda handle: handle.cancel_order(order_id=DERIBIT_UNKNOWN_ORDER)),
        (
            "bad_credentials",
            WRONG_DERIBIT_SECRET,
            lambda handle: handle.cancel_order(order_id=order_id),
        ),
        ("invalid_params", secret, lambda handle: handle.cancel_all(currency="DOGE")),
        (
            "cancel_by_label",
            secret,
            lambda handle: handle.cancel_by_label(label=DERIBIT_UNUSED_LABEL),
        ),
    ]
    for outcome, client_secret, call in cases:
        cassette = f"deribit/deribit_hmac/{outcome}.yaml"
        spy = WireSpy()  # httpx's transport (vcrpy patches it), noting the secrets it sends
        credentials = venuekit.DeribitCredentials(client_id=client_id, client_secret=client_secret)
        with (
            cassette_vcr(record=True, library=library).use_cassette(cassette),
            venuekit.Client(
                deribit=credentials,
                base_urls={"deribit": base_url},
                attempts=1,
                rate_limits=False,
                transport=spy,
            ) as client,
        ):
            print(f"deribit {outcome}: {_describe(call, client.deribit)}")
        written = library / cassette
        if any(value in written.read_text(encoding="utf-8") for value in spy.secrets):
            written.unlink()  # never leave a secret on disk, even for a moment longer
            print(f"deribit {outcome}: a secret sent on the wire reached {cassette}; deleted")
            return -1
    return len(cases)


def record_live(environ: Mapping[str, str]) -> int:
    """Record the on-demand outcomes of every venue configured in ``environ``."""
    recorded = 0
    for venue in ("coinbase_exchange", "coinbase_intx", "loopring"):
        order_json = environ.get(f"VENUEKIT_LIVE_{venue.upper()}_ORDER")
        prefix = f"VENUEKIT_{venue.upper()}_"
        if not order_json or not any(k.startswith(prefix) for k in environ):
            print(
                f"{venue}: skipped (needs its credentials and VENUEKIT_LIVE_{venue.upper()}_ORDER)"
            )
            continue
        order: dict[str, Any] = json.loads(order_json)
        unknown = {**UNKNOWN[venue]}
        if venue == "coinbase_intx":
            unknown["portfolio"] = order["portfolio"]
        wrong_var, wrong_value = WRONG[venue]
        cases = [
            ("success", environ, order),
            ("already_done", environ, order),
            ("not_found", environ, unknown),
            ("bad_signature", {**environ, wrong_var: wrong_value}, order),
        ]
        for outcome, env, arguments in cases:
            tape = cassette_vcr(record=True, library=LIVE_RECORDINGS)
            with tape.use_cassette(f"{venue}/{outcome}.yaml"), _live_client(venue, env) as client:
                handle = getattr(client, venue)
                print(f"{venue} {outcome}: {_outcome(handle, arguments)}")
            recorded += 1
    deribit = record_live_deribit(environ)
    if deribit < 0:
        return 1
    recorded += deribit
    if not recorded:
        print("nothing recorded: no venue has credentials and an open order in the environment")
        return 1
    scan = str(ROOT / "tests" / "cassettes" / "test_cassette_secrets.py")
    return subprocess.run([*PYTEST, scan], cwd=ROOT, check=False).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--live", action="store_true", help="record the venues' own sandboxes")
    args = parser.parse_args(argv)
    return record_live(os.environ) if args.live else record_local()


if __name__ == "__main__":
    sys.exit(main())
