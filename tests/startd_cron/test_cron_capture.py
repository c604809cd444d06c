"""The capture script turns a node into a fixture that reproduces the node's ad."""

import subprocess
import sys

import pytest
from cron_helpers import HOSTS, REPO

from startd_cron import capture_host


@pytest.mark.parametrize(
    "case", ["rhel5.4-tikanga", "rhel5.4-xen-guest", "debian12-ec2", "ubuntu24.04-arm64",
             "alma8-apptainer", "rocky9-userns-off"]
)
def test_capturing_a_fixture_reproduces_its_expected_ad(case, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(HOSTS / case / "bin"))
    monkeypatch.delenv("JAVA", raising=False)
    dest = tmp_path / "captured"
    node, tree = capture_host.capture(str(dest), root=str(HOSTS / case))
    assert node == tree
    assert (dest / "expected.ad").read_text() == (HOSTS / case / "expected.ad").read_text()


def test_capturing_this_machine(tmp_path):
    dest = tmp_path / "this-host"
    result = subprocess.run(
        [sys.executable, "-m", "startd_cron.capture_host", str(dest)],
        cwd=REPO, stdout=subprocess.PIPE, check=False, timeout=60,
    )
    assert result.stdout.decode().splitlines() == [f"wrote {dest}"]
    assert result.returncode == 0
    assert (dest / "proc" / "sys" / "kernel" / "osrelease").exists()
    assert (dest / "expected.ad").read_text().endswith("- update:true\n")


def test_capture_refuses_an_existing_directory(tmp_path):
    with pytest.raises(SystemExit):
        capture_host.main([str(tmp_path)])


def test_first_processor_only():
    text = "processor\t: 0\nflags\t: vmx\n\nprocessor\t: 1\nflags\t: vmx\n"
    assert capture_host.first_processor(text) == "processor\t: 0\nflags\t: vmx\n\n"


def test_benchmark_runs(tmp_path):
    result = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "bench_startd_cron.py"), "--runs", "2"],
        cwd=REPO, stdout=subprocess.PIPE, check=False, timeout=120,
    )
    out = result.stdout.decode()
    assert "hook --only os,kernel,glibc,virt" in out and "median" in out
    assert "floor: hook without Java" in out
