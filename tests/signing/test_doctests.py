"""The docstring examples of the signing, secrets, credentials and auth modules run."""

from __future__ import annotations

import doctest
import types

import pytest

from venuekit import _auth_common, _auth_deribit, _credentials, _secret, auth
from venuekit._signing import cdp, coinbase, deribit, loopring

MODULES = [
    _secret,
    deribit,
    cdp,
    coinbase,
    loopring,
    _credentials,
    _auth_common,
    _auth_deribit,
    auth,
]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_docstring_examples_run(module: types.ModuleType) -> None:
    failed, tried = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert tried > 0
    assert failed == 0


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_every_module_declares_all(module: types.ModuleType) -> None:
    assert all(hasattr(module, name) for name in module.__all__)
