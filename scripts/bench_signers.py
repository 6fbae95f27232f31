"""Benchmark the request signers: signatures per second on one core, with in-run baselines.

Run: ``PYTHONPATH=wrapper python scripts/bench_signers.py`` (finishes in well under 60 s).

Measured: the pure signing functions (prehash/signature base + signature), not httpx.
Baselines measured in the same run, so the ratios hold on any machine:

- HMAC: a bare ``hmac.new(key, msg, sha256)`` + base64 call on a prebuilt message;
- Loopring: a naive signer written below the way the reference Python code works (affine
  coordinates with an inversion per addition, double-and-add, public key and Poseidon constants
  recomputed on every call).

Targets: Coinbase HMAC >= 100,000/s, Loopring sign >= 1,000/s.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import time
from collections.abc import Callable

from venuekit._signing import _babyjubjub as bj
from venuekit._signing import _poseidon, coinbase, loopring

HMAC_TARGET = 100_000
LOOPRING_TARGET = 1_000
SECRET = coinbase.decode_secret(base64.b64encode(b"benchmark-secret-0123456789abcdef").decode())
PATH = "/orders/2c7e1a6e-3f7a-4d7e-9a1b-6f0c2d9e8a11?product_id=BTC-USD"
INTX_PATH = "/api/v1/orders/1234567890123456789?portfolio=1a2b3c4d-5e6f"
LOOPRING_KEY = 0x1234
LOOPRING_URL = "https://api3.loopring.io/api/v3/order"


def rate(func: Callable[[int], object], iterations: int) -> float:
    """Return calls per second of ``func(i)`` over ``iterations`` calls."""
    start = time.perf_counter()
    for i in range(iterations):
        func(i)
    return iterations / (time.perf_counter() - start)


def exchange_sign(i: int) -> str:
    timestamp = coinbase.exchange_timestamp(1_700_000_000.0 + i)
    prehash = coinbase.exchange_prehash(timestamp=timestamp, method="DELETE", request_path=PATH)
    return coinbase.signature(secret_key=SECRET, prehash=prehash)


def intx_sign(i: int) -> str:
    timestamp = coinbase.intx_timestamp(1_700_000_000.0 + i)
    prehash = coinbase.intx_prehash(timestamp=timestamp, method="DELETE", request_path=INTX_PATH)
    return coinbase.signature(secret_key=SECRET, prehash=prehash)


BASELINE_MESSAGE = b"1700000000.000DELETE" + PATH.encode()


def hmac_baseline(_: int) -> bytes:
    return base64.b64encode(hmac.new(SECRET, BASELINE_MESSAGE, hashlib.sha256).digest())


PUBLIC = loopring.public_key(LOOPRING_KEY)


def loopring_sign(i: int) -> str:
    params = [("accountId", "10001"), ("orderHash", f"0x{i:064x}")]
    base = loopring.signature_base(method="DELETE", url=LOOPRING_URL, params=params)
    return loopring.sign(LOOPRING_KEY, loopring.message(base), public=PUBLIC)


SIGNATURES = [loopring_sign(i) for i in range(16)]
MESSAGES = [
    loopring.message(
        loopring.signature_base(
            method="DELETE",
            url=LOOPRING_URL,
            params=[("accountId", "10001"), ("orderHash", f"0x{i:064x}")],
        )
    )
    for i in range(16)
]


def loopring_verify(i: int) -> bool:
    ok = loopring.verify(PUBLIC, MESSAGES[i % 16], SIGNATURES[i % 16])
    assert ok
    return ok


# --- naive reference signer (baseline only; the way the reference Python code does it) ---


def _naive_add(p: tuple[int, int], q: tuple[int, int]) -> tuple[int, int]:
    (x1, y1), (x2, y2), mod = p, q, bj.Q
    dxy = bj.D_COEFF * x1 * x2 * y1 * y2
    x3 = (x1 * y2 + y1 * x2) * pow(1 + dxy, -1, mod) % mod
    y3 = (y1 * y2 - bj.A_COEFF * x1 * x2) * pow(1 - dxy, -1, mod) % mod
    return x3, y3


def _naive_mul(point: tuple[int, int], k: int) -> tuple[int, int]:
    result, addend = (0, 1), point
    while k:
        if k & 1:
            result = _naive_add(result, addend)
        addend = _naive_add(addend, addend)
        k >>= 1
    return result


def naive_loopring_sign(i: int) -> str:
    _poseidon.constants.cache_clear()  # the reference rebuilds its parameters on every call
    _poseidon.mds_matrix.cache_clear()
    params = [("accountId", "10001"), ("orderHash", f"0x{i:064x}")]
    msg = loopring.message(
        loopring.signature_base(method="DELETE", url=LOOPRING_URL, params=params)
    )
    ax, ay = _naive_mul(bj.B, LOOPRING_KEY)
    r = loopring.nonce(LOOPRING_KEY, msg)
    rx, ry = _naive_mul(bj.B, r)
    t = _poseidon.reference_poseidon([rx, ry, ax, ay, msg])
    s = (r + LOOPRING_KEY * t) % bj.E_ORDER
    return f"0x{rx:064x}{ry:064x}{s:064x}"


def main() -> int:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    started = time.perf_counter()
    assert naive_loopring_sign(7) == loopring_sign(7), "baseline must compute the same signature"

    rows = []
    baseline_hmac = rate(hmac_baseline, 100_000)
    rows.append(("HMAC baseline (bare hmac.new + b64)", baseline_hmac, None, None))
    rows.append(
        ("Coinbase Exchange sign", rate(exchange_sign, 100_000), baseline_hmac, HMAC_TARGET)
    )
    rows.append(("Coinbase INTX sign", rate(intx_sign, 100_000), baseline_hmac, HMAC_TARGET))
    baseline_eddsa = rate(naive_loopring_sign, 3)
    rows.append(("Loopring naive reference sign", baseline_eddsa, None, None))
    rows.append(("Loopring sign", rate(loopring_sign, 3_000), baseline_eddsa, LOOPRING_TARGET))
    rows.append(("Loopring verify", rate(loopring_verify, 200), baseline_eddsa, None))

    failed = False
    print(f"{'signer':38} {'per second':>12} {'vs baseline':>12}  target")
    for name, per_second, baseline, target in rows:
        ratio = f"{per_second / baseline:.2f}x" if baseline else ""
        verdict = ""
        if target is not None:
            ok = per_second >= target
            failed |= not ok
            verdict = f">= {target:,} {'ok' if ok else 'MISSED'}"
        print(f"{name:38} {per_second:12,.0f} {ratio:>12}  {verdict}")
    print(f"(one core, total {time.perf_counter() - started:.1f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
