"""The slot-class matcher against the plain one-by-one evaluation: real ads, real requirements,
and the cases the analysis must refuse to group."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simulator import jobs as profiles
from simulator.io.readers import read_file
from simulator.match.plain import plain_match
from simulator.match.slot_classes import (
    clear_caches,
    fast_match,
    fast_sides,
    slot_classes,
    text_info,
)
from simulator.match.summary import plain_sides
from simulator.model.condor import parse_ads, parse_one
from simulator.model.snapshot import Snapshot

REAL = Path(__file__).resolve().parent / "fixtures" / "real-ads"

OSPOOL = "PelicanPlatform__classad__collections_vm_testdata_pool_sample.ads.gz"
MACHINE_FILES = [
    OSPOOL,
    "Rhymlore__htcondor-web__wiki-archive_files_313_n1620.slots5",
    "Rhymlore__htcondor-web__wiki-archive_files_881_machad",
    "Rhymlore__htcondor-web__wiki-archive_files_751_collector-status-any.txt",
    "Rhymlore__htcondor-web__wiki-archive_files_749_collector_condor_status.xml",
    "glideinWMS__glideinwms__unittests_cs.fixture@b1704428.xml",
    "htcondor__htcondor__src_condor_tests_StatusAds_basic4slot",
    "htcondor__htcondor__src_condor_tests_StatusAds_partionable8core",
    "htcondor__htcondor__src_condor_tests_StatusAds_small1slot",
    "htcondor__htcondor__src_condor_tests_cmd_status-af_orig_first_test.ads",
]
JOB_FILES = [
    "Rhymlore__htcondor-web__wiki-archive_files_880_jobad",
    "Rhymlore__htcondor-web__wiki-archive_files_804_39691901.0.out.txt",
    "Rhymlore__htcondor-web__wiki-archive_files_1034_startdhist",
    "mivade__htcondor_status__htcondor_status_sample_condor_q_output.json",
]


def real_requirements():
    lines = (REAL / "job_requirements.txt").read_text().splitlines()
    return [ln.split("  ## ")[0].strip() for ln in lines if ln.strip() and not ln.startswith("#")]


def real_jobs():
    jobs = []
    for name in JOB_FILES:
        jobs.extend(profiles.read_job_file(REAL / name)[:3])
    return jobs


@pytest.fixture(scope="module")
def pools():
    """Each real machine-ad file as a snapshot, with its slots rebuilt once as ClassAds
    exactly as plain_match rebuilds them (so the plain answers are cheap to repeat)."""
    out = []
    for name in MACHINE_FILES:
        snap = read_file(REAL / name)
        if len(snap):
            out.append((name, snap, list(snap.classads())))
    return out


def plain(slots, job):
    return np.array([bool(job.symmetricMatch(slot)) for slot in slots], dtype=bool)


def test_pools_are_real_and_varied(pools):
    assert len(pools) >= 8
    ospool = pools[0][1]
    assert len(ospool) == 143 and ospool.time_source == "MyCurrentTime"


def test_every_real_requirement_on_every_real_pool(pools):
    requirements = real_requirements()
    assert len(requirements) == 30
    templates = [profiles.load_template("plain"), profiles.load_template("ospool")]
    matched_somewhere = 0
    for name, snap, slots in pools:
        for template in templates:
            for text in requirements:
                job = profiles.with_requirements(template, text)
                want = plain(slots, job)
                got = fast_match(snap, job)
                assert got.dtype == bool and got.shape == want.shape
                assert (got == want).all(), (name, text)
                matched_somewhere += int(want.any())
    # the comparison means something only if many of them match some slots
    assert matched_somewhere >= 40


def test_real_job_ads_on_every_real_pool(pools):
    jobs = real_jobs()
    assert len(jobs) >= 4
    for name, snap, slots in pools:
        for job in jobs:
            assert (fast_match(snap, job) == plain(slots, job)).all(), name


def test_equals_plain_match_itself_on_the_ospool_sample(pools):
    _, snap, _ = pools[0]
    job = profiles.with_requirements(profiles.load_template("ospool"), real_requirements()[3])
    want = plain_match(snap, job)
    assert want.sum() > 0
    assert (fast_match(snap, job) == want).all()


def test_sides_equal_the_summary_sides(pools):
    _, snap, slots = pools[0]
    for text in real_requirements()[:8]:
        job = profiles.with_requirements(profiles.load_template("ospool"), text)
        job_ok, slot_ok = fast_sides(snap, job)
        want_job, want_slot = plain_sides(slots, job)
        assert (job_ok == want_job).all() and (slot_ok == want_slot).all()


def test_ospool_start_reads_the_clock_so_each_capture_time_is_its_own_class(pools):
    _, snap, _ = pools[0]
    job = profiles.with_requirements(profiles.load_template("ospool"), "true")
    classes = slot_classes(snap, job)
    assert classes.slot_side.reads_clock
    assert "mycurrenttime" in classes.slot_side.columns
    assert classes.job_side.n_classes == 1
    # distinct capture times per ad: the slot half cannot be grouped below them
    n_times = snap.ads["mycurrenttime"].nunique(dropna=False)
    assert classes.slot_side.n_classes >= n_times


# --- the analysis, case by case ---------------------------------------------------


def pool(*ads, time=1_700_000_000):
    return Snapshot.from_classads([parse_one(ad) for ad in ads], source="test", time=time)


def job_ad(text):
    return parse_one(text)


def check(snap, job):
    want = plain_match(snap, job)
    assert (fast_match(snap, job) == want).all()
    return want


def test_the_classes_are_few_and_found_by_the_texts_both_sides_reach():
    snap = pool(
        *[
            f'[OpSys = "LINUX"; Memory = {m}; Name = "s{i}"; Cpus = 1;'
            " START = TARGET.Owner =!= \"bad\"; Requirements = START && MY.Memory >= TARGET.Req]"
            for i, m in enumerate([1024, 2048, 1024, 2048, 4096] * 4)
        ]
    )
    job = job_ad('[Requirements = TARGET.OpSys == "LINUX"; Owner = "me"; Req = 2000]')
    classes = slot_classes(snap, job)
    assert classes.job_side.columns == ("opsys",)
    assert classes.slot_side.columns == ("memory", "requirements", "start")
    assert classes.job_side.n_classes == 1 and classes.slot_side.n_classes == 3
    assert check(snap, job).sum() == 12


def test_unscoped_name_the_job_lacks_is_read_from_the_slot_case_insensitively():
    snap = pool('[opsys = "LINUX"; Requirements = true]', '[OPSYS = "OSX"; Requirements = true]')
    job = job_ad('[Requirements = OpSys == "LINUX"]')
    assert slot_classes(snap, job).job_side.columns == ("opsys",)
    assert check(snap, job).tolist() == [True, False]


def test_unscoped_name_the_job_defines_is_the_jobs_own():
    snap = pool('[OpSys = "OSX"; Requirements = true]', '[OpSys = "LINUX"; Requirements = true]')
    job = job_ad('[Requirements = OpSys == "LINUX"; OpSys = "LINUX"]')
    assert slot_classes(snap, job).job_side.columns == ()
    assert check(snap, job).tolist() == [True, True]


def test_slot_name_missing_in_one_slot_falls_through_to_the_job():
    # Flag is the slot's where it has one, else the job's: presence is part of the key.
    snap = pool(
        "[Flag = false; Requirements = Flag]",
        "[Requirements = Flag]",
        "[Flag = false; Requirements = Flag]",
    )
    job = job_ad("[Requirements = true; Flag = true]")
    assert check(snap, job).tolist() == [False, True, False]


def test_nested_references_are_followed_through_both_ads():
    snap = pool(
        *[
            f"[Mem = {m}; Half = Mem / 2; Ok = TARGET.Need <= Half; Requirements = Ok]"
            for m in (100, 300, 100, 500)
        ]
    )
    job = job_ad("[Requirements = true; Need = Base + 50; Base = TARGET.Mem / 4]")
    classes = slot_classes(snap, job)
    assert classes.slot_side.columns == ("half", "mem", "ok", "requirements")
    # Need = Mem/4 + 50 against Half = Mem/2: only from Mem > 200
    assert check(snap, job).tolist() == [False, True, False, True]
    job2 = job_ad("[Requirements = true; Need = 160]")
    assert check(snap, job2).tolist() == [False, False, False, True]


def test_partitionable_within_resource_limits_reaches_cpus_memory_disk():
    snap = pool(
        *[
            f"[Cpus = {c}; Memory = {m}; Disk = {d}; START = true;"
            " WithinResourceLimits = MY.Cpus >= TARGET.RequestCpus &&"
            " MY.Memory >= TARGET.RequestMemory && MY.Disk >= TARGET.RequestDisk;"
            " Requirements = START && WithinResourceLimits]"
            for c, m, d in [(4, 8000, 100), (1, 8000, 100), (4, 500, 100), (4, 8000, 1)]
        ]
    )
    job = job_ad("[Requirements = true; RequestCpus = 2; RequestMemory = 1000; RequestDisk = 50]")
    cols = slot_classes(snap, job).slot_side.columns
    assert {"cpus", "memory", "disk", "withinresourcelimits"} <= set(cols)
    assert check(snap, job).tolist() == [True, False, False, False]


def test_time_in_start_is_frozen_per_ad_and_splits_classes():
    snap = pool(
        "[MyCurrentTime = 100; ToRetire = 150; Requirements = time() < ToRetire]",
        "[MyCurrentTime = 200; ToRetire = 150; Requirements = time() < ToRetire]",
        "[MyCurrentTime = 100; ToRetire = 150; Requirements = CurrentTime < ToRetire]",
        time=200,
    )
    job = job_ad("[Requirements = true]")
    side = slot_classes(snap, job).slot_side
    assert side.reads_clock and "mycurrenttime" in side.columns
    assert check(snap, job).tolist() == [True, False, True]


def test_answers_remembered_across_snapshots_respect_the_snapshot_time():
    ads = ["[ToRetire = 150; Requirements = time() < ToRetire]"] * 3
    job = job_ad("[Requirements = true]")
    assert check(pool(*ads, time=100), job).tolist() == [True] * 3
    assert check(pool(*ads, time=200), job).tolist() == [False] * 3


@pytest.mark.parametrize(
    "slot_req, job_req, reason",
    [
        ("random(10) < 5", "true", "random"),
        ("eval(\"X\") == 1", "true", "eval"),
        ("MY[Which] == 1", "true", "MY"),
        ("true", "TARGET[Which] == 1", "TARGET"),
        ("formatTime() != \"\"", "true", "wall clock"),
    ],
)
def test_what_cannot_be_bounded_is_evaluated_one_slot_at_a_time(slot_req, job_req, reason):
    snap = pool(
        *[f'[X = {i % 2}; Which = "X"; Requirements = {slot_req}]' for i in range(4)]
    )
    job = job_ad(f'[Requirements = {job_req}; X = 1; Which = "X"]')
    classes = slot_classes(snap, job)
    assert classes.fallback is not None and reason in classes.fallback
    if "random" not in slot_req:
        check(snap, job)


def test_text_info_finds_references_with_the_library():
    info = text_info('TARGET.Memory >= RequestMemory && stringListMember("x", MY.Tags)')
    assert info.refs == {("target", "memory"), ("", "requestmemory"), ("", "tags")}
    assert not info.reads_clock and info.unsafe is None
    # a call named inside a string literal is not a call
    assert text_info('regexp("random(1)", Name)').unsafe is None
    assert text_info("splitTime(X).Year > 1").unsafe is not None


def test_empty_pool_and_missing_requirements():
    empty = Snapshot.from_classads([], source="empty")
    job = job_ad("[Requirements = true]")
    assert fast_match(empty, job).shape == (0,)
    snap = pool('[OpSys = "LINUX"]', '[OpSys = "LINUX"; Requirements = true]')
    assert check(snap, job).tolist() == [False, True]
    assert check(snap, job_ad('[OpSys = "LINUX"]')).tolist() == [False, False]


def test_cache_follows_a_snapshot_whose_ads_are_replaced():
    snap = pool('[OpSys = "LINUX"; Requirements = true]', '[OpSys = "OSX"; Requirements = true]')
    job = job_ad('[Requirements = TARGET.OpSys == "LINUX"]')
    assert fast_match(snap, job).tolist() == [True, False]
    snap.ads = snap.ads.iloc[::-1].reset_index(drop=True)
    assert fast_match(snap, job).tolist() == [False, True]
    clear_caches()
    assert fast_match(snap, job).tolist() == [False, True]


def test_cells_may_be_nan_as_a_parquet_round_trip_can_leave_them():
    snap = pool('[A = 1; Requirements = true]', "[Requirements = true]")
    snap.ads = snap.ads.astype(object).where(snap.ads.notna(), np.nan)
    assert isinstance(snap.ads.loc[1, "a"], float)
    job = job_ad("[Requirements = TARGET.A =?= undefined]")
    assert fast_match(snap, job).tolist() == [False, True]


def test_parse_ads_pool_without_readers():
    # the contract path: parse_ads, keep Machine ads, Snapshot.from_classads
    text = (REAL / MACHINE_FILES[6]).read_text()
    ads = [ad for ad in parse_ads(text) if str(ad.get("MyType", "")).lower() == "machine"]
    snap = Snapshot.from_classads(ads, source="basic4slot")
    job = job_ad('[Requirements = TARGET.OpSys == "LINUX" && TARGET.Memory >= 100]')
    assert check(snap, job).sum() == len(snap) == 4


def test_factorizing_large_columns_by_shared_objects_equals_by_text():
    # The pointer pass of factorize runs from 10,000 cells: shared and unshared
    # equal texts, None and NaN must come out exactly as pd.factorize by text.
    from simulator.match.slot_classes.columns import factorize

    rng = np.random.default_rng(0)
    shared = np.array(['"LINUX"', '"OSX"', "1024"], dtype=object)
    cells = shared[rng.integers(0, 3, 30_000)]
    cells[::7] = None
    cells[::11] = np.nan
    cells[::13] = "".join(['"LI', 'NUX"'])  # equal text, another object
    codes, uniques = factorize(cells)
    want, _ = pd.factorize(cells, use_na_sentinel=True)
    texts = np.append(np.asarray(uniques, dtype=object), None)
    assert ((codes < 0) == (want < 0)).all()
    assert list(texts[codes][codes >= 0]) == list(cells[want >= 0])
    # same partition
    pairs = set(zip(codes.tolist(), want.tolist(), strict=True))
    assert len(pairs) == len(set(codes.tolist())) == len(set(want.tolist()))


def test_factorizing_columns_that_come_in_runs_equals_by_text():
    # Pools list a machine's slots together: factorize then works one cell per run.
    from simulator.match.slot_classes.columns import factorize

    rng = np.random.default_rng(1)
    shared = np.array(['"LINUX"', '"OSX"', "1024", None], dtype=object)
    cells = np.repeat(shared[rng.integers(0, 4, 2_000)], rng.integers(1, 40, 2_000))
    cells[5::97] = "".join(['"O', 'SX"'])  # equal text, another object, breaking runs
    cells[::101] = np.nan
    codes, uniques = factorize(cells)
    want, want_uniques = pd.factorize(cells, use_na_sentinel=True)
    assert len(codes) == len(cells) and len(uniques) == len(want_uniques)
    texts = np.append(np.asarray(uniques, dtype=object), None)
    assert ((codes < 0) == (want < 0)).all()
    assert list(texts[codes][codes >= 0]) == list(cells[want >= 0])
    pairs = set(zip(codes.tolist(), want.tolist(), strict=True))
    assert len(pairs) == len(set(codes.tolist())) == len(set(want.tolist()))


def test_texts_parsed_together_are_the_trees_parsed_one_by_one(pools):
    from simulator.match.slot_classes.evaluate import _trees
    from simulator.model.condor import ExprTree

    _, snap, _ = pools[0]
    texts = set()
    for col in ("start", "requirements", "memory", "disk", "glidein_toretire", "opsys"):
        texts |= {t for t in snap.ads[col].dropna().unique().tolist() if isinstance(t, str)}
    texts |= {"undefined", "error", '"a;b]"', "[a = 1; b = a]", "{1, 2}", "-1", "1.5e3"}
    trees = _trees(texts)
    assert len(trees) == len(texts) > 8
    for text in texts:
        assert trees[text] == ExprTree(text), text
        assert str(trees[text]) == str(ExprTree(text))
    # a text the library cannot parse fails as ExprTree(text) fails
    try:
        ExprTree("a &&")
    except Exception as exc:  # classad2's ClassAdException
        failure = type(exc)
    with pytest.raises(failure):
        _trees([*sorted(texts), "a &&"])


@pytest.fixture()
def forking(monkeypatch):
    """Evaluate every half of a match in two processes, however few its classes;
    counts the forks."""
    import os

    from simulator.match.slot_classes import evaluate

    forks = []
    real_fork = os.fork

    def fork():
        forks.append(1)
        return real_fork()

    monkeypatch.setattr(evaluate, "PARALLEL_MIN", 1)
    monkeypatch.setattr(evaluate, "_can_fork", lambda: True)
    monkeypatch.setattr(evaluate.os, "fork", fork)
    clear_caches()
    yield forks
    clear_caches()


def test_two_processes_give_the_plain_answers_on_real_pools(pools, forking):
    jobs = real_jobs() + [
        profiles.with_requirements(profiles.load_template("ospool"), text)
        for text in real_requirements()[:6]
    ]
    for name, snap, slots in pools:
        for job in jobs:
            clear_caches()
            job_ok, slot_ok = fast_sides(snap, job)
            want_job, want_slot = plain_sides(slots, job)
            assert (job_ok == want_job).all() and (slot_ok == want_slot).all(), name
    assert forking


def test_two_processes_on_a_generated_pool_with_the_ladder(forking):
    from simulator.pools import generate

    snap = generate("modern", slots=3_000, seed=3)
    rows = np.arange(0, len(snap), 7)
    sample = Snapshot(snap.ads.iloc[rows].reset_index(drop=True), snap.time, snap.time_source,
                      snap.source, {}, dict(snap.names))
    for profile in profiles.ladder(snap, profiles.load_template("plain")):
        got = fast_match(snap, profile.job)
        assert (got[rows] == plain_match(sample, profile.job)).all(), profile.name
    assert forking


def test_a_failed_child_is_redone_in_this_process(pools, forking, monkeypatch):
    import os

    from simulator.match.slot_classes import evaluate

    parent = os.getpid()
    real_run = evaluate._run

    def run(*args):
        if os.getpid() != parent:
            os._exit(3)  # the child dies before answering
        return real_run(*args)

    monkeypatch.setattr(evaluate, "_run", run)
    _, snap, slots = pools[0]
    job = profiles.with_requirements(profiles.load_template("ospool"), real_requirements()[3])
    job_ok, slot_ok = fast_sides(snap, job)
    want_job, want_slot = plain_sides(slots, job)
    assert (job_ok == want_job).all() and (slot_ok == want_slot).all()
    assert forking


def test_no_fork_while_other_threads_run():
    import threading

    from simulator.match.slot_classes import evaluate

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not evaluate._can_fork()
    finally:
        stop.set()
        thread.join()
