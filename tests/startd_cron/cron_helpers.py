"""Helpers for the startd_cron tests: fixture trees and ways to run the hook.

(A module of its own, not conftest.py: test folders without __init__.py share
the name "conftest", so importing from it would break once another folder has one.)
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HOSTS = REPO / "tests" / "fixtures" / "hosts"
CASES = sorted(p.name for p in HOSTS.iterdir() if (p / "expected.ad").is_file())


def hook_env(path_dirs, **extra):
    """Environment for a hook run: PATH holds only ``path_dirs`` (fake commands)."""
    env = {k: v for k, v in os.environ.items() if k not in ("JAVA", "PYTHONPATH")}
    env["PATH"] = os.pathsep.join(str(d) for d in path_dirs)
    env.update(extra)
    return env


def run_hook(root, *args, path_dirs=None, env=None, python_flags=("-S",), timeout=30):
    """Run ``python3 -S -m startd_cron --root ROOT`` from the source tree as a subprocess."""
    root = Path(root)
    if path_dirs is None:
        path_dirs = [root / "bin"]
    argv = [sys.executable, *python_flags, "-m", "startd_cron", "--root", str(root)]
    argv += list(args) if "--cache" in args else ["--cache", "", *args]
    return subprocess.run(
        argv,
        cwd=REPO,
        env=env if env is not None else hook_env(path_dirs),
        capture_output=True,
        timeout=timeout,
        check=False,
    )


def ad_lines(text):
    """``{name: line}`` of hook output, without the end-of-ad line."""
    lines = text.splitlines()
    assert lines[-1] == "- update:true"
    return {line.split(" = ", 1)[0]: line for line in lines[:-1]}


@pytest.fixture
def host_copy(tmp_path):
    """A writable copy of a fixture tree (to break one thing in it)."""

    def copy(case):
        target = tmp_path / case
        shutil.copytree(HOSTS / case, target, symlinks=True)
        return target

    return copy
