"""Where venuekit's per-cancel overhead over raw httpx goes, layer by layer and function by function.

Run: ``.venv-bench/bin/python scripts/benchmarks/profile_cancel.py [--venue exchange|deribit]
[--profile] [--no-sockets]`` (about 40 s; ``--profile`` adds about 10 s).

Every row cancels one order on the venue (Coinbase Exchange: ``DELETE /orders/{id}?product_id=
BTC-USD``; Deribit: ``GET /api/v2/private/cancel?order_id=...`` with a Deribit key). Each row
adds one layer of venuekit to the one above it, so the difference between two rows is that
layer's cost.

1. Client CPU, no sockets (best of 7 batches): an ``httpx.MockTransport`` answers like the sandbox
   (Exchange: 200, the id as a JSON string; Deribit: the JSON-RPC envelope with the cancelled
   order; both with a ``Date`` header).

   - raw httpx, hand-signed (bench.py's ``raw httpx`` contender);
   - httpx with venuekit's signer (``CoinbaseExchangeAuth`` / ``DeribitHmacAuth``) as its
     ``httpx.Auth``;
   - hand-signed, sent through ``venuekit._http.send`` on ``open_client`` (streamed, bounded
     body, deadline, trace hook, header checks);
   - venuekit ``Client.<venue>.cancel_order`` (``rate_limits=False, attempts=1``);
   - the facade alone: the same client with ``venuekit._drive._request`` returning a prepared
     request and ``venuekit._drive.send`` returning a canned ``Answer`` (plan, engine, driver,
     interpretation of the answer; no httpx, no signing).

2. Over sockets (``--no-sockets`` skips it): the sandbox in a separate process, as bench.py runs
   it; the contenders interleaved round by round, median per cancel:

   - raw httpx, hand-signed (httpx's default transport);
   - the same on venuekit's ``DeadlineTransport`` (httpcore pool with deadline-cut socket ops);
   - the same sent through ``venuekit._http.send`` (``open_client``: DeadlineTransport too);
   - venuekit ``Client.cancel_order``.

``--profile`` adds a cProfile of ``Client.cancel_order`` over the mock transport: own time by
module (venuekit's modules, the generated package, httpx, httpcore, the standard library) and the
top functions.
"""

from __future__ import annotations

import argparse
import cProfile
import email.utils
import json
import pstats
import statistics
import sys
import time
import timeit
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import httpx
from _contenders import EXCHANGE, PRODUCT_ID, raw_cancel_path, raw_headers
from _deribit_contenders import CANCEL_PATH, DERIBIT, deri_hmac_header

import venuekit
import venuekit._drive
from venuekit._constants import MAX_RESPONSE_BODY
from venuekit._http import Answer, default_timeout, open_client, send
from venuekit.auth import CoinbaseExchangeAuth, DeribitHmacAuth

BASE_URL = "http://127.0.0.1:9"  # never contacted: every client uses the mock transport
NUMBER = 3_000
SOCKET_ROUNDS, SOCKET_PER_ROUND, SOCKET_WARMUP = 30, 50, 2


def _date() -> str:
    return email.utils.formatdate(usegmt=True)


@attrs.frozen
class Case:
    """One venue's cancel, in each form the rows need."""

    name: str
    book: str  # the sandbox book its orders come from (bench's SandboxProcess.orders)
    order_id: str  # the order the mock-transport rows cancel
    method: str
    path: Callable[[str], str]  # order id -> path with query
    headers: Callable[[str], dict[str, str]]  # path -> hand-signed headers
    body: Callable[[str], bytes]  # order id -> the venue's answer
    confirms: Callable[[bytes, str], bool]  # answer body, order id -> cancelled?
    auth: Callable[[], httpx.Auth]  # venuekit's signer for this venue
    client_kwargs: Callable[[str], dict[str, Any]]  # base URL -> venuekit.Client arguments
    cancel: Callable[[venuekit.Client, str], Any]  # venuekit's call
    order_id_of: Callable[[httpx.Request], str]  # the mock transport's view of a request


def _deribit_body(order_id: str) -> bytes:
    now_us = int(time.time() * 1e6)
    order = {
        "order_id": order_id,
        "order_state": "cancelled",
        "order_type": "limit",
        "time_in_force": "good_til_cancelled",
        "creation_timestamp": now_us // 1000 - 60_000,
        "last_update_timestamp": now_us // 1000,
        "direction": "buy",
        "price": 2000.5,
        "amount": 10,
        "filled_amount": 0,
        "average_price": 0,
        "label": "",
        "post_only": False,
        "reduce_only": False,
        "api": True,
        "web": False,
        "is_liquidation": False,
        "replaced": False,
        "instrument_name": "ETH-PERPETUAL",
        "cancel_reason": "user_request",
    }
    envelope = {
        "jsonrpc": "2.0",
        "result": order,
        "usIn": now_us,
        "usOut": now_us + 30,
        "usDiff": 30,
        "testnet": True,
    }
    return json.dumps(envelope).encode()


def _deribit_confirms(body: bytes, order_id: str) -> bool:
    result = json.loads(body).get("result") or {}
    return bool(result.get("order_id") == order_id and result.get("order_state") == "cancelled")


CASES = {
    "exchange": Case(
        name="Coinbase Exchange",
        book="exchange",
        order_id="545c4fea-8238-47c2-85b9-bed4a8fdb94f",
        method="DELETE",
        path=raw_cancel_path,
        headers=raw_headers,
        body=lambda order_id: f'"{order_id}"'.encode(),
        confirms=lambda body, order_id: json.loads(body) == order_id,
        auth=lambda: CoinbaseExchangeAuth(EXCHANGE.credentials()),
        client_kwargs=lambda url: {
            "coinbase_exchange": EXCHANGE.credentials(),
            "base_urls": {"coinbase_exchange": url},
        },
        cancel=lambda client, order_id: client.coinbase_exchange.cancel_order(
            order_id=order_id, product_id=PRODUCT_ID
        ),
        order_id_of=lambda request: request.url.path.rsplit("/", 1)[1],
    ),
    "deribit": Case(
        name="Deribit (Deribit key)",
        book="deribit",
        order_id="ETH-349249",
        method="GET",
        path=lambda order_id: f"{CANCEL_PATH}?order_id={order_id}",
        headers=lambda path: {"Authorization": deri_hmac_header(path)},
        body=_deribit_body,
        confirms=_deribit_confirms,
        auth=lambda: DeribitHmacAuth(DERIBIT.credentials()),
        client_kwargs=lambda url: {
            "deribit": DERIBIT.credentials(),
            "base_urls": {"deribit": f"{url}/api/v2"},
        },
        cancel=lambda client, order_id: client.deribit.cancel_order(order_id=order_id),
        order_id_of=lambda request: request.url.params["order_id"],
    ),
}


def _per_call_us(func: Callable[[], object]) -> float:
    return min(timeit.repeat(func, number=NUMBER, repeat=7)) / NUMBER * 1e6


def _venuekit_client(
    case: Case, base_url: str, transport: httpx.BaseTransport | None
) -> venuekit.Client:
    return venuekit.Client(
        **case.client_kwargs(base_url), transport=transport, rate_limits=False, attempts=1
    )


def _mock(case: Case) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            content=case.body(case.order_id_of(request)),
            headers={"content-type": "application/json", "date": _date()},
        )

    return httpx.MockTransport(answer)


def _raw(case: Case, http: httpx.Client, order_id: str) -> bool:
    path = case.path(order_id)
    response = http.request(case.method, path, headers=case.headers(path))
    return response.status_code == 200 and case.confirms(response.content, order_id)


def _through_send(case: Case, http: httpx.Client, order_id: str) -> bool:
    """Hand-signed, sent through ``venuekit._http.send``."""
    path = case.path(order_id)
    request = http.build_request(case.method, path, headers=case.headers(path))
    answer = send(
        http,
        request,
        deadline=time.monotonic() + 10.0,
        timeout=default_timeout(),
        max_body=MAX_RESPONSE_BODY,
    )
    return answer.status_code == 200 and case.confirms(answer.content, order_id)


def _venuekit(case: Case, client: venuekit.Client, order_id: str) -> bool:
    return case.cancel(client, order_id).state is venuekit.CancelState.CANCELLED


def cpu_rows(case: Case) -> list[tuple[str, Callable[[], bool]]]:
    """The rows of part 1, each a no-argument cancel against the mock transport."""
    transport = _mock(case)
    order_id = case.order_id
    raw = httpx.Client(base_url=BASE_URL, transport=transport)
    signed = httpx.Client(base_url=BASE_URL, transport=transport, auth=case.auth())
    through_send = open_client(base_url=BASE_URL, auth=None, transport=transport)
    client = _venuekit_client(case, BASE_URL, transport)

    def auth_cancel() -> bool:
        response = signed.request(case.method, case.path(order_id))
        return response.status_code == 200 and case.confirms(response.content, order_id)

    facade = _venuekit_client(case, BASE_URL, transport)
    prepared = httpx.Request(case.method, BASE_URL + case.path(order_id))
    canned = Answer(
        200,
        httpx.Headers({"content-type": "application/json", "date": _date()}),
        case.body(order_id),
        sent_at=time.time(),
        received_at=time.time(),
    )

    def canned_send(*args: object, **kwargs: object) -> Answer:
        return canned

    def canned_request(*args: object) -> httpx.Request:
        return prepared

    def facade_cancel() -> bool:
        # ``_drive`` builds the request and imported ``send`` by name: swap both there for this
        # call only (four stores).
        real_send, real_request = venuekit._drive.send, venuekit._drive._request
        venuekit._drive.send = canned_send  # type: ignore[assignment]
        venuekit._drive._request = canned_request  # type: ignore[assignment]
        try:
            return _venuekit(case, facade, order_id)
        finally:
            venuekit._drive.send, venuekit._drive._request = real_send, real_request

    return [
        ("raw httpx, hand-signed", lambda: _raw(case, raw, order_id)),
        (f"httpx + venuekit {type(case.auth()).__name__}", auth_cancel),
        (
            "hand-signed through venuekit._http.send",
            lambda: _through_send(case, through_send, order_id),
        ),
        ("venuekit Client.cancel_order", lambda: _venuekit(case, client, order_id)),
        ("venuekit facade alone (stub http, send)", facade_cancel),
    ]


def run_cpu(case: Case) -> dict[str, float]:
    """Part 1: client CPU per cancel (microseconds) per row."""
    print(f"1. {case.name}: client CPU per cancel, best of 7 x {NUMBER:,} (mock transport)")
    figures: dict[str, float] = {}
    for name, func in cpu_rows(case):
        if not func():
            raise RuntimeError(f"{name}: the cancel was not confirmed")
        figures[name] = _per_call_us(func)
    base = figures["raw httpx, hand-signed"]
    for name, value in figures.items():
        print(f"   {name:44} {value:7.1f} us  {value / base:5.2f}x  {value - base:+7.1f} us")
    return figures


def run_sockets(case: Case) -> dict[str, float]:
    """Part 2: median microseconds per cancel over loopback sockets, interleaved contenders."""
    from _sandbox_process import SandboxProcess

    from venuekit._http_deadline import DeadlineTransport

    with SandboxProcess() as sandbox:
        url = sandbox.url
        raw = httpx.Client(base_url=url, timeout=10.0)
        deadline = httpx.Client(base_url=url, timeout=10.0, transport=DeadlineTransport())
        through_send = open_client(base_url=url, auth=None, transport=None)
        client = _venuekit_client(case, url, None)
        contenders: list[tuple[str, Callable[[str], bool]]] = [
            ("raw httpx, hand-signed", lambda i: _raw(case, raw, i)),
            ("  on venuekit's DeadlineTransport", lambda i: _raw(case, deadline, i)),
            ("  through venuekit._http.send", lambda i: _through_send(case, through_send, i)),
            ("venuekit Client.cancel_order", lambda i: _venuekit(case, client, i)),
        ]
        total = SOCKET_WARMUP + SOCKET_ROUNDS
        ids = sandbox.orders(case.book, len(contenders) * total * SOCKET_PER_ROUND)
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
        f"\n2. {case.name} over loopback sockets, sandbox in a separate process: median per "
        f"cancel, {SOCKET_ROUNDS} interleaved rounds x {SOCKET_PER_ROUND}"
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
    parts = Path(filename).parts
    for package in ("venuekit", "coinbase_exchange_api", "deribit_api"):
        if package in parts:
            return "/".join(parts[parts.index(package) :])
    for package in ("httpx", "httpcore", "h11", "attr", "anyio"):
        if package in parts:
            return package
    if filename.startswith(("<", "~")) or "lib/python" in filename:
        return "stdlib / builtins"
    return Path(filename).name


def run_profile(case: Case) -> None:
    """cProfile ``Client.cancel_order`` over the mock transport: own time by module, top functions."""
    client = _venuekit_client(case, BASE_URL, _mock(case))
    count = 20_000
    _venuekit(case, client, case.order_id)
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(count):
        _venuekit(case, client, case.order_id)
    profile.disable()
    stats = pstats.Stats(profile)
    by_group: dict[str, float] = defaultdict(float)
    raw_stats: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in raw_stats.items():
        by_group[_group(filename)] += tottime
    total = sum(by_group.values())
    print(f"\n3. cProfile of Client.cancel_order x {count:,} (mock transport): own time by module")
    print(f"   (profiled: {total / count * 1e6:.1f} us per cancel; cProfile inflates every call)")
    for group, seconds in sorted(by_group.items(), key=lambda item: -item[1])[:20]:
        print(f"   {group:48} {seconds / count * 1e6:6.1f} us  {seconds / total:5.1%}")
    print("\n   top functions by own time:")
    stats.sort_stats("tottime").print_stats(25)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venue", choices=sorted(CASES), default="exchange")
    parser.add_argument("--profile", action="store_true", help="cProfile Client.cancel_order")
    parser.add_argument("--no-sockets", action="store_true", help="skip part 2 (sockets)")
    args = parser.parse_args()
    case = CASES[args.venue]
    run_cpu(case)
    if not args.no_sockets:
        run_sockets(case)
    if args.profile:
        run_profile(case)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    raise SystemExit(main())
