"""`import venuekit` stays light: the generated packages load only when their venue is used.

make bench measured the two generated packages at ~20 ms of import time (the INTX one builds every
model); a user of one venue should not pay for the others, least of all for a retired venue.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = """
import sys
import venuekit
from venuekit.sandbox import DEFAULT_CREDENTIALS as C
loaded = lambda: sorted({m.split(".")[0] for m in sys.modules if m.startswith("coinbase_")})
print("import:", loaded())
kwargs = {%s}
client = venuekit.Client(**kwargs)
print("client:", loaded())
"""


@pytest.mark.parametrize(
    ("kwargs", "after_client"),
    [
        ("", "[]"),
        ("'loopring': C.loopring.credentials()", "[]"),
        ("'coinbase_exchange': C.exchange.credentials()", "['coinbase_exchange_api']"),
        ("'coinbase_intx': C.intx.credentials()", "['coinbase_intx_api']"),
    ],
)
def test_generated_packages_load_only_for_configured_venues(kwargs: str, after_client: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE % kwargs],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert done.stdout.splitlines() == ["import: []", f"client: {after_client}"]
