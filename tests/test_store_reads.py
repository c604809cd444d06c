"""A snapshot file is checked as it is read: a hand-made or tampered Parquet file (a value
that would read as more than itself once ad text is rebuilt, a name that does not round-trip,
cells that are not texts, a Parquet file that is not a snapshot) is one line naming the file,
and no command answers from it.
"""

import json
import os
import pickle
import re
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from store_helpers import snapshot_store

from simulator import cli
from simulator.io import sources, store
from simulator.model.condor import attribute_text, parse_whole, text_problem
from simulator.model.errors import SnapshotError

ROOT = Path(__file__).resolve().parent.parent

SLOTS = "".join(
    f'MyType = "Machine"\nName = "slot{i}@desk"\nOpSys = "LINUX"\nArch = "X86_64"\n'
    f"Cpus = {i}\nMemory = 2048\nStart = true\nRequirements = START\n"
    f"LoadAvg = 0.{i}5\nOffset = - 5\n\n"
    for i in range(1, 4))


@pytest.fixture
def stored(tmp_path, capsys):
    """A store of two snapshots written by ``tribes snapshot``, and its first file."""
    folder = snapshot_store(tmp_path, capsys, SLOTS)
    return folder, sorted(folder.glob("snapshot-*.parquet"))[0]


def rewrite(path, change):
    """Write ``path`` again with its table passed through ``change`` (the footer kept
    unless ``change`` sets another), as a hand-edited file would be."""
    table = pq.read_table(path)
    metadata = table.schema.metadata
    table = change(table)
    if table.schema.metadata is None:
        table = table.replace_schema_metadata(metadata)
    pq.write_table(table, path)


def set_cell(column, text):
    def change(table):
        i = table.column_names.index(column)
        cells = table.column(column).to_pylist()
        cells[0] = text
        return table.set_column(i, column, pa.array(cells, pa.string()))
    return change


def add_column(name, values):
    def change(table):
        return table.append_column(name, values(table.num_rows))
    return change


def footer_names(names):
    def change(table):
        info = json.loads(table.schema.metadata[b"condor_tribes"])
        info["names"] = {**info["names"], **names}
        return table.replace_schema_metadata(
            {**table.schema.metadata, b"condor_tribes": json.dumps(info).encode()})
    return change


def rename_column(old, new):
    def change(table):
        return table.rename_columns([new if c == old else c for c in table.column_names])
    return change


# What a tampered file holds, and the words its error must hold.
TAMPERED = {
    "two attributes in one cell": (set_cell("start", "1; START = false"),
                                   ["attribute Start", "'1; START = false'",
                                    "does not read as one ClassAd expression"]),
    "a quoted name after MY.": (set_cell("requirements", "MY.'x; START = false'"),
                                ["attribute Requirements", "MY.'x; START = false'",
                                 "writes it back as 'MY.x; START = false'"]),
    "a comment that hides the rest": (set_cell("start", "true // ; START = false"),
                                      ["attribute Start", "between the other attributes"]),
    "a stray bracket": (set_cell("opsys", '"LINUX" ] || true'),
                        ["attribute OpSys", "'\"LINUX\" ] || true'"]),
    "an empty text": (set_cell("cpus", ""), ["attribute Cpus", "the value ''"]),
    "a name the footer spells as another": (footer_names({"opsys": "Start"}),
                                            ["the footer spells column 'opsys' as 'Start'"]),
    "a column not in lower case": (rename_column("opsys", "OpSys"),
                                   ["column 'OpSys' is not in lower case"]),
    "a name that cannot be written": (rename_column("arch", "a\x00b"),
                                      ["attribute name 'a\\x00b'"]),
    "an empty name": (rename_column("arch", ""), ["attribute name ''"]),
    "a column twice": (rename_column("arch", "opsys"), ["column 'opsys' twice"]),
    "numbers, not texts": (add_column("disk", lambda n: pa.array(range(n), pa.int64())),
                           ["not a condor-tribes snapshot",
                            "column 'disk' holds integers, not ClassAd expression texts"]),
    "bytes, not texts": (add_column("disk", lambda n: pa.array([b"1"] * n, pa.binary())),
                         ["column 'disk' holds bytes"]),
    "lists, not texts": (add_column("disk", lambda n: pa.array([["1"]] * n)),
                         ["column 'disk' holds nested values"]),
    "a pandas index column": (add_column("__index_level_0__",
                                         lambda n: pa.array(range(n), pa.int64())),
                              ["column '__index_level_0__' holds integers"]),
    "no condor-tribes footer": (lambda table: table.replace_schema_metadata({b"x": b"y"}),
                                ["a Parquet file, but not a condor-tribes snapshot"]),
}


# Every command that reads a pool, over the store and over the file itself.
def commands(folder, path, tmp_path):
    argv = []
    for pool in (str(folder), str(path)):
        argv += [["simulate", "--pool", pool, "--profiles", "opsys"],
                 ["report", "--pool", pool, "OpSys"],
                 ["analyze", "--pool", pool, "--requirements", 'TARGET.OpSys == "LINUX"'],
                 ["requirements", "--pool", pool, str(ROOT / "examples" / "run.sh")]]
    argv += [["replay", "--pool", str(folder), "--jobs", "10", "--profiles", "opsys"],
             ["snapshot", "--pool", str(path), "--store", str(tmp_path / "other")]]
    return argv


def test_an_untouched_store_reads_and_every_command_answers(stored, tmp_path, capsys):
    folder, path = stored
    snap = store.load(path)
    assert snap.ads["offset"].tolist() == [" -5"] * 3  # the library's text, not its reparse
    for argv in commands(folder, path, tmp_path):
        assert cli.main(argv) == 0, (argv, capsys.readouterr().err)
    capsys.readouterr()


@pytest.mark.parametrize("what", list(TAMPERED))
def test_a_tampered_file_is_one_line_naming_it_and_no_command_answers(stored, tmp_path,
                                                                      capsys, what):
    folder, path = stored
    change, words = TAMPERED[what]
    rewrite(path, change)
    with pytest.raises(SnapshotError) as caught:
        store.load(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and "not a" in message, message
    assert "\n" not in message
    for word in words:
        assert word in message, (word, message)
    for argv in commands(folder, path, tmp_path):
        assert cli.main(argv) == 1, argv
        captured = capsys.readouterr()
        assert captured.err.splitlines() == [f"tribes: error: {message}"], (argv, captured.err)
    assert not (tmp_path / "other").exists()


def test_the_value_shown_is_cut_short_and_on_one_line(stored):
    folder, path = stored
    rewrite(path, set_cell("start", "1;\n" + "x" * 200))
    with pytest.raises(SnapshotError) as caught:
        store.load(path)
    assert "'1; xxxxx" in str(caught.value) and "...'" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_every_cell_is_checked_not_only_the_first_row_group(stored):
    folder, path = stored
    table = pq.read_table(path)
    cells = table.column("start").to_pylist()
    cells[-1] = "1; START = false"
    table = table.set_column(table.column_names.index("start"), "start",
                             pa.array(cells, pa.string()))
    pq.write_table(table, path, row_group_size=1)
    assert pq.ParquetFile(path).num_row_groups == 3
    with pytest.raises(SnapshotError, match="attribute Start: the value '1; START = false'"):
        store.load(path)


def test_the_pools_and_real_ads_read_back_from_a_store(tmp_path):
    real = ROOT / "tests" / "fixtures" / "real-ads"
    pools = ["pool_2010", "modern:slots=500",
             real / "PelicanPlatform__classad__collections_vm_testdata_pool_sample.ads.gz",
             real / "glideinWMS__glideinwms__unittests_cs.fixture@b1704428.xml",
             ROOT / "examples" / "ec2.xml", ROOT / "examples" / "desk.ads"]
    for i, spec in enumerate(pools):
        (snap,) = sources.open_snapshots(str(spec), time="2024-01-01")
        path = tmp_path / f"{i}.parquet"
        store.write(snap, path)
        back = store.load(path)
        assert back.ads.equals(snap.ads), spec


@pytest.mark.parametrize("text", [
    "0", "-7", "123456789012345678", "true", "false", '""', '"a b"', '"say \\"hi\\""',
    "2.500000000000000E-01", "-1.000000000000000E+300", "1.000000000000000E-400",
    "9.999999999999999E+999", "0.0", "-0.0",
])
def test_a_text_taken_as_a_plain_literal_is_one_the_library_reads_as_one(text):
    # Such texts pass the check without the library (store._PLAIN); it agrees.
    assert pa.compute.match_substring_regex(pa.array([text]), store._PLAIN)[0].as_py()
    assert text_problem(text) is None
    assert str(parse_whole(text))


@pytest.mark.parametrize("text", ['"a\\\\"', '"\\u00e9"', '"a\\"', "1 + 1", "-0", "1.5",
                                  "TRUE", "1234567890123456789", '"\t"'])
def test_other_texts_go_to_the_library(text):
    assert not pa.compute.match_substring_regex(pa.array([text]), store._PLAIN)[0].as_py()


def test_names_are_written_quoted_when_rebuilt(stored):
    folder, path = stored
    rewrite(path, rename_column("arch", "a; start"))
    snap = store.load(path)
    assert attribute_text("a; start") == "'a; start'"
    assert "'a; start' = " in snap.classad_text(0)
    assert snap.classad(0).eval("Start") is True


# A store swapped while being read: the reader keeps to the set it listed.

SCENARIO = """
[scenario]
name = "{name}"
start = "2010-04-05"
days = 3
seed = {seed}
[pool]
builtin = "modern"
slots = {slots}
"""


def scenario_store(tmp_path, name, seed, slots):
    """A store of three daily snapshots (the same file names whatever the seed)."""
    path = tmp_path / f"{name}.toml"
    path.write_text(SCENARIO.format(name=name, seed=seed, slots=slots))
    folder = tmp_path / name
    assert cli.main(["scenario", "run", str(path), "--store", str(folder)]) == 0
    return folder


@pytest.fixture
def old_and_new(tmp_path, capsys):
    """A store (the old set) and another set of files of the same names, other slots."""
    old = scenario_store(tmp_path, "store", seed=1, slots=12)
    new = scenario_store(tmp_path, "new", seed=2, slots=20)
    assert [p.name for p in store.list_store(old)] == [p.name for p in store.list_store(new)]
    capsys.readouterr()
    return old, new


def swap_in(target, new, remove=True):
    """Swap ``new``'s files into the store ``target`` as ``scenario run --replace`` does:
    with ``remove``, through ``store.rewrite`` (the old set removed after the swap), else
    with the store's swap function alone (the old set left beside the store)."""
    if remove:
        with store.rewrite(target) as change:
            for path in store.list_store(new):
                shutil.copy(path, change.folder / path.name)
            change.commit()
        return None
    folder = target.parent / f".{target.name}.tmp-0123abcd"
    shutil.copytree(new, folder)
    return store._swap(folder, target)


def rows(snapshots):
    return [len(s) for s in snapshots]


@pytest.mark.parametrize("remove", [False, True], ids=["old set kept", "old set removed"])
@pytest.mark.parametrize("exchange", [True, False], ids=["exchange", "two renames"])
def test_a_store_swapped_while_read_is_read_all_old_or_fails_in_one_line(
        old_and_new, monkeypatch, remove, exchange):
    old, new = old_and_new
    if not exchange:
        def refuse(a, b):
            raise OSError(22, "Invalid argument")
        monkeypatch.setattr(store, "_exchange", refuse)
    before = rows(store.load(p) for p in store.list_store(old))
    after = rows(store.load(p) for p in store.list_store(new))
    assert before != after and len(before) == 3
    saved = old.parent / "saved"
    shutil.copytree(old, saved)
    for k in range(4):  # swapped after the k-th file is read
        snapshots = sources.open_snapshots(str(old))
        got = []
        try:
            for i in range(3):
                if i == k:
                    swap_in(old, new, remove)
                got.append(len(snapshots[i]))
        except SnapshotError as exc:
            assert remove and k < 3, (k, str(exc))
            assert str(exc) == (f"{old}: changed while being read ({snapshots.files[k].name} "
                                "is gone); run the command again")
        else:
            assert not (remove and k < 3), (k, got)
            assert got == before, (k, got)
        # the next command reads the new set, whole; then the old set goes back
        assert rows(sources.open_snapshots(str(old))) == (after if k < 3 else before)
        shutil.rmtree(old)
        for aside in old.parent.glob(".store.*"):
            shutil.rmtree(aside)
        shutil.copytree(saved, old)


def test_a_store_swapped_while_listed_is_listed_again(old_and_new, monkeypatch):
    old, new = old_and_new
    real = os.listdir
    calls = []

    def swapped_first(fd):
        calls.append(fd)
        if len(calls) == 1:
            monkeypatch.setattr(os, "listdir", real)  # the swap lists the store too
            swap_in(old, new)
            monkeypatch.setattr(os, "listdir", swapped_first)
        return real(fd)

    monkeypatch.setattr(os, "listdir", swapped_first)
    files = store.list_store(old)
    monkeypatch.setattr(os, "listdir", real)
    assert len(calls) == 2
    assert rows(store.load(p) for p in files) == rows(store.load(p) for p in
                                                      store.list_store(new))


def test_a_store_file_sent_to_another_process_refuses_another_set(old_and_new):
    old, new = old_and_new
    path = store.list_store(old)[0]
    copy = pickle.loads(pickle.dumps(path))
    assert copy == path and str(copy) == str(path) and isinstance(path.parent, Path)
    assert pickle.loads(pickle.dumps(path.parent)) == old
    assert len(store.load(copy)) == len(store.load(path)) == 12
    swap_in(old, new)
    again = pickle.loads(pickle.dumps(path))
    with pytest.raises(SnapshotError) as caught:
        store.load(again)
    assert str(caught.value) == (f"{old}: changed while being read (another set of snapshots "
                                 "is in its place); run the command again")
    with pytest.raises(SnapshotError, match="changed while being read"):
        store.meta(path)  # the old set is gone, and the file listed with it


@pytest.mark.parametrize("argv", [
    ["simulate", "--pool", "STORE", "--profiles", "opsys"],
    ["report", "--pool", "STORE", "OpSys"],
    ["analyze", "--pool", "STORE", "--requirements", 'TARGET.OpSys == "LINUX"'],
    ["replay", "--pool", "STORE", "--jobs", "10", "--profiles", "opsys"],
], ids=lambda argv: argv[0])
def test_a_command_over_a_store_swapped_while_it_reads_answers_from_the_old_set_or_fails(
        old_and_new, monkeypatch, capsys, argv):
    old, new = old_and_new
    argv = [str(old) if a == "STORE" else a for a in argv]
    saved = old.parent / "saved"
    shutil.copytree(old, saved)
    assert cli.main(argv) == 0
    expected = capsys.readouterr().out
    real = store._open  # every file a command reads (cells or footer) is opened here
    opened = []
    monkeypatch.setattr(store, "_open", lambda path: opened.append(path) or real(path))
    assert cli.main(argv) == 0
    capsys.readouterr()
    monkeypatch.setattr(store, "_open", real)
    for k in range(1, len(opened) + 2):
        count = []

        def swapped(path, k=k, count=count):
            count.append(path)
            if len(count) == k:
                swap_in(old, new)
            return real(path)

        monkeypatch.setattr(store, "_open", swapped)
        status = cli.main(argv)
        monkeypatch.setattr(store, "_open", real)
        captured = capsys.readouterr()
        if k > len(opened):
            assert status == 0 and captured.out == expected, (k, captured.err)
        else:
            assert status == 1 and captured.out == "", (k, captured.err)
            assert re.fullmatch(rf"tribes: error: {re.escape(str(old))}: changed while being "
                                r"read \(snapshot-2010040\dT000000Z\.parquet is gone\); run "
                                r"the command again\n", captured.err), captured.err
        shutil.rmtree(old)
        shutil.copytree(saved, old)
