"""venuekit._spec_usage: the shape the venue registry fills in, and how usage_for gathers it."""

from __future__ import annotations

import sys
import types

import attrs
import pytest

from venuekit import _spec_usage
from venuekit._spec_usage import OperationUse, usage_for


def test_public_names() -> None:
    assert _spec_usage.__all__ == ["OperationUse", "usage_for"]


def test_operation_use_normalises_and_is_immutable() -> None:
    use = OperationUse(
        spec="deribit",
        method="get",
        path="/private/cancel",
        sends=["order_id"],  # type: ignore[arg-type]
        reads=("result.order_state",),  # type: ignore[arg-type]
        relies_on={"result.order_state": ["cancelled", "filled"]},  # type: ignore[dict-item]
    )
    assert use.method == "GET"
    assert use.sends == frozenset({"order_id"})
    assert use.reads == frozenset({"result.order_state"})
    assert use.relies_on["result.order_state"] == frozenset({"cancelled", "filled"})
    with pytest.raises(TypeError):
        use.relies_on["x"] = frozenset()  # type: ignore[index]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        use.path = "/elsewhere"  # type: ignore[misc]
    same = OperationUse(
        spec="deribit",
        method="GET",
        path="/private/cancel",
        sends=frozenset({"order_id"}),
        reads=frozenset({"result.order_state"}),
        relies_on={"result.order_state": frozenset({"filled", "cancelled"})},
    )
    assert use == same
    assert hash(use) == hash(same)
    bare = OperationUse(spec="deribit", method="GET", path="/private/cancel")
    assert (bare.sends, bare.reads, dict(bare.relies_on)) == (frozenset(), frozenset(), {})


def test_usage_for_gathers_one_spec_from_every_venue_in_the_registry(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cancel = OperationUse(spec="deribit", method="GET", path="/private/cancel")
    auth = OperationUse(spec="deribit", method="GET", path="/public/auth")
    intx = OperationUse(spec="coinbase_intx", method="DELETE", path="/api/v1/orders/{id}")
    registry = types.ModuleType("venuekit._venues")
    registry.REGISTRY = {  # type: ignore[attr-defined]
        "coinbase_intx": types.SimpleNamespace(operations=(intx,)),
        "deribit": types.SimpleNamespace(operations=(cancel,)),
        "coinbase_deribit_gateway": types.SimpleNamespace(operations=(auth,)),
    }
    monkeypatch.setitem(sys.modules, "venuekit._venues", registry)
    assert usage_for("deribit") == (cancel, auth)
    assert usage_for("coinbase_intx") == (intx,)
    assert usage_for("loopring") == ()


def test_usage_for_without_a_registry_raises_import_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "venuekit._venues", None)
    with pytest.raises(ImportError):
        usage_for("deribit")
