"""Java needs, on class files and JARs compiled with javac --release 8, 11 and 17.

The fixtures are committed (CI may have no JDK); fixtures/make_java_fixtures.sh
regenerates them. Where javap exists, its reading of each file is the reference.
"""

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from simulator.analyses.needs import NeedsError, java, read_program
from simulator.model.condor import ExprTree, quote

FIXTURES = Path(__file__).parent / "fixtures"
JAVAP = shutil.which("javap")
RELEASES = {8: ("1.8", 52), 11: ("11", 55), 17: ("17", 61)}


def _javap_major(path):
    out = subprocess.run([JAVAP, "-v", str(path)], capture_output=True, text=True).stdout
    return int(re.search(r"major version: (\d+)", out).group(1))


@pytest.mark.parametrize("release", sorted(RELEASES))
def test_class_file_gives_java_specification_version(release):
    spec, major = RELEASES[release]
    path = FIXTURES / f"Hello-java{release}.class"
    needs = read_program(path)
    assert needs.kind == "Java class file" and needs.java == spec
    assert f"class-file major {major}" in needs.facts[0]
    if JAVAP:
        assert _javap_major(path) == major


@pytest.mark.parametrize("release", sorted(RELEASES))
def test_jar_gives_the_highest_class_version(release):
    needs = read_program(FIXTURES / f"hello-java{release}.jar")
    assert needs.kind == "JAR" and needs.java == RELEASES[release][0]
    assert any("Main-Class Hello" in f for f in needs.facts)


def test_multi_release_jar_needs_only_its_root_classes():
    needs = read_program(FIXTURES / "hello-multirelease.jar")
    assert needs.java == "1.8"
    assert any("multi-release" in f and "17" in f for f in needs.facts)


@pytest.mark.parametrize("major, spec", [(45, "1.1"), (50, "1.6"), (52, "1.8"), (53, "9"),
                                         (55, "11"), (61, "17"), (65, "21")])
def test_major_to_spec_version_orders_as_versionGE_does(major, spec):
    assert java.spec_version(major) == spec
    # Every older release's spec version is below this one for HTCondor's versionGE.
    for older in range(45, major):
        older_spec = java.spec_version(older)
        assert ExprTree(f"versionGE({quote(spec)}, {quote(older_spec)})").eval() is True
        assert ExprTree(f"versionGE({quote(older_spec)}, {quote(spec)})").eval() is False


def test_preview_class_runs_on_one_release_only(tmp_path):
    data = bytearray((FIXTURES / "Hello-java17.class").read_bytes())
    data[4:6] = b"\xff\xff"  # minor 0xFFFF: compiled with --enable-preview
    path = tmp_path / "Preview.class"
    path.write_bytes(bytes(data))
    needs = read_program(path)
    assert needs.java == "17" and needs.java_exact


def test_zip_that_is_not_a_jar(tmp_path):
    path = tmp_path / "notes.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("README.txt", "no classes here")
    with pytest.raises(NeedsError, match="not a JAR"):
        read_program(path)


def test_damaged_class_in_a_jar_and_truncated_class(tmp_path):
    path = tmp_path / "bad.jar"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Bad.class", b"\xca\xfe")
    with pytest.raises(NeedsError, match=r"bad\.jar!Bad\.class: not a Java class file"):
        read_program(path)
    cut = tmp_path / "Cut.class"
    cut.write_bytes((FIXTURES / "Hello-java8.class").read_bytes()[:6])
    with pytest.raises(NeedsError, match="not a Java class file"):
        read_program(cut)


def test_truncated_zip_is_one_line_error(tmp_path):
    path = tmp_path / "cut.jar"
    path.write_bytes((FIXTURES / "hello-java8.jar").read_bytes()[:200])
    with pytest.raises(NeedsError) as err:
        read_program(path)
    assert "\n" not in str(err.value) and "cut.jar" in str(err.value)


def test_mach_o_universal_binary_is_not_taken_for_a_class(tmp_path):
    path = tmp_path / "fat"
    path.write_bytes(b"\xca\xfe\xba\xbe\x00\x00\x00\x02" + b"\x00" * 40)
    with pytest.raises(NeedsError, match="Mach-O"):
        read_program(path)
