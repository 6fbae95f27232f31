"""Where venuekit's per-cancel overhead over raw httpx goes, layer by layer and function by function.

Run: ``.venv-bench/bin/python scripts/benchmarks/profile_cancel.py [--profile] [--no-sockets]``
(about 40 s; ``--profile`` adds about 10 s).

Every row cancels on Coinbase Exchange (``DELETE /orders/{id}?product_id=BTC-USD``). Each row adds
one layer of venuekit to the one above it, so the difference between two rows is that layer's cost.

1. Client CPU, no sockets (best of 7 batches): an ``httpx.MockTransport`` answers like the sandbox
   (200, the id as a JSON string, a ``Date`` header).

   - raw httpx, hand-signed (bench.py's ``raw httpx`` contender);
   - httpx with venuekit's ``CoinbaseExchangeAuth`` (signing through the ``httpx.Auth`` flow);
   - hand-signed, sent through ``venuekit._http.send`` on ``open_client`` (streamed, bounded
     body, deadline, trace hook, header checks);
   - venuekit ``Client.coinbase_exchange.cancel_order`` (``rate_limits=False, attempts=1``);
   - the facade alone: the same client with ``http.build_request`` returning a prepared request
     and ``venuekit._drive.send`` returning a canned ``Answer`` (plan, engine, driver,
     interpretation; no httpx, no signing).

2. Over sockets (``--no-sockets`` skips it): the sandbox in a separate process, as bench.py runs
   it; the contenders interleaved round by round, median per cancel:

   - raw httpx, hand-signed (httpx's default transport);
   - the same on venuekit's ``DeadlineTransport`` (httpcore pool with deadline-cut socket ops);
   - the same sent through ``venuekit._http.send`` (``open_client``: DeadlineTransport too);
   - venuekit ``Client.cancel_order``.

``--profile`` adds a cProfile of ``Client.cancel_order`` over the mock transport: own time by
module (venuekit's modules, httpx, httpcore, the standard library) and the top functions.
"""

from __future__ import annotations

import argparse
import cProfile
import email.utils
import pstats
import statistics
import sys
import time
import timeit
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from _contenders import EXCHANGE, PRODUCT_ID, raw_cancel_path, raw_headers

import venuekit
import venuekit._drive
from venuekit._constants import MAX_RESPONSE_BODY
from venuekit._http import Answer, default_timeout, open_client, send
from venuekit.auth import CoinbaseExchangeAuth

ORDER_ID = "545c4fea-8238-47c2-85b9-bed4a8fdb94f"
BASE_URL = "http://127.0.0.1:9"  # never contacted: every client uses the mock transport
NUMBER = 3_000
SOCKET_ROUNDS, SOCKET_PER_ROUND, SOCKET_WARMUP = 30, 50, 2


def _answer(request: httpx.Request) -> httpx.Response:
    order_id = request.url.path.rsplit("/", 1)[1]
    return httpx.Response(
        200,
        content=f'"{order_id}"'.encode(),
        headers={"content-type": "application/json", "date": email.utils.formatdate(usegmt=True)},
    )


def _per_call_us(func: Callable[[], object]) -> float:
    return min(timeit.repeat(func, number=NUMBER, repeat=7)) / NUMBER * 1e6


def _venuekit_client(base_url: str, transport: httpx.BaseTransport | None) -> venuekit.Client:
    return venuekit.Client(
        coinbase_exchange=EXCHANGE.credentials(),
        base_urls={"coinbase_exchange": base_url},
        transport=transport,
        rate_limits=False,
        attempts=1,
    )


class _StubHttp:
    """Stands in for the venue's httpx client in the facade row: hands out one prepared request."""

    def __init__(self, request: httpx.Request) -> None:
        self._request = request

    def build_request(self, method: str, url: str) -> httpx.Request:
        return self._request

    def close(self) -> None:
        pass


def _send_raw(http: httpx.Client, order_id: str) -> bool:
    """Hand-signed, sent through ``venuekit._http.send``."""
    path = raw_cancel_path(order_id)
    request = http.build_request("DELETE", path, headers=raw_headers(path))
    answer = send(
        http,
        request,
        deadline=time.monotonic() + 10.0,
        timeout=default_timeout(),
        max_body=MAX_RESPONSE_BODY,
    )
    return answer.status_code == 200 and answer.content == f'"{order_id}"'.encode()


def cpu_rows() -> list[tuple[str, Callable[[], object]]]:
    """The rows of part 1, each a no-argument cancel against the mock transport."""
    transport = httpx.MockTransport(_answer)
    raw = httpx.Client(base_url=BASE_URL, transport=transport)
    signed = httpx.Client(
        base_url=BASE_URL, transport=transport, auth=CoinbaseExchangeAuth(EXCHANGE.credentials())
    )
    through_send = open_client(base_url=BASE_URL, auth=None, transport=transport)
    client = _venuekit_client(BASE_URL, transport)
    path = raw_cancel_path(ORDER_ID)

    def raw_cancel() -> None:
        response = raw.delete(path, headers=raw_headers(path))
        assert response.json() == ORDER_ID

    def auth_cancel() -> None:
        assert signed.delete(path).json() == ORDER_ID

    def send_cancel() -> None:
        assert _send_raw(through_send, ORDER_ID)

    def venuekit_cancel() -> None:
        result = client.coinbase_exchange.cancel_order(order_id=ORDER_ID, product_id=PRODUCT_ID)
        assert result.state is venuekit.CancelState.CANCELLED

    facade = _venuekit_client(BASE_URL, transport)
    facade._http[venuekit.Venue.COINBASE_EXCHANGE] = _StubHttp(  # type: ignore[assignment]
        httpx.Request("DELETE", BASE_URL + path)
    )
    canned = Answer(
        200,
        httpx.Headers({"content-type": "application/json", "date": email.utils.formatdate()}),
        f'"{ORDER_ID}"'.encode(),
        sent_at=time.time(),
        received_at=time.time(),
    )

    def canned_send(*args: object, **kwargs: object) -> Answer:
        return canned

    def facade_cancel() -> None:
        # ``_drive`` imported ``send`` by name: swap it there for this call only (two stores).
        real = venuekit._drive.send
        venuekit._drive.send = canned_send  # type: ignore[assignment]
        try:
            result = facade.coinbase_exchange.cancel_order(order_id=ORDER_ID, product_id=PRODUCT_ID)
        finally:
            venuekit._drive.send = real
        assert result.state is venuekit.CancelState.CANCELLED

    return [
        ("raw httpx, hand-signed", raw_cancel),
        ("httpx + venuekit CoinbaseExchangeAuth", auth_cancel),
        ("hand-signed through venuekit._http.send", send_cancel),
        ("venuekit Client.cancel_order", venuekit_cancel),
        ("venuekit facade alone (stub http, send)", facade_cancel),
    ]


def run_cpu() -> dict[str, float]:
    """Part 1: client CPU per cancel (microseconds) per row."""
    rows = cpu_rows()
    print(f"1. client CPU per cancel, best of 7 x {NUMBER:,} (mock transport, no sockets)")
    figures: dict[str, float] = {}
    for name, func in rows:
        func()
        figures[name] = _per_call_us(func)
    base = figures["raw httpx, hand-signed"]
    for name, value in figures.items():
        print(f"   {name:44} {value:7.1f} us  {value / base:5.2f}x  {value - base:+7.1f} us")
    return figures


def run_sockets() -> dict[str, float]:
    """Part 2: median microseconds per cancel over loopback sockets, interleaved contenders."""
    from _sandbox_process import SandboxProcess

    from venuekit._http_deadline import DeadlineTransport

    with SandboxProcess() as sandbox:
        url = sandbox.url
        raw = httpx.Client(base_url=url, timeout=10.0)
        deadline = httpx.Client(base_url=url, timeout=10.0, transport=DeadlineTransport())
        through_send = open_client(base_url=url, auth=None, transport=None)
        client = _venuekit_client(url, None)

        def with_client(http: httpx.Client) -> Callable[[str], bool]:
            def cancel(order_id: str) -> bool:
                path = raw_cancel_path(order_id)
                response = http.delete(path, headers=raw_headers(path))
                return response.status_code == 200 and response.json() == order_id

            return cancel

        def venuekit_cancel(order_id: str) -> bool:
            result = client.coinbase_exchange.cancel_order(order_id=order_id, product_id=PRODUCT_ID)
            return result.state is venuekit.CancelState.CANCELLED

        contenders: list[tuple[str, Callable[[str], bool]]] = [
            ("raw httpx, hand-signed", with_client(raw)),
            ("  on venuekit's DeadlineTransport", with_client(deadline)),
            ("  through venuekit._http.send", lambda i: _send_raw(through_send, i)),
            ("venuekit Client.cancel_order", venuekit_cancel),
        ]
        total = SOCKET_WARMUP + SOCKET_ROUNDS
        ids = sandbox.exchange_orders(len(contenders) * total * SOCKET_PER_ROUND)
        times: dict[str, list[float]] = {name: [] for name, _ in contenders}
        for round_index in range(total):
            shift = round_index % len(contenders)
            for name, cancel in contenders[shift:] + contenders[:shift]:
                for _ in range(SOCKET_PER_ROUND):
                    order_id = ids.pop()
                    start = time.perf_counter_ns()
                    ok = cancel(order_id)
                    elapsed = time.perf_counter_ns() - start
                    if not ok:
                        raise RuntimeError(f"{name}: cancel of {order_id} not confirmed")
                    if round_index >= SOCKET_WARMUP:
                        times[name].append(elapsed / 1e3)
        for http in (raw, deadline, through_send):
            http.close()
        client.close()
    print(
        f"\n2. over loopback sockets, sandbox in a separate process: median per cancel, "
        f"{SOCKET_ROUNDS} interleaved rounds x {SOCKET_PER_ROUND}"
    )
    figures = {name: statistics.median(values) for name, values in times.items()}
    base = figures["raw httpx, hand-signed"]
    previous = base
    for name, value in figures.items():
        print(
            f"   {name:44} {value:7.1f} us  {value / base:5.3f}x  layer {value - previous:+6.1f} us"
        )
        previous = value
    return figures


def _group(filename: str) -> str:
    """The module group a profiled function belongs to (``venuekit/_http.py``, ``httpx``, ...)."""
    path = Path(filename)
    parts = path.parts
    for package in ("venuekit", "coinbase_exchange_api"):
        if package in parts:
            return "/".join(parts[parts.index(package) :])
    for package in ("httpx", "httpcore", "h11", "attrs", "attr", "anyio"):
        if package in parts:
            return package
    return (
        "stdlib / builtins"
        if filename.startswith(("<", "~")) or "lib/python" in filename
        else filename
    )


def run_profile() -> None:
    """cProfile ``Client.cancel_order`` over the mock transport: own time by module, top functions."""
    client = _venuekit_client(BASE_URL, httpx.MockTransport(_answer))
    count = 20_000

    def cancel() -> None:
        client.coinbase_exchange.cancel_order(order_id=ORDER_ID, product_id=PRODUCT_ID)

    cancel()
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(count):
        cancel()
    profile.disable()
    stats = pstats.Stats(profile)
    by_group: dict[str, float] = defaultdict(float)
    raw_stats: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in raw_stats.items():
        by_group[_group(filename)] += tottime
    total = sum(by_group.values())
    print(f"\n3. cProfile of Client.cancel_order x {count:,} (mock transport): own time by module")
    print(f"   (profiled: {total / count * 1e6:.1f} us per cancel; cProfile inflates every call)")
    for group, seconds in sorted(by_group.items(), key=lambda item: -item[1])[:18]:
        print(f"   {group:48} {seconds / count * 1e6:6.1f} us  {seconds / total:5.1%}")
    print("\n   top functions by own time:")
    stats.sort_stats("tottime").print_stats(25)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true", help="cProfile Client.cancel_order")
    parser.add_argument("--no-sockets", action="store_true", help="skip part 2 (sockets)")
    args = parser.parse_args()
    run_cpu()
    if not args.no_sockets:
        run_sockets()
    if args.profile:
        run_profile()
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    raise SystemExit(main())
