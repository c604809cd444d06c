"""The fast condor_status -long reader against HTCondor's own parser, cell for cell."""

import gzip
import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from realads import CE_INFO, LONG_FILES, OSPOOL, REAL, assert_same_snapshot, needs_real

from simulator.io.readers import long
from simulator.model.errors import AdParseError


@needs_real
@pytest.mark.parametrize("name", sorted(LONG_FILES))
def test_fast_reader_equals_the_library_on_every_real_file(name):
    fast = long.read(REAL / name)
    full = long.read_library(REAL / name)
    assert len(fast) == LONG_FILES[name]
    assert_same_snapshot(fast, full)


@needs_real
def test_ospool_sample_keeps_slots_and_counts_the_other_types():
    snap = long.read(OSPOOL)
    assert len(snap) == 143
    assert snap.skipped == {
        "StartD": 24, "DaemonMaster": 24, "Scheduler": 2, "Submitter": 2, "Negotiator": 2,
        "Collector": 2, "Accounting": 2, "CredD": 2, "HAD": 1, "Replication": 1,
    }
    assert set(snap.values("MyType")) == {"Machine"}
    assert snap.time == 1783286387 and snap.time_source == "MyCurrentTime"
    # Both spellings of START occur in the file; one column holds them.
    assert snap.ads["start"].notna().all()


@needs_real
def test_machine_ads_without_opsys_are_kept():
    snap = long.read(CE_INFO)
    assert len(snap) == 2
    assert "opsys" not in snap.ads.columns
    assert snap.values("GlueCEInfoHostName").notna().all()
    assert snap.time_source == "LastHeardFrom"


@needs_real
def test_gzip_is_read_as_is_whatever_the_name(tmp_path):
    plain = tmp_path / "pool.txt"
    with gzip.open(OSPOOL, "rb") as src, open(plain, "wb") as dst:
        shutil.copyfileobj(src, dst)
    renamed = tmp_path / "pool.ads"
    shutil.copy(OSPOOL, renamed)
    a, b = long.read(plain), long.read(renamed)
    assert_same_snapshot(a, b, columns=a.ads.columns)


HOSTILE = {
    "value with = inside": 'MyType = "Machine"\nOpSys = "LINUX"\nA = "x = y"\nB = a == b\n',
    "escaped quotes": 'MyType = "Machine"\nA = "say \\"hi\\""\nB = "c:\\\\temp"\nC = "c:\\temp"\n',
    "quotes inside strings": (
        'MyType = "Machine"\nA = "{[ p=\\"primary\\"; a=\\"10.1\\"; ]}"\nB = "abc\\""\n'
        'C = "\\""\nD = "end\\\\"\nE = "a\\\\\\"b"\n'
    ),
    "comments": 'MyType = "Machine"\n# a comment\nA = 1\n// another\nB = 2 // trailing\n',
    "upper-case literals": 'MyType = "Machine"\nA = TRUE\nB = FALSE\nC = UNDEFINED\nD = Error\n',
    "reals and big integers": (
        'MyType = "Machine"\nA = 0.5\nB = 1e3\nC = -0.0\nD = 123456789012345678901234567890\n'
        "E = 9223372036854775807\nF = -7\nG = 0.0\n"
    ),
    "duplicate attribute, last wins": 'MyType = "Machine"\nStart = 1\nSTART = 2\nstart = 3\n',
    "no spaces, tabs, trailing blanks": 'MyType="Machine"\n\tA=1   \n  B  =  "x"  \n',
    "MyType missing": 'OpSys = "LINUX"\nCpus = 4\n\nName = "no type, no os"\n',
    "whitespace-only separator": 'MyType = "Machine"\nA = 1\n  \t\nMyType = "Machine"\nA = 2\n',
    "non-ASCII and tabs in strings": 'MyType = "Machine"\nA = "héllo"\nB = "a\tb"\n',
    "other ad types": (
        'MyType = "Scheduler"\nName = "s"\n\nMyType = "Machine"\nName = "m"\n\n'
        'MyType = "DaemonMaster"\n\nMyType = "machine"\nName = "lower-case type"\n'
    ),
    "expressions": (
        'MyType = "Machine"\nStart = (TARGET.RequestCpus<=Cpus)&&(time()<X)\n'
        'R = ifThenElse(isUndefined(a), {1,2}, [b=1])\nS = strcat("a","b")\n'
    ),
    "CRLF line ends": 'MyType = "Machine"\r\nA = 1\r\nB = "x"\r\n',
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_fast_reader_equals_the_library_on_hostile_input(case, tmp_path):
    path = tmp_path / "ads.txt"
    path.write_bytes(HOSTILE[case].encode("utf-8"))
    fast = long.read(path, time=1)
    full = long.read_library(path, time=1)
    assert_same_snapshot(fast, full)


def test_what_the_hostile_cases_mean(tmp_path):
    path = tmp_path / "ads.txt"

    def read(text):
        path.write_text(text)
        return long.read(path, time=1)

    assert read(HOSTILE["duplicate attribute, last wins"]).ads.loc[0, "start"] == "3"
    assert read(HOSTILE["duplicate attribute, last wins"]).names["start"] == "Start"
    snap = read(HOSTILE["MyType missing"])
    assert len(snap) == 1 and snap.skipped == {"(no MyType)": 1}
    snap = read(HOSTILE["other ad types"])
    assert len(snap) == 2 and snap.skipped == {"Scheduler": 1, "DaemonMaster": 1}
    snap = read(HOSTILE["upper-case literals"])
    row = snap.ads.iloc[0]
    assert row[["a", "b", "c", "d"]].tolist() == ["true", "false", "undefined", "error"]
    snap = read(HOSTILE["comments"])
    assert snap.ads.iloc[0][["a", "b"]].tolist() == ["1", "2"]


@pytest.mark.parametrize(
    "text, ad, line, words",
    [
        ('MyType = "Machine"\nA = 1\nB = (\nC = 3\n', 1, 3, "cannot parse the value: B = ("),
        ('MyType = "Machine"\n\nA = 1 + \\\n 2\n', 2, 3, "A = 1 +"),
        ('MyType = "Machine"\nA = \n', 1, 2, "A ="),
        ('A = 1\n\n\nB = 2\nhello world\n', 2, 5, "expected Attr = value: hello world"),
        ('MyType = "Machine"\nA = "unclosed\n', 1, 2, "A = \"unclosed"),
    ],
)
def test_a_malformed_line_names_file_ad_and_line(tmp_path, text, ad, line, words):
    path = tmp_path / "bad.ads"
    path.write_text(text)
    for reader in (long.read, long.read_library):
        with pytest.raises(AdParseError) as err:
            reader(path)
        assert (err.value.path, err.value.ad_number, err.value.line) == (path, ad, line)
        assert words in str(err.value)
        assert str(err.value).startswith(f"{path}: ad {ad}, line {line}: ")


def test_a_malformed_line_deep_in_a_large_file(tmp_path, monkeypatch):
    """Errors are located across the reader's blocks too."""
    monkeypatch.setattr(long, "_BLOCK", 64)
    ads = [f'MyType = "Machine"\nName = "slot{i}"\nCpus = {i}\n' for i in range(40)]
    ads[33] = ads[33].replace("Cpus = 33", "Cpus = 33 +")
    path = tmp_path / "big.ads"
    path.write_text("\n".join(ads))
    with pytest.raises(AdParseError) as err:
        long.read(path)
    assert (err.value.ad_number, err.value.line) == (34, 34 * 4 - 1)
    good = path.read_text().replace("Cpus = 33 +", "Cpus = 33")
    path.write_text(good)
    assert_same_snapshot(long.read(path), long.read_library(path))


def test_an_empty_file_has_no_slots(tmp_path):
    path = tmp_path / "empty.ads"
    path.write_text("\n\n")
    snap = long.read(path, time=5)
    assert len(snap) == 0 and snap.skipped == {} and snap.time == 5


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.floats(), st.sampled_from(["{!r}", "{:.6f}", "{:.17g}", "{:e}"])),
                min_size=1, max_size=40))
def test_reals_in_bulk_equal_the_library(tmp_path_factory, numbers):
    """The block path formats reals itself; it must agree with the library as well."""
    lines = ['MyType = "Machine"'] + [
        f"R{i} = {form.format(x)}" for i, (x, form) in enumerate(numbers)
        if form.format(x).lstrip("-")[:1].isdigit()
    ]
    path = tmp_path_factory.mktemp("reals") / "ads"
    path.write_text("\n".join(lines) + "\n")
    assert_same_snapshot(long.read(path, time=1), long.read_library(path, time=1))
