"""Java: both output forms, and the cache keyed by the binary's real path and mtime."""

import json
import os

import pytest
from cron_helpers import HOSTS, run_hook

from startd_cron import java_cache
from startd_cron.probes.java import (
    parse_output,
    parse_properties,
    parse_version_banner,
    specification_version,
)

CASE = "debian12-ec2"


def test_properties_skip_continuation_lines():
    text = (HOSTS / CASE / "outputs" / "java-properties.txt").read_text()
    props = parse_properties(text)
    assert props["java.vendor"] == "Debian"
    assert props["java.library.path"] == "/usr/java/packages/lib"
    assert "/usr/lib/jni" not in props.values()


@pytest.mark.parametrize(
    "case,vendor,version,spec",
    [
        ("rhel5.4-tikanga", "Sun Microsystems Inc.", "1.6.0_17", "1.6"),
        ("centos5.3", "Free Software Foundation, Inc.", "1.4.2", "1.4"),
        ("sles15sp5-ibmj9", "IBM Corporation", "1.8.0_391", "1.8"),
    ],
)
def test_banners_of_jvms_without_showsettings(case, vendor, version, spec):
    attrs = parse_version_banner((HOSTS / case / "outputs" / "java-version.txt").read_text())
    assert attrs == {"JavaVendor": vendor, "JavaVersion": version, "JavaSpecificationVersion": spec}


def test_openjdk_banner_has_no_vendor_but_properties_win():
    banner = (HOSTS / CASE / "outputs" / "java-version.txt").read_text()
    assert parse_version_banner(banner) == {
        "JavaVersion": "17.0.11",
        "JavaSpecificationVersion": "17",
    }
    props = (HOSTS / CASE / "outputs" / "java-properties.txt").read_text()
    assert parse_output(props + banner)["JavaVendor"] == "Debian"


def test_java7_hotspot_banner_is_oracle():
    text = 'java version "1.7.0_80"\nJava(TM) SE Runtime Environment (build 1.7.0_80-b15)\n'
    assert parse_version_banner(text)["JavaVendor"] == "Oracle Corporation"


@pytest.mark.parametrize(
    "version,spec", [("1.6.0", "1.6"), ("1.5.0_19", "1.5"), ("11.0.22", "11"), ("21", "21"),
                     ("17-ea", "17")]
)
def test_specification_version(version, spec):
    assert specification_version(version) == spec


def counting_java(root, tmp_path):
    """Wrap the fixture's fake java so that each run leaves a mark."""
    log = tmp_path / "java-runs"
    real = root / "bin" / "java"
    real.rename(root / "bin" / "java.real")
    (root / "bin" / "java").write_text(
        f'#!/bin/sh\necho run >> {log}\nexec "${{0%/*}}/java.real" "$@"\n'
    )
    (root / "bin" / "java").chmod(0o755)
    return root / "bin" / "java", log


def runs(log):
    return log.read_text().count("run") if log.exists() else 0


def test_second_run_uses_the_cache(host_copy, tmp_path):
    root = host_copy(CASE)
    java, log = counting_java(root, tmp_path)
    cache = tmp_path / "cache" / "java.json"
    expected = (HOSTS / CASE / "expected.ad").read_text()
    assert run_hook(root, "--cache", str(cache)).stdout.decode() == expected
    assert runs(log) == 1
    assert run_hook(root, "--cache", str(cache)).stdout.decode() == expected
    assert runs(log) == 1
    entry = json.loads(cache.read_text())["entries"][os.path.realpath(java)]
    assert entry["attributes"]["JavaVendor"] == "Debian"
    assert not [p for p in cache.parent.iterdir() if p.name != "java.json"]  # no temp files left

    # A JDK update touches the binary: the entry no longer applies.
    stat = os.stat(java)
    os.utime(java, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert run_hook(root, "--cache", str(cache)).stdout.decode() == expected
    assert runs(log) == 2


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"[]", b'{"format": 1, "entries": []}', b"\xff\xfe", b"",
     b'{"format": 1, "entries": {"%s": {"mtime_ns": "x", "attributes": 3}}}'],
)
def test_corrupt_cache_is_ignored_and_rewritten(host_copy, tmp_path, content):
    root = host_copy(CASE)
    java, log = counting_java(root, tmp_path)
    cache = tmp_path / "java.json"
    cache.write_bytes(content.replace(b"%s", os.path.realpath(java).encode()))
    result = run_hook(root, "--cache", str(cache))
    assert result.stdout.decode() == (HOSTS / CASE / "expected.ad").read_text()
    assert runs(log) == 1
    assert json.loads(cache.read_text())["format"] == java_cache.FORMAT


def test_cache_in_a_place_nobody_can_write_is_not_fatal(host_copy, tmp_path):
    root = host_copy(CASE)
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = run_hook(root, "--cache", str(blocker / "java.json"))
    assert result.stdout.decode() == (HOSTS / CASE / "expected.ad").read_text()


def test_failed_java_is_not_cached(host_copy, tmp_path):
    root = host_copy(CASE)
    (root / "bin" / "java").write_text("#!/bin/sh\nexit 3\n")
    cache = tmp_path / "java.json"
    result = run_hook(root, "--cache", str(cache))
    assert 'tribes_probe_errors = "java: java -version exited 3"' in result.stdout.decode()
    assert not cache.exists()


def test_lookup_refuses_odd_entries(tmp_path):
    cache = tmp_path / "c.json"
    key = ("/opt/java", 5)
    assert java_cache.store(str(cache), key, {"JavaVersion": "17"})
    assert java_cache.lookup(str(cache), key) == {"JavaVersion": "17"}
    assert java_cache.lookup(str(cache), ("/opt/java", 6)) is None
    assert java_cache.lookup(str(cache), ("/other", 5)) is None
    assert java_cache.lookup(None, key) is None
    data = json.loads(cache.read_text())
    data["entries"]["/opt/java"]["attributes"] = {"JavaVersion": 17}
    cache.write_text(json.dumps(data))
    assert java_cache.lookup(str(cache), key) is None


def test_a_cache_owned_by_someone_else_is_not_read(tmp_path, monkeypatch):
    cache = tmp_path / "c.json"
    key = ("/opt/java", 5)
    java_cache.store(str(cache), key, {"JavaVersion": "17"})
    someone_else = os.getuid() + 1
    monkeypatch.setattr(java_cache.os, "getuid", lambda: someone_else)
    assert java_cache.lookup(str(cache), key) is None


def test_default_cache_folder_owned_by_someone_else_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    path = java_cache.default_path()
    assert path == str(tmp_path / f"condor-tribes-{os.getuid()}" / "java.json")
    os.mkdir(os.path.dirname(path))
    assert java_cache.default_path() == path
    monkeypatch.setattr(java_cache.os, "getuid", lambda: 123456)
    (tmp_path / "condor-tribes-123456").mkdir()
    assert java_cache.default_path() is None


@pytest.mark.parametrize(
    "content", ["[" * 20000 + "]" * 20000, '{"format": 1, "entries": {"/x": 3}}']
)
def test_a_cache_too_deep_or_of_wrong_types_reads_as_empty_and_is_replaced(tmp_path, content):
    cache = tmp_path / "c.json"
    cache.write_text(content)
    key = ("/opt/java", 5)
    assert java_cache.lookup(str(cache), key) is None
    assert java_cache.store(str(cache), key, {"JavaVersion": "17"})
    assert json.loads(cache.read_text())["entries"] == {
        "/opt/java": {"mtime_ns": 5, "attributes": {"JavaVersion": "17"}}}
