"""The sandbox in a child process with a durable book, killed with SIGKILL and started again.

The child serves `venuekit.sandbox.run_in_thread` on 127.0.0.1 with ``state_file`` set (the
book is a journal, replayed at start), wrapped in `HarshApp`: a share of the answers is held
back for a while (`Slow`, seconds) before it is sent (the cancel is already applied: a client that gives up has
no answer), and every 429 carries ``Retry-After``. The parent talks to it over a pipe: ``stats``
(a snapshot of ``app.stats``), ``stop`` (the final stats and the live book, then a clean exit).
`SandboxProcess.kill` sends SIGKILL; `SandboxProcess.start` again binds the same port.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import random
import time
from collections.abc import Mapping
from multiprocessing.connection import Connection
from typing import Any

import anyio
import attrs

from venuekit.sandbox import SandboxApp, SandboxConfig, run_in_thread

from .book import BookKey, book_statuses

__all__ = ["HarshApp", "SandboxProcess", "Slow"]

_START_TIMEOUT = 30.0  # seconds for a child to import venuekit, replay the journal, listen
_REPLY_TIMEOUT = 30.0  # seconds for a child to answer on the pipe
#: Stats as plain data: ((venue, endpoint, fate, status), count).
StatsRows = list[tuple[tuple[str, str, str, int], int]]


@attrs.frozen
class Slow:
    """Answers held back: ``rate`` of them, each by uniform(``low``, ``high``) seconds."""

    rate: float = 0.0
    low: float = 0.0
    high: float = 0.0
    retry_after: str | None = None  # the Retry-After header put on every 429 (None: none)


class HarshApp(SandboxApp):
    """The sandbox, with slow answers and a ``Retry-After`` on every 429 (`Slow`)."""

    def __init__(self, config: SandboxConfig, slow: Slow) -> None:
        super().__init__(config)
        self._slow = slow
        self._slow_rng = random.Random(f"loadtest/slow/{config.seed}")
        self.holds: list[float] = []  # seconds each held answer was held

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        slow = self._slow
        hold = self._slow_rng.uniform(slow.low, slow.high)
        if self._slow_rng.random() >= slow.rate:
            hold = 0.0
        else:
            self.holds.append(hold)

        async def harsh_send(message: Any) -> None:
            if message["type"] == "http.response.start":
                if hold:
                    await anyio.sleep(hold)  # applied already; the answer is late
                if message["status"] == 429 and slow.retry_after is not None:
                    headers = [*message["headers"], (b"retry-after", slow.retry_after.encode())]
                    message = {**message, "headers": headers}
            await send(message)

        await super().__call__(scope, receive, harsh_send)


def _stats_rows(app: SandboxApp) -> StatsRows:
    return [((k.venue, k.endpoint, k.fate, k.status), n) for k, n in app.stats.snapshot().items()]


def _serve(conn: Connection, config: SandboxConfig, slow: Slow, port: int) -> None:
    """Child process: serve until told to stop; answer ``stats``; at ``stop`` send the book."""
    app = HarshApp(config, slow)
    with run_in_thread(app, host="127.0.0.1", port=port) as sandbox:
        conn.send(sandbox.port)
        while True:
            command = conn.recv()
            if command == "stats":
                conn.send((_stats_rows(app), list(app.holds)))
            elif command == "stop":
                conn.send((_stats_rows(app), list(app.holds), book_statuses(app.state)))
                break
    conn.close()


class SandboxProcess:
    """One sandbox at a time in a child process; ``start``, ``kill`` (SIGKILL), ``stop``."""

    def __init__(self) -> None:
        self._context = multiprocessing.get_context("spawn")
        self._process: Any = None
        self._conn: Connection | None = None
        self.port = 0

    def start(self, config: SandboxConfig, slow: Slow) -> float:
        """Start a child on ``self.port`` (0: any free port, then kept); seconds it took."""
        started = time.monotonic()
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=_serve, args=(child, config, slow, self.port), name="loadtest-sandbox"
        )
        process.daemon = True
        process.start()
        child.close()
        try:
            if not parent.poll(_START_TIMEOUT):
                raise EOFError
            self.port = parent.recv()
        except (EOFError, OSError):
            process.kill()
            process.join()
            parent.close()
            raise RuntimeError(f"the sandbox process did not start on port {self.port}") from None
        self._process, self._conn = process, parent
        return time.monotonic() - started

    def _ask(self, command: str) -> Any:
        assert self._conn is not None
        self._conn.send(command)
        if not self._conn.poll(_REPLY_TIMEOUT):
            raise RuntimeError(f"the sandbox process did not answer {command!r}")
        return self._conn.recv()

    def stats(self) -> tuple[StatsRows, list[float]]:
        """The running child's answer counters, and how long each held answer was held."""
        rows: tuple[StatsRows, list[float]] = self._ask("stats")
        return rows

    def kill(self) -> None:
        """SIGKILL the child: no shutdown, connections cut, whatever it was doing."""
        self._process.kill()
        self._process.join()
        self._close_pipe()

    def stop(self) -> tuple[StatsRows, list[float], Mapping[BookKey, str]]:
        """Stop the child cleanly; its final counters, held answers and live book."""
        stats, holds, book = self._ask("stop")
        self._process.join(15)
        self._close_pipe()
        return stats, holds, book

    def _close_pipe(self) -> None:
        if self._conn is not None:
            self._conn.close()
        self._conn = None

    def close(self) -> None:
        """Kill the child if one is still running (after an error)."""
        if self._process is not None and self._process.is_alive():
            with contextlib.suppress(OSError):
                self.kill()
