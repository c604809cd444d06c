"""The examples in every module's docstrings run as written."""

import doctest
import importlib
import pkgutil

import pytest

import simulator
import startd_cron


def _runs_examples(module) -> bool:
    """Whether a module's docstrings hold an example that is not marked +SKIP."""
    return any(
        not example.options.get(doctest.SKIP)
        for test in doctest.DocTestFinder().find(module)
        for example in test.examples
    )


def _modules_with_examples():
    for package in (simulator, startd_cron):
        names = [package.__name__] + [
            info.name
            for info in pkgutil.walk_packages(package.__path__, package.__name__ + ".")
            if not info.name.endswith("__main__")
        ]
        for name in names:
            if _runs_examples(importlib.import_module(name)):
                yield name


MODULES = sorted(_modules_with_examples())


def test_the_examples_are_found():
    # A few modules that must keep an example: a broken finder would pass vacuously.
    names = (
        "simulator.model.snapshot", "simulator.match.slot_classes", "startd_cron.classad_format"
    )
    for name in names:
        assert name in MODULES


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0
