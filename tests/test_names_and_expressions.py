"""Attribute names: nothing a name holds may change what the program reads.

Each answer is compared with what HTCondor's own library (classad2) says of the same ad.
"""

import pytest

from simulator import cli
from simulator.io.readers import long, read_file
from simulator.model.condor import (
    ClassAd,
    ExprTree,
    ParserType,
    attribute_text,
    parse_one,
)
from simulator.model.errors import AdParseError
from simulator.model.snapshot import Snapshot

# START is true; an attribute whose quoted name reads "Zz = 1; START" must not set it.
HOSTILE = "Zz = 1; START"
NEW = f'[ MyType = "Machine"; Name = "a"; START = true; Foo = START; \'{HOSTILE}\' = false ]\n'
XML = ('<?xml version="1.0"?>\n<classads><c>\n<a n="MyType"><s>Machine</s></a>\n'
       '<a n="Name"><s>a</s></a>\n<a n="START"><b v="t"/></a>\n<a n="Foo"><e>START</e></a>\n'
       f'<a n="{HOSTILE}"><b v="f"/></a>\n</c></classads>\n')
JSON = ('[\n{\n "MyType": "Machine",\n "Name": "a",\n "START": true,\n'
        ' "Foo": "\\/Expr(START)\\/",\n "Zz = 1; START": false\n}\n]\n')


def one_line_error(capsys, argv, status=1):
    assert cli.main(argv) == status
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("tribes: error: "), captured.err
    return lines[0]


def report_csv(capsys, argv):
    assert cli.main(["report", *argv, "--format", "csv"]) == 0
    return capsys.readouterr().out.splitlines()


# --- names --------------------------------------------------------------------------


@pytest.mark.parametrize("suffix, text, parser", [
    (".ad", NEW, ParserType.New),
    (".xml", XML, ParserType.XML),
    (".json", JSON, ParserType.JSON),
])
def test_a_quoted_name_changes_no_other_attribute(tmp_path, capsys, suffix, text, parser):
    ads = tmp_path / f"hostile{suffix}"
    ads.write_text(text)
    own = text.strip()[1:-1] if parser == ParserType.JSON else text  # the object alone
    library = parse_one(own, parser)
    assert library.eval("Foo") is True  # HTCondor's own answer
    assert report_csv(capsys, ["Name", "Foo", "--pool", str(ads)]) == ["Name,Foo,count",
                                                                     "a,true,1"]
    snap = read_file(ads)
    rebuilt = snap.classad(0)
    assert sorted(rebuilt.keys()) == sorted(library.keys())
    assert rebuilt.eval(HOSTILE) is False and rebuilt.eval("START") is True


@pytest.mark.parametrize("name", [HOSTILE, "it's", "back\\slash", "Fóo", "1Cpus", "a.b", "true",
                                  "error", "x]", "tab\tname"])
def test_names_are_written_as_the_library_writes_them(name):
    ad = ClassAd()
    ad[name] = 5
    assert attribute_text(name) == repr(ad)[2:-6]
    back = parse_one(f"[ {attribute_text(name)} = 5; Other = 1 ]")
    assert sorted(back.keys()) == sorted([name, "Other"])
    snap = Snapshot.from_classads([ad], source="x")
    assert list(snap.classad(0).keys()) == [name] and snap.classad(0).eval(name) == 5


def test_plain_names_stay_plain():
    assert [attribute_text(n) for n in ("Cpus", "_x1", "TARGET", "MY")] == [
        "Cpus", "_x1", "TARGET", "MY"]


@pytest.mark.parametrize("line", [f"'{HOSTILE}' = false", "Zz = 1; START = false",
                                  "Cpus = 8 ] junk"])
def test_old_syntax_refuses_text_after_the_value(tmp_path, capsys, line):
    ads = tmp_path / "hostile.long"
    ads.write_text(f'MyType = "Machine"\nName = "a"\nSTART = true\nFoo = START\n{line}\n')
    with pytest.raises(AdParseError) as err:
        long.read(ads)
    assert (err.value.ad_number, err.value.line) == (1, 5)
    with pytest.raises(AdParseError) as ref:
        long.read_library(ads)
    assert str(ref.value) == str(err.value)
    message = one_line_error(capsys, ["report", "Name", "Foo", "--pool", str(ads)])
    assert f"{ads}: ad 1, line 5: text after the value: {line}" in message


def test_old_syntax_keeps_trailing_comments_and_old_strings(tmp_path):
    ads = tmp_path / "ok.long"
    ads.write_text('MyType = "Machine"\nA = 2 // a comment\nB = "C:\\dir\\"\nC = 1 /* c */\n')
    snap = long.read(ads)
    assert snap.values("a").tolist() == [2] and snap.values("c").tolist() == [1]
    assert snap.values("b").tolist() == ["C:\\dir\\"]
    assert snap.ads.iloc[0].to_dict() == long.read_library(ads).ads.iloc[0].to_dict()


def test_odd_names_are_read_and_used_alike_by_snapshot_and_later_commands(tmp_path, capsys):
    # HTCondor reads names that are not identifiers (old syntax takes all before "="; new
    # syntax, XML and JSON quote them): kept, and quoted wherever an ad is rebuilt.
    ads = tmp_path / "odd.long"
    ads.write_text('MyType = "Machine"\nName = "a"\nOpSys = "LINUX"\nFóo = 1\n1Cpus = 2\n'
                   "START = '1Cpus' > 1\nRequirements = START\n")
    library = parse_one(ads.read_text(), ParserType.Old)
    assert library.eval("1Cpus") == 2 and library.eval("START") is True
    store = str(tmp_path / "store")
    assert cli.main(["snapshot", "--pool", str(ads), "--store", store,
                     "--time", "2024-01-01"]) == 0
    capsys.readouterr()
    for pool in (str(ads), store):
        assert report_csv(capsys, ["Fóo", "1Cpus", "START", "--pool", pool]) == [
            "Fóo,1Cpus,START,count", "1,2,true,1"]
    argv = ["simulate", "--requirements", "x='1Cpus' >= 2 && 'Fóo' == 1", "--pool", store,
            "--as-written", "--format", "csv", "--quiet"]
    assert cli.main(argv) == 0
    row = dict(zip(*[line.split(",") for line in capsys.readouterr().out.splitlines()[:2]],
                   strict=True))
    assert row["matching_slots"] == "1"


@pytest.mark.parametrize("suffix, text", [
    (".ad", "[ MyType = \"Machine\"; START = true;\n  Bar = MY.'x; START = false; Q = 1' ]\n"),
    (".long", "MyType = \"Machine\"\nSTART = true\nBar = MY.'x; START = false; Q = 1'\n"),
    (".json", '[{"MyType": "Machine", "START": true,\n'
              ' "Bar": "\\/Expr(MY.\'x; START = false; Q = 1\')\\/"}]\n'),
])
def test_a_quoted_name_after_a_scope_is_refused(tmp_path, capsys, suffix, text):
    # The library writes MY.'x; START = false' back as MY.x; START = false: an ad rebuilt
    # from that text would have START false.
    ads = tmp_path / f"scoped{suffix}"
    ads.write_text(text)
    message = one_line_error(capsys, ["report", "START", "--pool", str(ads)])
    assert f"{ads}: ad 1, line " in message
    assert "HTCondor's library writes the value of Bar back as" in message


def test_values_the_library_writes_back_differently_but_alike_are_kept():
    ad = ClassAd({"a": float("nan"), "b": float("inf")})
    ad["c"] = ExprTree("- 5")
    snap = Snapshot.from_classads([ad], source="x")
    assert snap.values("c").tolist() == [-5] and snap.values("b").tolist() == [float("inf")]
