"""What the wrapper uses of each venue's OpenAPI spec, declared by the venue registry.

Each venue's ``VenueSpec.operations`` lists ``OperationUse`` entries; the spec change report
(``scripts/spec_report.py``) classifies a change as breaking when it touches one of them.

Example::

    OperationUse(spec="coinbase_exchange", method="DELETE", path="/orders/{order_id}",
                 sends=frozenset({"order_id", "product_id"}))
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

__all__ = ["OperationUse", "usage_for"]


@attrs.frozen(kw_only=True)
class OperationUse:
    """One operation of a venue spec the wrapper calls, and what it sends and reads of it."""

    #: The spec file stem under ``specs/`` (``"coinbase_exchange"`` for specs/coinbase_exchange.yaml).
    spec: str
    method: str
    path: str
    #: Wire names of the parameters the wrapper may send.
    sends: frozenset[str] = frozenset()
    #: Response property locations the wrapper reads, dotted (``"order.order_state"``).
    reads: frozenset[str] = frozenset()
    #: Property location -> enum values whose meaning the wrapper depends on.
    relies_on: Mapping[str, frozenset[str]] = attrs.field(factory=dict)


def usage_for(spec: str) -> tuple[OperationUse, ...]:
    """Every ``OperationUse`` the venue registry declares for ``spec``.

    Example: ``usage_for("coinbase_exchange")``
    """
    from venuekit._venues import REGISTRY

    return tuple(use for venue in REGISTRY.values() for use in venue.operations if use.spec == spec)
