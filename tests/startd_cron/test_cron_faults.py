"""Bad input and faults: each drops only its own attributes and says why."""

import os
import time

import pytest
from cron_helpers import HOSTS, ad_lines, hook_env, run_hook

from simulator.model.condor import parse_one
from startd_cron import __main__ as hook
from startd_cron.classad_format import REPLACEMENT
from startd_cron.context import Context
from startd_cron.probes import virt

BASE = "rhel5.4-tikanga"
JAVA = ("JavaVendor", "JavaVersion", "JavaSpecificationVersion")
GLIBC = ("glibc_version", "glibc_base_version")


def expected_lines(case=BASE):
    return ad_lines((HOSTS / case / "expected.ad").read_text())


def assert_only_dropped(output, dropped, errors=None, case=BASE):
    """Output = the fixture's expected ad minus ``dropped``, plus ``errors``."""
    want = {k: v for k, v in expected_lines(case).items() if k not in dropped}
    if errors:
        want["tribes_probe_errors"] = f'tribes_probe_errors = "{errors}"'
    assert ad_lines(output) == want


HOSTILE = [
    ('Red Hat "Enterprise" Linux\n', 'Red Hat "Enterprise" Linux'),
    ("C:\\temp\\ release\\\n", "C:\\temp\\ release\\"),
    ('release 5.4"\nSTART = true\nX = "\n', 'release 5.4"'),
    ("release ] [ START = true ]\n", "release ] [ START = true ]"),
    ("START = true\n", "START = true"),
    ('x" START = true\n', 'x" START = true'),
    ("first\r\nsecond\n", "first"),
    ("first\rSTART = true\n", "first"),
    (b"Red Hat \xff\xfe release\n", f"Red Hat {REPLACEMENT}{REPLACEMENT} release"),
    ("tab\there\x00nul\n", f"tab{REPLACEMENT}here{REPLACEMENT}nul"),
    ("\\\"\n", "\\\""),
]


@pytest.mark.parametrize("content,first_line", HOSTILE)
def test_hostile_redhat_release_gives_exactly_one_attribute(tmp_path, content, first_line):
    release = tmp_path / "etc" / "redhat-release"
    release.parent.mkdir()
    if isinstance(content, str):
        content = content.encode("utf-8")
    release.write_bytes(content)
    result = run_hook(tmp_path, "--only", "os", path_dirs=[tmp_path])
    text = result.stdout.decode("utf-8")
    lines = text.splitlines()
    assert lines[-1] == "- update:true" and len(lines) == 2
    ad = parse_one(lines[0])
    assert list(ad.keys()) == ["redhat_version"]
    assert ad["redhat_version"] == first_line
    assert result.returncode == 0


def write_script(path, body):
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)


def test_hung_java_is_killed_at_the_timeout_and_everything_else_published(host_copy, tmp_path):
    root = host_copy(BASE)
    pid_file = tmp_path / "sleeper.pid"
    # The JVM's helper survives its parent unless the whole process group dies.
    write_script(root / "bin" / "java", f"/bin/sleep 60 &\necho $! > {pid_file}\nwait\n")
    started = time.monotonic()
    result = run_hook(root, "--timeout", "1")
    elapsed = time.monotonic() - started
    assert elapsed < 5
    assert_only_dropped(result.stdout.decode(), JAVA, "java: timed out after 1s")
    assert result.returncode == 0
    pid = int(pid_file.read_text())
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.05)
    assert not _alive(pid), "the hung java's child was left running"


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(") ")[-1][0] != "Z"
    except OSError:
        return False


def test_unreadable_cpuinfo_drops_only_the_cpu_attributes(host_copy):
    root = host_copy(BASE)
    cpuinfo = root / "proc" / "cpuinfo"
    cpuinfo.unlink()
    cpuinfo.mkdir()  # unreadable even for root, as the tests run in CI
    result = run_hook(root)
    assert_only_dropped(
        result.stdout.decode(),
        ("HasHardwareVirt", "HardwareVirtType", "IsVirtualMachine", "Microarch"),
        "virt: cannot read /proc/cpuinfo (Is a directory); "
        "microarch: cannot read /proc/cpuinfo (Is a directory)",
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_cpuinfo_without_read_permission(host_copy):
    root = host_copy(BASE)
    (root / "proc" / "cpuinfo").chmod(0)
    result = run_hook(root)
    assert "virt: cannot read /proc/cpuinfo (Permission denied)" in result.stdout.decode()


def test_unreadable_cpuinfo_still_names_a_hypervisor_from_other_signals(host_copy):
    root = host_copy("centos7-vmware")
    (root / "proc" / "cpuinfo").unlink()
    (root / "proc" / "cpuinfo").mkdir()
    lines = ad_lines(run_hook(root).stdout.decode())
    assert lines["Hypervisor"] == 'Hypervisor = "vmware"'
    assert "HasHardwareVirt" not in lines


def test_missing_rpm_drops_only_glibc_and_is_no_error(host_copy):
    root = host_copy(BASE)
    (root / "bin" / "rpm").unlink()
    assert_only_dropped(run_hook(root).stdout.decode(), GLIBC)


def test_rpm_exiting_1_drops_only_glibc_and_says_so(host_copy):
    root = host_copy(BASE)
    write_script(root / "bin" / "rpm", "echo 'package glibc is not installed'\nexit 1\n")
    assert_only_dropped(
        run_hook(root).stdout.decode(), GLIBC, "glibc: rpm -q glibc exited 1"
    )


def test_rpm_failing_on_a_debian_node_falls_back_to_dpkg(host_copy):
    root = host_copy("debian12-ec2")
    write_script(root / "bin" / "rpm", "echo 'package glibc is not installed'\nexit 1\n")
    result = run_hook(root)
    assert result.stdout.decode() == (HOSTS / "debian12-ec2" / "expected.ad").read_text()


def test_empty_root_publishes_nothing_and_exits_1(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    empty_path = tmp_path / "bin"
    empty_path.mkdir()
    result = run_hook(root, path_dirs=[empty_path])
    assert result.stdout.decode() == "- update:true\n"
    assert result.returncode == 1


def test_missing_root_is_a_usage_error_not_a_read_of_the_host(tmp_path):
    result = run_hook(tmp_path / "nowhere", path_dirs=[tmp_path])
    assert result.returncode == 2
    assert result.stdout == b""
    missing = str(tmp_path / "nowhere")
    assert result.stderr.decode().splitlines()[-1] == (
        f"tribes-startd-cron: error: argument --root: not a directory: {missing!r}"
    )


def test_kvm_device_the_user_cannot_open(monkeypatch):
    monkeypatch.setenv("PATH", str(HOSTS / "rocky9-vtx-kvm" / "bin"))
    seen = []

    def refuse(path):
        seen.append(path)
        return False

    monkeypatch.setattr(virt, "open_read_write", refuse)
    attrs = hook.collect(Context(root=str(HOSTS / "rocky9-vtx-kvm")), ["virt"])
    assert seen == [str(HOSTS / "rocky9-vtx-kvm" / "dev" / "kvm")]
    assert attrs["HasKVM"] is False
    assert attrs["HasHardwareVirt"] is True


def test_open_read_write(tmp_path):
    device = tmp_path / "kvm"
    device.write_text("")
    assert virt.open_read_write(str(device)) is True
    assert virt.open_read_write(str(tmp_path / "absent")) is False
    assert virt.open_read_write(str(tmp_path)) is False  # a directory never opens O_RDWR
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    assert virt.open_read_write(str(fifo)) is False  # opens read-write, and is no device
    assert virt.open_read_write("/dev/null") is False  # opens read-write, and is not KVM
    if os.path.exists("/dev/kvm") and os.access("/dev/kvm", os.R_OK | os.W_OK):
        assert virt.open_read_write("/dev/kvm") is True


@pytest.mark.skipif(os.geteuid() == 0, reason="root opens every file read-write")
def test_open_read_write_permission_denied(tmp_path):
    device = tmp_path / "kvm"
    device.write_text("")
    device.chmod(0o400)
    assert virt.open_read_write(str(device)) is False


def test_java_env_points_at_a_jvm_off_path(host_copy, tmp_path):
    root = host_copy(BASE)
    java = root / "bin" / "java"
    moved = tmp_path / "jdk" / "java"
    moved.parent.mkdir()
    # The fake finds its outputs relative to itself: keep them beside it.
    (tmp_path / "outputs").symlink_to(root / "outputs")
    java.rename(moved)
    env = hook_env([root / "bin"], JAVA=str(moved))
    assert run_hook(root, env=env).stdout.decode() == (HOSTS / BASE / "expected.ad").read_text()
    without = run_hook(root)
    assert_only_dropped(without.stdout.decode(), JAVA)
