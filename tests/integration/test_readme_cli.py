"""The README's command-line session runs as written and prints exactly what the README shows.

The block is run by bash with the venv's ``venuekit`` on PATH, against a fresh sandbox (default
seed, so the same orders as ``venuekit sandbox --port 8080``) on a free port: only the port in
``http://127.0.0.1:8080`` is substituted.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from venuekit.sandbox import run_in_thread

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
SECTION = README.split("\n## Command line\n", 1)[1].split("\n## ", 1)[0]
SESSION = re.search(r"^```sh\n(.*?)^```", SECTION, re.S | re.M)
OUTPUT = re.search(r"^prints\n\n```text\n(.*?)^```", SECTION, re.S | re.M)


def test_readme_cli_session_prints_what_the_readme_shows(tmp_path: Path) -> None:
    assert SESSION is not None
    assert OUTPUT is not None
    assert "venuekit cancel " in SESSION.group(1)
    assert "venuekit cancel-many " in SESSION.group(1)
    with run_in_thread() as sandbox:
        script = SESSION.group(1).replace("http://127.0.0.1:8080", sandbox.url)
        env = {
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "HOME": str(tmp_path),
        }
        done = subprocess.run(
            ["bash", "-c", script],  # no -e: the session shows failing commands too
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.stdout == OUTPUT.group(1), done.stderr
    assert "2 of 3 cancelled" in done.stderr
    for secret in ("dmVudWVraXQ", "sandbox-exchange-passphrase", "0x03eb3c3d08c2fb8a"):
        assert secret not in done.stdout + done.stderr
