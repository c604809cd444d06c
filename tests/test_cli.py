import argparse
import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import simulator
from simulator import cli
from simulator.data import SCENARIOS

ROOT = Path(__file__).parent.parent


def test_every_command_has_help_and_a_readme_entry(capsys):
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    for name in cli.COMMANDS:
        command = name.replace("_", "-")
        with pytest.raises(SystemExit) as exc:
            cli.main([command, "--help"])
        assert exc.value.code == 0
        assert capsys.readouterr().out.strip()
        assert f"tribes {command}" in readme, f"README does not show tribes {command}"


# What a new user mistypes must come back as one line and exit status 1.

SLOT_AD = 'MyType = "Machine"\nName = "slot1@desk"\nOpSys = "LINUX"\nArch = "X86_64"\n'


def one_line_error(capsys, argv):
    assert cli.main(argv) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("tribes: error: "), captured.err
    return lines[0]


def test_a_file_where_a_store_folder_is_wanted_is_one_line(tmp_path, capsys):
    ads = tmp_path / "desk.ads"
    ads.write_text(SLOT_AD)
    argv = ["snapshot", "--pool", str(ads), "--time", "2010-01-27", "--store", str(ads)]
    assert "a file, not a store folder" in one_line_error(capsys, argv)
    toml = SCENARIOS / "rhel4_to_rhel5.toml"
    scenario = ["scenario", "run", str(toml), "--store", str(ads)]
    assert "a file, not a store folder" in one_line_error(capsys, scenario)
    assert ads.read_text() == SLOT_AD
    assert "a file, not a store folder" in one_line_error(capsys, ["replay", "--pool", str(ads)])
    missing = str(tmp_path / "nowhere")
    assert one_line_error(capsys, ["replay", "--pool", missing]) == (
        f"tribes: error: {missing}: no such folder")
    # Below a file, no folder can be made: the operating system's answer, on one line.
    nested = str(ads / "store")
    message = one_line_error(capsys, argv[:-1] + [nested])
    assert nested in message and "Traceback" not in message


def test_every_pool_option_takes_a_pool_spec(capsys):
    argv = ["simulate", "--pool", "modern:slots=300,seed=2", "--profiles", "opsys",
            "--format", "json"]
    assert cli.main(argv) == 0
    (record,) = json.loads(capsys.readouterr().out)
    # condor_q's count leaves dynamic slots out
    assert record["total_slots"] + record["dynamic_slots_skipped"] == 300


@pytest.mark.parametrize("spec, message", [
    ("modern:slots=abc", "slots must be a whole number, got 'abc'"),
    ("modern:seed=x", "seed must be a whole number, got 'x'"),
    ("modern:slots=1.5", "slots must be a whole number, got 1.5"),
    ("modern:colour=red", "unexpected keyword argument 'colour'"),
])
@pytest.mark.parametrize("command", [["report", "OpSys"], ["simulate"]])
def test_bad_pool_spec_is_one_line(capsys, command, spec, message):
    assert message in one_line_error(capsys, command + ["--pool", spec])


def test_readme_commands_index_names_every_command_and_links_its_guide():
    """The README is the front door: its command table names every command and links the
    docs page that explains it; every local link of the README points at a file."""
    root = Path(__file__).parent.parent
    readme = (root / "README.md").read_text()
    index = readme.split("\n## Commands\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in index.splitlines() if line.startswith("| `")]
    listed = [re.match(r"\| `([^`]+)`", row).group(1) for row in rows]
    for name in cli.COMMANDS:
        assert f"tribes {name.replace('_', '-')}" in listed
    assert all("](docs/" in row for row in rows)
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", readme):
        if "://" not in target:
            assert (root / target).exists(), f"README links to a missing {target}"
    # The index comes after the install and quick-start sections.
    assert readme.index("\n## Install") < readme.index("\n## Commands\n")
    assert len(readme.splitlines()) <= 200


def test_report_over_a_store_where_only_later_snapshots_have_the_attribute(tmp_path, capsys):
    before, after = tmp_path / "before.ads", tmp_path / "after.ads"
    before.write_text('MyType = "Machine"\nName = "slot1@a"\nOpSys = "LINUX"\n')
    after.write_text(SLOT_AD + 'redhat_version = "Rocky Linux release 9.4 (Blue Onyx)"\n')
    folder = str(tmp_path / "store")
    for ads, day in ((before, "2024-01-01"), (after, "2024-01-02")):
        assert cli.main(["snapshot", "--pool", str(ads), "--store", folder, "--time", day]) == 0
    capsys.readouterr()
    assert cli.main(["report", "redhat_version", "--pool", folder]) == 0
    text = capsys.readouterr().out
    assert "(no slot has redhat_version)" in text and "1 Rocky Linux release 9.4" in text
    for argv in (["--format", "csv"], ["--each", "--format", "csv"]):
        assert cli.main(["report", "redhat_version", "--pool", folder] + argv) == 0
        rows = capsys.readouterr().out.splitlines()
        assert len(rows) == 2 and rows[1].startswith(f"{after},")
    assert "none of 2 snapshots: no slot has Nope" in one_line_error(
        capsys, ["report", "Nope", "--pool", folder])


def test_a_bad_time_is_an_error_even_where_the_ads_carry_their_own(tmp_path, capsys):
    ads = tmp_path / "timed.ads"
    ads.write_text(SLOT_AD + "MyCurrentTime = 1275000000\n")
    for argv in (["simulate", "--pool", str(ads)],
                 ["snapshot", "--pool", str(ads), "--store", str(tmp_path / "store")]):
        message = one_line_error(capsys, argv + ["--time", "yesterday"])
        assert "--time 'yesterday': not a time" in message
    assert not (tmp_path / "store").exists()


def test_replay_refuses_a_zero_runtime_median(tmp_path, capsys):
    ads = tmp_path / "desk.ads"
    ads.write_text(SLOT_AD + "Cpus = 1\nMemory = 2048\nStart = true\nRequirements = START\n")
    folder = str(tmp_path / "store")
    snapshot = ["snapshot", "--pool", str(ads), "--store", folder, "--time", "2024-01-01"]
    assert cli.main(snapshot) == 0
    capsys.readouterr()
    argv = ["replay", "--pool", folder, "--profiles", "opsys", "--runtime-median", "0"]
    assert one_line_error(capsys, argv).endswith(
        "--runtime-median 0: give a number from 0 (excluded) to 1e9 seconds")


def test_scenario_check_refuses_what_run_would_refuse(tmp_path, capsys):
    typo = tmp_path / "typo.toml"
    typo.write_text('[scenario]\nstart = 2010-04-05\ndays = 3\n[pool]\nbuiltin = "pool_2010"\n'
                    '[[wave]]\nfrom = { redhat_versoin = "x" }\nto = { redhat_version = "y" }\n')
    message = one_line_error(capsys, ["scenario", "check", str(typo)])
    assert "line 7: wave[1].from.redhat_versoin: no slot of the start pool" in message
    sized = tmp_path / "sized.toml"
    sized.write_text('[scenario]\nstart = 2010-04-05\ndays = 3\n[pool]\nbuiltin = "pool_2010"\n'
                     'slots = 859\n')
    message = one_line_error(capsys, ["scenario", "check", str(sized)])
    assert "pool_2010 has exactly 861 slots" in message


def test_requirements_over_a_store_holds_the_ladder_of_the_oldest_snapshot(tmp_path, capsys):
    # As tribes simulate does: the reference is the desktop as it was on the first day,
    # even when most of the pool has moved to another kernel by the second.
    def slots(kernels):
        return "\n".join(f'MyType = "Machine"\nName = "slot1@n{i}"\nMachine = "n{i}"\n'
                         f'OpSys = "LINUX"\nArch = "X86_64"\nkernel_version = "{k}"\n'
                         "Memory = 4096\nDisk = 100000000\nHasFileTransfer = true\n"
                         'Start = true\nRequirements = START\n'
                         for i, k in enumerate(kernels))
    folder = str(tmp_path / "store")
    for day, kernels in (("2024-01-01", ["5.14.0-1", "5.14.0-1", "5.14.0-2"]),
                         ("2024-01-02", ["5.14.0-1", "5.14.0-2", "5.14.0-2"])):
        ads = tmp_path / f"{day}.ads"
        ads.write_text(slots(kernels))
        assert cli.main(["snapshot", "--pool", str(ads), "--store", folder, "--time", day]) == 0
    script = tmp_path / "run.sh"
    script.write_text("#!/bin/sh\necho hi\n")
    capsys.readouterr()
    argv = ["requirements", str(script), "--pool", folder, "--format", "json"]
    assert cli.main(argv) == 0
    kernel = [r for r in json.loads(capsys.readouterr().out)["pool"] if r["profile"] == "kernel"]
    assert [r["requirements"] for r in kernel] == ['TARGET.kernel_version == "5.14.0-1"'] * 2
    assert [r["matched"] for r in kernel] == [2, 1]


@pytest.mark.parametrize("command", [["simulate"], ["replay", "--pool", "s"],
                                     ["analyze", "--requirements", "true"],
                                     ["requirements", "prog"]])
def test_every_command_takes_both_spellings_of_the_job_template(command, capsys):
    parser = cli.build_parser()
    for flag, warned in (("--template", []), ("--job-template", ["--job-template is deprecated; "
                                                                  "use --template"])):
        args = parser.parse_args(command + [flag, "ospool"])
        assert args.template == "ospool"
        assert getattr(args, "deprecations", []) == warned
    with pytest.raises(SystemExit):
        parser.parse_args([command[0], "--help"])
    assert "--job-template" not in capsys.readouterr().out


def test_profiles_list_takes_a_trailing_comma_and_a_repeat(capsys):
    argv = ["simulate", "--profiles", "opsys,kernel,opsys,", "--format", "json"]
    assert cli.main(argv) == 0
    assert [r["profile"] for r in json.loads(capsys.readouterr().out)] == ["opsys", "kernel"]


def test_analyze_names_the_file_of_a_job_without_requirements(tmp_path, capsys):
    job = tmp_path / "noreq.ad"
    job.write_text('MyType = "Job"\nRequestCpus = 1\n')
    message = one_line_error(capsys, ["analyze", "--job", str(job)])
    assert message == f"tribes: error: {job}: ad 1 has no Requirements"


def test_report_grid_without_a_chart_is_one_line(capsys):
    message = one_line_error(capsys, ["report", "redhat_version", "glibc_version", "--grid"])
    assert "--grid draws a chart: give --plot" in message


# One wording per kind of error: FILE: no such file, DIR: no such folder.

@pytest.mark.parametrize("argv, message", [
    (["simulate", "--job", "{missing}"], "{missing}: no such file"),
    (["simulate", "--template", "{missing}"], "{missing}: no such file"),
    (["analyze", "--job", "{missing}"], "{missing}: no such file"),
    (["requirements", "{missing}"], "{missing}: no such file"),
    (["scenario", "check", "{missing}"], "{missing}: no such file"),
    (["report", "OpSys", "--pool", "{missing}"], "{missing}: no such file (a pool is a file, "
     "a store folder, pool_2010, modern[:slots=N,seed=S] or collector:HOST)"),
    (["cron-config", "--install", "{missing}"], "{missing}: no such folder"),
])
def test_a_missing_path_is_worded_alike_everywhere(tmp_path, capsys, argv, message):
    missing = str(tmp_path / "missing")
    argv = [a.format(missing=missing) for a in argv]
    assert one_line_error(capsys, argv) == "tribes: error: " + message.format(missing=missing)


def test_an_uncaught_os_error_is_worded_as_the_library_words_it(capsys, monkeypatch):
    def lost(args):
        raise FileNotFoundError(2, "No such file or directory", "gone.ads")

    def denied(args):
        raise PermissionError(13, "Permission denied", "locked.ads")

    parser = cli.build_parser()
    for func, message in ((lost, "gone.ads: no such file"),
                          (denied, "locked.ads: permission denied")):
        monkeypatch.setattr(cli.app, "build_parser", lambda: parser)
        parser.set_defaults(func=func)
        for sub in parser._subparsers._group_actions[0].choices.values():
            sub.set_defaults(func=func)
        assert one_line_error(capsys, ["simulate"]) == f"tribes: error: {message}"


def test_running_out_of_memory_is_one_line(capsys, monkeypatch):
    # A 5,000,000-slot scenario under a ulimit ended in pyarrow's ArrowMemoryError.
    import pyarrow as pa

    def bare(args):
        raise MemoryError()

    def arrow(args):
        raise pa.ArrowMemoryError("realloc of size 268435456 failed")

    parser = cli.build_parser()
    monkeypatch.setattr(cli.app, "build_parser", lambda: parser)
    for func, message in ((bare, "out of memory; free some, or ask for less"),
                          (arrow, "out of memory (realloc of size 268435456 failed); free "
                                  "some, or ask for less")):
        for sub in parser._subparsers._group_actions[0].choices.values():
            sub.set_defaults(func=func)
        assert one_line_error(capsys, ["simulate"]) == f"tribes: error: {message}"


# --- One grammar: help, --format, --version, deprecated spellings ---------------------------

def subcommand_parsers():
    """(name, parser) of every subcommand, scenario run and check included."""
    def children(parser):
        actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        return actions[0].choices if actions else {}

    out = []
    for name, parser in children(cli.build_parser()).items():
        out.append((name, parser))
        out += [(f"{name} {sub}", child) for sub, child in children(parser).items()]
    return out


def test_every_subcommand_has_a_description_and_examples_in_one_layout():
    names = [name for name, _ in subcommand_parsers()]
    assert {"scenario run", "scenario check"} <= set(names)
    for name, parser in subcommand_parsers():
        text = parser.format_help()
        description = parser.description.splitlines()
        assert description[0] and description[1] == "", name  # a summary line, then a gap
        assert "\nexamples:\n" in text, f"tribes {name} --help shows no examples"
        block = text.split("\nexamples:\n", 1)[1].split("\n\n", 1)[0].splitlines()
        assert all(line.startswith("  tribes ") or line.startswith("      ") for line in block)
        assert any(line.startswith(f"  tribes {name} ") or line == f"  tribes {name}"
                   for line in block), f"no example of tribes {name}"


def test_every_format_option_has_help_and_the_same_choices():
    for name, parser in subcommand_parsers():
        formats = [a for a in parser._actions if "--format" in a.option_strings]
        if name in ("cron-config", "scenario"):
            assert not formats
            continue
        (option,) = formats
        assert option.choices == ("table", "csv", "json") and option.help, name


def test_version_from_the_command_and_python_m_simulator(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out == f"tribes {cli.app.version()}\n"
    assert cli.app.version() == simulator.__version__  # setup.cfg names the same version
    done = subprocess.run([sys.executable, "-m", "simulator", "--version"], capture_output=True,
                          text=True, cwd=ROOT, check=True)
    assert done.stdout == f"tribes {simulator.__version__}\n"


REPLAY_SLOT = SLOT_AD + "Cpus = 1\nMemory = 2048\nStart = true\nRequirements = START\n"


@pytest.fixture
def tiny_store(tmp_path, capsys):
    """A store of two daily snapshots of a two-slot pool."""
    folder = tmp_path / "store"
    for day in ("2024-01-01", "2024-01-02"):
        ads = tmp_path / f"{day}.ads"
        ads.write_text(REPLAY_SLOT + "\n" + REPLAY_SLOT.replace("slot1@desk", "slot2@desk"))
        assert cli.main(["snapshot", "--pool", str(ads), "--store", str(folder),
                         "--time", day]) == 0
    capsys.readouterr()
    return folder


def result_commands(tmp_path, store):
    """A command line for every command that prints results, on small inputs."""
    toml = tmp_path / "s.toml"
    toml.write_text('[scenario]\nstart = 2010-04-05\ndays = 2\n[pool]\nbuiltin = "pool_2010"\n')
    script = tmp_path / "run.sh"
    script.write_text("#!/bin/sh\necho hi\n")
    return {
        "simulate": ["simulate", "--pool", str(store), "--profiles", "opsys"],
        "report": ["report", "OpSys", "--pool", str(store)],
        "snapshot": ["snapshot", "--pool", str(tmp_path / "2024-01-01.ads"),
                     "--store", str(tmp_path / "other"), "--replace"],
        "scenario check": ["scenario", "check", str(toml)],
        "scenario run": ["scenario", "run", str(toml), "--store", str(tmp_path / "s"),
                         "--replace"],
        "replay": ["replay", "--pool", str(store), "--profiles", "opsys", "--jobs", "20"],
        "analyze": ["analyze", "--requirements", "TARGET.Memory >= 1024", "--pool", str(store)],
        "requirements": ["requirements", str(script), "--pool", str(store)],
    }


def test_every_result_printing_command_prints_json_and_csv_of_the_same_columns(
        tmp_path, tiny_store, capsys):
    commands = result_commands(tmp_path, tiny_store)
    assert set(commands) == {name for name, parser in subcommand_parsers()
                             if any("--format" in a.option_strings for a in parser._actions)}
    for name, argv in commands.items():
        assert cli.main(argv + ["--format", "json"]) == 0, name
        captured = capsys.readouterr()
        data = json.loads(captured.out)
        assert captured.err == "", name
        assert cli.main(argv + ["--format", "csv"]) == 0, name
        rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
        assert rows, name
        records = data if isinstance(data, list) else [data]
        if name in ("analyze", "requirements", "report"):
            continue  # nested JSON: its CSV is the long form (see their --help)
        assert list(rows[0]) == list(records[0]), name
        assert len(rows) == len(records), name


def test_replay_json_and_csv_hold_the_columns_of_its_table(tiny_store, capsys):
    argv = ["replay", "--pool", str(tiny_store), "--profiles", "opsys", "--jobs", "20"]
    assert cli.main(argv) == 0
    head = capsys.readouterr().out.splitlines()[2]
    assert "evictions" in head
    assert cli.main(argv + ["--format", "json"]) == 0
    (record,) = json.loads(capsys.readouterr().out)
    assert "evictions" in record and len(record) == len(re.split(r"\s{2,}", head.strip()))
    for by in ([], ["--by", "day"]):
        assert cli.main(argv + by + ["--format", "csv"]) == 0
        header = capsys.readouterr().out.splitlines()[0].split(",")
        assert cli.main(argv + by + ["--format", "json"]) == 0
        assert header == list(json.loads(capsys.readouterr().out)[0])


DEPRECATED = [
    # (old command line, new command line, warning)
    (["replay", "--store", "{store}"], ["replay", "--pool", "{store}"],
     "--store is deprecated here; use --pool DIR"),
    (["simulate", "--store", "{store}"], ["simulate", "--pool", "{store}"],
     "--store is deprecated here; use --pool DIR"),
    (["simulate", "--job-template", "ospool"], ["simulate", "--template", "ospool"],
     "--job-template is deprecated; use --template"),
    (["replay", "--pool", "{store}", "--job-template", "ospool"],
     ["replay", "--pool", "{store}", "--template", "ospool"],
     "--job-template is deprecated; use --template"),
    (["snapshot", "--from", "{ads}", "--store", "{out}", "--replace"],
     ["snapshot", "--pool", "{ads}", "--store", "{out}", "--replace"],
     "--from is deprecated; use --pool FILE"),
]


@pytest.mark.parametrize("old, new, warning", DEPRECATED)
def test_old_spellings_work_for_a_release_with_a_warning(tmp_path, tiny_store, capsys,
                                                         old, new, warning):
    where = {"store": str(tiny_store), "ads": str(tmp_path / "2024-01-01.ads"),
             "out": str(tmp_path / "out")}
    extra = ["--profiles", "opsys", "--jobs", "20"] if old[0] == "replay" else []
    extra += ["--profiles", "opsys"] if old[0] == "simulate" else []
    outputs = []
    for argv in (old, new):
        assert cli.main([a.format(**where) for a in argv] + extra + ["--format", "json"]) == 0
        captured = capsys.readouterr()
        outputs.append((json.loads(captured.out), captured.err))
    (old_out, old_err), (new_out, new_err) = outputs
    assert old_err == f"tribes: warning: {warning}\n" and new_err == ""
    if old[0] == "replay":
        assert old_out == new_out
    if old[0] == "simulate":
        assert old_out == new_out


def test_snapshot_from_a_bare_host_still_queries_the_collector_with_a_warning(tmp_path, capsys,
                                                                            monkeypatch):
    from simulator.io import collector

    seen = []
    monkeypatch.setattr(collector, "read", lambda host, time=None: seen.append(host))
    parser = cli.build_parser()
    args = parser.parse_args(["snapshot", "--pool", "cm.example.org:9618", "--store", "s"])
    assert args.pool == "collector:cm.example.org:9618"
    assert args.deprecations == ["--pool HOST is deprecated; use --pool collector:HOST"]
    args = parser.parse_args(["snapshot", "--pool", "pool.ads.gz", "--store", "s"])
    assert args.pool == "pool.ads.gz" and not getattr(args, "deprecations", None)
    # A file that is not there is a missing file, not a host.
    missing = str(tmp_path / "pool.ads.gz")
    assert one_line_error(capsys, ["snapshot", "--pool", missing, "--store", "s"]).startswith(
        f"tribes: error: {missing}: no such file")
    assert not seen


def test_a_required_pool_is_a_usage_error(capsys):
    for argv in (["replay"], ["snapshot", "--store", "s"]):
        with pytest.raises(SystemExit) as exc:
            cli.main(argv)
        assert exc.value.code == 2
        assert capsys.readouterr().err.endswith(
            ": error: the following arguments are required: --pool\n")


@pytest.mark.parametrize("old", ["--store", "--job-template", "--from"])
def test_help_and_usage_errors_show_only_the_current_spellings(capsys, old):
    for name, parser in subcommand_parsers():
        if old == "--store" and name.split()[0] in ("scenario", "snapshot"):
            continue  # they write a store: --store DIR is their own option
        usage, options = parser.format_usage(), parser.format_help().split("\noptions:\n")[1]
        assert old not in usage + options, f"tribes {name} --help shows {old}"
    with pytest.raises(SystemExit):
        cli.main(["replay", "--pool", "s", "--template"])
    assert capsys.readouterr().err.endswith("error: argument --template: expected one argument\n")


def test_store_and_pool_together_are_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["simulate", "--pool", "a", "--store", "b"])
    assert exc.value.code == 2
    assert "not allowed with argument --pool" in capsys.readouterr().err


@pytest.mark.parametrize("name, label", [("replay", "tribes replay"),
                                         ("scenario run", "tribes scenario run"),
                                         ("report", "tribes report"),
                                         ("analyze", "tribes analyze"),
                                         ("requirements", "tribes requirements"),
                                         ("simulate", "tribes simulate")])
def test_long_commands_draw_a_bar_on_a_terminal_only(tmp_path, tiny_store, capsys, monkeypatch,
                                                     name, label):
    argv = result_commands(tmp_path, tiny_store)[name] + ["--format", "csv"]
    assert cli.main(argv) == 0
    assert label not in capsys.readouterr().err  # a log file: no bar
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert cli.main(argv + ["--quiet"]) == 0
    assert label not in capsys.readouterr().err
    assert cli.main(argv) == 0
    assert label in capsys.readouterr().err
