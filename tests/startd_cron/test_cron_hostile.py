"""A hostile or broken node: flooding and lingering tools, FIFOs, endless files, link loops.

Each case was once reproduced against the hook (unbounded memory, a hang, a
lost attribute).  Now each costs the hook bounded time and memory, drops only
the attributes it spoils and says why in tribes_probe_errors.  Every case runs
the hook as a subprocess under this python and under the oldest one here.
"""

import os
import shutil

import pytest
from cron_helpers import HOSTS, PYTHONS, ad_lines, run_hook_measured

BASE = "rhel5.4-tikanga"  # rpm and java
DEBIAN = "debian12-ec2"  # dpkg-query and java
ROCKY = "rocky9-vtx-kvm"  # redhat-release, usr/lib/os-release, DMI files, /dev/kvm
GLIBC = ("glibc_version", "glibc_base_version")
JAVA = ("JavaVendor", "JavaVersion", "JavaSpecificationVersion")
OS_RELEASE = ("os_pretty_name", "os_id", "os_version_id")
CPU = ("HasHardwareVirt", "HardwareVirtType", "IsVirtualMachine")
# What "fast" and "small" mean for a hook facing all of this.
SLACK_SECONDS = 2
PEAK_RSS_KIB = 50 * 1024
YES, SETSID, SLEEP = (shutil.which(name) for name in ("yes", "setsid", "sleep"))
needs_tools = pytest.mark.skipif(not (YES and SETSID and SLEEP),
                                 reason="needs yes, setsid and sleep")


@pytest.fixture(params=PYTHONS)
def python(request):
    return request.param


def assert_only_dropped(output, case, dropped, errors=None):
    """The hook's output is the fixture's expected ad minus ``dropped``, plus ``errors``."""
    want = ad_lines((HOSTS / case / "expected.ad").read_text())
    want = {name: line for name, line in want.items() if name not in dropped}
    if errors:
        want["tribes_probe_errors"] = f'tribes_probe_errors = "{errors}"'
    assert ad_lines(output) == want


def write_tool(root, name, body):
    path = root / "bin" / name
    if path.exists():
        path.unlink()
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)


def flood(stream):
    return f"exec {YES}{' >&2' if stream == 'stderr' else ''}\n"


def linger(pid_file):
    """A grandchild in a session of its own keeps the tool's pipes open, then the tool exits."""
    return f"{SETSID} {SLEEP} 10 & echo $! > {pid_file}\n"


def replace_with_fifo(path):
    if path.exists() or path.is_symlink():
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)


def assert_bounded(stats, timeout):
    assert stats["returncode"] is not None, "the hook hung"
    assert stats["seconds"] < timeout + SLACK_SECONDS, stats
    assert stats["peak_rss_kib"] < PEAK_RSS_KIB, stats


# -- 1. tools that flood their output ------------------------------------------------

FLOODS = [
    (BASE, "rpm", "stdout", GLIBC, "glibc: rpm -q glibc printed more than 4 MiB, killed"),
    (DEBIAN, "dpkg-query", "stderr", GLIBC,
     "glibc: dpkg-query -W libc6 printed more than 4 MiB, killed"),
    (BASE, "java", "stderr", JAVA, "java: printed more than 4 MiB, killed"),
    (DEBIAN, "java", "stdout", JAVA, "java: printed more than 4 MiB, killed"),
]


@needs_tools
@pytest.mark.parametrize("case,tool,stream,dropped,error", FLOODS)
def test_a_flooding_tool_is_killed_at_the_output_cap(host_copy, tmp_path, python, case, tool,
                                                     stream, dropped, error):
    root = host_copy(case)
    write_tool(root, tool, flood(stream))
    result, stats = run_hook_measured(root, "--timeout", "5", python=python, stats_dir=tmp_path)
    # Killed at the cap, long before the time limit.
    assert_bounded(stats, timeout=0)
    assert_only_dropped(result.stdout.decode(), case, dropped, error)
    assert result.stderr == b""


# -- 2. tools whose grandchild, in another session, holds the pipes -------------------

LINGERERS = [
    (BASE, "rpm", GLIBC, "glibc: rpm -q glibc timed out after 1s"),
    (DEBIAN, "dpkg-query", GLIBC, "glibc: dpkg-query -W libc6 timed out after 1s"),
    (BASE, "java", JAVA, "java: timed out after 1s"),
]


@needs_tools
@pytest.mark.parametrize("case,tool,dropped,error", LINGERERS)
def test_the_time_limit_holds_while_another_session_keeps_the_pipes(
        host_copy, tmp_path, lingering, python, case, tool, dropped, error):
    root = host_copy(case)
    write_tool(root, tool, linger(lingering()))
    result, stats = run_hook_measured(root, "--timeout", "1", python=python, stats_dir=tmp_path)
    assert_bounded(stats, timeout=1)
    assert_only_dropped(result.stdout.decode(), case, dropped, error)
