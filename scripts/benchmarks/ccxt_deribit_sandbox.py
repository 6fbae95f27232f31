"""A real client against the Deribit sandbox: ccxt 4.5.90's ``deribit`` cancels seeded orders.

Run with the bench venv (``make .venv-bench/.installed``; ccxt is not in the dev set)::

    .venv-bench/bin/python scripts/benchmarks/ccxt_deribit_sandbox.py

It serves the sandbox on 127.0.0.1 (a free port) with uvicorn, seeds orders in the main account,
points ccxt's ``urls["api"]["rest"]`` at it with the sandbox's Deribit client id and secret
(``deri-hmac-sha256`` on ``GET /api/v2/private/...?query``, as ccxt signs), and prints every
step: a cancel, the second cancel of the same order (11044), an unknown id (10004), ccxt's
``cancel_all_orders`` and the sandbox's own counters. Exits non-zero when ccxt's first cancel
does not come back cancelled.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import ccxt

from venuekit.sandbox import DEFAULT_CREDENTIALS, SandboxConfig, run_in_thread


def _attempt(label: str, call: Any) -> Any:
    try:
        result = call()
    except ccxt.BaseError as error:
        print(f"{label}: ccxt raised {type(error).__name__}: {error}")
        return None
    print(f"{label}: ok")
    return result


def main() -> int:
    account = DEFAULT_CREDENTIALS.deribit
    config = SandboxConfig(seed=3, orders_per_venue=0)
    with run_in_thread(host="127.0.0.1", port=0, config=config) as sandbox:
        book = sandbox.state.deribit
        order = book.add_order(instrument_name="ETH-PERPETUAL", label="ccxt-demo")
        other = book.add_order(instrument_name="BTC-PERPETUAL", label="ccxt-demo")
        print(f"sandbox at {sandbox.url}; seeded {order.order_id} and {other.order_id}")
        exchange = ccxt.deribit(
            {
                "apiKey": account.client_id,
                "secret": account.client_secret,
                "urls": {"api": {"rest": sandbox.url}},
            }
        )
        # cancel_order loads markets first (public/get_instruments ...), which the sandbox does
        # not serve; an empty market table skips that, and parse_order copes with unknown ids.
        exchange.markets = {}
        exchange.markets_by_id = {}

        cancelled = _attempt(
            f"cancel_order({order.order_id!r})", lambda: exchange.cancel_order(order.order_id)
        )
        if cancelled is not None:
            raw = cancelled["info"]
            print("  ccxt order:", {k: cancelled[k] for k in ("id", "status", "price", "amount")})
            print("  venue answer (info):", json.dumps(raw, sort_keys=True))
        _attempt("cancel_order again (expect 11044)", lambda: exchange.cancel_order(order.order_id))
        _attempt("cancel_order('ETH-1') (expect 10004)", lambda: exchange.cancel_order("ETH-1"))
        _attempt("cancel_all_orders()", exchange.cancel_all_orders)
        print("sandbox book:", [(o.order_id, o.order_state) for o in book.orders()])
        stats = sandbox.app.stats.snapshot()
        print("sandbox answers:", sorted((k.status, n) for k, n in stats.items()))
    ok = cancelled is not None and cancelled["info"]["order_state"] == "cancelled"
    print("ccxt's deri-hmac-sha256 request verified:", ok)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
