"""The README's venue tables follow the venue registry: every venue, its status and its variables.

The registry (``venuekit._venues.REGISTRY``) is the one place a venue is declared; this test fails
when a venue is added or its variables change without the README saying so.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from venuekit._config import base_url_variable
from venuekit._venues import REGISTRY, VenueSpec

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("spec", list(REGISTRY.values()), ids=[v.value for v in REGISTRY])
def test_every_venue_is_in_the_status_table_with_its_variables(spec: VenueSpec) -> None:
    status_table = README.split("## Venue status", 1)[1].split("\n## ", 1)[0]
    first_word = spec.title.split(" (")[0].split()[-1]  # "Exchange", "Deribit", "v3" ...
    assert any(first_word in row for row in status_table.splitlines() if row.startswith("|"))
    retired = "retired" in spec.status
    assert ("**retired**" in status_table) or not retired
    env_section = README.split("from_env()` reads", 1)[1].split("\n- ", 1)[0]
    for kind in spec.credentials:
        first, *others = (variable for _, variable in kind.env)
        assert first in env_section, first  # written out in full, the others as `_SUFFIX`
        for variable in others:
            assert variable.removeprefix(first.rsplit("_", 2)[0]) in env_section, variable
    assert base_url_variable(spec.venue).replace(spec.venue.value.upper(), "<VENUE>") in README
