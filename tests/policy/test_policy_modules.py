"""The policy modules' docstring examples run, and their ``__all__`` lists exactly what they define."""

from __future__ import annotations

import doctest
import types

import pytest

from venuekit import (
    _clock,
    _engine,
    _policy,
    _ratelimit,
    _ratelimit_health,
    _ratelimit_scripts,
    _ratelimit_store,
    _steps,
    _tokenbucket,
)

MODULES = [
    _policy,
    _engine,
    _steps,
    _ratelimit,
    _tokenbucket,
    _ratelimit_store,
    _ratelimit_scripts,
    _ratelimit_health,
    _clock,
]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_docstring_examples_run(module: types.ModuleType) -> None:
    failed, tried = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert tried > 0
    assert failed == 0


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_all_names_exist_and_public_ones_have_docstrings(module: types.ModuleType) -> None:
    assert module.__all__ == sorted(module.__all__)
    for name in module.__all__:
        value = getattr(module, name)
        if callable(value) and isinstance(value, type | types.FunctionType):
            assert value.__doc__, f"{module.__name__}.{name} has no docstring"
            assert value.__doc__.strip().splitlines()[0].strip(), name
