"""Containers: Apptainer/Singularity on PATH, user namespaces, and the one "could run" verdict."""

import os

import pytest
from cron_helpers import HOSTS, ad_lines, hook_env, run_hook

from startd_cron.context import Context
from startd_cron.probes import container
from startd_cron.probes.container import (
    can_run_containers,
    is_setuid_root,
    parse_sysctl_int,
    parse_version,
    user_namespaces,
)

WITH = "alma8-apptainer"       # EL8, Apptainer, user namespaces on
USERNS_OFF = "rocky9-userns-off"  # EL9, Apptainer, max_user_namespaces = 0
WITHOUT = "rocky8-skylake-avx512"  # EL8, no Apptainer
NAMES = ("tribes_apptainer_flavor", "tribes_apptainer_version", "tribes_apptainer_path",
         "tribes_apptainer_setuid", "tribes_user_namespaces", "tribes_can_run_containers")
# HTCondor's own names (the starter's and the startd's): never ours to publish.
HTCONDOR_NAMES = ("HasSingularity", "HasContainer", "SingularityVersion", "HasUserNamespaces",
                  "SingularityUserNamespaces", "HasSIF", "HasSandboxImage", "HasDockerURL")


@pytest.mark.parametrize("text,program,flavor,version", [
    ("apptainer version 1.3.4-1.el8\n", "apptainer", "apptainer", "1.3.4-1.el8"),
    ("singularity-ce version 4.1.2\n", "singularity", "singularity-ce", "4.1.2"),
    ("singularity version 3.8.7-1.el7\n", "singularity", "singularity", "3.8.7-1.el7"),
    # A compat link named singularity that is Apptainer says so itself.
    ("apptainer version 1.2.5-1.el9\n", "singularity", "apptainer", "1.2.5-1.el9"),
    # Singularity 2 printed the bare version.
    ("2.6.1-dist\n", "singularity", "singularity", "2.6.1-dist"),
    ("WARNING: Could not lookup the current user's information\n"
     "apptainer version 1.3.4-1.el8\n", "apptainer", "apptainer", "1.3.4-1.el8"),
])
def test_version_lines(text, program, flavor, version):
    assert parse_version(text, program) == {
        "tribes_apptainer_flavor": flavor, "tribes_apptainer_version": version}


@pytest.mark.parametrize("text", ["", "\n", "FATAL: kernel too old\n", "version\n",
                                  "apptainer version\n"])
def test_no_version(text):
    assert parse_version(text, "apptainer") == {}


@pytest.mark.parametrize("text,value", [
    ("15000\n", 15000), ("0\n", 0), (None, None), ("", None), ("many\n", None)])
def test_sysctl_numbers(text, value):
    assert parse_sysctl_int(text) == value


@pytest.mark.parametrize("max_userns,clone,usable", [
    (15000, None, True),     # EL8, EL9: no unprivileged_userns_clone
    (0, None, False),        # EL7's default, or switched off
    (15000, 1, True),        # Debian/Ubuntu, allowed
    (15000, 0, False),       # Debian before 11: max > 0 but unprivileged clone refused
    (0, 1, False),
    (None, None, None),      # kernel older than 4.9 (or the tree has no /proc/sys/user)
    (None, 0, False),
    (None, 1, None),
])
def test_user_namespaces(max_userns, clone, usable):
    assert user_namespaces(max_userns, clone) is usable


def test_setuid_means_root_owned_with_the_bit():
    assert is_setuid_root(0o104755, 0) is True
    assert is_setuid_root(0o100755, 0) is False
    assert is_setuid_root(0o104755, 1000) is False


@pytest.mark.parametrize("installed,userns,setuid,verdict", [
    (True, True, False, True),
    (True, False, True, True),
    (True, None, True, True),
    (True, False, False, False),
    (True, None, False, None),
    (False, True, True, False),
    (False, None, None, False),
    (None, True, False, None),
    (None, False, False, False),
])
def test_can_run_is_three_valued(installed, userns, setuid, verdict):
    assert can_run_containers(installed, userns, setuid) is verdict


def collect(case, monkeypatch, root=None):
    root = root or HOSTS / case
    monkeypatch.setenv("PATH", str(root / "bin"))
    ctx = Context(root=str(root), timeout=5)
    return container.read(ctx), ctx.errors


def test_el8_with_apptainer(monkeypatch):
    attrs, errors = collect(WITH, monkeypatch)
    assert attrs == {
        "tribes_apptainer_flavor": "apptainer",
        "tribes_apptainer_version": "1.3.4-1.el8",
        # bin/apptainer is a link to the package's /usr/bin/apptainer
        "tribes_apptainer_path": "/usr/bin/apptainer",
        "tribes_apptainer_setuid": False,
        "tribes_user_namespaces": True,
        "tribes_can_run_containers": True,
    }
    assert errors == []


def test_el9_with_user_namespaces_off(monkeypatch):
    attrs, errors = collect(USERNS_OFF, monkeypatch)
    assert attrs["tribes_user_namespaces"] is False
    assert attrs["tribes_apptainer_setuid"] is False
    assert attrs["tribes_can_run_containers"] is False
    assert attrs["tribes_apptainer_version"] == "1.3.4-1.el9"
    assert errors == []


def test_el8_without_apptainer(monkeypatch):
    attrs, errors = collect(WITHOUT, monkeypatch)
    assert attrs == {"tribes_user_namespaces": True, "tribes_can_run_containers": False}
    assert errors == []


@pytest.mark.parametrize("case", [WITH, USERNS_OFF, WITHOUT, "centos7-westmere-v2", "rhel4-nahant"])
def test_fixture_ads_use_none_of_htcondors_container_names(case):
    published = ad_lines((HOSTS / case / "expected.ad").read_text())
    assert not set(published) & set(HTCONDOR_NAMES)
    assert "tribes_can_run_containers" in published


def test_old_fixture_trees_say_only_what_they_hold(monkeypatch):
    # No /proc/sys/user in the tree: user namespaces unknown; no apptainer: cannot run.
    attrs, errors = collect("rhel5.4-tikanga", monkeypatch)
    assert attrs == {"tribes_can_run_containers": False}
    assert errors == []


def test_a_tree_without_proc_publishes_nothing(tmp_path, monkeypatch):
    (tmp_path / "bin").mkdir()
    attrs, errors = collect(None, monkeypatch, root=tmp_path)
    assert attrs == {} and errors == []


def write_script(path, body):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)


@pytest.mark.skipif(os.geteuid() != 0, reason="a setuid-root starter takes root to make")
def test_setuid_install_runs_without_user_namespaces(host_copy, monkeypatch):
    root = host_copy(USERNS_OFF)
    starter = root / "usr" / "libexec" / "apptainer" / "bin" / "starter-suid"
    write_script(starter, "exit 0\n")
    os.chown(str(starter), 0, 0)
    starter.chmod(0o4755)
    attrs, errors = collect(None, monkeypatch, root=root)
    assert attrs["tribes_apptainer_setuid"] is True
    assert attrs["tribes_user_namespaces"] is False
    assert attrs["tribes_can_run_containers"] is True
    assert errors == []


def test_starter_without_the_setuid_bit_is_not_setuid(host_copy, monkeypatch):
    root = host_copy(USERNS_OFF)
    write_script(root / "usr" / "libexec" / "apptainer" / "bin" / "starter-suid", "exit 0\n")
    attrs, _ = collect(None, monkeypatch, root=root)
    assert attrs["tribes_apptainer_setuid"] is False
    assert attrs["tribes_can_run_containers"] is False


def test_debian_style_unprivileged_clone_switch(host_copy, monkeypatch):
    root = host_copy(WITH)
    (root / "proc" / "sys" / "kernel" / "unprivileged_userns_clone").write_text("0\n")
    attrs, errors = collect(None, monkeypatch, root=root)
    assert attrs["tribes_user_namespaces"] is False
    assert attrs["tribes_can_run_containers"] is False
    assert errors == []


def test_singularity_ce_when_there_is_no_apptainer(host_copy, monkeypatch):
    root = host_copy(WITH)
    (root / "bin" / "apptainer").unlink()
    write_script(root / "usr" / "local" / "bin" / "singularity",
                 "echo 'singularity-ce version 4.1.2'\n")
    (root / "bin" / "singularity").symlink_to("../usr/local/bin/singularity")
    attrs, _ = collect(None, monkeypatch, root=root)
    assert attrs["tribes_apptainer_flavor"] == "singularity-ce"
    assert attrs["tribes_apptainer_version"] == "4.1.2"
    assert attrs["tribes_apptainer_path"] == "/usr/local/bin/singularity"
    assert attrs["tribes_can_run_containers"] is True


def test_singularity_link_to_apptainer_names_apptainer(host_copy, monkeypatch):
    # The apptainer package's /usr/bin/singularity is a link to apptainer.
    root = host_copy(WITH)
    (root / "bin" / "apptainer").rename(root / "bin" / "singularity")
    attrs, _ = collect(None, monkeypatch, root=root)
    assert attrs["tribes_apptainer_flavor"] == "apptainer"
    assert attrs["tribes_apptainer_path"] == "/usr/bin/apptainer"


def test_apptainer_first_when_both_are_on_path(host_copy, monkeypatch):
    root = host_copy(WITH)
    write_script(root / "bin" / "singularity", "echo 'singularity version 3.8.7-1.el7'\n")
    attrs, _ = collect(None, monkeypatch, root=root)
    assert attrs["tribes_apptainer_version"] == "1.3.4-1.el8"


def test_failing_version_keeps_path_and_says_why(host_copy):
    root = host_copy(WITH)
    write_script(root / "usr" / "bin" / "apptainer", "echo 'FATAL: broken' >&2\nexit 255\n")
    lines = ad_lines(run_hook(root).stdout.decode())
    assert lines["tribes_probe_errors"] == (
        'tribes_probe_errors = "container: apptainer --version exited 255"')
    assert lines["tribes_apptainer_path"] == 'tribes_apptainer_path = "/usr/bin/apptainer"'
    assert "tribes_apptainer_version" not in lines
    # Installed or not is unknown, user namespaces are on: no verdict.
    assert "tribes_can_run_containers" not in lines


def test_version_that_names_no_version_is_noted(host_copy, monkeypatch):
    root = host_copy(WITH)
    write_script(root / "usr" / "bin" / "apptainer", "echo 'hello'\n")
    attrs, errors = collect(None, monkeypatch, root=root)
    assert errors == ["container: apptainer --version printed no version"]
    assert "tribes_can_run_containers" not in attrs


def test_hung_apptainer_is_killed_at_the_timeout(host_copy):
    root = host_copy(USERNS_OFF)
    write_script(root / "usr" / "bin" / "apptainer", "exec /bin/sleep 60\n")
    result = run_hook(root, "--timeout", "1", "--only", "container", timeout=20)
    lines = ad_lines(result.stdout.decode())
    assert lines["tribes_probe_errors"] == (
        'tribes_probe_errors = "container: apptainer --version timed out after 1s"')
    # No user namespaces and no setuid starter: no container, whatever the version.
    assert lines["tribes_can_run_containers"] == "tribes_can_run_containers = false"


def test_unreadable_max_user_namespaces_is_noted(host_copy, monkeypatch):
    root = host_copy(WITH)
    target = root / "proc" / "sys" / "user" / "max_user_namespaces"
    target.unlink()
    target.mkdir()
    attrs, errors = collect(None, monkeypatch, root=root)
    assert "tribes_user_namespaces" not in attrs
    assert errors == ["container: cannot read /proc/sys/user/max_user_namespaces (Is a directory)"]


def test_apptainer_outside_the_tree_keeps_its_own_path(tmp_path):
    root = tmp_path / "node"
    (root / "proc" / "sys" / "user").mkdir(parents=True)
    (root / "proc" / "sys" / "user" / "max_user_namespaces").write_text("100\n")
    elsewhere = tmp_path / "cvmfs" / "bin"
    write_script(elsewhere / "apptainer", "echo 'apptainer version 1.3.6'\n")
    result = run_hook(root, "--only", "container", env=hook_env([elsewhere]))
    lines = ad_lines(result.stdout.decode())
    assert lines["tribes_apptainer_path"] == f'tribes_apptainer_path = "{elsewhere / "apptainer"}"'
    assert lines["tribes_can_run_containers"] == "tribes_can_run_containers = true"


def test_node_path():
    ctx = Context(root="/srv/node")
    assert container.node_path(ctx, "/srv/node/usr/bin/apptainer") == "/usr/bin/apptainer"
    assert container.node_path(ctx, "/srv/nodeX/apptainer") == "/srv/nodeX/apptainer"
    assert container.node_path(Context(root="/"), "/usr/bin/x") == "/usr/bin/x"


def test_only_container():
    result = run_hook(HOSTS / WITH, "--only", "container")
    names = list(ad_lines(result.stdout.decode()))
    assert names == list(NAMES)
