"""``python -m venuekit``: the same command line as the ``venuekit`` console script."""

from __future__ import annotations

from venuekit._cli import main

if __name__ == "__main__":
    raise SystemExit(main())
