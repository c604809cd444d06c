"""`tribes report`: uniq -c counts that give back the seed's tables, and the library under it."""

import csv
import json
from pathlib import Path

import pytest

from simulator import cli, pools
from simulator.analyses import counts as report
from simulator.io import store
from simulator.model.condor import ClassAd, ExprTree
from simulator.model.snapshot import Snapshot
from simulator.render.counts import format_table

MARGINALS = Path(__file__).parent / "pools" / "data" / "pool_2010_marginals.csv"
REAL = Path(__file__).resolve().parent / "fixtures" / "real-ads"
OSPOOL = REAL / "PelicanPlatform__classad__collections_vm_testdata_pool_sample.ads.gz"


def seed_rows(attributes):
    with open(MARGINALS, newline="") as fh:
        return [(r["value"], int(r["count"])) for r in csv.DictReader(fh)
                if r["attributes"] == attributes]  # fmt: skip


def run(capsys, *argv):
    code = cli.main(["report", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def small_pool():
    ads = [
        ClassAd({"OpSys": "LINUX", "Arch": "X86_64", "Cpus": 4, "HasJava": True}),
        ClassAd({"OpSys": "LINUX", "Arch": "X86_64", "Cpus": 8, "HasJava": False}),
        ClassAd({"OpSys": "LINUX", "Arch": "INTEL", "Cpus": 2}),
        ClassAd({"OpSys": "OSX", "Arch": "INTEL", "Cpus": 2}),
        ClassAd({"OpSys": "OSX", "Cpus": 2, "Double": ExprTree("Cpus * 2")}),
        ClassAd({"Arch": "X86_64", "Cpus": 1, "Double": ExprTree("Cpus * 2")}),
    ]
    return Snapshot.from_classads(ads, source="small", time=1_700_000_000)


@pytest.mark.parametrize(
    "attrs", ["redhat_version", "kernel_version", "glibc_version", "JavaVendor JavaVersion"]
)
def test_each_seed_table_comes_back_line_for_line(capsys, attrs):
    code, out, _ = run(capsys, *attrs.split())
    assert code == 0
    expected = [f"{count:>7} {value}" for value, count in seed_rows(attrs)]
    assert out.splitlines() == expected


def test_each_with_csv_writes_the_seeds_marginals_file(capsys):
    code, out, _ = run(capsys, "--each", "redhat_version", "kernel_version", "glibc_version",
                       "--format", "csv")  # fmt: skip
    assert code == 0
    lines = MARGINALS.read_text().splitlines()
    assert out.splitlines() == [line for line in lines if not line.startswith("JavaVendor ")]


def test_each_table_has_a_header(capsys):
    code, out, _ = run(capsys, "--each", "redhat_version", "glibc_version")
    blocks = out.strip().split("\n\n")
    assert [b.splitlines()[0] for b in blocks] == [
        "# redhat_version (pool_2010(seed=2010))",
        "# glibc_version (pool_2010(seed=2010))",
    ]


def test_json_records_have_one_key_per_attribute_and_count(capsys):
    code, out, _ = run(capsys, "JavaVendor", "JavaVersion", "--format", "json")
    records = json.loads(out)
    assert records[0] == {"JavaVendor": "Sun Microsystems Inc.", "JavaVersion": "1.6.0",
                          "count": 308}  # fmt: skip
    assert sum(r["count"] for r in records) == 789
    assert [(f"{r['JavaVendor']} {r['JavaVersion']}", r["count"]) for r in records] == seed_rows(
        "JavaVendor JavaVersion"
    )


def test_json_keeps_classad_types(capsys):
    _, out, _ = run(capsys, "OpSys", "HasJava", "TotalCpus", "--format", "json")
    records = json.loads(out)
    assert all(isinstance(r["HasJava"], bool) and isinstance(r["TotalCpus"], int)
               for r in records)  # fmt: skip
    assert sum(r["count"] for r in records) == 789


def test_csv_is_wide_with_quoting(capsys):
    _, out, _ = run(capsys, "JavaVendor", "JavaVersion", "--format", "csv")
    rows = list(csv.reader(out.splitlines()))
    assert rows[0] == ["JavaVendor", "JavaVersion", "count"]
    assert ["Free Software Foundation, Inc.", "1.4.2", "52"] in rows


def test_counts_orders_by_count_then_value_and_skips_missing():
    table = report.counts(small_pool(), ["opsys"])  # names are case-insensitive
    assert list(table.columns) == ["OpSys", "count"]
    assert table.values.tolist() == [["LINUX", 3], ["OSX", 2]]
    joint = report.counts(small_pool(), ["OpSys", "Arch"])
    assert joint.values.tolist() == [
        ["LINUX", "X86_64", 2], ["LINUX", "INTEL", 1], ["OSX", "INTEL", 1],
    ]  # fmt: skip


def test_counts_evaluates_expressions_inside_each_ad():
    table = report.counts(small_pool(), ["Double"])
    assert table.values.tolist() == [[2, 1], [4, 1]]


def test_values_show_as_condor_status_prints_them():
    table = report.counts(small_pool(), ["HasJava", "Cpus"])
    assert format_table(table).splitlines() == ["      1 false 8", "      1 true 4"]


def test_an_attribute_no_slot_has_is_a_one_line_error(capsys):
    code, _, err = run(capsys, "NoSuchAttribute")
    assert code == 1
    assert err.strip() == "tribes: error: pool_2010(seed=2010): no slot has NoSuchAttribute"


def test_bad_pool_specs_are_one_line_errors(capsys, tmp_path):
    code, _, err = run(capsys, "OpSys", "--pool", str(tmp_path / "missing.ads"))
    assert code == 1 and err.startswith("tribes: error: ") and len(err.splitlines()) == 1
    ads = tmp_path / "one.ads"
    ads.write_text('MyType = "Machine"\nOpSys = "LINUX"\n')
    code, _, err = run(capsys, "OpSys", "--pool", str(ads), "--slots", "10")
    assert code == 1 and "--slots" in err


def test_a_generated_pool_takes_slots_and_seed(capsys):
    code, out, _ = run(capsys, "SlotType", "--pool", "modern", "--slots", "3000", "--seed", "4",
                       "--format", "json")  # fmt: skip
    assert code == 0
    records = json.loads(out)
    assert sum(r["count"] for r in records) == 3000
    assert {r["SlotType"] for r in records} == {"Static", "Partitionable", "Dynamic"}


def test_a_store_reports_every_snapshot(capsys, tmp_path):
    first = pools.generate("pool_2010")
    second = pools.generate("pool_2010", seed=7)
    second.time += 86400
    store.save(first, tmp_path)
    store.save(second, tmp_path)
    code, out, _ = run(capsys, "glibc_version", "--pool", str(tmp_path))
    assert code == 0
    blocks = out.strip().split("\n\n")
    assert len(blocks) == 2
    expected = [f"{count:>7} {value}" for value, count in seed_rows("glibc_version")]
    assert all(b.splitlines()[1:] == expected for b in blocks)


def test_a_large_report_is_quick():
    import time

    snap = pools.generate("modern", slots=200_000, seed=2)
    start = time.perf_counter()
    table = report.counts(snap, ["OpSysAndVer", "glibc_base_version"])
    assert time.perf_counter() - start < 2.0
    assert table["count"].sum() == 200_000


@pytest.mark.skipif(not OSPOOL.is_file(), reason="reference ads not present")
def test_the_ospool_sample_gives_the_counts_its_sources_note_lists(capsys):
    code, out, _ = run(capsys, "OpSysAndVer", "--pool", str(OSPOOL))
    assert code == 0
    assert out.splitlines() == [
        "    109 CentOS9", "     20 CentOS8", "      5 DEBIAN13", "      3 CentOS10",
        "      3 UBUNTU24", "      2 CentOS7", "      1 AlmaLinux9",
    ]  # fmt: skip


def test_expressions_count_as_each_slot_evaluates_them():
    from collections import Counter

    snap = pools.generate("modern", slots=2000, seed=9)
    for attr in ("START", "Requirements"):
        naive = Counter(report.show(v) for v in snap.values(attr) if v is not None)
        table = report.counts(snap, [attr])
        assert dict(zip(table[attr].map(report.show), table["count"], strict=True)) == naive


def test_expressions_follow_references_and_the_clock():
    ads = [
        ClassAd({"MyCurrentTime": t, "Retire": 1000, "Base": b,
                 "Alive": ExprTree("time() < Retire"), "Score": ExprTree("Base * 2"),
                 "Ok": ExprTree("Alive && Score > 2")})
        for t, b in ((900, 1), (900, 2), (1100, 2), (900, 2))
    ]  # fmt: skip
    snap = Snapshot.from_classads(ads, source="clock", time=1100)
    assert report.counts(snap, ["Alive"]).values.tolist() == [[True, 3], [False, 1]]
    assert report.counts(snap, ["Ok"]).values.tolist() == [[False, 2], [True, 2]]
    assert report.counts(snap, ["Score", "Alive"]).values.tolist() == [
        [4, True, 2], [2, True, 1], [4, False, 1],
    ]  # fmt: skip


def test_the_tutorial_shows_real_output_for_the_2010_pool(capsys):
    """Every `tribes report` table of the 2010 pool in the tutorial (tests/test_examples.py
    runs them all too; this one needs no shell)."""
    import re
    import shlex

    page = (Path(__file__).parent.parent / "docs" / "tutorial-2010.md").read_text()
    section = page[page.index("## 1. The pool"): page.index("## 2. ")]
    checked = 0
    for block in re.findall(r"```console\n(.*?)```", section, re.S):
        for command, output in re.findall(r"^\$ (tribes report [^\n]*)\n(.*?)(?=^\$ |\Z)", block,
                                          re.S | re.M):  # fmt: skip
            argv = shlex.split(command)[2:]
            if "--pool" in argv:
                continue
            assert run(capsys, *argv)[1].rstrip("\n") == output.rstrip("\n"), command
            checked += 1
    assert checked >= 5


def test_a_pool_spec_and_flags_combine(capsys):
    _, by_spec, _ = run(capsys, "SlotType", "--pool", "modern:slots=700,seed=3")
    _, by_flags, _ = run(capsys, "SlotType", "--pool", "modern", "--slots", "700", "--seed", "3")
    assert by_spec == by_flags
    _, flag_wins, _ = run(capsys, "SlotType", "--pool", "modern:slots=700", "--slots", "50")
    assert sum(int(line.split()[0]) for line in flag_wins.splitlines()) == 50
