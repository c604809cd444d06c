"""The config snippet, read back by HTCondor's own config parser."""

import os
import sys

import pytest
from cron_helpers import REPO, hook_env, htcondor_params, run_hook

from simulator import cli
from startd_cron import __main__ as hook
from startd_cron import config


def test_installed_snippet_as_htcondor_reads_it(tmp_path):
    config_d = tmp_path / "config.d"
    config_d.mkdir()
    path = config.install(str(config_d))
    assert os.listdir(str(config_d)) == [config.FILE_NAME]
    params = htcondor_params(tmp_path, f"""
        SPOOL = /var/lib/condor/spool
        STARTD_CRON_JOBLIST = EXISTING
        LOCAL_CONFIG_DIR = {config_d}
    """)
    executable, extra, _ = config.find_executable()
    assert params["STARTD_CRON_JOBLIST"].split() == ["EXISTING", "TRIBES"]
    assert params["STARTD_CRON_TRIBES_EXECUTABLE"] == executable
    assert os.path.isabs(executable) and os.access(executable, os.X_OK)
    assert params["STARTD_CRON_TRIBES_ARGS"].split() == extra + [
        "--cache", "/var/lib/condor/spool/tribes-java-cache.json"]
    assert params["STARTD_CRON_TRIBES_MODE"] == "Periodic"
    assert params["STARTD_CRON_TRIBES_PERIOD"] == "1h"
    assert params["STARTD_CRON_TRIBES_KILL"].lower() == "true"
    assert params["STARTD_CRON_TRIBES_ENV"].startswith('"JAVA=')
    assert params["STARTD_CRON_TRIBES_PREFIX"] is None
    with open(path) as handle:
        assert "# STARTD_CRON_TRIBES_PREFIX = " in handle.read()


def test_joblist_without_earlier_jobs(tmp_path):
    (tmp_path / "tribes.conf").write_text(config.snippet())
    params = htcondor_params(tmp_path, "include : %s\n" % (tmp_path / "tribes.conf"))
    assert params["STARTD_CRON_JOBLIST"].split() == ["TRIBES"]


def test_source_tree_snippet_runs_the_package_without_site_packages(monkeypatch):
    monkeypatch.setattr(config.shutil, "which", lambda name: None)
    monkeypatch.setattr(config.sys, "executable", "/nowhere/bin/python3")
    executable, extra, pythonpath = config.find_executable()
    assert extra == ["-S", "-m", "startd_cron"]
    assert pythonpath == str(REPO)
    text = config.snippet()
    assert f'PYTHONPATH={REPO}"' in text
    assert "_ARGS = -S -m startd_cron --cache" in text


def test_install_replaces_atomically_and_refuses_a_missing_dir(tmp_path):
    target = tmp_path / config.FILE_NAME
    target.write_text("old")
    config.install(str(tmp_path), text="new\n")
    assert target.read_text() == "new\n"
    assert oct(target.stat().st_mode & 0o777) == "0o644"
    with pytest.raises(OSError):
        config.install(str(tmp_path / "missing"))


def test_tribes_cron_config_prints_the_same_snippet(capsys):
    assert cli.main(["cron-config"]) == 0
    assert capsys.readouterr().out == config.snippet()


def test_tribes_cron_config_install(tmp_path, capsys):
    assert cli.main(["cron-config", "--install", str(tmp_path)]) == 0
    assert capsys.readouterr().out == "wrote %s\n" % (tmp_path / config.FILE_NAME)
    assert (tmp_path / config.FILE_NAME).read_text() == config.snippet()
    assert cli.main(["cron-config", "--install", str(tmp_path / "no")]) == 1
    assert capsys.readouterr().err == f"tribes: error: {tmp_path / 'no'}: no such folder\n"


def test_hook_print_config_in_process_and_as_subprocess(capsys, tmp_path):
    assert hook.main(["--print-config"]) == 0
    assert capsys.readouterr().out == config.snippet()
    result = run_hook(tmp_path, "--print-config", python_flags=(),
                      env=hook_env([os.path.dirname(sys.executable), "/usr/bin", "/bin"]))
    assert result.returncode == 0
    assert "STARTD_CRON_TRIBES_MODE = Periodic" in result.stdout.decode()


def test_hook_install(tmp_path, capsys):
    assert hook.main(["--install", str(tmp_path)]) == 0
    assert (tmp_path / config.FILE_NAME).exists()
    assert hook.main(["--install", str(tmp_path / "missing")]) == 1
    assert "cannot install" in capsys.readouterr().err
