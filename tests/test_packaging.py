"""What a fresh install gets: every console script resolves, and the test tools include
the docs build (``make test`` on a fresh clone installs ``.[test]``)."""

import configparser
import importlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_cfg():
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    return config


def test_every_console_script_names_a_function_that_exists():
    scripts = setup_cfg()["options.entry_points"]["console_scripts"].strip().splitlines()
    assert {line.split("=")[0].strip() for line in scripts} == {"tribes", "tribes-startd-cron"}
    for line in scripts:
        module, _, attr = line.split("=", 1)[1].strip().partition(":")
        assert callable(getattr(importlib.import_module(module), attr)), line


def test_the_test_extra_installs_the_docs_tools():
    extra = setup_cfg()["options.extras_require"]["test"]
    names = {line.split()[0].split(">")[0].split("=")[0] for line in extra.strip().splitlines()}
    assert {"mkdocs", "mkdocs-material", "pytest"} <= names
