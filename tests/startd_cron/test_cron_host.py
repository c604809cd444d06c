"""The hook on this very machine agrees with uname, ldd, ld.so, unshare and systemd-detect-virt."""

import os
import platform
import re
import shutil
import subprocess
import sys

import pytest
from cron_helpers import REPO, ad_lines

from simulator.model.condor import parse_one


@pytest.fixture(scope="module")
def host_ad(tmp_path_factory):
    cache = tmp_path_factory.mktemp("cache") / "java.json"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    # -S: no site-packages at all; the hook needs only the standard library.
    result = subprocess.run(
        [sys.executable, "-S", "-m", "startd_cron", "--cache", str(cache)],
        cwd=REPO, env=env, capture_output=True, timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    text = result.stdout.decode("utf-8")
    ad_lines(text)  # ends with the update line
    return parse_one(text.rsplit("- update:true", 1)[0])


def test_kernel_matches_uname(host_ad):
    assert host_ad["kernel_version"] == platform.release()


def test_glibc_matches_ldd(host_ad):
    ldd = shutil.which("ldd")
    if ldd is None:
        pytest.skip("no ldd here")
    banner = subprocess.run([ldd, "--version"], stdout=subprocess.PIPE, check=False)
    first = banner.stdout.decode().splitlines()[0]
    if "GLIBC" not in first.upper() and "GNU libc" not in first:
        pytest.skip("not a glibc host: " + first)
    # "ldd (Debian GLIBC 2.36-9+deb12u14) 2.36"
    assert host_ad["glibc_base_version"] == first.split()[-1]
    match = re.search(r"\(Debian GLIBC ([^)]+)\)|\(Ubuntu GLIBC ([^)]+)\)", first)
    if match:
        assert host_ad["glibc_version"] == "glibc-" + (match.group(1) or match.group(2))


def test_glibc_matches_dpkg(host_ad):
    if shutil.which("dpkg-query") is None or shutil.which("rpm") is not None:
        pytest.skip("not a dpkg-only host")
    out = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Version}\n", "libc6:" + _dpkg_arch()],
        stdout=subprocess.PIPE, check=True,
    ).stdout.decode().strip()
    assert host_ad["glibc_version"] == "glibc-" + out


def _dpkg_arch():
    return subprocess.run(
        ["dpkg", "--print-architecture"], stdout=subprocess.PIPE, check=True
    ).stdout.decode().strip()


def test_virtualization_matches_systemd_detect_virt(host_ad):
    tool = shutil.which("systemd-detect-virt")
    if tool is None:
        pytest.skip("systemd-detect-virt is not installed")
    # --vm: a container (docker, podman) runs on some kernel; the question is the machine.
    answer = subprocess.run([tool, "--vm"], stdout=subprocess.PIPE, check=False)
    name = answer.stdout.decode().strip()
    if name == "none":
        assert host_ad["IsVirtualMachine"] is False
        assert "Hypervisor" not in host_ad
    else:
        assert host_ad["IsVirtualMachine"] is True
        assert host_ad["Hypervisor"] == name


def test_os_release_matches_etc_os_release(host_ad):
    path = "/etc/os-release" if os.path.exists("/etc/os-release") else "/usr/lib/os-release"
    if not os.path.exists(path):
        pytest.skip("no os-release")
    with open(path) as handle:
        fields = dict(
            line.rstrip("\n").split("=", 1) for line in handle if "=" in line
        )
    assert host_ad["os_id"] == fields["ID"].strip('"')


def test_hardware_virt_matches_cpuinfo(host_ad):
    with open("/proc/cpuinfo") as handle:
        flags = next((line.split(":", 1)[1].split() for line in handle
                      if line.startswith("flags")), None)
    if flags is None:
        assert "HasHardwareVirt" not in host_ad
    else:
        assert host_ad["HasHardwareVirt"] is ("vmx" in flags or "svm" in flags)


def test_java_matches_the_jvm_on_path(host_ad):
    java = shutil.which("java")
    if java is None:
        assert "JavaVersion" not in host_ad
        return
    out = subprocess.run([java, "-version"], stderr=subprocess.PIPE, check=False)
    assert '"{}"'.format(host_ad["JavaVersion"]) in out.stderr.decode()


def _glibc_levels():
    """The x86-64 levels this machine's dynamic loader supports (glibc 2.33+), or None."""
    loader = "/lib64/ld-linux-x86-64.so.2"
    if not os.path.exists(loader):
        return None
    out = subprocess.run([loader, "--help"], stdout=subprocess.PIPE, check=False)
    # "  x86-64-v3 (supported, searched)"
    found = re.findall(r"^\s+x86-64-(v[234]) \(supported", out.stdout.decode(), re.MULTILINE)
    return found if "glibc-hwcaps" in out.stdout.decode() else None


def test_microarch_matches_the_dynamic_loader(host_ad):
    if platform.machine() != "x86_64":
        assert "Microarch" not in host_ad
        return
    levels = _glibc_levels()
    if levels is None:
        pytest.skip("no glibc-hwcaps in this glibc's ld.so --help")
    # glibc reads CPUID and XCR0, the hook the kernel's flags: they must agree.
    expected = "x86_64-" + max(levels) if levels else "x86_64-v1"
    assert host_ad["Microarch"] == expected


def test_user_namespaces_match_unshare_as_nobody(host_ad):
    unshare, setpriv = shutil.which("unshare"), shutil.which("setpriv")
    if unshare is None or (os.geteuid() == 0 and setpriv is None):
        pytest.skip("needs unshare (and setpriv, as root)")
    argv = [unshare, "--user", "true"]
    if os.geteuid() == 0:
        # As the condor user would: unprivileged.
        argv = [setpriv, "--reuid", "65534", "--regid", "65534", "--clear-groups"] + argv
    works = subprocess.run(argv, stderr=subprocess.DEVNULL, check=False).returncode == 0
    if "tribes_user_namespaces" not in host_ad:
        assert not os.path.exists("/proc/sys/user/max_user_namespaces")
    else:
        assert host_ad["tribes_user_namespaces"] is works


def test_container_verdict_on_this_machine(host_ad):
    found = shutil.which("apptainer") or shutil.which("singularity")
    if found is None:
        assert host_ad["tribes_can_run_containers"] is False
        assert "tribes_apptainer_path" not in host_ad
    else:
        assert host_ad["tribes_apptainer_path"] == os.path.realpath(found)
