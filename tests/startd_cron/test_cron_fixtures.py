"""Every fixture host: the hook's output equals its expected.ad, and parses back."""

import csv
from pathlib import Path

import pytest
from cron_helpers import CASES, HOSTS, run_hook

from simulator.model.condor import parse_one
from startd_cron import __main__ as hook
from startd_cron.context import Context

MARGINALS = Path(__file__).resolve().parents[1] / "pools" / "data" / "pool_2010_marginals.csv"
SEED_ERA = ["rhel4-nahant", "rhel5.4-tikanga", "rhel5.4-xen-guest", "centos5.3"]
REQUIRED = [
    "rhel4-nahant", "rhel5.4-tikanga", "centos5.3", "centos7-vmware", "rocky8-kvm-guest",
    "rocky9-vtx-kvm", "alma9-hyperv", "fedora40-amdv", "debian12-ec2", "ubuntu22.04-openstack",
    "ubuntu24.04-arm64", "sles15sp5-ibmj9", "alpine3.19-musl-qemu", "rhel5.4-xen-guest",
    "alma8-apptainer", "rocky8-skylake-avx512", "rocky9-userns-off", "centos7-westmere-v2",
]


def collect(case, monkeypatch):
    monkeypatch.setenv("PATH", str(HOSTS / case / "bin"))
    monkeypatch.delenv("JAVA", raising=False)
    return hook.collect(Context(root=str(HOSTS / case), timeout=5))


def test_every_required_case_has_a_fixture():
    assert sorted(REQUIRED) == CASES


@pytest.mark.parametrize("case", CASES)
def test_subprocess_output_equals_expected_ad(case):
    result = run_hook(HOSTS / case)
    assert result.stderr == b""
    assert result.stdout.decode() == (HOSTS / case / "expected.ad").read_text()
    assert result.returncode == 0


@pytest.mark.parametrize("case", CASES)
def test_in_process_output_equals_expected_ad(case, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(HOSTS / case / "bin"))
    monkeypatch.delenv("JAVA", raising=False)
    assert hook.main(["--root", str(HOSTS / case), "--cache", ""]) == 0
    assert capsys.readouterr().out == (HOSTS / case / "expected.ad").read_text()


@pytest.mark.parametrize("case", CASES)
def test_htcondor_parses_each_line_to_the_intended_value(case, monkeypatch):
    intended = collect(case, monkeypatch)
    lines = (HOSTS / case / "expected.ad").read_text().splitlines()
    assert lines[-1] == "- update:true"
    for line in lines[:-1]:
        ad = parse_one(line)
        assert len(ad) == 1, line
        (name,) = ad.keys()
        assert ad[name] == intended[name]
        assert type(ad[name]) is type(intended[name])
    whole = parse_one("\n".join(lines[:-1]))
    assert dict(whole) == intended


@pytest.mark.parametrize("case", CASES)
def test_values_are_what_the_fixture_files_hold(case, monkeypatch):
    attrs = collect(case, monkeypatch)
    root = HOSTS / case
    assert attrs["kernel_version"] == (root / "proc/sys/kernel/osrelease").read_text().strip()
    release = root / "etc/redhat-release"
    if release.exists():
        assert attrs["redhat_version"] == release.read_text().splitlines()[0]
    else:
        assert "redhat_version" not in attrs
    flags = (root / "proc/cpuinfo").read_text()
    if "vmx" in flags.split() or "svm" in flags.split():
        assert attrs["HasHardwareVirt"] is True
    assert attrs["HasKVM"] is (root / "dev/kvm").exists()
    # Every x86-64 node has a level; no other CPU has one.
    assert ("Microarch" in attrs) is ("lm" in flags.split())
    userns = root / "proc/sys/user/max_user_namespaces"
    if userns.exists():
        assert attrs["tribes_user_namespaces"] is (int(userns.read_text()) > 0)
    else:
        assert "tribes_user_namespaces" not in attrs
    apptainer = root / "bin/apptainer"
    assert ("tribes_apptainer_version" in attrs) is apptainer.exists()
    assert attrs["tribes_can_run_containers"] is (
        apptainer.exists() and attrs.get("tribes_user_namespaces", False))
    assert "tribes_probe_errors" not in attrs


@pytest.mark.parametrize("case", SEED_ERA)
def test_2010_fixtures_publish_values_of_the_seed_pool(case, monkeypatch):
    with MARGINALS.open() as handle:
        published = {(row["attributes"], row["value"]) for row in csv.DictReader(handle)}
    attrs = collect(case, monkeypatch)
    for name in ("redhat_version", "kernel_version", "glibc_version"):
        assert (name, attrs[name]) in published
    if "JavaVendor" in attrs:
        java = "{} {}".format(attrs["JavaVendor"], attrs["JavaVersion"])
        assert ("JavaVendor JavaVersion", java) in published


def test_multilib_rpm_node_publishes_the_native_glibc(monkeypatch):
    # rhel5.4-tikanga lists i686 first, rhel4-nahant x86_64 first.
    for case in ("rhel5.4-tikanga", "rhel4-nahant"):
        assert (HOSTS / case / "outputs/rpm-q-glibc.txt").read_text().count("\n") == 2
        assert collect(case, monkeypatch)["glibc_version"].startswith("glibc-2.")


def test_musl_node_has_no_glibc_and_no_error(monkeypatch):
    attrs = collect("alpine3.19-musl-qemu", monkeypatch)
    assert "glibc_version" not in attrs and "glibc_base_version" not in attrs
    assert attrs["os_id"] == "alpine"


def test_arm_node_without_cpu_flags_does_not_claim_no_hardware_virt(monkeypatch):
    attrs = collect("ubuntu24.04-arm64", monkeypatch)
    assert "HasHardwareVirt" not in attrs
    assert attrs["IsVirtualMachine"] is False


def test_arm_node_has_no_x86_64_level(monkeypatch):
    attrs = collect("ubuntu24.04-arm64", monkeypatch)
    assert "Microarch" not in attrs
    assert "Microarch" not in (HOSTS / "ubuntu24.04-arm64" / "expected.ad").read_text()
