"""The typed venue handles: ``client.<venue>``, one class per venue, same surface sync and async.

A handle only names its venue's arguments and hands them, as a mapping, to the client; the venue
module checks them. ``Client`` handles return results, ``AsyncClient`` handles coroutines.

Example::

    result = client.coinbase_exchange.cancel_order(order_id=order_id, product_id="BTC-USD")
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

import attrs

from venuekit._config import Timeout
from venuekit._venues import Venue

__all__ = [
    "CoinbaseExchangeVenue",
    "CoinbaseIntxVenue",
    "DeribitVenue",
    "LoopringVenue",
    "Options",
]

_R = TypeVar("_R")


# Not frozen: built for every call (frozen attrs classes cost ~55 ns more per field).
@attrs.define(kw_only=True)
class Options:
    """Per-call overrides of the client's knobs; ``None`` keeps the client's value."""

    attempts: int | None = None
    deadline: float | None = None
    timeout: Timeout = None


_Submit = Callable[[Venue, str, Mapping[str, object], Options], Any]


class _Handle(Generic[_R]):
    """What every venue handle shares: it hands its arguments to the client, as a mapping."""

    _venue: Venue

    def __init__(self, submit: _Submit) -> None:
        self._submit = submit

    def _cancel(
        self, arguments: Mapping[str, object], options: Options, action: str = "cancel"
    ) -> _R:
        result: _R = self._submit(self._venue, action, arguments, options)
        return result


class CoinbaseExchangeVenue(_Handle[_R]):
    """Cancel orders on Coinbase Exchange (live); reached as ``client.coinbase_exchange``.

    Example::

        result = client.coinbase_exchange.cancel_order(order_id=order_id, product_id="BTC-USD")
    """

    _venue = Venue.COINBASE_EXCHANGE

    def cancel_order(
        self,
        *,
        order_id: str | None = None,
        client_oid: str | None = None,
        product_id: str | None = None,
        profile_id: str | None = None,
        attempts: int | None = None,
        deadline: float | None = None,
        timeout: Timeout = None,
    ) -> _R:
        """Cancel one order by exchange ``order_id`` or by ``client_oid`` (exactly one).

        ``client_oid`` may carry the ``client:`` namespace or not; it is sent with it exactly
        once. ``product_id`` is recommended by Coinbase (avoids a race). ``attempts``,
        ``deadline`` (seconds for the whole call) and ``timeout`` (per attempt) override the
        client's for this call. Returns a ``CancelResult`` (``AsyncClient``: awaitable). Raises
        ``InvalidRequest`` before any I/O for bad arguments, and the ``venuekit.errors`` class
        matching the venue's last answer once retries are exhausted.

        Example: ``client.coinbase_exchange.cancel_order(client_oid="8fd1...", product_id="BTC-USD")``
        """
        arguments = {
            "order_id": order_id,
            "client_oid": client_oid,
            "product_id": product_id,
            "profile_id": profile_id,
        }
        return self._cancel(
            arguments, Options(attempts=attempts, deadline=deadline, timeout=timeout)
        )


class CoinbaseIntxVenue(_Handle[_R]):
    """Cancel orders on Coinbase INTX (retired 1 October 2026); reached as ``client.coinbase_intx``.

    Example::

        result = client.coinbase_intx.cancel_order(order_id="2v2ckc1g-1-0", portfolio=pid)
    """

    _venue = Venue.COINBASE_INTX

    def cancel_order(
        self,
        *,
        order_id: str | None = None,
        client_order_id: str | None = None,
        portfolio: str,
        attempts: int | None = None,
        deadline: float | None = None,
        timeout: Timeout = None,
    ) -> _R:
        """Cancel one order by its exchange ``order_id`` or ``client_order_id`` in ``portfolio``.

        Returns a ``CancelResult`` whose ``response`` is the generated ``OrderResultV1`` and
        whose ``price``/``size`` are exact ``Decimal``. ``attempts``, ``deadline`` and
        ``timeout`` override the client's for this call. Raises ``InvalidRequest`` before any
        I/O for bad arguments, and the ``venuekit.errors`` class matching the venue's answer.

        Example: ``client.coinbase_intx.cancel_order(order_id="2v2ckc1g-1-0", portfolio="1wp37qsc-1-0")``
        """
        arguments = {
            "order_id": order_id,
            "client_order_id": client_order_id,
            "portfolio": portfolio,
        }
        return self._cancel(
            arguments, Options(attempts=attempts, deadline=deadline, timeout=timeout)
        )


class LoopringVenue(_Handle[_R]):
    """Cancel orders on Loopring v3 (reported offline since mid-2026); ``client.loopring``.

    Example::

        result = client.loopring.cancel_order(order_hash="0x05a9...")
    """

    _venue = Venue.LOOPRING

    def cancel_order(
        self,
        *,
        order_hash: str | None = None,
        client_order_id: str | None = None,
        account_id: int | None = None,
        attempts: int | None = None,
        deadline: float | None = None,
        timeout: Timeout = None,
    ) -> _R:
        """Cancel one order by ``order_hash`` or ``client_order_id`` (exactly one).

        ``account_id`` defaults to the credentials' account. Returns a ``CancelResult`` whose
        ``response`` is a ``LoopringCancelResponse``. ``attempts``, ``deadline`` and ``timeout``
        override the client's for this call. Raises ``InvalidRequest`` before any I/O for bad
        arguments, and the ``venuekit.errors`` class matching the venue's answer.

        Example: ``client.loopring.cancel_order(client_order_id="my-order-7")``
        """
        arguments = {
            "order_hash": order_hash,
            "client_order_id": client_order_id,
            "account_id": account_id,
        }
        return self._cancel(
            arguments, Options(attempts=attempts, deadline=deadline, timeout=timeout)
        )


class DeribitVenue(_Handle[_R]):
    """Cancel orders on Deribit (live; where INTX users' orders are); ``client.deribit``.

    Reached with Deribit keys (``DeribitCredentials``) or Coinbase CDP keys through Coinbase's
    gateway (``CoinbaseCdpCredentials``); the default host follows the key. Group cancels return
    a ``GroupCancelResult`` with the venue's count.

    Example::

        result = client.deribit.cancel_order(order_id="ETH-349249")
    """

    _venue = Venue.DERIBIT

    def cancel_order(
        self,
        *,
        order_id: str,
        attempts: int | None = None,
        deadline: float | None = None,
        timeout: Timeout = None,
    ) -> _R:
        """Cancel one order by its Deribit ``order_id``.

        Returns a ``CancelResult``: ``CANCELLED`` only when the venue's ``order_state`` says
        ``cancelled``; ``price``/``size`` exact (``price`` ``None`` for ``"market_price"``, kept
        in ``raw``). Raises ``InvalidRequest`` before any I/O for bad arguments, and the
        ``venuekit.errors`` class matching the venue's answer (10004 ``OrderNotFound``, 11044 /
        10010 ``OrderAlreadyDone`` ...).

        Example: ``client.deribit.cancel_order(order_id="ETH-349249")``
        """
        return self._cancel(
            {"order_id": order_id},
            Options(attempts=attempts, deadline=deadline, timeout=timeout),
        )

    def cancel_by_label(
        self,
        *,
        label: str,
        currency: str | None = None,
        attempts: int | None = None,
        deadline: float | None = None,
        timeout: Timeout = None,
    ) -> _R:
        """Cancel every open order with this ``label`` (optionally in one ``currency``).

        A Deribit label is not unique: this may cancel several orders (or none). Returns a
        ``GroupCancelResult`` whose ``cancelled_count`` is the venue's count. Without
        ``currency`` Deribit counts it against its cancel-all limit.

        Example: ``client.deribit.cancel_by_label(label="grid-7", currency="BTC")``
        """
        return self._cancel(
            {"label": label, "currency": currency},
            Options(attempts=attempts, deadline=deadline, timeout=timeout),
            "cancel_by_label",
        )

    def cancel_all(
        self,
        *,
        currency: str | None = None,
        kind: str | None = None,
        instrument_name: str | None = None,
        attempts: int | None = None,
        deadline: float | None = None,
        timeout: Timeout = None,
    ) -> _R:
        """Cancel every open order: of one ``instrument_name``, of one ``currency`` (and
        ``kind``), or all of them when neither is given.

        Returns a ``GroupCancelResult`` with the venue's count.

        Example: ``client.deribit.cancel_all(currency="BTC", kind="future")``
        """
        return self._cancel(
            {"currency": currency, "kind": kind, "instrument_name": instrument_name},
            Options(attempts=attempts, deadline=deadline, timeout=timeout),
            "cancel_all",
        )
