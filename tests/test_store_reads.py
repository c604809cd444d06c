"""A snapshot file is checked as it is read: a hand-made or tampered Parquet file (a value
that would read as more than itself once ad text is rebuilt, a name that does not round-trip,
cells that are not texts, a Parquet file that is not a snapshot) is one line naming the file,
and no command answers from it.
"""

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from simulator import cli
from simulator.io import store
from simulator.model.condor import attribute_text, parse_whole, text_problem
from simulator.model.errors import SnapshotError

SLOTS = "".join(
    f'MyType = "Machine"\nName = "slot{i}@desk"\nOpSys = "LINUX"\nArch = "X86_64"\n'
    f"Cpus = {i}\nMemory = 2048\nStart = true\nRequirements = START\n"
    f"LoadAvg = 0.{i}5\nOffset = - 5\n\n"
    for i in range(1, 4))


@pytest.fixture
def stored(tmp_path, capsys):
    """A store of two snapshots written by ``tribes snapshot``, and its first file."""
    folder = tmp_path / "store"
    ads = tmp_path / "slots.ads"
    ads.write_text(SLOTS)
    for day in ("2024-01-01", "2024-01-02"):
        assert cli.main(["snapshot", "--pool", str(ads), "--store", str(folder),
                         "--time", day]) == 0
    capsys.readouterr()
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
                                            ["column 'opsys'", "'Start'"]),
    "a column not in lower case": (rename_column("opsys", "OpSys"), ["column 'OpSys'"]),
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
                 ["requirements", "--pool", pool, "/bin/sh"]]
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
    from simulator.io import sources

    pools = ["pool_2010", "modern:slots=500",
             "tests/fixtures/real-ads/PelicanPlatform__classad__collections_vm_testdata_pool_"
             "sample.ads.gz", "tests/fixtures/real-ads/glideinWMS__glideinwms__unittests_cs."
             "fixture@b1704428.xml", "examples/ec2.xml", "examples/desk.ads"]
    for i, spec in enumerate(pools):
        (snap,) = sources.open_snapshots(spec, time="2024-01-01")
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
