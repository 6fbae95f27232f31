"""Deribit through both clients against the in-process sandbox: every answer the sandbox gives
naturally (order state, credentials, its 10028 limit, faults), for both kinds of key.

The cassette tests (tests/cassettes/test_deribit_cassettes.py) cover the same codes from
recordings, plus the ones only injected there; this file runs the live sandbox.
"""

from __future__ import annotations

from typing import Any

import pytest

from venuekit import CancelState, GroupCancelResult, errors
from venuekit import sandbox as sb
from venuekit.sandbox import DEFAULT_CREDENTIALS as C

KEYS = {
    "deribit_key": C.deribit.credentials(),
    "cdp_ed25519": C.cdp.ed25519.credentials(),
    "cdp_es256": C.cdp.es256.credentials(),
}


def _open(app: Any, key: str) -> list[Any]:
    user = C.deribit.user_id if key == "deribit_key" else C.cdp.user_id
    return [o for o in app.state.deribit.orders(user_id=user) if o.order_state == "open"]


@pytest.mark.parametrize("key", list(KEYS))
def test_cancel_then_again_then_unknown(on_sandbox: Any, key: str) -> None:
    app = sb.create_app()
    order = _open(app, key)[0]

    def calls(c: Any) -> Any:
        first = c.deribit.cancel_order(order_id=order.order_id)
        try:
            c.deribit.cancel_order(order_id=order.order_id)
        except errors.OrderAlreadyDone as again:
            try:
                c.deribit.cancel_order(order_id="ETH-1")
            except errors.OrderNotFound as unknown:
                return first, again, unknown
        raise AssertionError("expected OrderAlreadyDone then OrderNotFound")

    if on_sandbox.mode == "async":

        async def run(c: Any) -> Any:
            first = await c.deribit.cancel_order(order_id=order.order_id)
            with pytest.raises(errors.OrderAlreadyDone) as again:
                await c.deribit.cancel_order(order_id=order.order_id)
            with pytest.raises(errors.OrderNotFound) as unknown:
                await c.deribit.cancel_order(order_id="ETH-1")
            return first, again.value, unknown.value

        first, again, unknown = on_sandbox(app, run, deribit=KEYS[key])
    else:
        first, again, unknown = on_sandbox(app, calls, deribit=KEYS[key])
    assert first.state is CancelState.CANCELLED
    assert first.order_id == order.order_id
    assert app.state.deribit.get(order.order_id).order_state == "cancelled"
    assert (again.code, unknown.code) == (11044, 10004)


@pytest.mark.parametrize(
    ("credentials", "code"),
    [
        (
            C.deribit.credentials().__class__(
                client_id=C.deribit.client_id, client_secret="not-the-secret-0000"
            ),
            13009,
        ),
        (
            C.cdp.ed25519.credentials().__class__(
                key_name=C.cdp.ed25519.key_name,
                private_key="AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
            ),
            13004,
        ),
    ],
    ids=["wrong-hmac-secret", "wrong-cdp-key"],
)
def test_refused_credentials_are_an_authentication_error_without_a_loop(
    on_sandbox: Any, credentials: Any, code: int
) -> None:
    app = sb.create_app()
    order = _open(app, "deribit_key")[0]
    with pytest.raises(errors.AuthenticationError) as caught:
        on_sandbox(
            app, lambda c: c.deribit.cancel_order(order_id=order.order_id), deribit=credentials
        )
    assert caught.value.code == code
    assert caught.value.attempts == 1
    assert app.state.deribit.get(order.order_id).order_state == "open"


def test_the_credit_limit_is_rate_limited_and_retried(on_sandbox: Any) -> None:
    config = sb.SandboxConfig(deribit_rate_limit=sb.RateLimit(rate=1, burst=1))
    app = sb.create_app(config)
    orders = _open(app, "deribit_key")[:2]

    def two(c: Any) -> Any:
        return [c.deribit.cancel_order(order_id=o.order_id, attempts=1) for o in orders]

    async def two_async(c: Any) -> Any:
        return [await c.deribit.cancel_order(order_id=o.order_id, attempts=1) for o in orders]

    with pytest.raises(errors.RateLimited) as caught:
        on_sandbox(app, two if on_sandbox.mode == "sync" else two_async, rate_limits=False)
    assert caught.value.code == 10028
    assert caught.value.retryable


def test_group_cancels_report_the_venues_count(on_sandbox: Any) -> None:
    app = sb.create_app()
    mine = _open(app, "deribit_key")
    label = next(o.label for o in mine if o.label)
    expected = sum(o.label == label for o in mine)

    def group(c: Any) -> Any:
        return c.deribit.cancel_by_label(label=label)

    async def group_async(c: Any) -> Any:
        return await c.deribit.cancel_by_label(label=label)

    result = on_sandbox(app, group if on_sandbox.mode == "sync" else group_async)
    assert isinstance(result, GroupCancelResult)
    assert result.cancelled_count == expected >= 1
    assert [o for o in _open(app, "deribit_key") if o.label == label] == []
