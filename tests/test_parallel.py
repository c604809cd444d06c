"""Many snapshots: tasks per (snapshot, profile block), here or on a Dask LocalCluster, give
the single-process frame."""

import io
import sys
from contextlib import redirect_stdout

import pandas as pd
import pytest

from simulator import cli
from simulator import jobs as profiles
from simulator.analyses import rates_dask as parallel
from simulator.analyses.rates import simulate
from simulator.io import store
from simulator.pools import generate

DAY = 86_400


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    """Three daily snapshots of a small modern pool that changes from day to day."""
    folder = tmp_path_factory.mktemp("store")
    for day in range(3):
        snap = generate("modern", slots=300, seed=day + 1)
        snap.time = snap.time + day * DAY
        snap.ads["mycurrenttime"] = str(snap.time)
        store.save(snap, folder)
    return folder


@pytest.fixture(scope="module")
def ladder(year):
    first = parallel.load(store.list_store(year)[0])
    return profiles.ladder(first, profiles.load_template("plain"))


def single_process(folder, chosen):
    return simulate([store.load(p) for p in store.list_store(folder)], chosen)


def test_store_tasks_here_equal_one_simulate(year, ladder):
    want = single_process(year, ladder)
    assert len(want) == 3 * len(ladder) and want["matching_slots"].sum() > 0
    got = parallel.simulate_store(store.list_store(year), ladder, block=3, progress=False)
    pd.testing.assert_frame_equal(got, want)
    assert got.attrs["warnings"] == want.attrs["warnings"]


def test_dask_local_cluster_with_two_workers_equals_one_simulate(year, ladder):
    want = single_process(year, ladder)
    with parallel.connect(workers=2, processes=False) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        got = parallel.simulate_store(
            store.list_store(year), ladder, client=client, block=2, progress=False
        )
    pd.testing.assert_frame_equal(got, want)


def test_blocks_cover_every_profile_once(ladder):
    cut = parallel.blocks(ladder, 3)
    assert [p.name for b in cut for p in b] == [p.name for p in ladder]
    assert all(len(b) <= 3 for b in cut)
    assert len(parallel.blocks(ladder, None)) == 1


def test_header_reads_the_time_without_the_table(year):
    path = store.list_store(year)[1]
    head, full = parallel.header(path), store.load(path)
    assert (head.time, head.source, head.time_source) == (full.time, full.source, full.time_source)
    assert len(head) == 0


def run_cli(argv):
    out = io.StringIO()
    with redirect_stdout(out):
        code = cli.main(argv)
    return code, out.getvalue()


def test_cli_store_equals_the_pool_folder_run(year, ladder):
    code, by_store = run_cli(["simulate", "--store", str(year), "--quiet", "--format", "csv"])
    assert code == 0
    code, by_pool = run_cli(["simulate", "--pool", str(year), "--format", "csv"])
    assert code == 0
    assert by_store == by_pool
    assert len(by_store.splitlines()) == 1 + 3 * len(ladder)


def test_cli_progress_bar_goes_to_stderr_and_quiet_silences_it(year, capsys, monkeypatch):
    # Not a terminal (a log file): no bar, so no carriage-return frames in the log.
    assert cli.main(["simulate", "--pool", str(year), "--format", "csv"]) == 0
    assert "tribes simulate" not in capsys.readouterr().err
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert cli.main(["simulate", "--pool", str(year), "--format", "csv"]) == 0
    assert "tribes simulate" in capsys.readouterr().err
    assert cli.main(["simulate", "--pool", str(year), "--format", "csv", "--quiet"]) == 0
    assert "tribes simulate" not in capsys.readouterr().err


def test_dask_without_snapshot_files_is_a_clear_error(capsys):
    assert cli.main(["simulate", "--pool", "pool_2010", "--dask"]) == 1
    assert "--pool DIR" in capsys.readouterr().err
