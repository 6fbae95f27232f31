"""The generated ``deribit_api``: its public operation contracts and its models on the spec's examples.

Known-answer vectors: the response examples of the received spec itself
(specs/upstream/deribit/deribit_openapi.json, ``responses/200/content/application/json/examples``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from deribit_api.api.authentication.get_public_auth import OPERATION as PUBLIC_AUTH
from deribit_api.api.supporting.get_public_get_time import OPERATION as PUBLIC_GET_TIME
from deribit_api.api.trading.get_private_cancel import OPERATION as PRIVATE_CANCEL
from deribit_api.api.trading.get_private_cancel_all import OPERATION as PRIVATE_CANCEL_ALL
from deribit_api.api.trading.get_private_cancel_all_by_currency import (
    OPERATION as PRIVATE_CANCEL_ALL_BY_CURRENCY,
)
from deribit_api.api.trading.get_private_cancel_all_by_instrument import (
    OPERATION as PRIVATE_CANCEL_ALL_BY_INSTRUMENT,
)
from deribit_api.api.trading.get_private_cancel_by_label import OPERATION as PRIVATE_CANCEL_BY_LABEL
from deribit_api.models import (
    Currency,
    GetPublicAuthGrantType,
    MarketPrice,
    Order,
    OrderState,
    PrivateCancelAllResponse,
    PrivateCancelResponse,
    PublicAuthResponse,
    PublicGetTimeResponse,
)
from deribit_api.types import Operation

ROOT = Path(__file__).resolve().parents[2]
RECEIVED = ROOT / "specs/upstream/deribit/deribit_openapi.json"


def _example(path: str) -> dict[str, Any]:
    spec = json.loads(RECEIVED.read_bytes())
    response = spec["paths"][path]["get"]["responses"]["200"]
    value = response["content"]["application/json"]["examples"]["response"]["value"]
    assert isinstance(value, dict)
    return value


def test_private_cancel_contract() -> None:
    contract = PRIVATE_CANCEL
    assert contract == Operation(
        name="get_private_cancel",
        method="GET",
        path="/private/cancel",
        query_params=("order_id",),
        required_query_params=("order_id",),
    )
    assert contract.render_path({}) == "/private/cancel"
    assert contract.query({"order_id": "ETH-SLIS-12"}) == (("order_id", "ETH-SLIS-12"),)


@pytest.mark.parametrize(
    ("contract", "path", "query", "required"),
    [
        (PRIVATE_CANCEL_BY_LABEL, "/private/cancel_by_label", ("label", "currency"), ("label",)),
        (PRIVATE_CANCEL_ALL, "/private/cancel_all", ("detailed", "freeze_quotes"), ()),
        (
            PRIVATE_CANCEL_ALL_BY_CURRENCY,
            "/private/cancel_all_by_currency",
            ("currency", "kind", "type", "detailed", "freeze_quotes"),
            ("currency",),
        ),
        (
            PRIVATE_CANCEL_ALL_BY_INSTRUMENT,
            "/private/cancel_all_by_instrument",
            ("instrument_name", "type", "detailed", "include_combos", "freeze_quotes"),
            ("instrument_name",),
        ),
        (PUBLIC_GET_TIME, "/public/get_time", (), ()),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_other_contracts_follow_the_spec(
    contract: Operation, path: str, query: tuple[str, ...], required: tuple[str, ...]
) -> None:
    assert (contract.method, contract.path, contract.path_params) == ("GET", path, ())
    assert contract.query_params == query
    assert contract.required_query_params == required
    assert contract.body_content_types == ()  # the schema-less JSON-RPC example bodies are gone


def test_public_auth_contract_requires_only_grant_type_and_takes_the_cdp_token() -> None:
    assert (PUBLIC_AUTH.method, PUBLIC_AUTH.path) == ("GET", "/public/auth")
    assert PUBLIC_AUTH.required_query_params == ("grant_type",)
    assert PUBLIC_AUTH.query({"grant_type": "coinbase_cdp", "token": "jwt"}) == (
        ("grant_type", "coinbase_cdp"),
        ("token", "jwt"),
    )
    assert GetPublicAuthGrantType("coinbase_cdp") is GetPublicAuthGrantType.COINBASE_CDP
    with pytest.raises(ValueError, match="required query parameters missing"):
        PUBLIC_AUTH.query({"client_id": "id"})


def test_cancel_example_parses_market_price_and_round_trips() -> None:
    example = _example("/private/cancel")
    parsed = PrivateCancelResponse.from_dict(example)
    order = parsed.result
    assert isinstance(order, Order)
    assert order.order_id == "ETH-SLIS-12"
    assert order.order_state is OrderState.UNTRIGGERED
    assert order.price is MarketPrice.MARKET_PRICE
    assert order.trigger_price == 144.73  # a JSON number passes through as decoded
    assert order.additional_properties == {"max_show": 5}  # not in the spec's `order`, kept
    assert parsed.to_dict() == example


def test_numeric_price_and_unknown_enum_values_are_kept() -> None:
    example = _example("/private/cancel")
    result = dict(example["result"], price=50123.5, order_state="archived", amount=10)
    order = Order.from_dict(result)
    assert order.price == 50123.5
    assert not isinstance(order.price, MarketPrice)
    assert order.order_state.value == "archived"
    assert order.order_state.is_known is False
    assert order.amount == 10
    assert type(order.amount) is int  # the model converts nothing: the decoded value stays
    assert order.to_dict() == result


def test_exactly_decoded_numbers_pass_through_unchanged() -> None:
    """A body decoded with parse_float=Decimal (as the wrapper does) keeps its exact numbers."""
    text = json.dumps(_example("/private/cancel")).replace(
        '"market_price"', "0.10000000000000000555"
    )
    order = PrivateCancelResponse.from_dict(json.loads(text, parse_float=Decimal)).result
    assert order.price == Decimal("0.10000000000000000555")
    assert order.trigger_price == Decimal("144.73")


@pytest.mark.parametrize(
    "path",
    [
        "/private/cancel_by_label",
        "/private/cancel_all",
        "/private/cancel_all_by_currency",
        "/private/cancel_all_by_instrument",
    ],
)
def test_cancel_count_examples_parse(path: str) -> None:
    example = _example(path)
    parsed = PrivateCancelAllResponse.from_dict(example)
    assert parsed.result == example["result"]
    assert parsed.to_dict() == example


def test_auth_and_time_examples_parse() -> None:
    auth = PublicAuthResponse.from_dict(_example("/public/auth"))
    assert auth.result.expires_in == 31536000
    assert str(auth.result.token_type) == "bearer"
    assert PublicGetTimeResponse.from_dict(_example("/public/get_time")).result == 1550147385946


def test_currency_is_forward_compatible() -> None:
    assert Currency("BTC") is Currency.BTC
    assert Currency("SOL").is_known is False


def test_import_venuekit_loads_no_generated_package() -> None:
    packages = sorted(p.name for p in (ROOT / "generated").iterdir() if (p / "py.typed").is_file())
    assert "deribit_api" in packages
    probe = (
        "import sys, venuekit; "
        f"print(sorted(set({packages!r}) & {{m.split('.')[0] for m in sys.modules}}))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
