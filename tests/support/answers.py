"""Canned venue answers for the client tests: a JSON answer, and answers given in turn.

Example::

    respond = in_turn(json_answer(500, {"message": "x"}), json_answer(200, "abc"))
    harness.run(respond, cancel)
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

__all__ = ["Answer", "in_turn", "json_answer"]

Answer = Callable[[httpx.Request], httpx.Response]


def json_answer(status: int, body: Any, **headers: str) -> httpx.Response:
    """An answer with a JSON body (``headers`` use ``_`` for ``-``-free names as given)."""
    return httpx.Response(
        status,
        content=json.dumps(body).encode(),
        headers={"content-type": "application/json", **headers},
    )


def in_turn(*answers: httpx.Response | Exception) -> Answer:
    """Answer the n-th request with the n-th item (raise it if it is an exception); then repeat
    the last one."""
    items = list(answers)

    def respond(request: httpx.Request) -> httpx.Response:
        item = items.pop(0) if len(items) > 1 else items[0]
        if isinstance(item, Exception):
            raise item
        return httpx.Response(item.status_code, headers=item.headers, content=item.content)

    return respond
