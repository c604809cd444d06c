"""tribes analyze: the steps of a Requirements, their counts, and the -better-analyze layout."""

import json
import re
from pathlib import Path

import numpy as np
import pytest

from simulator import cli
from simulator.analyses.clauses import analysis as analyze
from simulator.analyses.clauses.steps import Step, split_steps
from simulator.match.plain import plain_match
from simulator.model.condor import ClassAd, ExprTree
from simulator.model.errors import RequirementsError
from simulator.model.snapshot import Snapshot
from simulator.render import clauses as analysis_table

REAL = Path(__file__).resolve().parent / "fixtures" / "real-ads"
OSPOOL = REAL / "PelicanPlatform__classad__collections_vm_testdata_pool_sample.ads.gz"
BETTER = REAL / "fliphilipp__GlacierLakeDetectionICESat2__resource_analysis_slots-matching-test.txt"
needs_real = pytest.mark.skipif(not OSPOOL.exists(), reason="reference ads not available")


def _job(requirements, **attrs):
    ad = ClassAd({"ClusterId": 7, "ProcId": 1, "Owner": "alice", "User": "alice@ap",
                  "RequestMemory": 2048, "RequestDisk": 1000, **attrs})
    ad["Requirements"] = ExprTree(requirements)
    return ad


def _pool():
    slots = []
    rows = [
        ("LINUX", "X86_64", 4096, "2.17", "Unclaimed", None, "true"),
        ("LINUX", "X86_64", 1024, "2.17", "Unclaimed", None, "true"),
        ("LINUX", "INTEL", 8192, "2.5", "Claimed", "bob", "true"),
        ("LINUX", "X86_64", 8192, "2.34", "Claimed", "alice@ap", "true"),
        ("LINUX", "X86_64", 8192, "2.34", "Unclaimed", None, 'TARGET.Owner != "alice"'),
        ("OSX", "X86_64", 8192, None, "Unclaimed", None, "true"),
        ("LINUX", "X86_64", 16384, "2.28", "Claimed", "carol", "true"),
    ]
    for n, (opsys, arch, memory, glibc, state, owner, req) in enumerate(rows):
        ad = ClassAd({"Name": f"slot{n}@host", "OpSys": opsys, "Arch": arch, "Memory": memory,
                      "Disk": 10 ** 6, "State": state})
        if glibc:
            ad["glibc_base_version"] = glibc
        if owner:
            ad["RemoteUser"] = owner  # condor_q reads RemoteUser
        ad["Requirements"] = ExprTree(req)
        slots.append(ad)
    return Snapshot.from_classads(slots, source="small", time=1700000000)


# --- counts --------------------------------------------------------------------------


def test_counts_are_the_plain_evaluation_of_each_step():
    pool = _pool()
    job = _job('TARGET.OpSys == "LINUX" && (TARGET.Arch == "X86_64" || TARGET.Memory > 4096)'
               ' && versionGE(TARGET.glibc_base_version, "2.17") && TARGET.Memory >= RequestMemory')
    result = analyze.analyze(pool, job)
    slots = list(pool.classads())
    for step in result.steps:
        tree = ExprTree(step.text)
        plain = sum(tree.eval(job, slot) is True for slot in slots)
        assert result.matches[step.index] == plain, step.label()
        if step.op == "&&":
            both = sum(ExprTree(result.steps[step.left].text).eval(job, s) is True
                       and ExprTree(result.steps[step.right].text).eval(job, s) is True
                       for s in slots)
            assert result.matches[step.index] == both


def test_summary_splits_the_pool_as_the_matcher_does():
    pool = _pool()
    job = _job('TARGET.OpSys == "LINUX" && TARGET.Memory >= RequestMemory')
    result = analyze.analyze(pool, job)
    slots = list(pool.classads())
    job_side = np.array([s.matches(job) for s in slots])  # the job's Requirements hold
    matched = plain_match(pool, job)
    assert result.slots == 7
    assert result.rejected_by_job == int((~job_side).sum()) == 2  # OSX, 1024 MB
    assert result.rejected_by_slot == int((job_side & ~matched).sum()) == 1  # not alice's
    assert result.running_yours == 1  # claimed by alice@ap
    assert result.serving_others == 2  # bob, carol
    assert result.available == 1
    assert (result.running_yours + result.serving_others + result.available) == matched.sum()


def test_constant_steps_are_always_or_never_and_prune_their_peer():
    pool = _pool()
    job = _job("RequestMemory > 100 && TARGET.Memory >= 8192"
               " && (RequestDisk < 0 || TARGET.Memory < 10000)")
    result = analyze.analyze(pool, job)
    assert result.constant == {0: True, 3: False}
    # true && X is X, false || X is X: the constants and their operators are hidden.
    assert [result.label(i) for i in result.shown] == [
        "TARGET.Memory >= 8192", "TARGET.Memory < 10000", "[1] && [4]"]
    assert [result.matched_text(i) for i in result.shown] == ["5", "6", "4"]


def test_an_and_equal_to_one_side_is_hidden_with_its_looser_peer():
    pool = _pool()
    job = _job('TARGET.Arch == "X86_64" && TARGET.OpSys == "LINUX" && TARGET.Memory >= 8192')
    result = analyze.analyze(pool, job)
    counts = {result.label(i): result.matched_text(i) for i in result.shown}
    # Memory >= 8192 keeps 5 slots; every step below it that keeps as many hides.
    assert counts["TARGET.Memory >= 8192"] == "5"
    assert list(counts.values())[-1] == str(result.matches[-1])


# --- format, on the real OSPool sample with the real requirement ---------------------------


def _real_rows(text):
    block = text.split("reduces to these conditions:", 1)[1].split("\n\n\n", 1)[0]
    rows = []
    for line in block.splitlines():
        found = re.match(r"^\[(\d+)\]\s+(\d+)  (.*)$", line)
        if found:
            rows.append((int(found.group(1)), found.group(3)))
    return rows


@needs_real
def test_structure_of_the_real_better_analyze_output_is_reproduced():
    from simulator.io import sources

    text = BETTER.read_text()
    requirement = re.search(r"is\n\n    (.*?)\n\nJob", text, re.S).group(1)
    requirement = " ".join(line.strip() for line in requirement.splitlines())
    pool = sources.open_snapshots(str(OSPOOL))[0]
    assert len(pool) == 143 and pool.skipped  # only the Machine ads are slots
    job = _job(requirement, RequestDisk=2000000, RequestMemory=2000)
    result = analyze.analyze(pool, job)
    steps = result.steps
    for index, condition in _real_rows(text):
        step = steps[index]
        real_op = re.match(r"^\[(\d+)\] (&&|\|\|) \[(\d+)\]$", condition)
        if real_op is None:
            assert step.op is None and step.label() == condition
            continue
        # [8] shows as "[2] && [7]" where [3]..[6] were pruned: [2] is down [8]'s left chain.
        assert step.op == real_op.group(2) and step.right == int(real_op.group(3))
        chain, i = [], step.left
        while i >= 0:
            chain.append(i)
            i = steps[i].left if steps[i].op == "&&" else -1
        assert int(real_op.group(1)) in chain
    assert len(steps) == 19
    rendered = analysis_table.report(result, job)
    assert "         Slots\nStep    Matched  Condition\n-----  --------  ---------\n" in rendered
    assert "    RequestDisk = 2000000 (kb)\n    RequestMemory = 2000 (mb)" in rendered
    for index, count, label in re.findall(r"^\[(\d+)\]\s+(\d+)  (.*)$", rendered, re.M):
        assert result.matches[int(index)] == int(count)
        assert label == result.label(int(index))
    summary = analysis_table.summary(result)
    # condor_q 24.x's wording and counts (jobmatch.cpp): the 116 dynamic slots left out.
    assert re.match(r"^007\.001:  Run analysis summary ignoring user priority\.  "
                    r"Of 27 slots on 141 machines,\n"
                    r"  +\d+ slots are rejected by your job's requirements\n"
                    r"  +\d+ slots reject your job because of their own requirements\n"
                    r"(  +\d+ slots match but are serving other users\n)?"
                    r"  +\d+ slots match and are willing to run your job\n"
                    r"(  +\d+ slots would match if drained\n)?"
                    r"  \(116 dynamic slots left out, as condor_q leaves them\)"
                    r"(\n\nWhy: .*)?$", summary)
    assert (result.rejected_by_job + result.rejected_by_slot + result.running_yours
            + result.serving_others + result.available + result.available_if_drained) == 27
    assert result.slots + result.dynamic_skipped == 143


def test_table_lines_have_condor_q_columns():
    result = analyze.analyze(_pool(), _job('TARGET.OpSys == "LINUX" && TARGET.Memory >= 4096'))
    lines = analysis_table.table(result).splitlines()
    # "[0]       43986  HAS_SINGULARITY == true": step in 5, count right-aligned in 10.
    real = "[0]       43986  HAS_SINGULARITY == true"
    for line in lines[3:]:
        assert line[5:15].strip().isdigit() and line[15:17] == "  "
    assert real[5:15].strip() == "43986"


# --- the command -------------------------------------------------------------------------


def _write_pool(tmp_path):
    path = tmp_path / "pool.ads"
    path.write_text("\n\n".join(ad.printOld() for ad in _pool().classads()) + "\n")
    return path


def test_cli_table_and_json(tmp_path, capsys):
    pool = _write_pool(tmp_path)
    expr = 'TARGET.OpSys == "LINUX" && TARGET.Memory >= 4096'
    assert cli.main(["analyze", "--as-written", "--requirements", expr, "--pool", str(pool)]) == 0
    out = capsys.readouterr().out
    assert "Step    Matched  Condition" in out
    assert "slots match and are willing to run your job" in out
    assert cli.main(["analyze", "--as-written", "--requirements", expr, "--pool", str(pool),
                     "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert records[0]["slots"] == 7
    assert [s["condition"] for s in records[0]["steps"]] == [
        'TARGET.OpSys == "LINUX"', "TARGET.Memory >= 4096", "[0] && [1]"]


def test_cli_job_file_and_errors(tmp_path, capsys):
    pool = _write_pool(tmp_path)
    job = tmp_path / "job.ad"
    job.write_text('ClusterId = 3\nProcId = 0\nOwner = "alice"\nRequestMemory = 8000\n'
                   'Requirements = TARGET.Memory >= RequestMemory && TARGET.Arch == "X86_64"\n')
    assert cli.main(["analyze", "--job", str(job), "--pool", str(pool)]) == 0
    out = capsys.readouterr().out
    assert "Job 003.000 defines the following attributes:" in out
    assert "RequestMemory = 8000 (mb)" in out
    assert cli.main(["analyze", "--requirements", "a && (", "--pool", str(pool)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("tribes: error:") and len(err.strip().splitlines()) == 1


def test_cli_over_a_store_gives_one_column_per_snapshot(tmp_path, capsys):
    from simulator.io import store

    first = _pool()
    second = Snapshot.from_classads(list(first.classads())[:4], source="small", time=1700086400)
    folder = tmp_path / "store"
    store.save(first, folder)
    store.save(second, folder)
    assert cli.main(["analyze", "--as-written", "--requirements",
                     "TARGET.Memory >= 4096 && TARGET.Arch == "
                     '"X86_64"', "--pool", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "2023-11-14 22:13" in out and "2023-11-15 22:13" in out
    row = next(line for line in out.splitlines() if line.startswith("[0]"))
    assert row.split()[1:3] == ["6", "3"]  # Memory >= 4096: 6 slots, then 3 of the first 4


def test_a_wrong_split_is_caught_by_evaluation():
    # "a || b && c" cut at && would claim (a || b) && c; on a slot with a true and c
    # false the whole expression holds while its supposed right operand does not.
    steps = [Step(0, "a || b"), Step(1, "c"),
             Step(2, "a || b && c", "&&", 0, 1)]
    slot = ClassAd({"a": True, "b": False, "c": False})
    per_slot = [np.array([ExprTree(s.text).eval(slot) is True]) for s in steps]
    with pytest.raises(RequirementsError, match="split wrongly"):
        analyze._check_split(steps, per_slot)
    good = split_steps("a || b && c")
    analyze._check_split(good, [np.array([ExprTree(s.text).eval(slot) is True]) for s in good])


def test_time_is_frozen_at_each_slots_capture():
    ads = []
    for n, (now, retire) in enumerate([(1000, 1500), (2000, 1500), (1000, 900)]):
        ads.append(ClassAd({"Name": f"s{n}", "MyCurrentTime": now, "GLIDEIN_ToRetire": retire,
                            "TimeLeft": ExprTree("GLIDEIN_ToRetire - time()"),
                            "Requirements": True}))
    pool = Snapshot.from_classads(ads, source="clock", time=2000)
    result = analyze.analyze(pool, _job("TARGET.TimeLeft > 0 && time() >= 2000"))
    # s0 is seen at its own time 1000 (500 s left); s1 and s2 are past retirement.
    assert result.matches == [1, None, 1]
    assert result.constant == {1: True}
    assert "time() >= 2000" in result.requirements


def _real_requirements():
    path = REAL / "job_requirements.txt"
    lines = path.read_text().splitlines() if path.exists() else []
    return [line.split("  ## source:")[0].strip() for line in lines
            if line.strip() and not line.startswith("#")]


@needs_real
def test_the_30_real_requirements_split_and_count_on_the_ospool_sample():
    from simulator.io import sources
    from simulator.jobs import load_template, with_requirements

    texts = _real_requirements()
    assert len(texts) == 30
    pool = sources.open_snapshots(str(OSPOOL))[0]
    template = load_template("ospool")
    for text in texts:
        job = with_requirements(template, text)
        result = analyze.analyze(pool, job)  # checks every split against evaluation
        leaves = [s for s in result.steps if s.op is None]
        assert all(ExprTree(s.text) is not None for s in leaves)
        assert (result.rejected_by_job + result.rejected_by_slot + result.running_yours
                + result.serving_others + result.available
                + result.available_if_drained) == result.slots
        assert result.slots + result.dynamic_skipped == len(pool)
    # The precedence trap: || at the root, with the && nested on its right.
    trap = split_steps(texts[18])
    assert trap[-1].op == "||" and trap[-2].op == "&&"


def test_cli_over_many_snapshots_gives_one_row_per_snapshot(tmp_path, capsys):
    from simulator.io import store

    ads = list(_pool().classads())
    folder = tmp_path / "store"
    for day in range(9):  # one slot fewer each day
        store.save(Snapshot.from_classads(ads[: 7 - day % 7], source="small",
                                          time=1700000000 + 86400 * day), folder)
    assert cli.main(["analyze", "--as-written", "--requirements", "TARGET.Memory >= 4096", "--pool",
                     str(folder)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["[0]", "TARGET.Memory", ">=", "4096"]
    rows = [line.split() for line in lines if line.startswith("2023-")]
    assert len(rows) == 9
    assert rows[0][0] == "2023-11-14T22:13:20Z" and rows[0][1:3] == ["6", "7"]
    assert [int(r[2]) for r in rows] == [7 - d % 7 for d in range(9)]
