"""The examples in the pool and report docstrings run as written."""

import doctest
import importlib

import pytest

MODULES = [
    "simulator.pools",
    "simulator.pools.cells",
    "simulator.pools.coupling",
    "simulator.pools.pool_2010",
    "simulator.pools.pool_2010_machines",
    "simulator.pools.pool_2010_tables",
    "simulator.pools.modern",
    "simulator.pools.modern_java",
    "simulator.pools.modern_machines",
    "simulator.pools.modern_mix",
    "simulator.pools.modern_releases",
    "simulator.report",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0
