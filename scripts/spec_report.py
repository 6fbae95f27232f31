"""What changed between two versions of a venue's OpenAPI spec, classified for venuekit.

Usage::

    python scripts/spec_report.py OLD NEW            # two spec files (YAML or JSON)
    python scripts/spec_report.py OLD_DIR NEW_DIR    # every same-named spec that differs
    python scripts/spec_report.py --since HEAD specs # the working tree against git's HEAD
    ... [--json] [--spec NAME] [--usage FILE] [--exit-zero]

Exit code: 0 nothing changed, 1 only non-breaking changes, 2 something venuekit uses breaks,
3 the inputs could not be read. What venuekit uses comes from its venue registry
(``venuekit._spec_usage.usage_for``), or from ``--usage FILE``. The code is in ``scripts/specreport/``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from specreport._cli import main

if __name__ == "__main__":
    sys.exit(main())
