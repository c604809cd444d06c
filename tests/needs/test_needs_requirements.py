"""The loosest safe Requirements: each clause accepts exactly the slots that have the need."""

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from simulator import cli
from simulator.analyses.needs import Needs, NeedsError
from simulator.analyses.needs.expression import clauses, expression, facts
from simulator.jobs import load_template, with_requirements
from simulator.match.plain import plain_match
from simulator.model.condor import ClassAd
from simulator.model.snapshot import Snapshot

FIXTURES = Path(__file__).parent / "fixtures"
GCC = shutil.which("gcc")

SLOTS = [
    # OpSys, Arch, glibc_base_version, kernel_version, UtsnameRelease, Java spec
    ("LINUX", "X86_64", "2.5", "2.6.18-164.el5", None, "1.6"),
    ("LINUX", "X86_64", "2.17", None, "3.10.0-1160.el7.x86_64", "1.8"),
    ("LINUX", "X86_64", "2.28", "4.18.0-513.el8", None, "11"),
    ("LINUX", "X86_64", "2.34", "5.14.0-362.el9", None, "17"),
    ("LINUX", "INTEL", "2.34", "5.14.0-362.el9", None, "21"),
    ("LINUX", "aarch64", "2.39", "6.8.0-40-generic", None, None),
    ("LINUX", "X86_64", None, "6.1.0-18-amd64", None, "17"),
    ("OSX", "X86_64", None, None, "23.1.0", "1.8"),
]


def _pool():
    ads = []
    for opsys, arch, glibc, kernel, uname, spec in SLOTS:
        ad = ClassAd({"OpSys": opsys, "Arch": arch, "Requirements": True, "Memory": 4096,
                      "Disk": 10 ** 8, "Cpus": 1, "HasFileTransfer": True})
        for name, value in (("glibc_base_version", glibc), ("kernel_version", kernel),
                            ("UtsnameRelease", uname), ("JavaSpecificationVersion", spec)):
            if value is not None:
                ad[name] = value
        ads.append(ad)
    return Snapshot.from_classads(ads, source="needs-pool", time=1700000000)


def _numbers(text):
    """'2.6.18-164.el5' -> (2, 6, 18): the leading dotted numbers, compared as integers."""
    out = []
    for part in text.split("-")[0].split("."):
        if not part.isdigit():
            break
        out.append(int(part))
    return tuple(out)


def _java(spec):
    return int(spec.split(".")[1]) if spec.startswith("1.") else int(spec)


def _matches(expr):
    job = with_requirements(load_template("plain"), expr)
    return plain_match(_pool(), job)


def test_each_clause_accepts_exactly_the_slots_with_the_need():
    needs = Needs("a.out", "ELF executable", opsys="LINUX", arch="X86_64", glibc="2.17",
                  kernel="3.2.0")
    got = _matches(expression([needs]))
    want = np.array([
        opsys == "LINUX" and arch == "X86_64" and glibc is not None
        and _numbers(glibc) >= (2, 17) and _numbers(kernel or uname) >= (3, 2, 0)
        for opsys, arch, glibc, kernel, uname, _ in SLOTS
    ])
    assert got.tolist() == want.tolist()
    assert got.sum() == 3  # el7 (through UtsnameRelease), el8 and el9; not INTEL
    # 2.17 on el7 comes from UtsnameRelease: kernel_version is missing there
    assert got[1]


@pytest.mark.parametrize("spec", ["1.6", "1.8", "11", "17", "21"])
def test_java_clause_orders_1_8_below_17(spec):
    got = _matches(expression([Needs("x.jar", "JAR", java=spec)]))
    want = [s is not None and _java(s) >= _java(spec) for *_, s in SLOTS]
    assert got.tolist() == want


def test_programs_combine_to_the_highest_need():
    a = Needs("a", "ELF executable", opsys="LINUX", arch="X86_64", glibc="2.5", kernel="2.6.9")
    b = Needs("b", "ELF shared library", opsys="LINUX", arch="X86_64", glibc="2.14")
    c = Needs("c.jar", "JAR", java="11")
    assert clauses([a, b, c]) == [
        'TARGET.OpSys == "LINUX"', 'TARGET.Arch == "X86_64"',
        'versionGE(TARGET.glibc_base_version,"2.14")',
        'versionGE((TARGET.kernel_version ?: TARGET.UtsnameRelease),"2.6.9")',
        'versionGE(TARGET.JavaSpecificationVersion,"11")',
    ]
    assert expression([Needs("s", "script", interpreter="/bin/sh")]) == "true"


def test_programs_for_two_architectures_cannot_share_a_slot():
    a = Needs("a", "ELF executable", opsys="LINUX", arch="X86_64")
    b = Needs("b", "ELF executable", opsys="LINUX", arch="aarch64")
    with pytest.raises(NeedsError, match="different arch"):
        clauses([a, b])


def test_microarch_level_allows_that_level_and_above():
    needs = Needs("v3", "ELF executable", opsys="LINUX", arch="X86_64", microarch="x86_64-v3")
    assert clauses([needs])[-1] == ('(TARGET.Microarch == "x86_64-v3" || '
                                    'TARGET.Microarch == "x86_64-v4")')


def test_cli_prints_expression_and_facts(capsys):
    jar = FIXTURES / "hello-java11.jar"
    assert cli.main(["requirements", str(jar)]) == 0
    out = capsys.readouterr().out
    assert 'versionGE(TARGET.JavaSpecificationVersion,"11")' in out
    assert "hello-java11.jar: Java 11 or newer (class-file major 55)" in out


def test_cli_bad_input_is_one_line(tmp_path, capsys):
    text = tmp_path / "notes.txt"
    text.write_text("hello\n")
    assert cli.main(["requirements", str(text)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"tribes: error: {text}: not a program") and err.count("\n") == 1
    assert cli.main(["requirements", str(tmp_path / "missing")]) == 1
    assert "no such file" in capsys.readouterr().err


@pytest.mark.skipif(not GCC, reason="needs gcc")
def test_cli_pool_rates_beside_the_ladder(tmp_path, capsys):
    """On the embedded 2010 pool: a library built here needs glibc 2.2.5 only."""
    src = tmp_path / "lib.c"
    src.write_text('#include <stdio.h>\nint hello(void) { return puts("hi"); }\n')
    lib = tmp_path / "libhello.so"
    subprocess.run([GCC, "-shared", "-fPIC", "-o", str(lib), str(src)], check=True)
    assert cli.main(["requirements", str(lib), "--pool", "pool_2010", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    rates = {r["profile"]: r for r in report["pool"]}
    assert rates["needs"]["requirements"] == report["requirements"]
    assert "release" in rates and "opsys" in rates
    # The loosest safe expression reaches at least the slots of the exact release, and
    # every slot it leaves out is one the program cannot run on.
    assert rates["needs"]["matched"] >= rates["release"]["matched"] - rates["release"]["unsafe"]
    assert rates["release"]["unsafe"] == 0
    assert rates["opsys"]["matched"] - rates["opsys"]["unsafe"] == rates["needs"]["matched"]


def test_facts_name_the_library_that_sets_a_version():
    lib = Needs("/opt/lib/libfoo.so", "ELF shared library", opsys="LINUX", arch="X86_64",
                glibc="2.14")
    program = Needs("prog", "ELF executable", opsys="LINUX", arch="X86_64", glibc="2.5",
                    kernel="2.6.32", libraries=[lib])
    assert 'versionGE(TARGET.glibc_base_version,"2.14")' in expression([program])
    assert facts([program])[-1].startswith("glibc 2.14 is asked for because of /opt/lib/libfoo.so")
    program.glibc = "2.17"
    assert not any("asked for because" in f for f in facts([program]))


def test_a_portable_program_is_warned_about_condor_submit_defaults():
    from simulator.analyses.needs.expression import submit_note

    assert "Arch and OpSys" in submit_note('versionGE(TARGET.JavaSpecificationVersion,"11")')
    assert submit_note('TARGET.OpSys == "LINUX" && TARGET.Arch == "X86_64"') is None


def test_cli_over_a_store_one_row_per_snapshot(tmp_path, capsys):
    from simulator.io import store

    pool = _pool()
    folder = tmp_path / "store"
    store.save(pool, folder)
    later = Snapshot.from_classads(list(pool.classads())[:3], source="needs-pool",
                                   time=1700086400)
    store.save(later, folder)
    jar = FIXTURES / "hello-java11.jar"
    assert cli.main(["requirements", str(jar), "--pool", str(folder)]) == 0
    out = capsys.readouterr().out
    rows = [line.split() for line in out.splitlines() if line.startswith("2023-")]
    # slots, then needs: Java 11 or newer (11, 17, 21, 17 in the pool; 11 in the first 3),
    # but condor_submit appends the submit host's Arch (X86_64): not the INTEL slot's 21.
    assert [r[1:3] for r in rows] == [["8", "3"], ["3", "1"]]
    assert ("1 of 2 snapshots have slots that publish no JavaSpecificationVersion, up to 1 of 8"
            in out)


def test_pool_counts_leave_dynamic_slots_out_as_condor_q_does():
    """A partitionable slot with two dynamic children: the children are not slots of their
    own in any count (the rates, the clause table, the notes on unpublished attributes)."""
    from simulator.analyses.needs.rates import clause_counts, compare, missing

    ads = list(_pool().classads())
    parent = ads[3]  # an EL9 x86-64 node
    parent["PartitionableSlot"] = True
    for n in (1, 2):
        child = ClassAd(str(parent))
        del child["PartitionableSlot"]
        child["DynamicSlot"] = True
        child["Name"] = f"slot1_{n}@el9"
        if n == 2:
            del child["glibc_base_version"]
        ads.append(child)
    pool = Snapshot.from_classads(ads, source="with-dynamic", time=1700000000)
    expr = 'TARGET.OpSys == "LINUX" && versionGE(TARGET.glibc_base_version,"2.17")'
    plain = plain_match(pool, with_requirements(load_template("plain"), expr))
    assert int(plain.sum()) > int(plain[: len(SLOTS)].sum())  # the children match one by one
    rates = {r.profile: r for r in compare(expr, [pool])}
    assert rates["needs"].slots == len(SLOTS) and rates["needs"].dynamic_slots_skipped == 2
    for rate in rates.values():
        assert rate.matched <= rate.slots
    # The slots the expression keeps are the plain matches among the slots condor_q counts
    # (condor_submit's appended clauses keep every one of these: x86-64, memory, disk).
    x86 = np.array([ad["Arch"] == "X86_64" for ad in pool.classads()])
    assert rates["needs"].matched == int((plain & x86)[: len(SLOTS)].sum())
    counts = clause_counts(['versionGE(TARGET.glibc_base_version,"2.17")'], [], [pool])
    assert counts[0].slots == len(SLOTS)
    assert counts[0].kept == int(plain[: len(SLOTS)].sum())
    assert missing(expr, [pool]) == [
        "with-dynamic: 2 of 8 slots publish no glibc_base_version "
        "(published by tribes' startd cron)"]
