"""Helpers for the startd_cron tests: fixture trees and ways to run the hook.

(A module of its own, not conftest.py: test folders without __init__.py share
the name "conftest", so importing from it would break once another folder has one.)
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HOSTS = REPO / "tests" / "fixtures" / "hosts"
CASES = sorted(p.name for p in HOSTS.iterdir() if (p / "expected.ad").is_file())

# The config knobs of the snippet, as HTCondor's own parser reads them back.
KNOBS = [
    "STARTD_CRON_JOBLIST", "STARTD_CRON_TRIBES_EXECUTABLE", "STARTD_CRON_TRIBES_ARGS",
    "STARTD_CRON_TRIBES_MODE", "STARTD_CRON_TRIBES_PERIOD", "STARTD_CRON_TRIBES_KILL",
    "STARTD_CRON_TRIBES_ENV", "STARTD_CRON_TRIBES_PREFIX", "STARTD_CRON_LOG_NON_ZERO_EXIT",
]
_READ_BACK = """
import json, sys, htcondor2
htcondor2.reload_config()
print(json.dumps({k: htcondor2.param.get(k) for k in sys.argv[1:]}))
"""


def htcondor_params(tmp_path, body, knobs=KNOBS):
    """Knob values as HTCondor reads ``body``, in a child process (ours stays untouched)."""
    config_file = tmp_path / "condor_config"
    config_file.write_text(textwrap.dedent(body))
    env = dict(os.environ, CONDOR_CONFIG=str(config_file))
    out = subprocess.run([sys.executable, "-c", _READ_BACK, *knobs], env=env,
                         stdout=subprocess.PIPE, check=True, timeout=60)
    return json.loads(out.stdout)


def _oldest_python():
    """The oldest python3.6/3.7 that actually runs here (pyenv shims may not), or None."""
    candidates = [shutil.which(name) for name in ("python3.6", "python3.7")]
    candidates += sorted(str(p) for p in Path.home().glob(".pyenv/versions/3.[67].*/bin/python3"))
    for candidate in candidates:
        if candidate and subprocess.run([candidate, "-S", "-c", "pass"], check=False,
                                        stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL).returncode == 0:
            return candidate
    return None


# EL8's platform-python is 3.6: the hook's floor, replayed where such a python exists.
OLD_PYTHON = _oldest_python()
NO_OLD_PYTHON = "no Python 3.6/3.7 interpreter on this machine"



def hook_env(path_dirs, **extra):
    """Environment for a hook run: PATH holds only ``path_dirs`` (fake commands)."""
    env = {k: v for k, v in os.environ.items() if k not in ("JAVA", "PYTHONPATH")}
    env["PATH"] = os.pathsep.join(str(d) for d in path_dirs)
    env.update(extra)
    return env


def hook_argv(root, args, python=None, python_flags=("-S",)):
    """``python -S -m startd_cron --root ROOT [--cache ''] ARGS``."""
    argv = [python or sys.executable, *python_flags, "-m", "startd_cron", "--root", str(root)]
    return argv + (list(args) if "--cache" in args else ["--cache", "", *args])


def run_hook(root, *args, path_dirs=None, env=None, python_flags=("-S",), timeout=30,
             python=None):
    """Run ``python3 -S -m startd_cron --root ROOT`` from the source tree as a subprocess."""
    root = Path(root)
    if path_dirs is None:
        path_dirs = [root / "bin"]
    return subprocess.run(
        hook_argv(root, args, python, python_flags),
        cwd=REPO,
        env=env if env is not None else hook_env(path_dirs),
        capture_output=True,
        timeout=timeout,
        check=False,
    )


# Runs the hook (argv[2:]) and writes its wall time and peak RSS to argv[1].  The
# address-space limit turns a runaway hook into a quick MemoryError instead of
# taking the shared machine's memory; the time limit kills a hung one.
_MEASURE = """\
import json, resource, subprocess, sys, time
soft, hard = resource.getrlimit(resource.RLIMIT_AS)
resource.setrlimit(resource.RLIMIT_AS, (%d, hard))
started = time.monotonic()
try:
    returncode = subprocess.call(sys.argv[2:], timeout=%d)
except subprocess.TimeoutExpired:
    returncode = None
with open(sys.argv[1], "w") as handle:
    json.dump({"seconds": time.monotonic() - started, "returncode": returncode,
               "peak_rss_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}, handle)
"""


def run_hook_measured(root, *args, python=None, path_dirs=None, stats_dir,
                      memory_limit=512 << 20, timeout=20):
    """Run the hook like ``run_hook``; return (CompletedProcess, {"seconds": wall time,
    "peak_rss_kib": the hook's peak RSS, its children's included, "returncode": ...})."""
    root = Path(root)
    stats = Path(stats_dir) / "hook-stats.json"
    argv = [sys.executable, "-S", "-c", _MEASURE % (memory_limit, timeout), str(stats)]
    result = subprocess.run(
        argv + hook_argv(root, args, python),
        cwd=REPO,
        env=hook_env(path_dirs if path_dirs is not None else [root / "bin"]),
        capture_output=True,
        timeout=timeout + 10,
        check=False,
    )
    return result, json.loads(stats.read_text())


# The interpreters a subprocess test runs the hook under: this one, and the
# oldest here (the hook's floor is 3.6), when there is one.
PYTHONS = [pytest.param(sys.executable, id="this-python")] + (
    [pytest.param(OLD_PYTHON, id="oldest-python")] if OLD_PYTHON else []
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


@pytest.fixture
def lingering(tmp_path):
    """Pid files for processes a fake tool leaves behind; they are killed after the test."""
    pid_files = []

    def pid_file():
        path = tmp_path / f"lingering-{len(pid_files)}.pid"
        pid_files.append(path)
        return path

    yield pid_file
    for path in pid_files:
        if path.exists() and path.read_text().strip().isdigit():
            _kill_sleeper(int(path.read_text()))


def _kill_sleeper(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            if b"sleep" not in handle.read():
                return  # gone, and its pid reused
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
