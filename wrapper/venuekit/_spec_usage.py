"""What venuekit uses of each venue's OpenAPI spec, declared by the venue registry.

Each venue module lists the operations it calls as ``OperationUse`` values; ``usage_for`` gathers
them for one spec so that ``scripts/spec_report.py`` can tell a breaking spec change from a harmless
one without a second, hand-kept list.

Example::

    OperationUse(
        spec="examplevenue",  # specs/examplevenue.yaml
        method="GET",
        path="/private/cancel",
        sends=frozenset({"order_id"}),
        reads=frozenset({"result.order_state", "result.order_id"}),
        relies_on={"result.order_state": frozenset({"cancelled"})},
    )
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Protocol, cast

import attrs

__all__ = ["OperationUse", "usage_for"]


def _frozen_strs(values: Iterable[str]) -> frozenset[str]:
    return frozenset(values)


def _frozen_map(values: Mapping[str, Iterable[str]]) -> Mapping[str, frozenset[str]]:
    return MappingProxyType({key: frozenset(found) for key, found in values.items()})


def _upper(method: str) -> str:
    return method.upper()


@attrs.frozen
class OperationUse:
    """One operation of a venue's spec that venuekit calls, and what it sends and reads.

    ``spec`` is the spec file's stem (``"examplevenue"`` for ``specs/examplevenue.yaml``);
    ``sends`` holds wire names of parameters (and dotted request-body property locations) venuekit
    may send; ``reads`` holds dotted response property locations it reads, from the body's root
    (``"result.order_state"``; array items are transparent: ``"trades.trade_id"``); ``relies_on``
    maps a property (or parameter) location to the enum values whose meaning venuekit depends on.

    Example::

        OperationUse(spec="examplevenue", method="DELETE", path="/orders/{order_id}",
                     sends=frozenset({"order_id", "profile_id"}))
    """

    spec: str
    method: str = attrs.field(converter=_upper)
    path: str
    sends: frozenset[str] = attrs.field(default=frozenset(), converter=_frozen_strs)
    reads: frozenset[str] = attrs.field(default=frozenset(), converter=_frozen_strs)
    relies_on: Mapping[str, frozenset[str]] = attrs.field(
        factory=dict, converter=_frozen_map, hash=False
    )


class _DeclaresOperations(Protocol):
    @property
    def operations(self) -> tuple[OperationUse, ...]: ...


def usage_for(spec: str) -> tuple[OperationUse, ...]:
    """Every ``OperationUse`` the venue registry declares for one spec (by file stem).

    The registry is imported on call, not at import time. An unknown stem gives ``()``.

    Example::

        uses = usage_for("examplevenue")  # from venuekit._venues.REGISTRY
    """
    registry_module = importlib.import_module("venuekit._venues")
    registry = cast("Mapping[str, _DeclaresOperations]", registry_module.REGISTRY)
    return tuple(use for venue in registry.values() for use in venue.operations if use.spec == spec)
