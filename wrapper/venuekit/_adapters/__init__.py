"""I/O-free venue logic: validate arguments, build the request, interpret the answer.

Each venue module exposes ``prepare_cancel(...) -> PreparedCancel`` (raises ``InvalidRequest``
before any I/O) and ``interpret_cancel(prepared, raw) -> CancelResult`` (raises the mapped
``VenueError``). ``interpret`` dispatches on the prepared request's venue. The clients in
``venuekit._client`` only send.
"""

from __future__ import annotations

from collections.abc import Callable

from venuekit._adapters import coinbase_exchange, coinbase_intx, loopring
from venuekit._adapters._common import PreparedCancel, RawResponse
from venuekit._models import CancelResult, Venue

__all__ = [
    "PreparedCancel",
    "RawResponse",
    "coinbase_exchange",
    "coinbase_intx",
    "interpret",
    "loopring",
]

_INTERPRETERS: dict[Venue, Callable[[PreparedCancel, RawResponse], CancelResult]] = {
    Venue.COINBASE_EXCHANGE: coinbase_exchange.interpret_cancel,
    Venue.COINBASE_INTX: coinbase_intx.interpret_cancel,
    Venue.LOOPRING: loopring.interpret_cancel,
}


def interpret(prepared: PreparedCancel, raw: RawResponse) -> CancelResult:
    """Judge the venue's answer to ``prepared``: a ``CancelResult``, or raise a ``VenueError``."""
    return _INTERPRETERS[prepared.venue](prepared, raw)
