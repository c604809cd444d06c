"""The package as users get it: a wheel that installs a working ``tribes``, with its license
and a changelog beside it."""

import configparser
import importlib
import importlib.util
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import simulator

ROOT = Path(__file__).parent.parent
SOURCES = ["setup.cfg", "pyproject.toml", "README.md", "LICENSE", "simulator", "startd_cron"]


def test_license_is_the_apache_2_text_setup_cfg_names():
    text = (ROOT / "LICENSE").read_text()
    assert "license = Apache-2.0" in (ROOT / "setup.cfg").read_text()
    assert text.lstrip().startswith("Apache License\n                           Version 2.0")
    assert "END OF TERMS AND CONDITIONS" in text and "APPENDIX" in text
    assert len(text.splitlines()) == 202  # the text of apache.org/licenses/LICENSE-2.0.txt


def test_changelog_has_the_released_version_and_an_unreleased_section():
    text = (ROOT / "CHANGELOG.md").read_text()
    assert "\n## Unreleased\n" in text
    assert f"\n## {simulator.__version__}\n" in text
    assert "### Deprecated" in text and "--store is deprecated here; use --pool DIR" in text


def _build_isolation():
    """Build offline with the setuptools at hand when it can make wheels by itself."""
    if importlib.util.find_spec("wheel") is not None:
        return ["--no-build-isolation"]
    try:
        from setuptools import __version__ as version
    except ImportError:
        return []
    major, minor = (int(part) for part in version.split(".")[:2])
    return ["--no-build-isolation"] if (major, minor) >= (70, 1) else []


@pytest.mark.slow  # 5-15 s: pip builds the wheel (fetching setuptools if it must) and installs it
def test_the_wheel_installs_a_tribes_that_runs(tmp_path):
    tree = tmp_path / "src"
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tree / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            tree.mkdir(exist_ok=True)
            shutil.copy(source, tree / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    subprocess.run(pip + ["wheel", str(tree), "-w", str(tmp_path / "dist"), "--no-deps",
                          *_build_isolation()], check=True, cwd=tmp_path)
    (wheel,) = (tmp_path / "dist").glob("condor_tribes-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert any(n.endswith(".dist-info/licenses/LICENSE") or n.endswith(".dist-info/LICENSE")
               for n in names)
    assert "simulator/data/templates/plain.ad" in names
    site = tmp_path / "site"
    subprocess.run(pip + ["install", "--no-deps", "--target", str(site), str(wheel)],
                   check=True, cwd=tmp_path)
    # The installed copy, not this source tree, comes first on the path.
    env = {**os.environ, "PYTHONPATH": str(site)}
    tribes = site / "bin" / "tribes"
    for argv in ([str(tribes), "--version"], [sys.executable, "-m", "simulator", "--version"]):
        done = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=tmp_path,
                              check=True)
        assert done.stdout == f"tribes {simulator.__version__}\n"
    where = subprocess.run([sys.executable, "-c", "import simulator; print(simulator.__file__)"],
                           capture_output=True, text=True, env=env, cwd=tmp_path, check=True)
    assert where.stdout.startswith(str(site))


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
