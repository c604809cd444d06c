"""The examples in the slot-class matcher's docstrings run as written."""

import doctest
import importlib

import pytest

MODULES = [
    "simulator.slot_classes",
    "simulator.slot_classes.references",
    "simulator.slot_classes.columns",
    "simulator.slot_classes.sides",
    "simulator.slot_classes.cache",
    "simulator.slot_classes.grouping",
    "simulator.slot_classes.evaluate",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0
