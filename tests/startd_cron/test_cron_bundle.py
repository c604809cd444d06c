"""The one-file bundle: reproducible, and the same ad as the source tree under -S -I.

Every fixture runs through the bundle under this python and under the oldest
python here (3.6, EL8's platform-python), each with ``-S -I``; the config that
points the startd at it is read back by HTCondor's own parser and then run the
way the startd runs it (argv[0] is the job name).
"""

import configparser
import functools
import os
import shutil
import stat
import subprocess
import sys
import zipfile

import pytest
from cron_helpers import (
    CASES,
    HOSTS,
    NO_OLD_PYTHON,
    OLD_PYTHON,
    REPO,
    hook_env,
    htcondor_params,
    run_hook,
)

from simulator import cli
from startd_cron import __version__, bundle, config

PACKAGE = REPO / "startd_cron"
NODE_PATH = "/usr/local/libexec/tribes-startd-cron.pyz"
PYTHONS = [
    pytest.param(sys.executable, id="this-python"),
    pytest.param(OLD_PYTHON, id="oldest-python",
                 marks=pytest.mark.skipif(OLD_PYTHON is None, reason=NO_OLD_PYTHON)),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The bundle, built once for the module."""
    target = tmp_path_factory.mktemp("bundle") / "tribes-startd-cron.pyz"
    bundle.build(str(target))
    return target


@functools.cache
def source_tree_run(case):
    """(exit status, stdout) of ``python -S -m startd_cron`` from the source tree."""
    result = run_hook(HOSTS / case)
    assert result.stderr == b""
    return result.returncode, result.stdout.decode()


def run_bundle(python, pyz, *args, env=None, cwd=None, argv0=None):
    argv = [argv0 or python, "-S", "-I", str(pyz), *args]
    return subprocess.run(argv, executable=python, env=env if env is not None else hook_env([]),
                          cwd=cwd, capture_output=True, check=False, timeout=60)


def project_version():
    metadata = configparser.ConfigParser()
    metadata.read(REPO / "setup.cfg")
    return metadata["metadata"]["version"]


# --- the archive ----------------------------------------------------------------------

def test_archive_holds_the_package_sources_and_nothing_else(built):
    sources = sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)
    expected = ["__main__.py"] + [p.relative_to(REPO).as_posix() for p in sources]
    assert built.read_bytes().startswith(b"#!/usr/bin/env python3\n")
    assert stat.S_IMODE(built.stat().st_mode) == 0o755
    with zipfile.ZipFile(built) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == expected
        for info in archive.infolist():
            assert info.date_time == bundle.EPOCH
            assert info.compress_type == zipfile.ZIP_STORED
            assert info.external_attr >> 16 == 0o100644
        for path in sources:
            assert archive.read(path.relative_to(REPO).as_posix()) == path.read_bytes()
        assert b"from startd_cron.__main__ import main" in archive.read("__main__.py")


def test_rebuilds_are_byte_identical_whatever_the_tree_holds(built, tmp_path):
    again = tmp_path / "again.pyz"
    bundle.build(str(again))
    assert again.read_bytes() == built.read_bytes()
    # A copy with new mtimes, bytecode, editor droppings and tests builds the same file.
    copy = tmp_path / "startd_cron"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "__pycache__").mkdir()
    (copy / "__pycache__" / "config.cpython-311.pyc").write_bytes(b"\0")
    (copy / ".#config.py").write_text("lock")
    (copy / "tests").mkdir()
    (copy / "tests" / "test_probe.py").write_text("assert False\n")
    (copy / "test_local.py").write_text("assert False\n")
    (copy / "notes.txt").write_text("not python")
    os.utime(copy / "config.py", (1, 1))
    from_copy = tmp_path / "copy.pyz"
    bundle.build(str(from_copy), package_dir=str(copy))
    assert from_copy.read_bytes() == built.read_bytes()


@pytest.mark.skipif(OLD_PYTHON is None, reason=NO_OLD_PYTHON)
def test_the_oldest_python_builds_the_same_bytes(built, tmp_path):
    target = tmp_path / "old.pyz"
    result = subprocess.run([OLD_PYTHON, "-S", "-m", "startd_cron.bundle", str(target)],
                            cwd=REPO, env=hook_env([]), capture_output=True, check=False,
                            timeout=60)
    assert result.stderr == b"" and result.returncode == 0
    assert result.stdout.decode() == f"wrote {target}\n"
    assert target.read_bytes() == built.read_bytes()


def test_build_replaces_atomically_and_refuses_bad_targets(tmp_path):
    target = tmp_path / "hook.pyz"
    target.write_text("old")
    target.chmod(0o600)
    assert bundle.build(str(target)) == str(target)
    assert zipfile.is_zipfile(target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o755
    assert os.listdir(tmp_path) == ["hook.pyz"]  # no temp file left behind
    before = target.read_bytes()
    with pytest.raises(OSError, match="no __main__.py"):
        bundle.build(str(target), package_dir=str(tmp_path))
    assert target.read_bytes() == before and os.listdir(tmp_path) == ["hook.pyz"]
    with pytest.raises(OSError, match="not a directory"):
        bundle.build(str(tmp_path / "missing" / "hook.pyz"))
    with pytest.raises(ValueError, match="must end in .pyz"):
        bundle.build(str(tmp_path / "hook.zip"))
    assert os.listdir(tmp_path) == ["hook.pyz"]


# --- running it -----------------------------------------------------------------------

@pytest.mark.parametrize("python", PYTHONS)
@pytest.mark.parametrize("case", CASES)
def test_bundle_prints_what_the_source_tree_prints(case, python, built, tmp_path):
    # No attribute depends on the time of the run: the ads compare as they are.
    returncode, ad = source_tree_run(case)
    result = run_bundle(python, built, "--root", str(HOSTS / case), "--cache", "",
                        env=hook_env([HOSTS / case / "bin"]), cwd=tmp_path)
    assert result.stderr == b""
    assert result.stdout.decode() == ad
    assert result.returncode == returncode == 0


@pytest.mark.parametrize("python", PYTHONS)
def test_version_needs_no_metadata_and_ignores_the_environment(python, built, tmp_path):
    # A shadow package on PYTHONPATH and in the working directory: -I keeps both out.
    for place in (tmp_path / "cwd", tmp_path / "pythonpath"):
        (place / "startd_cron").mkdir(parents=True)
        (place / "startd_cron" / "__init__.py").write_text("raise SystemExit('shadowed')\n")
    env = hook_env([], PYTHONPATH=str(tmp_path / "pythonpath"))
    result = run_bundle(python, built, "--version", env=env, cwd=tmp_path / "cwd")
    assert (result.returncode, result.stderr) == (0, b"")
    assert result.stdout.decode() == f"tribes-startd-cron {project_version()}\n"
    assert __version__ == project_version()


def test_the_shebang_runs_it(built):
    result = subprocess.run([str(built), "--version"], capture_output=True, check=False,
                            env=hook_env([os.path.dirname(sys.executable)]), timeout=60)
    assert result.stdout.decode() == f"tribes-startd-cron {__version__}\n"


def test_a_too_old_python_says_so_in_the_ad(built):
    # What python 2 would do with the bundle's __main__.py (it is 2.x syntax on purpose).
    code = "import runpy, sys; sys.version_info = (2, 7, 5); runpy.run_path(sys.argv[1])"
    result = subprocess.run([sys.executable, "-S", "-I", "-c", code, str(built)],
                            capture_output=True, check=False, timeout=60)
    assert result.returncode == 1
    assert result.stdout.decode() == (
        'tribes_probe_errors = "tribes-startd-cron needs Python >= 3.6, not 2.7"\n'
        "- update:true\n")
    assert b"needs Python >= 3.6" in result.stderr


@pytest.mark.parametrize("python", PYTHONS)
def test_the_bundle_prints_and_installs_a_config_that_runs_itself(python, built, tmp_path):
    result = run_bundle(python, built, "--install", str(tmp_path))
    assert result.stdout.decode() == f"wrote {tmp_path / config.FILE_NAME}\n"
    params = htcondor_params(tmp_path, f"""
        SPOOL = /var/lib/condor/spool
        include : {tmp_path / config.FILE_NAME}
    """)
    assert params["STARTD_CRON_TRIBES_EXECUTABLE"] == os.path.abspath(python)
    assert params["STARTD_CRON_TRIBES_ARGS"].split() == [
        "-S", "-I", str(built), "--cache", "/var/lib/condor/spool/tribes-java-cache.json"]
    printed = run_bundle(python, built, "--print-config")
    assert printed.stdout.decode() == (tmp_path / config.FILE_NAME).read_text()


# --- tribes cron-config ---------------------------------------------------------------

def test_cron_config_executable_as_htcondor_reads_it(tmp_path, capsys):
    assert cli.main(["cron-config", "--executable", NODE_PATH]) == 0
    text = capsys.readouterr().out
    assert text == config.snippet(NODE_PATH)
    (tmp_path / "tribes.conf").write_text(text)
    params = htcondor_params(tmp_path, f"""
        SPOOL = /var/lib/condor/spool
        STARTD_CRON_JOBLIST = EXISTING
        include : {tmp_path / "tribes.conf"}
    """)
    assert params["STARTD_CRON_JOBLIST"].split() == ["EXISTING", "TRIBES"]
    assert params["STARTD_CRON_TRIBES_EXECUTABLE"] == "/usr/bin/python3"
    assert params["STARTD_CRON_TRIBES_ARGS"].split() == [
        "-S", "-I", NODE_PATH, "--cache", "/var/lib/condor/spool/tribes-java-cache.json"]
    assert params["STARTD_CRON_TRIBES_MODE"] == "Periodic"
    assert params["STARTD_CRON_TRIBES_ENV"].startswith('"JAVA=')
    assert params["STARTD_CRON_TRIBES_PREFIX"] is None
    # The debugging knob is there to uncomment, and then reads as true.
    assert params["STARTD_CRON_LOG_NON_ZERO_EXIT"] is None
    assert "\n# STARTD_CRON_LOG_NON_ZERO_EXIT = True\n" in text
    (tmp_path / "tribes.conf").write_text(
        text.replace("# STARTD_CRON_LOG_NON_ZERO_EXIT", "STARTD_CRON_LOG_NON_ZERO_EXIT"))
    params = htcondor_params(tmp_path, f"include : {tmp_path / 'tribes.conf'}\n")
    assert params["STARTD_CRON_LOG_NON_ZERO_EXIT"] == "True"


def test_cron_config_python_and_plain_executables(tmp_path, capsys):
    platform_python = "/usr/libexec/platform-python"
    argv = ["cron-config", "--executable", NODE_PATH, "--python", platform_python,
            "--install", str(tmp_path)]
    assert cli.main(argv) == 0
    assert capsys.readouterr().out == f"wrote {tmp_path / config.FILE_NAME}\n"
    params = htcondor_params(tmp_path, f"include : {tmp_path / config.FILE_NAME}\n")
    assert params["STARTD_CRON_TRIBES_EXECUTABLE"] == platform_python
    assert params["STARTD_CRON_TRIBES_ARGS"].split()[:3] == ["-S", "-I", NODE_PATH]
    # Not a .pyz: run as it is (its own #! line), no interpreter in front.
    assert cli.main(["cron-config", "--executable", "/usr/bin/tribes-startd-cron"]) == 0
    text = capsys.readouterr().out
    assert "STARTD_CRON_TRIBES_EXECUTABLE = /usr/bin/tribes-startd-cron\n" in text
    assert "STARTD_CRON_TRIBES_ARGS = --cache $(SPOOL)/tribes-java-cache.json\n" in text


@pytest.mark.parametrize("argv,message", [
    (["--executable", "tribes-startd-cron.pyz"], "must be an absolute path"),
    (["--executable", "/opt/condor tribes/hook.pyz"], "cannot be written into the HTCondor"),
    (["--executable", "/opt/$(TRIBES)/hook.pyz"], "cannot be written into the HTCondor"),
    (["--executable", NODE_PATH, "--python", "python3"], "python must be an absolute path"),
    (["--executable", "/usr/bin/tribes-startd-cron", "--python", "/usr/bin/python3"],
     "only needed for a .pyz"),
    (["--python", "/usr/bin/python3"], "only needed with an executable that is a bundle"),
    (["--bundle", "{tmp}/hook.pyz", "--executable", NODE_PATH], "need --install DIR"),
    (["--bundle", "{tmp}/hook.pyz", "--python", "/usr/bin/python3"], "need --install DIR"),
    (["--bundle", "{tmp}/a b.pyz", "--install", "{tmp}"], "cannot be written into the HTCondor"),
    (["--bundle", "{tmp}/hook.zip"], "must end in .pyz"),
    (["--bundle", "{tmp}/missing/hook.pyz"], "cannot write the bundle"),
])
def test_cron_config_refusals(argv, message, tmp_path, capsys):
    argv = [arg.replace("{tmp}", str(tmp_path)) for arg in argv]
    assert cli.main(["cron-config", *argv]) == 1
    assert message in capsys.readouterr().err
    assert os.listdir(tmp_path) == []


def test_cron_config_bundle_and_install(built, tmp_path, capsys):
    # A blank in the build folder is fine while no config names the file.
    target = tmp_path / "build dir" / "tribes-startd-cron.pyz"
    target.parent.mkdir()
    assert cli.main(["cron-config", "--bundle", str(target)]) == 0
    assert capsys.readouterr().out == f"wrote {target}\n"
    assert target.read_bytes() == built.read_bytes()
    # Bundle and config at once (a shared file system): the config runs that file.
    shared = tmp_path / "shared" / "tribes-startd-cron.pyz"
    shared.parent.mkdir()
    config_d = tmp_path / "config.d"
    config_d.mkdir()
    assert cli.main(["cron-config", "--bundle", str(shared), "--install", str(config_d)]) == 0
    assert capsys.readouterr().out == f"wrote {shared}\nwrote {config_d / config.FILE_NAME}\n"
    assert shared.read_bytes() == built.read_bytes()
    text = (config_d / config.FILE_NAME).read_text()
    assert f"STARTD_CRON_TRIBES_ARGS = -S -I {shared} --cache" in text
    # ... or with --executable, the path where the nodes will find it.
    assert cli.main(["cron-config", "--bundle", str(target), "--executable", NODE_PATH,
                     "--install", str(config_d)]) == 0
    capsys.readouterr()
    assert f"-S -I {NODE_PATH} --cache" in (config_d / config.FILE_NAME).read_text()


@pytest.mark.parametrize("python", PYTHONS)
def test_the_startd_command_line_from_the_config_runs_the_bundle(python, built, tmp_path,
                                                                  capsys):
    case = "debian12-ec2"  # has a java, so the run fills the cache in $(SPOOL)
    spool = tmp_path / "spool"
    spool.mkdir()
    assert cli.main(["cron-config", "--executable", str(built), "--python", python,
                     "--install", str(tmp_path)]) == 0
    capsys.readouterr()
    params = htcondor_params(tmp_path, f"""
        SPOOL = {spool}
        include : {tmp_path / config.FILE_NAME}
    """)
    # As the startd's CronJob starts it: argv[0] is the job name, then ARGS.
    args = params["STARTD_CRON_TRIBES_ARGS"].split() + ["--root", str(HOSTS / case)]
    result = subprocess.run(["TRIBES", *args], cwd=tmp_path, capture_output=True,
                            executable=params["STARTD_CRON_TRIBES_EXECUTABLE"],
                            env=hook_env([HOSTS / case / "bin"]), check=False, timeout=60)
    assert result.stderr == b""
    assert result.stdout.decode() == (HOSTS / case / "expected.ad").read_text()
    assert (spool / "tribes-java-cache.json").is_file()  # the condor user's cache


@pytest.mark.skipif(shutil.which("make") is None, reason="no make on this machine")
def test_make_bundle_needs_only_a_python(built, tmp_path):
    # No venv: the PATH holds no tribes, PYTHON is a bare interpreter.
    target = tmp_path / "out" / "tribes-startd-cron.pyz"
    python = OLD_PYTHON or sys.executable
    result = subprocess.run(
        ["make", "--no-print-directory", "-C", str(REPO), "bundle", f"PYTHON={python}",
         f"BUNDLE={target}"],
        env=hook_env(["/usr/bin", "/bin"]), capture_output=True, check=False, timeout=120,
    )
    assert result.returncode == 0, result.stderr.decode()
    assert target.read_bytes() == built.read_bytes()
