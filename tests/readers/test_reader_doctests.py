"""The examples in the -long reader's docstrings run as written."""

import doctest
import importlib

import pytest

MODULES = [
    "simulator.readers.line_table",
    "simulator.readers.literals",
    "simulator.readers.long",
    "simulator.readers.long_library",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0
