"""The public ``OPERATION`` contract every generated endpoint module carries (types.Operation).

The contract must describe the same request the generator's own code builds: the private
``_get_kwargs`` of each module is used here, and only here, as the reference it is checked against.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coinbase_exchange_api.api.orders import exchange_restapi_delete_order as exchange_module
from coinbase_exchange_api.types import UNSET
from coinbase_exchange_api.types import Operation as ExchangeOperation
from coinbase_intx_api.api.orders import cancel_order as intx_module
from coinbase_intx_api.types import Operation
from venuekit._venues import coinbase_exchange, coinbase_intx

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = sorted(p.name for p in (ROOT / "generated").iterdir() if (p / "py.typed").is_file())

# Ids as venues never send them but callers might: separators, percent signs, spaces, non-ASCII.
# Text an id can hold: no control characters or surrogates (refused before sending, issue 11),
# at most 256 characters.
SENDABLE = st.text(
    st.characters(blacklist_categories=("Cc", "Cs")).filter(lambda c: not 0x7F <= ord(c) < 0xA0),
    max_size=256,
)
IDS = SENDABLE.filter(lambda s: s.strip() and s not in {".", ".."})


def _endpoint_modules(package: str) -> list[ModuleType]:
    api = importlib.import_module(f"{package}.api")
    names = [m.name for m in pkgutil.walk_packages(api.__path__, f"{package}.api.")]
    modules = [importlib.import_module(name) for name in sorted(names)]
    return [m for m in modules if hasattr(m, "sync_detailed")]


def test_exchange_contract_is_the_specs_delete_order() -> None:
    contract = exchange_module.OPERATION
    assert contract == ExchangeOperation(
        name="exchange_restapi_delete_order",
        method="DELETE",
        path="/orders/{order_id}",
        path_params=("order_id",),
        query_params=("profile_id", "product_id"),  # the spec's order
    )


def test_intx_contract_is_the_specs_cancel_order() -> None:
    contract = intx_module.OPERATION
    assert contract == Operation(
        name="cancel_order",
        method="DELETE",
        path="/api/v1/orders/{id}",
        path_params=("id",),
        query_params=("portfolio",),
        required_query_params=("portfolio",),
    )


@pytest.mark.parametrize("package", PACKAGES)
def test_every_endpoint_module_has_a_contract_of_its_packages_operation_type(package: str) -> None:
    types = importlib.import_module(f"{package}.types")
    assert "Operation" in types.__all__
    modules = _endpoint_modules(package)
    assert modules
    for module in modules:
        operation = module.OPERATION
        assert isinstance(operation, types.Operation), module.__name__
        assert operation.name == module.__name__.rsplit(".", 1)[1]
        assert operation.method == operation.method.upper()
        assert set(operation.required_query_params) <= set(operation.query_params)
        placeholders = [p.split("}")[0] for p in operation.path.split("{")[1:]]
        assert placeholders == list(operation.path_params), module.__name__


@given(order_id=IDS, product=st.none() | IDS, profile=st.none() | IDS)
def test_exchange_contract_builds_the_request_the_generator_builds(
    order_id: str, product: str | None, profile: str | None
) -> None:
    reference: dict[str, Any] = exchange_module._get_kwargs(
        order_id=order_id,
        product_id=UNSET if product is None else product,
        profile_id=UNSET if profile is None else profile,
    )
    contract = exchange_module.OPERATION
    assert contract.method.lower() == reference["method"]
    assert contract.render_path({"order_id": quote(order_id, safe="")}) == reference["url"]
    assert contract.query({"product_id": product, "profile_id": profile}) == tuple(
        reference["params"].items()
    )


@given(order_id=IDS, portfolio=IDS)
def test_intx_contract_builds_the_request_the_generator_builds(
    order_id: str, portfolio: str
) -> None:
    reference: dict[str, Any] = intx_module._get_kwargs(id=order_id, portfolio=portfolio)
    contract = intx_module.OPERATION
    assert contract.method.lower() == reference["method"]
    assert contract.render_path({"id": quote(order_id, safe="")}) == reference["url"]
    assert contract.query({"portfolio": portfolio}) == tuple(reference["params"].items())


@given(order_id=IDS.filter(lambda s: not s.startswith("client:")))
def test_exchange_adapter_url_is_the_generated_one(order_id: str) -> None:
    prepared = coinbase_exchange.prepare_cancel(order_id=order_id, product_id="BTC-USD")
    reference = exchange_module._get_kwargs(order_id=order_id, product_id="BTC-USD")
    assert (prepared.method, prepared.url) == ("DELETE", reference["url"])
    assert prepared.params == (("product_id", "BTC-USD"),)


@given(oid=IDS.filter(lambda s: s.removeprefix("client:").strip()))
def test_exchange_adapter_keeps_the_client_namespace_colon_literal(oid: str) -> None:
    prepared = coinbase_exchange.prepare_cancel(client_oid=oid)
    # The generator encodes the whole segment ("client%3A..."); venuekit sends the colon as is.
    encoded = exchange_module._get_kwargs(order_id="client:" + oid.removeprefix("client:"))["url"]
    assert encoded.startswith("/orders/client%3A")
    assert prepared.url == "/orders/client:" + encoded.removeprefix("/orders/client%3A")


@given(order_id=IDS, portfolio=IDS)
def test_intx_adapter_request_is_the_generated_one(order_id: str, portfolio: str) -> None:
    prepared = coinbase_intx.prepare_cancel(order_id=order_id, portfolio=portfolio)
    reference = intx_module._get_kwargs(id=order_id, portfolio=portfolio)
    assert prepared.method == "DELETE"
    assert prepared.url == reference["url"]
    assert prepared.params == (("portfolio", portfolio),)


def test_render_path_substitutes_segments_verbatim_in_one_pass() -> None:
    op = Operation(
        name="x", method="GET", path="/a/{first}/b/{second}", path_params=("first", "second")
    )
    assert op.render_path({"first": "{second}", "second": "2%2F"}) == "/a/{second}/b/2%2F"


@pytest.mark.parametrize("segments", [{}, {"first": "1"}, {"first": "1", "second": "2", "x": "3"}])
def test_render_path_refuses_missing_or_extra_segments(segments: dict[str, str]) -> None:
    op = Operation(
        name="x", method="GET", path="/a/{first}/{second}", path_params=("first", "second")
    )
    with pytest.raises(ValueError, match="do not match the path parameters"):
        op.render_path(segments)


def test_query_orders_by_spec_drops_none_and_checks_names() -> None:
    op = Operation(
        name="x",
        method="GET",
        path="/a",
        query_params=("b", "a", "c"),
        required_query_params=("a",),
    )
    assert op.query({"c": "3", "a": "1", "b": None}) == (("a", "1"), ("c", "3"))
    with pytest.raises(ValueError, match=r"not query parameters: \['z'\]"):
        op.query({"a": "1", "z": "2"})
    with pytest.raises(ValueError, match=r"required query parameters missing: \['a'\]"):
        op.query({"a": None, "b": "2"})


def test_operation_is_frozen() -> None:
    op = intx_module.OPERATION
    with pytest.raises(AttributeError):
        op.method = "GET"  # type: ignore[misc]
