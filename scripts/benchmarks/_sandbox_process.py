"""The sandbox served by uvicorn in a separate process, so it does not share the client's GIL.

The child process runs `venuekit.sandbox.run_in_thread` on 127.0.0.1 (port picked by the OS) with
rate limits off, and answers order requests from the parent over a pipe: the parent asks for ``n``
fresh open Coinbase Exchange orders before a measurement and gets their ids back.
"""

from __future__ import annotations

import contextlib
import multiprocessing
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Self

__all__ = ["PRODUCT_ID", "SandboxProcess"]

#: Every benchmark order trades this product (the clients send it as ``product_id``).
PRODUCT_ID = "BTC-USD"
_START_TIMEOUT = 30.0  # seconds for the child to import venuekit and start uvicorn
_REPLY_TIMEOUT = 120.0  # seconds for the child to add the requested orders


def _serve(conn: Connection, exchange_latency: float) -> None:
    """Child process: serve the sandbox until told to stop; add orders on request."""
    from venuekit.sandbox import Faults, SandboxConfig, run_in_thread

    config = SandboxConfig(
        seed=7,
        orders_per_venue=0,
        rate_limits=False,
        exchange=Faults(latency=exchange_latency),
    )
    with run_in_thread(host="127.0.0.1", port=0, config=config) as sandbox:
        conn.send(sandbox.url)
        state = sandbox.state
        while True:
            command, count = conn.recv()
            if command == "stop":
                break
            ids = [state.add_exchange_order(product_id=PRODUCT_ID).id for _ in range(count)]
            conn.send(ids)
    conn.close()


class SandboxProcess:
    """Context manager: start the sandbox in a child process; ``url`` and ``exchange_orders(n)``.

    ``exchange_latency`` (seconds) makes every Exchange answer wait that long (the sandbox's
    ``latency`` fault), to emulate a network round trip.
    """

    def __init__(self, *, exchange_latency: float = 0.0) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child_conn = context.Pipe()
        self._process = context.Process(
            target=_serve,
            args=(child_conn, exchange_latency),
            name="venuekit-bench-sandbox",
            daemon=True,
        )
        self._child_conn = child_conn
        self.url = ""

    def __enter__(self) -> Self:
        self._process.start()
        self._child_conn.close()
        if not self._conn.poll(_START_TIMEOUT):
            self._process.kill()
            raise RuntimeError("the sandbox process did not start")
        self.url = self._conn.recv()
        return self

    def exchange_orders(self, count: int) -> list[str]:
        """Add ``count`` open Coinbase Exchange orders (product BTC-USD); return their ids."""
        self._conn.send(("exchange", count))
        if not self._conn.poll(_REPLY_TIMEOUT):
            raise RuntimeError("the sandbox process did not answer")
        ids: list[str] = self._conn.recv()
        return ids

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        with contextlib.suppress(BrokenPipeError, OSError):
            self._conn.send(("stop", 0))
        self._process.join(15)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
        self._conn.close()
