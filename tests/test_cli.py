import json
import re
from pathlib import Path

import pytest

from simulator import cli
from simulator.data import SCENARIOS


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
    argv = ["snapshot", "--from", str(ads), "--time", "2010-01-27", "--store", str(ads)]
    assert "a file, not a store folder" in one_line_error(capsys, argv)
    toml = SCENARIOS / "rhel4_to_rhel5.toml"
    scenario = ["scenario", "run", str(toml), "--store", str(ads)]
    assert "a file, not a store folder" in one_line_error(capsys, scenario)
    assert ads.read_text() == SLOT_AD
    assert "a file, not a store folder" in one_line_error(capsys, ["simulate", "--store", str(ads)])
    assert "a file, not a store folder" in one_line_error(capsys, ["replay", "--store", str(ads)])
    missing = str(tmp_path / "nowhere")
    assert "no such folder" in one_line_error(capsys, ["simulate", "--store", missing])
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
        assert cli.main(["snapshot", "--from", str(ads), "--store", folder, "--time", day]) == 0
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
                 ["snapshot", "--from", str(ads), "--store", str(tmp_path / "store")]):
        message = one_line_error(capsys, argv + ["--time", "yesterday"])
        assert "--time 'yesterday': not a time" in message
    assert not (tmp_path / "store").exists()


def test_replay_refuses_a_zero_runtime_median(tmp_path, capsys):
    ads = tmp_path / "desk.ads"
    ads.write_text(SLOT_AD + "Cpus = 1\nMemory = 2048\nStart = true\nRequirements = START\n")
    folder = str(tmp_path / "store")
    snapshot = ["snapshot", "--from", str(ads), "--store", folder, "--time", "2024-01-01"]
    assert cli.main(snapshot) == 0
    capsys.readouterr()
    argv = ["replay", "--store", folder, "--profiles", "opsys", "--runtime-median", "0"]
    assert "--runtime-median must be positive" in one_line_error(capsys, argv)


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
        assert cli.main(["snapshot", "--from", str(ads), "--store", folder, "--time", day]) == 0
    script = tmp_path / "run.sh"
    script.write_text("#!/bin/sh\necho hi\n")
    capsys.readouterr()
    argv = ["requirements", str(script), "--pool", folder, "--format", "json"]
    assert cli.main(argv) == 0
    kernel = [r for r in json.loads(capsys.readouterr().out)["pool"] if r["profile"] == "kernel"]
    assert [r["requirements"] for r in kernel] == ['TARGET.kernel_version == "5.14.0-1"'] * 2
    assert [r["matched"] for r in kernel] == [2, 1]


@pytest.mark.parametrize("command", [["simulate"], ["replay", "--store", "s"],
                                     ["analyze", "--requirements", "true"],
                                     ["requirements", "prog"]])
def test_every_command_takes_both_spellings_of_the_job_template(command):
    parser = cli.build_parser()
    for flag in ("--template", "--job-template"):
        args = vars(parser.parse_args(command + [flag, "ospool"]))
        assert args.get("template", args.get("job_template")) == "ospool"


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
