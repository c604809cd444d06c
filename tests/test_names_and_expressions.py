"""Attribute names and user expressions: nothing a name or an expression holds may change
what the program reads, and every limit of HTCondor's library is met with one line.

Each answer is compared with what HTCondor's own library (classad2) says of the same ad.
"""

import json
import subprocess
import sys

import pytest

from simulator import cli
from simulator.io.readers import long, read_file
from simulator.jobs import MAX_CHARS, MAX_CLAUSES, MAX_NESTING, parse_expression
from simulator.jobs.expressions import parse_requirements
from simulator.model.condor import (
    ClassAd,
    ExprTree,
    ParserType,
    attribute_text,
    parse_one,
    parse_whole,
)
from simulator.model.errors import AdParseError, RequirementsError
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
    store = str(tmp_path / "store")
    assert cli.main(["snapshot", "--pool", str(ads), "--store", store,
                     "--time", "2024-01-01"]) == 0
    capsys.readouterr()
    for pool in (str(ads), store):
        assert report_csv(capsys, ["Name", "Foo", "--pool", pool]) == ["Name,Foo,count",
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
    argv = ["analyze", "--requirements", "'1Cpus' >= 2 && 'Fóo' == 1", "--pool", store,
            "--as-written", "--format", "json", "--quiet"]
    assert cli.main(argv) == 0
    (record,) = json.loads(capsys.readouterr().out)
    assert record["matching_slots"] == 1
    assert [step["matched"] for step in record["steps"]] == [1, 1, 1]


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


# --- expressions parse whole --------------------------------------------------------

STRAY = 'TARGET.OpSys == "OSX" ] || TARGET.OpSys == "LINUX"'


def test_the_library_alone_stops_at_a_stray_bracket():
    assert str(ExprTree(STRAY)) == 'TARGET.OpSys == "OSX"'  # why the check exists
    with pytest.raises(ValueError):
        parse_whole(STRAY)
    with pytest.raises(RequirementsError, match=r"at character 23: unexpected '\] \|\|"):
        parse_requirements(STRAY)


@pytest.mark.parametrize("text", ["1 ; START = false", "1) || (2", "1)] [x = (2", "1] /*", "(1"])
def test_text_left_over_is_refused(text):
    with pytest.raises(ValueError):
        parse_whole(text)


@pytest.mark.parametrize("text", ["1 // a comment", "1 /* c */", '"x ] y"', "Requirements",
                                  "[a = 1; b = 2].b", "{1, 2}[0]"])
def test_whole_expressions_parse_as_the_library_parses_them(text):
    assert parse_whole(text) == ExprTree(text + "\n")


@pytest.mark.parametrize("argv", [
    ["simulate", "--requirements", f"x={STRAY}", "--quiet"],
    ["analyze", "--requirements", STRAY, "--quiet"],
])
def test_the_cli_refuses_a_stray_bracket(capsys, argv):
    message = one_line_error(capsys, argv)
    assert "--requirements #1: cannot parse requirement" in message
    assert "at character 23: unexpected '] || TARGET.'" in message


def test_a_submit_file_and_a_job_file_refuse_a_stray_bracket(tmp_path, capsys):
    sub = tmp_path / "job.sub"
    sub.write_text(f"executable = /bin/true\nrequirements = {STRAY}\nqueue\n")
    message = one_line_error(capsys, ["analyze", "--submit", str(sub), "--quiet"])
    assert f"{sub}: requirements: cannot parse requirement" in message
    job = tmp_path / "job.ad"
    job.write_text(f'Owner = "alice"\nRequirements = {STRAY}\n')
    message = one_line_error(capsys, ["analyze", "--job", str(job), "--quiet"])
    assert f"{job}: ad 1, line 2: cannot parse the value of Requirements" in message


def test_a_template_refuses_a_stray_bracket(tmp_path, capsys):
    template = tmp_path / "template.ad"
    template.write_text(f'Owner = "alice"\nRequestCpus = 1\nRank = {STRAY}\n')
    argv = ["simulate", "--requirements", "true", "--template", str(template), "--quiet"]
    assert f"{template}: ad 1, line 3: cannot parse the value of Rank" in one_line_error(
        capsys, argv)


def test_negotiator_expressions_parse_whole(tmp_path, capsys):
    ads = tmp_path / "desk.ads"
    ads.write_text('MyType = "Machine"\nName = "slot1@desk"\nOpSys = "LINUX"\nArch = "X86_64"\n'
                   "Cpus = 1\nMemory = 2048\nStart = true\nRequirements = START\n")
    store = str(tmp_path / "store")
    assert cli.main(["snapshot", "--pool", str(ads), "--store", store, "--time",
                     "2024-01-01"]) == 0
    capsys.readouterr()
    for option in ("--negotiator-pre-job-rank", "--negotiator-post-job-rank",
                   "--modify-request-expr-requestcpus"):
        argv = ["replay", "--pool", store, "--profiles", "opsys", "--quiet",
                option, "RemoteOwner =?= UNDEFINED ] || Cpus"]
        message = one_line_error(capsys, argv)
        assert f"{option}: cannot parse expression" in message


def test_a_requirement_that_reads_itself_is_one_line(capsys):
    for argv in (["simulate", "--requirements", "x=Requirements", "--quiet"],
                 ["analyze", "--requirements", "Requirements", "--quiet"]):
        assert "Requirements = Requirements is circular" in one_line_error(capsys, argv)


# --- limits -------------------------------------------------------------------------


def clauses(n):
    return " || ".join(f"TARGET.Cpus == {i}" for i in range(n))


def test_the_library_fails_past_the_limits():
    # Why the limits: HTCondor's library evaluates a chain of about 400 clauses and no more,
    # and parses parentheses nested 165 deep and no more.
    job, slot = ClassAd(), ClassAd({"Cpus": 8})
    assert ExprTree(clauses(MAX_CLAUSES)).eval(scope=job, target=slot) is True
    with pytest.raises(Exception, match="failed to evaluate"):
        ExprTree(clauses(1000)).eval(scope=job, target=slot)
    with pytest.raises(Exception, match="Unable to parse"):
        ExprTree("(" * 166 + "TARGET.Cpus > 0" + ")" * 166)


def test_limits_are_refused_in_one_line():
    assert str(parse_expression(clauses(MAX_CLAUSES))) == clauses(MAX_CLAUSES)
    with pytest.raises(RequirementsError, match=f"has {MAX_CLAUSES + 1} conditions joined by "
                       f"&& and \\|\\|; at most {MAX_CLAUSES} are supported"):
        parse_expression(clauses(MAX_CLAUSES + 1))
    nested = "(" * MAX_NESTING + "TARGET.Cpus > 0" + ")" * MAX_NESTING
    assert parse_expression(nested)
    with pytest.raises(RequirementsError, match=f"nests parentheses {MAX_NESTING + 1} deep; "
                       f"at most {MAX_NESTING} are supported"):
        parse_expression("(" + nested + ")")
    long_name = "TARGET." + "a" * (MAX_CHARS - 12) + " > 1"
    assert len(long_name) == MAX_CHARS - 1 and parse_expression(long_name)
    with pytest.raises(RequirementsError, match=f"is {MAX_CHARS + 1:,} characters long; at most "
                       f"{MAX_CHARS:,} are supported"):
        parse_expression(long_name + "00")
    plus = "TARGET.Cpus + " + " + ".join("1" for _ in range(600)) + " > 0"
    with pytest.raises(RequirementsError, match="too deeply nested for HTCondor's library"):
        parse_expression(plus)


def test_a_long_broken_expression_is_reported_quickly():
    import time

    text = "a ] " + "b && " * 1999 + "c"
    start = time.perf_counter()
    with pytest.raises(RequirementsError, match="at character 3: unexpected"):
        parse_requirements(text)
    assert time.perf_counter() - start < 5


@pytest.mark.parametrize("command", ["analyze", "simulate"])
@pytest.mark.parametrize("n, message", [
    (MAX_CLAUSES, None),
    (MAX_CLAUSES + 1, f"at most {MAX_CLAUSES} are supported"),
    (1000, f"at most {MAX_CHARS:,} are supported"),
])
def test_the_cli_meets_the_limits(capsys, command, n, message):
    argv = [command, "--requirements", ("x=" if command == "simulate" else "") + clauses(n),
            "--quiet"]
    if message is None:
        assert cli.main(argv) == 0
        capsys.readouterr()
    else:
        assert message in one_line_error(capsys, argv)


def test_a_thousand_clauses_no_longer_crash_analyze():
    # 1,000 clauses crashed the program (a segmentation fault): run it in its own process.
    run = subprocess.run([sys.executable, "-m", "simulator", "analyze", "--quiet",
                          "--requirements", clauses(1000)], capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 1 and run.stdout == ""
    assert run.stderr.startswith("tribes: error: --requirements #1: the requirement is ")


def test_a_hundred_thousand_characters_are_refused_at_once(capsys):
    import time

    start = time.perf_counter()
    text = "x=TARGET." + "a" * 100_000 + " > 1"
    assert "at most 10,000 are supported" in one_line_error(
        capsys, ["simulate", "--requirements", text, "--quiet"])
    assert time.perf_counter() - start < 5


def test_the_help_and_the_docs_state_the_limits(capsys):
    from pathlib import Path

    from simulator.cli.options import EXPRESSION_LIMITS

    stated = (f"at most {MAX_CHARS:,} characters, {MAX_CLAUSES} conditions joined by && and ||, "
              f"and parentheses nested {MAX_NESTING} deep")
    assert stated == EXPRESSION_LIMITS
    for command in ("analyze", "simulate", "replay"):
        with pytest.raises(SystemExit):
            cli.main([command, "--help"])
        assert " ".join(capsys.readouterr().out.split()).count(stated) == 1
    docs = Path(__file__).parent.parent / "docs"
    for page in ("analyze.md", "simulate.md"):
        text = " ".join((docs / page).read_text().split()).replace("`", "").replace("**", "")
        assert stated in text, page


def test_job_templates_and_submit_files_refuse_a_value_that_reads_back_differently(
        tmp_path, capsys):
    # Job ads are copied through their text: MY.'a; Requirements = false; b' would come back
    # as MY.a; Requirements = false; b.
    template = tmp_path / "template.ad"
    template.write_text("Owner = \"alice\"\nRequirements = true\n"
                        "Rank = MY.'a; Requirements = false; b'\n")
    message = one_line_error(capsys, ["simulate", "--template", str(template),
                                      "--requirements", "true", "--quiet"])
    assert f"{template}: ad 1: HTCondor's library writes the value of Rank back as" in message
    sub = tmp_path / "job.sub"
    sub.write_text("executable = /bin/true\n+Foo = MY.'a; b'\nqueue\n")
    message = one_line_error(capsys, ["analyze", "--submit", str(sub), "--quiet"])
    assert f"{sub}: HTCondor's library writes the value of Foo back as 'MY.a; b'" in message
