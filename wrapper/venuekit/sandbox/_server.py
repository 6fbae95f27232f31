"""Serving the sandbox over real sockets with uvicorn (the ``sandbox`` extra).

uvicorn is imported inside the functions, so ``import venuekit.sandbox`` works without it.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs

from venuekit.sandbox._app import SandboxApp, create_app
from venuekit.sandbox._config import SandboxConfig
from venuekit.sandbox._credentials import SandboxCredentials
from venuekit.sandbox._http import ConnectionDropped
from venuekit.sandbox._protocol import ServerLimits, guarded_protocol
from venuekit.sandbox._state import SandboxState

if TYPE_CHECKING:
    import uvicorn

__all__ = ["RunningSandbox", "run_in_thread", "serve"]

_STARTUP_TIMEOUT = 10.0  # seconds to wait for uvicorn to accept connections
_SHUTDOWN_TIMEOUT = 10.0  # seconds to wait for the server thread to finish


@attrs.frozen
class RunningSandbox:
    """A sandbox listening on a socket: where it is, and its app (state, credentials)."""

    app: SandboxApp
    host: str
    port: int

    @property
    def url(self) -> str:
        """The base URL of all three venues, e.g. ``http://127.0.0.1:54321``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def base_urls(self) -> Mapping[str, str]:
        """Base URL per venue, keyed like the clients' ``base_urls`` (Deribit: ``{url}/api/v2``)."""
        return MappingProxyType(
            {
                "coinbase_exchange": self.url,
                "coinbase_intx": self.url,
                "loopring": self.url,
                "deribit": self.deribit_url,
            }
        )

    @property
    def deribit_url(self) -> str:
        """Base URL to use for Deribit (and the Coinbase gateway): ``{url}/api/v2``."""
        return f"{self.url}/api/v2"

    @property
    def exchange_url(self) -> str:
        """Base URL to use for Coinbase Exchange."""
        return self.url

    @property
    def intx_url(self) -> str:
        """Base URL to use for Coinbase INTX."""
        return self.url

    @property
    def loopring_url(self) -> str:
        """Base URL to use for Loopring."""
        return self.url

    @property
    def state(self) -> SandboxState:
        """The order book of the running app."""
        return self.app.state

    @property
    def credentials(self) -> SandboxCredentials:
        """The credentials the running app accepts."""
        return self.app.config.credentials


class _HideDrops(logging.Filter):
    """Hide uvicorn's traceback for the sandbox's deliberate connection drops."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, ConnectionDropped)


class _HideDeribitQueries(logging.Filter):
    """Drop the query of ``/api/v2`` paths from uvicorn's access log.

    Deribit's ``GET public/auth`` carries ``client_secret`` (or a JWT) in the query, and no
    secret may reach a log line; uvicorn logs ``(client, method, path?query, version, status)``.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            path, _, query = args[2].partition("?")
            if query and (path == "/api/v2" or path.startswith("/api/v2/")):
                record.args = (*args[:2], f"{path}?...", *args[3:])
        return True


@contextmanager
def _hide_drops() -> Iterator[None]:
    log = logging.getLogger("uvicorn.error")
    access = logging.getLogger("uvicorn.access")
    hide, redact = _HideDrops(), _HideDeribitQueries()
    log.addFilter(hide)
    access.addFilter(redact)
    try:
        yield
    finally:
        log.removeFilter(hide)
        access.removeFilter(redact)


def _bind(host: str, port: int) -> socket.socket:
    family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    return socket.create_server((host, port), family=family)


def _server(app: SandboxApp, limits: ServerLimits | None, **options: Any) -> uvicorn.Server:
    try:
        import uvicorn
    except ModuleNotFoundError as exc:
        raise ModuleNotFoundError(
            "serving the sandbox needs uvicorn: pip install 'venuekit[sandbox]'", name=exc.name
        ) from exc

    limits = limits if limits is not None else ServerLimits()
    # date_header=False: the app sets Date from the venue's (possibly skewed) sandbox clock.
    config = uvicorn.Config(
        app,
        lifespan="on",
        date_header=False,
        http=guarded_protocol(limits),
        limit_concurrency=limits.max_connections + 1,  # uvicorn: 503 from len(...) >= limit
        h11_max_incomplete_event_size=limits.max_head_bytes,
        backlog=2 * limits.max_connections,
        **options,
    )
    return uvicorn.Server(config)


def _resolve_app(app: SandboxApp | None, config: SandboxConfig | None) -> SandboxApp:
    if app is not None and config is not None:
        raise TypeError("pass either app or config, not both")
    return app if app is not None else create_app(config)


@contextmanager
def run_in_thread(
    app: SandboxApp | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    config: SandboxConfig | None = None,
    limits: ServerLimits | None = None,
) -> Iterator[RunningSandbox]:
    """Serve the sandbox with uvicorn in a background thread for the duration of a ``with``.

    ``port=0`` picks a free port. Leaves the global logging configuration alone (uvicorn's
    records propagate to the root logger) and hides the tracebacks of deliberate drops.

    Raises:
        ModuleNotFoundError: uvicorn is missing (install ``venuekit[sandbox]``).
        RuntimeError: the server did not start within 10 s.

    Example:
        >>> with run_in_thread(config=SandboxConfig(seed=1)) as sandbox:  # doctest: +SKIP
        ...     httpx.get(f"{sandbox.exchange_url}/time").json()
    """
    app = _resolve_app(app, config)
    server = _server(app, limits, log_config=None, log_level="warning", access_log=False)
    sock = _bind(host, port)
    bound_port = sock.getsockname()[1]
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="venuekit-sandbox", daemon=True
    )
    with _hide_drops():
        thread.start()
        try:
            deadline = time.monotonic() + _STARTUP_TIMEOUT
            while not server.started:
                if not thread.is_alive() or time.monotonic() > deadline:
                    raise RuntimeError(f"sandbox server did not start on {host}:{bound_port}")
                time.sleep(0.01)
            yield RunningSandbox(app=app, host=host, port=bound_port)
        finally:
            server.should_exit = True
            thread.join(_SHUTDOWN_TIMEOUT)
            sock.close()


def serve(
    app: SandboxApp | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    config: SandboxConfig | None = None,
    limits: ServerLimits | None = None,
    on_ready: Callable[[RunningSandbox], None] | None = None,
) -> None:
    """Serve the sandbox with uvicorn in this thread until the process is interrupted.

    The socket is bound before ``on_ready`` is called (so ``port=0`` reports the real port);
    uvicorn handles SIGINT/SIGTERM, shuts down and then re-raises the signal (Ctrl-C surfaces
    as `KeyboardInterrupt` after a clean shutdown).

    Raises:
        ModuleNotFoundError: uvicorn is missing (install ``venuekit[sandbox]``).
        OSError: the address cannot be bound.
    """
    app = _resolve_app(app, config)
    server = _server(app, limits, log_level="info", access_log=True)
    sock = _bind(host, port)
    try:
        if on_ready is not None:
            on_ready(RunningSandbox(app=app, host=host, port=sock.getsockname()[1]))
        with _hide_drops():
            server.run(sockets=[sock])
    finally:
        sock.close()
