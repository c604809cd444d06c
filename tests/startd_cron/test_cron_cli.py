"""The hook's command line, in-process and as the installed script; and its python floor."""

import os
import re
import shutil
import subprocess
import sys

import pytest
from cron_helpers import CASES, HOSTS, OLD_PYTHON, REPO, hook_env, run_hook

from startd_cron import __main__ as hook

CASE = "rocky9-vtx-kvm"


def test_help(capsys):
    with pytest.raises(SystemExit) as exc:
        hook.main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for option in ("--root", "--only", "--timeout", "--cache", "--print-config", "--install"):
        assert option in out


@pytest.mark.parametrize("argv", [["--only", "os,nope"], ["--only", ""], ["--timeout", "0"],
                                  ["--timeout", "soon"],
                                  ["--timeout", "inf"], ["--timeout", "nan"],
                                  ["--root", "/no/such/host/tree"], ["--root", __file__]])
def test_bad_options_are_usage_errors(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        hook.main(argv)
    assert exc.value.code == 2
    assert "tribes-startd-cron: error:" in capsys.readouterr().err


def test_only_runs_the_chosen_probes(monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(HOSTS / CASE / "bin"))
    assert hook.main(["--root", str(HOSTS / CASE), "--only", "kernel, virt", "--cache", ""]) == 0
    names = [line.split(" = ")[0] for line in capsys.readouterr().out.splitlines()[:-1]]
    assert names == ["kernel_version", "HasHardwareVirt", "HardwareVirtType", "HasKVM",
                     "IsVirtualMachine"]


def test_output_is_utf8_even_without_a_locale(tmp_path):
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "redhat-release").write_text("Caf\u00e9 Linux release 1\n")
    env = hook_env([tmp_path], LC_ALL="C", LANG="C", PYTHONIOENCODING="ascii")
    result = run_hook(tmp_path, "--only", "os", env=env)
    assert result.stdout.decode("utf-8").startswith('redhat_version = "Caf\u00e9 Linux')


def test_installed_console_script(tmp_path):
    script = shutil.which("tribes-startd-cron", path=os.path.dirname(sys.executable))
    if script is None:
        pytest.skip("condor-tribes is not installed in this environment")
    result = subprocess.run(
        [script, "--root", str(HOSTS / CASE), "--cache", ""],
        env=hook_env([HOSTS / CASE / "bin"]), stdout=subprocess.PIPE, check=False,
    )
    assert result.stdout.decode() == (HOSTS / CASE / "expected.ad").read_text()


def test_runs_without_site_packages_from_the_source_tree():
    result = run_hook(HOSTS / CASE, python_flags=("-S", "-E", "-s"))
    assert result.returncode == 0
    assert result.stdout.decode() == (HOSTS / CASE / "expected.ad").read_text()
    probe = subprocess.run([sys.executable, "-S", "-c", "import sys; print(sys.path)"],
                           cwd=REPO, stdout=subprocess.PIPE, check=True)
    assert "site-packages" not in probe.stdout.decode()


def test_vermin_says_python_3_6_is_enough():
    vermin = shutil.which("vermin", path=os.path.dirname(sys.executable)) or shutil.which("vermin")
    assert vermin, "vermin is part of the test extra"
    result = subprocess.run(
        [vermin, "--no-tips", "--violations", "-t=3.6-", "startd_cron"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False, timeout=120,
    )
    assert result.returncode == 0, result.stdout.decode()
    report = subprocess.run(
        [vermin, "--no-tips", "startd_cron"],
        cwd=REPO, stdout=subprocess.PIPE, check=True, timeout=120,
    ).stdout.decode()
    minimum = re.search(r"Minimum required versions: (\d+)\.(\d+)", report)
    assert minimum, report
    assert (int(minimum.group(1)), int(minimum.group(2))) <= (3, 6)


def test_no_syntax_newer_than_python_3_6():
    # vermin does not flag everything; these would break EL8's platform-python.
    banned = [r":=", r"\bf\"[^\"]*=\}", r"from __future__ import annotations", r"\bdataclass",
              r"capture_output", r"\btext=True", r"removeprefix|removesuffix"]
    for path in sorted((REPO / "startd_cron").rglob("*.py")):
        source = path.read_text()
        for pattern in banned:
            assert not re.search(pattern, source), f"{path} uses {pattern}"


@pytest.mark.skipif(OLD_PYTHON is None, reason="no Python 3.6/3.7 interpreter on this machine")
@pytest.mark.parametrize("case", CASES)
def test_every_fixture_under_the_oldest_python_here(case):
    result = subprocess.run(
        [OLD_PYTHON, "-S", "-m", "startd_cron", "--root", str(HOSTS / case), "--cache", ""],
        cwd=REPO, env=hook_env([HOSTS / case / "bin"]), capture_output=True,
        check=False, timeout=30,
    )
    assert result.stderr == b""
    assert result.stdout.decode() == (HOSTS / case / "expected.ad").read_text()
