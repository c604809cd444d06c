"""A hostile or broken node: flooding and lingering tools, FIFOs, endless files, link loops.

Each case was once reproduced against the hook (unbounded memory, a hang, a
lost attribute).  Now each costs the hook bounded time and memory, drops only
the attributes it spoils and says why in tribes_probe_errors.  Every case runs
the hook as a subprocess under this python and under the oldest one here.
"""

import json
import os
import shutil
import stat
import time

import pytest
from cron_helpers import HOSTS, PYTHONS, ad_lines, run_hook, run_hook_measured

from simulator.model.condor import parse_one
from startd_cron import files
from startd_cron.classad_format import CUT, MAX_VALUE
from startd_cron.context import Context

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

# The commands share the time limit: once a lingering package query used it up, java is
# not run either.
NO_TIME_LEFT = "java: not run: the 1s time limit of the commands was used up"
LINGERERS = [
    (BASE, "rpm", GLIBC + JAVA, "glibc: rpm -q glibc timed out after 1s; " + NO_TIME_LEFT),
    (DEBIAN, "dpkg-query", GLIBC + JAVA,
     "glibc: dpkg-query -W libc6 timed out after 1s; " + NO_TIME_LEFT),
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


@needs_tools
def test_the_time_limit_is_shared_so_every_tool_hanging_costs_it_once(host_copy, tmp_path,
                                                                     lingering, python):
    # Each command had a limit of its own: four hanging tools held the hook four times
    # --timeout.  Now they share one; those due after it ran out are not started.
    root = host_copy("alma8-apptainer")  # rpm, dpkg-query (asked when rpm fails), java, apptainer
    for tool in ("rpm", "dpkg-query", "java", "apptainer"):
        write_tool(root, tool, linger(lingering()))
    result, stats = run_hook_measured(root, "--timeout", "2", python=python, stats_dir=tmp_path)
    print(f"{python}: hook {stats['seconds']:.2f} s, peak RSS {stats['peak_rss_kib']} KiB")
    assert_bounded(stats, timeout=2)
    errors = parse_one(ad_lines(result.stdout.decode())["tribes_probe_errors"])
    assert errors["tribes_probe_errors"].split("; ") == [
        "glibc: rpm -q glibc timed out after 2s",
        "glibc: dpkg-query -W libc6 not run: the 2s time limit of the commands was used up",
        "java: not run: the 2s time limit of the commands was used up",
        "container: apptainer --version not run: the 2s time limit of the commands was used up",
    ]


@needs_tools
def test_a_command_after_a_slow_one_gets_what_is_left_of_the_limit(host_copy, tmp_path,
                                                                  python):
    root = host_copy(BASE)
    write_tool(root, "rpm", f"{SLEEP} 1.2\nexec {YES}\n")  # slow, then floods
    write_tool(root, "java", f"exec {SLEEP} 30\n")
    result, stats = run_hook_measured(root, "--timeout", "2", python=python, stats_dir=tmp_path)
    assert_bounded(stats, timeout=2)
    errors = parse_one(ad_lines(result.stdout.decode())["tribes_probe_errors"])
    rpm_error, java_error = errors["tribes_probe_errors"].split("; ")
    assert rpm_error == "glibc: rpm -q glibc printed more than 4 MiB, killed"
    assert java_error.startswith("java: timed out after 0.")
    assert java_error.endswith("s, the rest of the 2s time limit")


# -- 3. FIFOs where files should be ---------------------------------------------------

FIFOS = [
    ("etc/redhat-release", ("redhat_version",), "os"),
    ("etc/os-release", OS_RELEASE, "os"),
    ("proc/sys/kernel/osrelease", ("kernel_version",), "kernel"),
    ("proc/cpuinfo", CPU + ("Microarch",), "virt+microarch"),
    ("sys/class/dmi/id/product_name", (), None),  # read quietly: may be closed to us
]


@pytest.mark.parametrize("name,dropped,probe", FIFOS)
def test_a_fifo_instead_of_a_file_is_refused_not_waited_on(host_copy, python, name, dropped,
                                                           probe):
    root = host_copy(ROCKY)
    replace_with_fifo(root / name)
    result = run_hook(root, python=python, timeout=10)
    error = "; ".join(f"{one}: cannot read /{name} (a FIFO, not a regular file)"
                      for one in probe.split("+")) if probe else None
    assert_only_dropped(result.stdout.decode(), ROCKY, dropped, error)


def test_devices_are_refused_unopened():
    with pytest.raises(OSError) as exc:
        files.read_bytes("/dev/zero")
    assert exc.value.strerror == "a character device, not a regular file"
    ctx = Context(root="/")
    assert ctx.read_optional("os", "/dev/zero") is None
    assert ctx.errors == ["os: cannot read /dev/zero (a character device, not a regular file)"]


def test_a_directory_is_still_reported_as_one(tmp_path):
    with pytest.raises(IsADirectoryError):
        files.read_bytes(str(tmp_path))


def test_reads_stop_at_the_limit_even_where_the_size_says_0():
    # procfs files claim size 0; the size is never trusted.
    assert os.stat("/proc/self/status").st_size == 0
    assert 0 < len(files.read_bytes("/proc/self/status")) <= files.MAX_READ
    assert len(files.read_bytes("/proc/self/status", limit=10)) == 10


# -- 4. values of any length ----------------------------------------------------------

def test_a_huge_first_line_is_published_cut(tmp_path, python):
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "redhat-release").write_text("x" * (4 << 20) + "\n")
    result = run_hook(tmp_path, "--only", "os", path_dirs=[tmp_path], python=python)
    value = parse_one(result.stdout.decode().splitlines()[0])["redhat_version"]
    assert value == "x" * (MAX_VALUE - len(CUT)) + CUT
    assert len(value) == MAX_VALUE


ENDLESS = ["etc/redhat-release", "etc/os-release", "proc/sys/kernel/osrelease", "proc/cpuinfo",
           "sys/class/dmi/id/product_name", "sys/class/dmi/id/sys_vendor"]


def test_files_of_endless_nul_bytes_cost_little_and_publish_short_values(host_copy, tmp_path,
                                                                         python):
    # What /dev/zero read as a file gave: 12 MB of NUL bytes (here sparse files).
    root = host_copy(ROCKY)
    for name in ENDLESS:
        path = root / name
        path.unlink(missing_ok=True)
        with open(path, "wb") as handle:
            handle.truncate(12 << 20)
    result, stats = run_hook_measured(root, python=python, stats_dir=tmp_path)
    assert_bounded(stats, timeout=0)
    text = result.stdout.decode()
    assert len(text.encode()) < 8 * 1024
    lines = ad_lines(text)
    assert len(parse_one(lines["redhat_version"])["redhat_version"]) == MAX_VALUE
    assert len(parse_one(lines["kernel_version"])["kernel_version"]) == MAX_VALUE
    assert lines["glibc_version"] == 'glibc_version = "glibc-2.34-83.el9.7"'


# -- 5. a Java cache that cannot be used ----------------------------------------------

def _deep(depth):
    return "[" * depth + "]" * depth


UNUSABLE_CACHES = {
    "nested-too-deep": _deep(50000),
    "entry-nested-too-deep": '{"format": 1, "entries": {"/x": ' + _deep(5000) + "}}",
    "bad-json": "{not json",
    "truncated": '{"format": 1, "entries": {',
    "not-utf8": b"\xff\xfe{}",
    "wrong-format": '{"format": "1", "entries": {}}',
    "entries-a-list": '{"format": 1, "entries": []}',
    "entries-of-wrong-types": '{"format": 1, "entries": {"/x": 3, "/y": {"mtime_ns": "1",'
                              ' "attributes": {}}, "/z": {"mtime_ns": 1, "attributes":'
                              ' {"JavaVersion": 17}}, "/b": {"mtime_ns": true, "attributes":'
                              ' {}}}}',
    "fifo": None,
    "empty-directory": None,
}


def plant_cache(path, kind):
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "empty-directory":
        path.mkdir()
    else:
        content = UNUSABLE_CACHES[kind]
        path.write_bytes(content if isinstance(content, bytes) else content.encode())


@pytest.mark.parametrize("kind", sorted(UNUSABLE_CACHES))
def test_an_unusable_java_cache_is_replaced_by_a_fresh_one(host_copy, tmp_path, python, kind):
    root = host_copy(DEBIAN)
    cache = tmp_path / "java.json"
    plant_cache(cache, kind)
    result = run_hook(root, "--cache", str(cache), python=python, timeout=10)
    assert result.stdout.decode() == (HOSTS / DEBIAN / "expected.ad").read_text()
    assert stat.S_ISREG(os.lstat(cache).st_mode)
    data = json.loads(cache.read_text())
    assert data["format"] == 1
    assert list(data["entries"]) == [os.path.realpath(root / "bin" / "java")]


def test_a_non_empty_directory_in_the_caches_place_is_left_alone(host_copy, tmp_path):
    root = host_copy(DEBIAN)
    cache = tmp_path / "java.json"
    cache.mkdir()
    (cache / "keep").write_text("someone's")
    result = run_hook(root, "--cache", str(cache))
    assert result.stdout.decode() == (HOSTS / DEBIAN / "expected.ad").read_text()
    assert (cache / "keep").read_text() == "someone's"


@pytest.mark.parametrize("kind", [
    "socket",
    pytest.param("device", marks=pytest.mark.skipif(os.geteuid() != 0,
                                                    reason="mknod needs root")),
])
def test_a_device_or_a_socket_at_the_cache_path_is_never_replaced(host_copy, tmp_path, kind):
    # --cache /dev/null, run by hand as root, replaced /dev/null with a JSON file.
    root = host_copy(DEBIAN)
    cache = tmp_path / "java.json"
    if kind == "device":
        os.mknod(cache, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # a /dev/null
    else:
        import socket

        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(cache))
        sock.close()
    before = os.lstat(cache)
    result = run_hook(root, "--cache", str(cache))
    assert result.stdout.decode() == (HOSTS / DEBIAN / "expected.ad").read_text()
    after = os.lstat(cache)
    assert (after.st_ino, after.st_mode, after.st_rdev) == (before.st_ino, before.st_mode,
                                                           before.st_rdev)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".tribes-java-")] == []


# -- 6. link loops ----------------------------------------------------------------------

def test_a_link_loop_at_os_release_keeps_redhat_release(host_copy, python):
    root = host_copy(ROCKY)
    (root / "etc" / "os-release").symlink_to("os-release")
    result = run_hook(root, python=python)
    assert_only_dropped(result.stdout.decode(), ROCKY, OS_RELEASE,
                        "os: cannot read /etc/os-release (Too many levels of symbolic links)")


def test_link_loops_at_dev_kvm_and_proc_xen_keep_the_other_virt_facts(host_copy, python):
    root = host_copy(ROCKY)
    (root / "dev" / "kvm").unlink()
    (root / "dev" / "kvm").symlink_to("kvm")
    (root / "proc" / "xen").symlink_to("xen")
    result = run_hook(root, python=python)
    lines = ad_lines(result.stdout.decode())
    assert lines["HasKVM"] == "HasKVM = false"
    assert lines["IsVirtualMachine"] == "IsVirtualMachine = false"
    assert lines["HasHardwareVirt"] == "HasHardwareVirt = true"
    assert "tribes_probe_errors" not in lines


# Every file any probe reads (the Java cache aside: section 5).
EVERY_FILE = [
    "etc/os-release", "usr/lib/os-release", "etc/redhat-release", "proc/sys/kernel/osrelease",
    "proc/cpuinfo", "sys/class/dmi/id/product_name", "sys/class/dmi/id/sys_vendor",
    "sys/class/dmi/id/board_vendor", "sys/class/dmi/id/bios_vendor",
    "sys/class/dmi/id/product_version",
    "sys/devices/system/clocksource/clocksource0/available_clocksource",
    "sys/hypervisor/properties/features", "sys/hypervisor/type",
    "proc/device-tree/hypervisor/compatible", "proc/sys/user/max_user_namespaces",
    "proc/sys/kernel/unprivileged_userns_clone", "dev/kvm",
]


def _plant(path, kind):
    if path.exists() or path.is_symlink():
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 5))  # a /dev/zero
    else:
        path.symlink_to(path.name)  # a loop


@pytest.mark.parametrize("kind", [
    "fifo", "loop",
    pytest.param("device", marks=pytest.mark.skipif(os.geteuid() != 0,
                                                    reason="mknod needs root")),
])
def test_every_file_a_fifo_a_device_or_a_link_loop_costs_little(host_copy, tmp_path, python,
                                                                 kind):
    root = host_copy(ROCKY)
    for name in EVERY_FILE:
        _plant(root / name, kind)
    result, stats = run_hook_measured(root, python=python, stats_dir=tmp_path)
    print(f"{python} {kind}: hook {stats['seconds']:.2f} s, peak RSS {stats['peak_rss_kib']} KiB")
    assert_bounded(stats, timeout=0)
    assert result.stderr == b""
    lines = ad_lines(result.stdout.decode())
    # Only what the package manager says is left; /dev/kvm is no KVM device.
    assert sorted(lines) == ["HasKVM", "glibc_base_version", "glibc_version",
                             "tribes_can_run_containers", "tribes_probe_errors"]
    assert lines["HasKVM"] == "HasKVM = false"


# -- everything at once -----------------------------------------------------------------

@needs_tools
def test_a_pathological_node_costs_at_most_the_timeout_and_50_mb(host_copy, tmp_path,
                                                                 lingering, python):
    root = host_copy(BASE)
    write_tool(root, "rpm", flood("stdout"))
    write_tool(root, "dpkg-query", flood("stderr"))
    write_tool(root, "java", linger(lingering()))
    for name in ("etc/redhat-release", "etc/os-release", "proc/sys/kernel/osrelease",
                 "proc/cpuinfo", "sys/class/dmi/id/product_name"):
        replace_with_fifo(root / name)
    cache = tmp_path / "java.json"
    os.mkfifo(cache)
    started = time.monotonic()
    result, stats = run_hook_measured(root, "--timeout", "1", "--cache", str(cache),
                                      python=python, stats_dir=tmp_path)
    print(f"{python}: hook {stats['seconds']:.2f} s, peak RSS {stats['peak_rss_kib']} KiB")
    assert_bounded(stats, timeout=1)
    assert time.monotonic() - started < 1 + SLACK_SECONDS + 1  # the measuring wrapper too
    lines = ad_lines(result.stdout.decode())
    assert sorted(lines) == ["HasKVM", "tribes_can_run_containers", "tribes_probe_errors"]
    errors = parse_one(lines["tribes_probe_errors"])["tribes_probe_errors"].split("; ")
    assert errors == [
        "os: cannot read /etc/redhat-release (a FIFO, not a regular file)",
        "os: cannot read /etc/os-release (a FIFO, not a regular file)",
        "kernel: cannot read /proc/sys/kernel/osrelease (a FIFO, not a regular file)",
        "glibc: rpm -q glibc printed more than 4 MiB, killed",
        "glibc: dpkg-query -W libc6 printed more than 4 MiB, killed",
        "java: timed out after 1s",
        "virt: cannot read /proc/cpuinfo (a FIFO, not a regular file)",
        "microarch: cannot read /proc/cpuinfo (a FIFO, not a regular file)",
    ]
