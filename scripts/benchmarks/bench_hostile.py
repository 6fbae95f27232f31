"""Peak memory and time of one hostile read through ``venuekit._http``, each in a fresh process.

Run: ``.venv/bin/python scripts/benchmarks/bench_hostile.py [--contrast] [--repeat N]``
(about 30 s; ``--contrast`` adds about 10 s and ~1 GB of memory for a moment).

Methodology
-----------
Server. A thread-per-connection TCP server on 127.0.0.1 (port chosen by the OS) in this process
answers by path: a cancel-sized JSON answer (the baseline), the same gzipped, a 100 MB body
with ``Content-Length`` (refused from the header) and chunked (refused while reading), gzip
bombs of ~10 KB -> 10 MB, ~100 KB -> 100 MB and ~1 MB -> 1 GB of zeros (generated here by
streaming, 1 MiB at a time; sent chunked, so no length announces them and they are
decompressed), and a body dripped one byte per 0.2 s for 30 s.

Client. Each case runs in a **fresh** ``python`` subprocess that imports venuekit, opens the
client (``open_client`` / ``open_async_client``), then makes one ``send`` / ``send_async`` call
with ``max_body=MAX_RESPONSE_BODY`` and a 5 s deadline. It reports its peak resident set size
(``VmHWM`` on Linux, else ``ru_maxrss``) before the call and after it, and the call's outcome and seconds. Peak RSS
of the whole process is what an operator sees, imports included; the baseline (a normal cancel
answer, same run) is what it costs anyway, so the figures that matter are the ratio to the
baseline and the growth during the call. ``--contrast`` also runs plain httpx
(``client.get(...).content``, what venuekit did before) on the 100 MB body and the 100 KB
bomb, in children limited to 2 GB of address space; the 1 GB bomb is not tried that way.

Nothing leaves 127.0.0.1; every case is bounded (5 s deadline, 60 s child timeout).
"""

from __future__ import annotations

import argparse
import json
import resource
import socket
import statistics
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterable
from typing import Any

CANCEL_ANSWER = (
    b'{"id":"d0c5340b-6d6c-49d9-b567-48c4bfca13d2","status":"done","done_reason":"canceled"}'
)
DEADLINE = 5.0
CHILD_TIMEOUT = 60.0


def gzip_of_zeros(size: int) -> bytes:
    """A gzip stream of ``size`` zero bytes, compressed 1 MiB at a time."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1 << 20)
    parts = [compressor.compress(block[: size - done]) for done in range(0, size, len(block))]
    parts.append(compressor.flush())
    return b"".join(parts)


# --- the server --------------------------------------------------------------------------------


GZIP = "Content-Encoding: gzip"
CHUNKED = "Transfer-Encoding: chunked"


def _answers() -> dict[str, tuple[list[str], Any]]:
    """path -> (headers, body): body is bytes, ``"drip"``, or a size to stream as ``x`` bytes."""
    return {
        "/baseline": ([], CANCEL_ANSWER),
        "/baseline-gzip": (["Content-Encoding: gzip"], zlib.compress(CANCEL_ANSWER, wbits=31)),
        "/body-100mb-announced": ([], 100 * 10**6),
        "/body-100mb": ([CHUNKED], 100 * 10**6),
        "/gzip-10kb-of-10mb": ([GZIP, CHUNKED], gzip_of_zeros(10 * 10**6)),
        "/gzip-100kb-of-100mb": ([GZIP, CHUNKED], gzip_of_zeros(100 * 10**6)),
        "/gzip-1mb-of-1gb": ([GZIP, CHUNKED], gzip_of_zeros(10**9)),
        "/drip-body": ([], "drip"),
    }


class Server:
    def __init__(self) -> None:
        self.answers = _answers()
        self.stopped = threading.Event()
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(32)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            try:
                head = b""
                while b"\r\n\r\n" not in head:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    head += chunk
                path = head.split(b" ", 2)[1].decode()
                headers, body = self.answers[path]
                self._answer(conn, headers, body)
            except OSError:
                return

    def _answer(self, conn: socket.socket, headers: list[str], body: Any) -> None:
        chunked = CHUNKED in headers
        if body == "drip":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 150\r\n\r\n")
            for _ in range(150):
                if self.stopped.wait(0.2):
                    return
                conn.sendall(b"x")
            return
        size = body if isinstance(body, int) else len(body)
        lines = ["HTTP/1.1 200 OK", *headers]
        if not chunked:
            lines.append(f"Content-Length: {size}")
        conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        parts: Iterable[bytes]
        if isinstance(body, bytes):  # chunked in 64 KiB pieces, as a server streaming a file
            parts = [body[i : i + 2**16] for i in range(0, size, 2**16)] if chunked else [body]
        else:  # ``body`` bytes of "x" streamed 1 MiB at a time, never held whole
            block = b"x" * 2**20
            parts = (block[: size - start] for start in range(0, size, len(block)))
        for part in parts:
            conn.sendall(b"%x\r\n%s\r\n" % (len(part), part) if chunked else part)
        if chunked:
            conn.sendall(b"0\r\n\r\n")

    def close(self) -> None:
        self.stopped.set()
        self.listener.close()


# --- the child -----------------------------------------------------------------------------------


def _peak_kib() -> int:
    """This process's peak resident set size in KiB: ``VmHWM`` on Linux, else ``ru_maxrss``.

    ``ru_maxrss`` survives ``fork`` + ``exec``: a child started by a large parent (bench.py has
    matplotlib and ccxt loaded) reports the parent's peak until it outgrows it. ``VmHWM`` belongs
    to the child's own address space, so the figure does not depend on who started it.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child(mode: str, base: str, path: str) -> dict[str, Any]:
    """One call in this (fresh) process; returns the figures as a dict."""
    import asyncio

    import httpx

    from venuekit import errors
    from venuekit._constants import MAX_RESPONSE_BODY
    from venuekit._http import default_timeout, open_async_client, open_client, send, send_async

    result: dict[str, Any] = {}

    def record(outcome: Any, started: float) -> None:
        """``outcome``: anything with ``status_code`` and ``content``, or an exception."""
        result["seconds"] = time.monotonic() - started
        result["peak_after_kib"] = _peak_kib()
        if isinstance(outcome, BaseException):
            result["outcome"] = f"{type(outcome).__name__}: {str(outcome)[:70]}"
            # venuekit's refusals are TransportError subclasses (ResponseTooLarge, ...)
            result["kind"] = (
                "transport_error" if isinstance(outcome, errors.TransportError) else "error"
            )
        else:
            result["outcome"] = f"HTTP {outcome.status_code}, {len(outcome.content)} bytes"
            result["kind"] = f"http_{outcome.status_code}"

    if mode == "httpx":
        resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))
        with httpx.Client(base_url=base, timeout=DEADLINE) as http:
            result["peak_before_kib"] = _peak_kib()
            started = time.monotonic()
            try:
                record(http.get(path), started)
            except (httpx.HTTPError, MemoryError) as exc:
                record(exc, started)
        return result

    if mode == "sync":
        with open_client(base_url=base, auth=None, transport=None) as http:
            request = http.build_request("GET", path)
            result["peak_before_kib"] = _peak_kib()
            started = time.monotonic()
            try:
                answer = send(
                    http,
                    request,
                    deadline=started + DEADLINE,
                    timeout=default_timeout(),
                    max_body=MAX_RESPONSE_BODY,
                )
                record(answer, started)
            except errors.TransportError as exc:
                record(exc, started)
        return result

    async def main() -> None:
        async with open_async_client(base_url=base, auth=None, transport=None) as http:
            request = http.build_request("GET", path)
            result["peak_before_kib"] = _peak_kib()
            started = time.monotonic()
            try:
                answer = await send_async(
                    http,
                    request,
                    deadline=started + DEADLINE,
                    timeout=default_timeout(),
                    max_body=MAX_RESPONSE_BODY,
                )
                record(answer, started)
            except errors.TransportError as exc:
                record(exc, started)

    asyncio.run(main())
    return result


def run_child(mode: str, base: str, path: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", mode, base, path],
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        return {"outcome": f"child failed ({done.returncode}): {done.stderr.strip()[-200:]}"}
    return json.loads(done.stdout)


# --- the parent ----------------------------------------------------------------------------------


def _expected(mode: str, path: str, kind: str) -> bool:
    """venuekit answers the baselines (200) and refuses every hostile case with a TransportError."""
    if mode == "httpx":
        return True  # the contrast: whatever plain httpx does
    return kind == ("http_200" if path.startswith("/baseline") else "transport_error")


def run_hostile(
    *, repeat: int = 1, contrast: bool = False, modes: tuple[str, ...] = ("sync", "async")
) -> dict[str, Any]:
    """Serve the cases, run each in fresh child processes; peak RSS and outcome per case.

    Returns ``{"deadline_s", "repeat", "rows": [...], "unexpected": n}``; each row: client mode,
    case, ``before_mib`` / ``peak_mib`` (medians), ``growth_mib``, ``over_baseline`` (peak / the
    same client's baseline peak), ``seconds``, ``outcome`` and ``expected``.
    """
    server = Server()
    plan = [(mode, path) for mode in modes for path in server.answers]
    if contrast:
        plan += [
            ("httpx", "/baseline"),
            ("httpx", "/body-100mb"),
            ("httpx", "/gzip-10kb-of-10mb"),
            ("httpx", "/gzip-100kb-of-100mb"),
        ]
    runs_by_case = []
    try:
        for mode, path in plan:
            runs_by_case.append(
                (mode, path, [run_child(mode, server.url, path) for _ in range(repeat)])
            )
    finally:
        server.close()
    rows: list[dict[str, Any]] = []
    baseline: dict[str, float] = {}
    for mode, path, runs in runs_by_case:
        good = [run for run in runs if "peak_after_kib" in run]
        if not good:
            rows.append(
                {"client": mode, "case": path[1:], "outcome": runs[0]["outcome"], "expected": False}
            )
            continue
        before = statistics.median(run["peak_before_kib"] for run in good) / 1024
        peak = statistics.median(run["peak_after_kib"] for run in good) / 1024
        if path == "/baseline":
            baseline[mode] = peak
        rows.append(
            {
                "client": mode,
                "case": path[1:],
                "before_mib": before,
                "peak_mib": peak,
                "growth_mib": peak - before,
                "over_baseline": peak / baseline[mode] if mode in baseline else None,
                "seconds": statistics.median(run["seconds"] for run in good),
                "outcome": good[0]["outcome"],
                "expected": _expected(mode, path, good[0].get("kind", "")),
            }
        )
    return {
        "deadline_s": DEADLINE,
        "repeat": repeat,
        "rows": rows,
        "unexpected": sum(not row["expected"] for row in rows),
    }


def print_hostile(result: dict[str, Any], indent: str = "") -> None:
    """Print ``run_hostile``'s table."""
    print(
        f"{indent}peak RSS per fresh process (VmHWM, MiB); deadline {result['deadline_s']} s; "
        f"median of {result['repeat']}"
    )
    print(
        f"{indent}{'client':6}  {'case':22} {'before':>7} {'peak':>7} {'growth':>7} "
        f"{'x base':>7} {'secs':>6}  outcome"
    )
    for row in result["rows"]:
        flag = "" if row["expected"] else "UNEXPECTED "
        if "peak_mib" not in row:
            print(f"{indent}{row['client']:6}  {row['case']:22} {flag}{row['outcome']}")
            continue
        ratio = row["over_baseline"] if row["over_baseline"] is not None else float("nan")
        print(
            f"{indent}{row['client']:6}  {row['case']:22} {row['before_mib']:7.1f} "
            f"{row['peak_mib']:7.1f} {row['growth_mib']:7.1f} {ratio:7.2f} "
            f"{row['seconds']:6.2f}  {flag}{row['outcome'][:60]}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--child", nargs=3, metavar=("MODE", "BASE", "PATH"), help=argparse.SUPPRESS
    )
    parser.add_argument("--contrast", action="store_true", help="also run plain httpx (~1 GB)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per case (median reported)")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return 0
    print("generating payloads (1 GB of zeros gzipped by streaming) ...", flush=True)
    result = run_hostile(repeat=args.repeat, contrast=args.contrast)
    print()
    print_hostile(result)
    print("\nbefore: after imports and opening the client; growth: peak - before; x base: peak")
    print("divided by the same client's baseline peak. Exit status 1 if an outcome was unexpected.")
    return 1 if result["unexpected"] else 0


if __name__ == "__main__":
    sys.exit(main())
