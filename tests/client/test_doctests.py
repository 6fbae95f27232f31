"""The docstring examples of the modules added for bulk cancel, testing and sandbox counters run."""

from __future__ import annotations

import doctest
import types

import pytest

import venuekit.testing
from venuekit import _bulk
from venuekit.sandbox import _stats


@pytest.mark.parametrize("module", [_bulk, venuekit.testing, _stats], ids=lambda m: m.__name__)
def test_docstring_examples_run(module: types.ModuleType) -> None:
    with venuekit.testing.instant_retries(enabled=False):  # the examples show the default
        failed, tried = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert tried > 0
    assert failed == 0
