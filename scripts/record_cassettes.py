"""Re-record the cassettes in tests/cassettes/recordings/ (``make cassettes`` / ``make record-live``).

Usage::

    python scripts/record_cassettes.py          # against the local sandbox (uvicorn, 127.0.0.1)
    python scripts/record_cassettes.py --live   # against the venues' own sandboxes; never in CI

Sandbox mode deletes the old recordings, runs tests/cassettes with ``VENUEKIT_RECORD=sandbox``
(each test starts the sandbox and records over real HTTP), then replays everything once more with
the network blocked and scans the files for secrets.

Live mode records the outcomes a real venue produces on demand (success, already done, not found,
bad signature) for every venue whose credentials are in the environment (the ``Client.from_env``
names, e.g. ``VENUEKIT_COINBASE_EXCHANGE_API_KEY``), against ``VENUEKIT_<VENUE>_BASE_URL`` (default:
the venue's documented sandbox), cancelling the open order described by
``VENUEKIT_LIVE_<VENUE>_ORDER`` (JSON of ``cancel_order`` arguments, e.g.
``{"order_id": "...", "product_id": "BTC-USD"}``). Rate-limited and server-error recordings stay the
local sandbox's: a real venue cannot be made to answer them.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECORDINGS = ROOT / "tests" / "cassettes" / "recordings"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--live", action="store_true", help="record against the venues' sandboxes")
    args = parser.parse_args(argv)
    mode = "live" if args.live else "sandbox"
    if mode == "sandbox":
        for old in RECORDINGS.rglob("*.yaml"):
            old.unlink()
    env = {**os.environ, "VENUEKIT_RECORD": mode}
    pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    target = [str(ROOT / "tests" / "cassettes" / "test_cassettes.py"), "-k", "test_sync_client"]
    if mode == "live":
        # Live recording talks to the venues: lift pytest's loopback-only rule for this run only.
        target += ["--allow-hosts", "*", "-k", "not rate_limited and not server_error"]
    recorded = subprocess.run([*pytest, *target], cwd=ROOT, env=env, check=False)
    if recorded.returncode != 0:
        return recorded.returncode
    replay_env = {k: v for k, v in os.environ.items() if k != "VENUEKIT_RECORD"}
    replayed = subprocess.run(
        [*pytest, str(ROOT / "tests" / "cassettes")], cwd=ROOT, env=replay_env, check=False
    )
    return replayed.returncode


if __name__ == "__main__":
    sys.exit(main())
