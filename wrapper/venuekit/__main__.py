"""``python -m venuekit``: the same command line as the ``venuekit`` console script."""

from __future__ import annotations

from venuekit._cli import main

__all__: list[str] = []

if __name__ == "__main__":
    raise SystemExit(main())
