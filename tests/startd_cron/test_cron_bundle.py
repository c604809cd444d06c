"""The one-file bundle: reproducible, and the same ad as the source tree under -S -I.

Every fixture runs through the bundle under this python and under the oldest
python here (3.6, EL8's platform-python), each with ``-S -I``; the config that
points the startd at it is read back by HTCondor's own parser and then run the
way the startd runs it (argv[0] is the job name).
"""

import configparser
import functools
import os
import shutil
import stat
import subprocess
import sys
import zipfile

import pytest
from cron_helpers import (
    CASES,
    HOSTS,
    NO_OLD_PYTHON,
    OLD_PYTHON,
    REPO,
    hook_env,
    run_hook,
)

from startd_cron import __version__, bundle

PACKAGE = REPO / "startd_cron"
PYTHONS = [
    pytest.param(sys.executable, id="this-python"),
    pytest.param(OLD_PYTHON, id="oldest-python",
                 marks=pytest.mark.skipif(OLD_PYTHON is None, reason=NO_OLD_PYTHON)),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The bundle, built once for the module."""
    target = tmp_path_factory.mktemp("bundle") / "tribes-startd-cron.pyz"
    bundle.build(str(target))
    return target


@functools.cache
def source_tree_run(case):
    """(exit status, stdout) of ``python -S -m startd_cron`` from the source tree."""
    result = run_hook(HOSTS / case)
    assert result.stderr == b""
    return result.returncode, result.stdout.decode()


def run_bundle(python, pyz, *args, env=None, cwd=None, argv0=None):
    argv = [argv0 or python, "-S", "-I", str(pyz), *args]
    return subprocess.run(argv, executable=python, env=env if env is not None else hook_env([]),
                          cwd=cwd, capture_output=True, check=False, timeout=60)


def project_version():
    metadata = configparser.ConfigParser()
    metadata.read(REPO / "setup.cfg")
    return metadata["metadata"]["version"]


# --- the archive ----------------------------------------------------------------------

def test_archive_holds_the_package_sources_and_nothing_else(built):
    sources = sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)
    expected = ["__main__.py"] + [p.relative_to(REPO).as_posix() for p in sources]
    assert built.read_bytes().startswith(b"#!/usr/bin/env python3\n")
    assert stat.S_IMODE(built.stat().st_mode) == 0o755
    with zipfile.ZipFile(built) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == expected
        for info in archive.infolist():
            assert info.date_time == bundle.EPOCH
            assert info.compress_type == zipfile.ZIP_STORED
            assert info.external_attr >> 16 == 0o100644
        for path in sources:
            assert archive.read(path.relative_to(REPO).as_posix()) == path.read_bytes()
        assert b"from startd_cron.__main__ import main" in archive.read("__main__.py")


def test_rebuilds_are_byte_identical_whatever_the_tree_holds(built, tmp_path):
    again = tmp_path / "again.pyz"
    bundle.build(str(again))
    assert again.read_bytes() == built.read_bytes()
    # A copy with new mtimes, bytecode, editor droppings and tests builds the same file.
    copy = tmp_path / "startd_cron"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "__pycache__").mkdir()
    (copy / "__pycache__" / "config.cpython-311.pyc").write_bytes(b"\0")
    (copy / ".#config.py").write_text("lock")
    (copy / "tests").mkdir()
    (copy / "tests" / "test_probe.py").write_text("assert False\n")
    (copy / "test_local.py").write_text("assert False\n")
    (copy / "notes.txt").write_text("not python")
    os.utime(copy / "config.py", (1, 1))
    from_copy = tmp_path / "copy.pyz"
    bundle.build(str(from_copy), package_dir=str(copy))
    assert from_copy.read_bytes() == built.read_bytes()


@pytest.mark.skipif(OLD_PYTHON is None, reason=NO_OLD_PYTHON)
def test_the_oldest_python_builds_the_same_bytes(built, tmp_path):
    target = tmp_path / "old.pyz"
    result = subprocess.run([OLD_PYTHON, "-S", "-m", "startd_cron.bundle", str(target)],
                            cwd=REPO, env=hook_env([]), capture_output=True, check=False,
                            timeout=60)
    assert result.stderr == b"" and result.returncode == 0
    assert result.stdout.decode() == f"wrote {target}\n"
    assert target.read_bytes() == built.read_bytes()


def test_build_replaces_atomically_and_refuses_bad_targets(tmp_path):
    target = tmp_path / "hook.pyz"
    target.write_text("old")
    target.chmod(0o600)
    assert bundle.build(str(target)) == str(target)
    assert zipfile.is_zipfile(target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o755
    assert os.listdir(tmp_path) == ["hook.pyz"]  # no temp file left behind
    before = target.read_bytes()
    with pytest.raises(OSError, match="no __main__.py"):
        bundle.build(str(target), package_dir=str(tmp_path))
    assert target.read_bytes() == before and os.listdir(tmp_path) == ["hook.pyz"]
    with pytest.raises(OSError, match="not a directory"):
        bundle.build(str(tmp_path / "missing" / "hook.pyz"))
    with pytest.raises(ValueError, match="must end in .pyz"):
        bundle.build(str(tmp_path / "hook.zip"))
    assert os.listdir(tmp_path) == ["hook.pyz"]


# --- running it -----------------------------------------------------------------------

@pytest.mark.parametrize("python", PYTHONS)
@pytest.mark.parametrize("case", CASES)
def test_bundle_prints_what_the_source_tree_prints(case, python, built, tmp_path):
    # No attribute depends on the time of the run: the ads compare as they are.
    returncode, ad = source_tree_run(case)
    result = run_bundle(python, built, "--root", str(HOSTS / case), "--cache", "",
                        env=hook_env([HOSTS / case / "bin"]), cwd=tmp_path)
    assert result.stderr == b""
    assert result.stdout.decode() == ad
    assert result.returncode == returncode == 0


@pytest.mark.parametrize("python", PYTHONS)
def test_version_needs_no_metadata_and_ignores_the_environment(python, built, tmp_path):
    # A shadow package on PYTHONPATH and in the working directory: -I keeps both out.
    for place in (tmp_path / "cwd", tmp_path / "pythonpath"):
        (place / "startd_cron").mkdir(parents=True)
        (place / "startd_cron" / "__init__.py").write_text("raise SystemExit('shadowed')\n")
    env = hook_env([], PYTHONPATH=str(tmp_path / "pythonpath"))
    result = run_bundle(python, built, "--version", env=env, cwd=tmp_path / "cwd")
    assert (result.returncode, result.stderr) == (0, b"")
    assert result.stdout.decode() == f"tribes-startd-cron {project_version()}\n"
    assert __version__ == project_version()


def test_the_shebang_runs_it(built):
    result = subprocess.run([str(built), "--version"], capture_output=True, check=False,
                            env=hook_env([os.path.dirname(sys.executable)]), timeout=60)
    assert result.stdout.decode() == f"tribes-startd-cron {__version__}\n"


def test_a_too_old_python_says_so_in_the_ad(built):
    # What python 2 would do with the bundle's __main__.py (it is 2.x syntax on purpose).
    code = "import runpy, sys; sys.version_info = (2, 7, 5); runpy.run_path(sys.argv[1])"
    result = subprocess.run([sys.executable, "-S", "-I", "-c", code, str(built)],
                            capture_output=True, check=False, timeout=60)
    assert result.returncode == 1
    assert result.stdout.decode() == (
        'tribes_probe_errors = "tribes-startd-cron needs Python >= 3.6, not 2.7"\n'
        "- update:true\n")
    assert b"needs Python >= 3.6" in result.stderr


@pytest.mark.skipif(shutil.which("make") is None, reason="no make on this machine")
def test_make_bundle_needs_only_a_python(built, tmp_path):
    # No venv: the PATH holds no tribes, PYTHON is a bare interpreter.
    target = tmp_path / "out" / "tribes-startd-cron.pyz"
    python = OLD_PYTHON or sys.executable
    result = subprocess.run(
        ["make", "--no-print-directory", "-C", str(REPO), "bundle", f"PYTHON={python}",
         f"BUNDLE={target}"],
        env=hook_env(["/usr/bin", "/bin"]), capture_output=True, check=False, timeout=120,
    )
    assert result.returncode == 0, result.stderr.decode()
    assert target.read_bytes() == built.read_bytes()
