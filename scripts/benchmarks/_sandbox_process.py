"""The sandbox served by uvicorn in a separate process, so it does not share the client's GIL.

The child process runs `venuekit.sandbox.run_in_thread` on 127.0.0.1 (port picked by the OS) with
rate limits off, and answers order requests from the parent over a pipe: the parent asks for ``n``
fresh open orders of one book before a measurement and gets their ids back. Books: ``exchange``
(Coinbase Exchange, product BTC-USD), ``deribit`` (the Deribit key's main account) and ``cdp``
(the subaccount the Coinbase gateway's CDP keys trade for); Deribit orders are on
``DERIBIT_INSTRUMENT``.
"""

from __future__ import annotations

import contextlib
import multiprocessing
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Self

__all__ = ["BOOKS", "DERIBIT_INSTRUMENT", "PRODUCT_ID", "SandboxProcess"]

#: Every benchmark order trades this product (the clients send it as ``product_id``).
PRODUCT_ID = "BTC-USD"
#: Every Deribit benchmark order is on this instrument (order ids ``ETH-<n>``).
DERIBIT_INSTRUMENT = "ETH-PERPETUAL"
#: The order books the child can add orders to.
BOOKS = ("exchange", "deribit", "cdp")
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
        users = {
            "deribit": config.credentials.deribit.user_id,
            "cdp": config.credentials.cdp.user_id,
        }
        while True:
            command, count = conn.recv()
            if command == "stop":
                break
            if command == "exchange":
                ids = [state.add_exchange_order(product_id=PRODUCT_ID).id for _ in range(count)]
            else:
                add = state.deribit.add_order
                user = users[command]
                ids = [
                    add(user_id=user, instrument_name=DERIBIT_INSTRUMENT).order_id
                    for _ in range(count)
                ]
            conn.send(ids)
    conn.close()


class SandboxProcess:
    """Context manager: start the sandbox in a child process; ``url`` and ``orders(book, n)``.

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

    @property
    def deribit_url(self) -> str:
        """The base URL of Deribit (and the Coinbase gateway) in this sandbox: ``{url}/api/v2``."""
        return f"{self.url}/api/v2"

    def orders(self, book: str, count: int) -> list[str]:
        """Add ``count`` open orders to ``book`` (one of ``BOOKS``); return their ids."""
        if book not in BOOKS:
            raise ValueError(f"unknown book {book!r}; known: {', '.join(BOOKS)}")
        self._conn.send((book, count))
        if not self._conn.poll(_REPLY_TIMEOUT):
            raise RuntimeError("the sandbox process did not answer")
        ids: list[str] = self._conn.recv()
        return ids

    def exchange_orders(self, count: int) -> list[str]:
        """Add ``count`` open Coinbase Exchange orders (product BTC-USD); return their ids."""
        return self.orders("exchange", count)

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
