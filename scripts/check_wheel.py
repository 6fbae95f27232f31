"""Build the wheel, install it into a brand-new virtual environment and import its packages.

Usage::

    python scripts/check_wheel.py

The new environment gets the wheel's runtime dependencies from the package index, exactly as a
user's `pip install venuekit` would; nothing from the development environment leaks in.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("venuekit", "coinbase_exchange_api", "coinbase_intx_api", "deribit_api")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="venuekit-wheel-") as tmp:
        dist = Path(tmp) / "dist"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--quiet",
                "--no-deps",
                "--no-build-isolation",
                "--wheel-dir",
                str(dist),
                str(ROOT),
            ],
            check=True,
        )
        (wheel,) = dist.glob("venuekit-*.whl")
        names = zipfile.ZipFile(wheel).namelist()
        tops = {name.split("/", 1)[0] for name in names if "/" in name}
        expected = {
            *PACKAGES,
            wheel.name.split("-")[0] + "-" + wheel.name.split("-")[1] + ".dist-info",
        }
        if tops != expected:
            print(f"check_wheel: unexpected top-level entries {sorted(tops)}", file=sys.stderr)
            return 1
        for package in PACKAGES:
            if f"{package}/py.typed" not in names:
                print(f"check_wheel: {package}/py.typed missing", file=sys.stderr)
                return 1
        env = Path(tmp) / "venv"
        venv.EnvBuilder(with_pip=True).create(env)
        python = env / "bin" / "python"
        subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                str(wheel),
            ],
            check=True,
        )
        code = (
            "import "
            + ", ".join(PACKAGES)
            + "; print('imported:', "
            + ", ".join(f"{p}.__name__" for p in PACKAGES)
            + ")"
        )
        subprocess.run([str(python), "-I", "-c", code], check=True, cwd=tmp)
        print(f"{wheel.name}: {len(names)} files; installs into a clean venv and imports")
    return 0


if __name__ == "__main__":
    sys.exit(main())
