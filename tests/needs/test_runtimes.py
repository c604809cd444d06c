"""The C++ and other versioned runtimes a program asks of the node, and system libraries that
no longer raise its floor: on programs built here with g++."""

import re
import shutil
import subprocess

import numpy as np
import pytest
from compilers import build

from simulator import cli
from simulator.analyses.needs import read_program
from simulator.analyses.needs.expression import clauses, facts, optional_clauses
from simulator.analyses.needs.rates import clause_counts
from simulator.analyses.needs.runtimes import RELEASES, runtime_needs
from simulator.jobs import load_template, with_requirements
from simulator.match.plain import plain_match
from simulator.model.condor import ClassAd
from simulator.model.snapshot import Snapshot

GXX = shutil.which("g++")
GCC = shutil.which("gcc")
READELF = shutil.which("readelf")

# C++17: std::filesystem, and std::condition_variable::wait, which GCC 12's
# libstdc++ versions GLIBCXX_3.4.30 (EL9's GCC 11 has 3.4.29 only).
CXX17 = r"""
#include <condition_variable>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <thread>
int main() {
    std::mutex m; std::condition_variable cv; bool ready = false;
    std::thread t([&] { std::lock_guard<std::mutex> g(m); ready = true; cv.notify_one(); });
    { std::unique_lock<std::mutex> lock(m); cv.wait(lock, [&] { return ready; }); }
    t.join();
    std::cout << std::filesystem::current_path().string().size() << "\n";
}
"""
LIBRARY = r"""
#include <string>
#include <sstream>
extern "C" int words(const char *text) {
    std::istringstream in{std::string(text)}; std::string w; int n = 0;
    while (in >> w) n++;
    return n;
}
"""
USES = r"""
extern "C" int words(const char *text);
int main() { return words("a b c") == 3 ? 0 : 1; }
"""




@pytest.fixture(scope="module")
def cxx17(tmp_path_factory):
    """The C++17 program, built once (its RUNPATH is $ORIGIN: a copy beside it is shipped)."""
    return build(tmp_path_factory.mktemp("cxx17"), "cxx17", CXX17, "-std=c++17", "-O2",
                  "-pthread", "-Wl,-rpath,$ORIGIN", compiler=GXX)


def _readelf_versions(path, prefix):
    out = subprocess.run([READELF, "-V", "-W", str(path)], capture_output=True, text=True).stdout
    needs = out.split("Version needs section", 1)
    names = re.findall(rf"Name: {prefix}_(\d+(?:\.\d+)+)", needs[1]) if len(needs) > 1 else []
    return max(names, key=lambda v: tuple(map(int, v.split(".")))) if names else None


@pytest.mark.skipif(not (GXX and READELF), reason="needs g++ and readelf")
def test_a_cxx17_program_gets_its_own_glibc_floor_and_its_glibcxx_fact(cxx17):
    program = cxx17
    own_glibc = _readelf_versions(program, "GLIBC")
    glibcxx = _readelf_versions(program, "GLIBCXX")
    needs = read_program(program)  # the system's library folders: this machine's libstdc++
    assert needs.libraries == []  # libstdc++ and libgcc_s are the node's, not shipped
    assert needs.glibc == own_glibc
    assert f'versionGE(TARGET.glibc_base_version,"{own_glibc}")' in clauses([needs])
    lines = facts([needs])
    assert any(f.startswith("libstdc++.so.6 (needed by cxx17): a system library here")
               for f in lines)
    fact = next(f for f in lines if f.startswith("needs libstdc++.so.6 with "))
    assert fact.startswith(f"needs libstdc++.so.6 with GLIBCXX_{glibcxx}")
    if glibcxx == "3.4.30":  # g++ 12
        assert "GCC 12.1 or newer" in fact and "EL9 (GLIBCXX_3.4.29" in fact
        assert "on EL10, Debian 12, Debian 13, Ubuntu 22.04, Ubuntu 24.04" in fact
        (clause, why), = optional_clauses([needs])
        assert "TARGET.OpSysMajorVer >= 10" in clause and why.startswith("libstdc++.so.6")


@pytest.mark.skipif(not (GXX and READELF), reason="needs g++ and readelf")
def test_a_shipped_library_passes_its_needs_on_a_system_one_does_not(tmp_path):
    lib = build(tmp_path, "libwords.so", LIBRARY, "-shared", "-fPIC", "-O2", compiler=GXX)
    lib_glibc = _readelf_versions(lib, "GLIBC")
    shipped = build(tmp_path, "shipped", USES, "-L.", "-lwords", "-Wl,-rpath,$ORIGIN", compiler=GXX)
    needs = read_program(shipped, search_path=[])
    assert [n.path for n in needs.libraries] == [str(lib)]
    assert needs.libraries[0].versions["libstdc++.so.6"]  # the library's C++ needs count
    assert any(f.startswith("needs libstdc++.so.6 with GLIBCXX_") for f in facts([needs]))
    assert max(needs.glibc, lib_glibc) in " ".join(clauses([needs]))

    # The same library in a folder the loader searches as the system's: the node's business.
    system = tmp_path / "system"
    system.mkdir()
    shutil.move(str(lib), system / "libwords.so")
    plain = build(tmp_path, "plain", USES, f"-L{system}", "-lwords", compiler=GXX)
    needs = read_program(plain, search_path=[str(system)])
    assert needs.libraries == []
    assert any(f.startswith("libwords.so (needed by plain): a system library here") for f in
               needs.facts)
    assert not any(f.startswith("needs libstdc++.so.6") for f in facts([needs]))


@pytest.mark.skipif(not (GXX and READELF), reason="needs g++ and readelf")
def test_a_shipped_libstdcxx_provides_glibcxx_and_its_own_glibc_need_counts(tmp_path, cxx17):
    system = next((p for p in ("/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
                               "/usr/lib64/libstdc++.so.6") if shutil.os.path.exists(p)), None)
    if system is None:
        pytest.skip("no system libstdc++.so.6 to ship")
    program = shutil.copy(cxx17, tmp_path / "cxx17")
    shutil.copy(system, tmp_path / "libstdc++.so.6")
    needs = read_program(program)
    assert [n.path for n in needs.libraries] == [str(tmp_path / "libstdc++.so.6")]
    lines = facts([needs])
    assert not any(f.startswith("needs libstdc++.so.6") for f in lines)  # it comes along
    assert f'"{needs.libraries[0].glibc}"' in " ".join(clauses([needs]))


@pytest.mark.skipif(not (GCC and READELF), reason="needs gcc and readelf")
def test_openssl_3_program(tmp_path):
    program = build(tmp_path, "tls", "#include <openssl/ssl.h>\n"
                     "int main(void) { return SSL_CTX_new(TLS_method()) == 0; }\n",
                     "-x", "c", "-lssl", "-lcrypto", compiler=GCC)
    labels = read_program(program, search_path=[]).versions.get("libssl.so.3")
    if not labels:
        pytest.skip("not linked against OpenSSL 3")
    need = runtime_needs("libssl.so.3", labels)
    assert need.provider == "OpenSSL 3.0 or newer"
    assert [r.name for r, _ in need.lack] == ["EL7", "EL8", "Debian 11", "Ubuntu 20.04"]


@pytest.mark.parametrize("library, labels, provider, lacking", [
    ("libstdc++.so.6", ["GLIBCXX_3.4.19", "CXXABI_1.3.7"], "GCC 4.8.3 or newer", []),
    ("libstdc++.so.6", ["GLIBCXX_3.4.21"], "GCC 5.1 or newer", ["EL7"]),
    ("libstdc++.so.6", ["GLIBCXX_3.4.24"], "GCC 7.2 or newer", ["EL7"]),
    ("libstdc++.so.6", ["GLIBCXX_3.4.26"], "GCC 9.1 or newer", ["EL7", "EL8"]),
    ("libstdc++.so.6", ["GLIBCXX_3.4.29", "CXXABI_1.3.13"], "GCC 11.1 or newer",
     ["EL7", "EL8", "Debian 11", "Ubuntu 20.04"]),
    ("libstdc++.so.6", ["GLIBCXX_3.4.32"], "GCC 13.2 or newer",
     ["EL7", "EL8", "EL9", "Debian 11", "Debian 12", "Ubuntu 20.04", "Ubuntu 22.04"]),
    ("libstdc++.so.6", ["GLIBCXX_3.4.34"], "a GCC newer than 14.1 (the newest in tribes' table)",
     [r.name for r in RELEASES]),
    ("libgfortran.so.5", ["GFORTRAN_8", "GFORTRAN_10"], "the runtime of GCC 10 or newer",
     ["EL7", "EL8"]),
    ("libgcc_s.so.1", ["GCC_3.0", "GCC_7.0.0"], "the runtime of GCC 7.0 or newer", ["EL7"]),
    ("libssl.so.1.1", ["OPENSSL_1_1_0", "OPENSSL_1_1_1"], "OpenSSL 1.1 or newer",
     ["EL7", "EL9", "EL10", "Debian 12", "Debian 13", "Ubuntu 22.04", "Ubuntu 24.04"]),
])
def test_runtime_table(library, labels, provider, lacking):
    need = runtime_needs(library, labels)
    assert need.provider == provider
    assert [r.name for r, _ in need.lack] == lacking


def test_openssl_updates_within_a_release_are_not_guessed():
    need = runtime_needs("libssl.so.3", ["OPENSSL_3.0.0", "OPENSSL_3.2.0"])
    assert not need.known and need.clause() is None
    assert need.releases_text() == "which releases have it is not in tribes' tables"
    assert runtime_needs("libfoo.so.1", ["FOO_1.0"]) is None


# (OpSysName, OpSysMajorVer) of slots, and whether GLIBCXX_3.4.30 is there.
SLOTS = [("CentOS", 7, False), ("Rocky", 8, False), ("AlmaLinux", 9, False),
         ("RedHat", 10, True), ("CentOS", 10, True), ("Debian", 11, False), ("Debian", 12, True),
         ("Debian", 13, True), ("Ubuntu", 20, False), ("Ubuntu", 22, True),
         ("Ubuntu", 24, True), ("SLES", 15, False), ("Fedora", 40, False)]


def _pool():
    ads = [ClassAd({"OpSys": "LINUX", "Arch": "X86_64", "OpSysName": name, "OpSysMajorVer": major,
                    "Requirements": True, "Memory": 4096, "Disk": 10 ** 8, "Cpus": 1})
           for name, major, _ in SLOTS]
    return Snapshot.from_classads(ads, source="releases", time=1700000000)


def test_the_optional_clause_keeps_exactly_the_releases_that_have_it():
    clause = runtime_needs("libstdc++.so.6", ["GLIBCXX_3.4.30"]).clause()
    got = plain_match(_pool(), with_requirements(load_template("plain"), clause))
    # SLES and Fedora: no row in tribes' table, so shut out: that is why it is optional.
    assert got.tolist() == [have for *_, have in SLOTS]
    counts = clause_counts(['TARGET.OpSysName == "Debian"'], [clause], [_pool()])
    assert [(c.kept, c.slots, c.optional) for c in counts] == [(3, 13, False),
                                                              (int(np.sum(got)), 13, True)]


@pytest.mark.skipif(not GXX, reason="needs g++")
def test_cli_prints_the_optional_clause_and_what_each_clause_keeps(tmp_path, capsys, cxx17):
    from simulator.io import store

    folder = tmp_path / "store"
    store.save(_pool(), folder)
    assert cli.main(["requirements", str(cxx17), "--pool", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "Optional clauses (no slot attribute states these needs" in out
    assert "Slots each clause keeps on its own, on releases (13 slots):" in out
    assert re.search(r"^\s+13\s+13  TARGET.Arch == \"X86_64\"$", out, re.M)
    assert re.search(r"\(optional\)$", out, re.M)


@pytest.mark.skipif(not (GXX and READELF), reason="needs g++ and readelf")
def test_a_library_found_on_ld_library_path_is_not_shipped(tmp_path, monkeypatch):
    elsewhere = tmp_path / "env"
    elsewhere.mkdir()
    build(elsewhere, "libwords.so", LIBRARY, "-shared", "-fPIC", "-O2", compiler=GXX)
    program = build(tmp_path, "plain", USES, f"-L{elsewhere}", "-lwords", compiler=GXX)
    monkeypatch.setenv("LD_LIBRARY_PATH", str(elsewhere))
    needs = read_program(program, search_path=[])
    assert needs.libraries == []
    assert any(f.startswith("libwords.so (needed by plain): on LD_LIBRARY_PATH here")
               for f in needs.facts)
