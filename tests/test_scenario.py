"""Scenario files: adoption curves, machines moving whole, churn, exact cells, errors."""

import json
import re

import numpy as np
import pandas as pd
import pytest

from simulator.analyses.scenario import (
    DAY,
    ScenarioError,
    adoption_at,
    generate,
    load_scenario,
    parse_scenario,
    run_scenario,
)
from simulator.cli import main
from simulator.data import SCENARIOS
from simulator.io import store
from simulator.model.condor import ExprTree
from simulator.model.snapshot import Snapshot

SCENARIOS = SCENARIOS
R4 = "Red Hat Enterprise Linux AS release 4 (Nahant Update 7)"
R5 = "Red Hat Enterprise Linux Server release 5.4 (Tikanga)"
START = 1270425600  # 2010-04-05T00:00:00Z


def small_pool(machines=400, slots=2, rhel4=None):
    """``machines`` machines of ``slots`` slots; the first ``rhel4`` run RHEL 4."""
    rhel4 = machines if rhel4 is None else rhel4
    m = np.repeat(np.arange(machines), slots)
    s = np.tile(np.arange(1, slots + 1), machines)
    old = m < rhel4
    ads = pd.DataFrame({
        "name": [f'"slot{s[k]}@m{m[k]}.nd.edu"' for k in range(len(m))],
        "machine": [f'"m{j}.nd.edu"' for j in m],
        "opsys": '"LINUX"',
        "redhat_version": np.where(old, f'"{R4}"', f'"{R5}"'),
        "kernel_version": np.where(old, '"2.6.9-78.0.13.ELsmp"', '"2.6.18-164.9.1.el5"'),
        "opsysmajorver": np.where(old, "4", "5"),
        "cpus": "1",
        "mycurrenttime": "1270400000",
    }).astype(object)
    names = {"opsysmajorver": "OpSysMajorVer", "redhat_version": "redhat_version"}
    return Snapshot(ads=ads, time=START, time_source="test", source="small", names=names)


HEAD = """
[scenario]
start = 2010-04-05
days = {days}
seed = 3
[pool]
snapshot = "pool.parquet"
"""


def scenario_text(body, days=30):
    return HEAD.format(days=days) + body


def machine_values(snapshot, col):
    """{machine: set of the col's cells over its slots}."""
    return snapshot.ads.groupby("machine")[col].agg(lambda c: frozenset(c)).to_dict()


MIGRATION = f"""
[[wave]]
start = 2010-04-05
adoption = [[2010-04-15, 0.3], [2010-04-25, 0.5], [2010-05-03, 1.0]]
from = {{ redhat_version = "{R4}" }}
[wave.to]
redhat_version = "{R5}"
OpSysMajorVer = 5
kernel_version = "2.6.18-164.15.1.el5"
glibc_base_version = "2.5"
"""


def test_logistic_ramp_goes_through_its_points_and_moves_whole_machines():
    scenario = parse_scenario(scenario_text(MIGRATION))
    snaps = list(generate(scenario, small_pool(machines=3000, slots=2)))
    assert [s.time for s in snaps] == [START + d * DAY for d in range(30)]
    wave = scenario.waves[0]
    for when, fraction in wave.points:
        assert adoption_at(wave, when) == pytest.approx(fraction)
    moved = [(s.ads["opsysmajorver"] == "5").mean() for s in snaps]
    assert moved[0] == 0.0
    assert moved[10] == pytest.approx(0.3, abs=0.03)  # 2010-04-15
    assert moved[20] == pytest.approx(0.5, abs=0.03)  # 2010-04-25
    assert moved[28] == 1.0  # 2010-05-03
    assert (np.diff(moved) >= 0).all()
    # An S: slow start, fastest around the middle.
    steps = np.diff(moved)
    assert steps[:3].sum() < steps[12:15].sum()
    # All slots of a machine agree on every attribute the wave sets, every day.
    for snap in snaps[::7]:
        for col in ("redhat_version", "kernel_version", "opsysmajorver", "glibc_base_version"):
            assert all(len(v) == 1 for v in machine_values(snap, col).values())


def test_cells_are_the_unparsers_text_and_evaluate():
    scenario = parse_scenario(scenario_text(MIGRATION, days=30))
    last = list(generate(scenario, small_pool(machines=50)))[-1]
    for col in ("redhat_version", "opsysmajorver", "kernel_version", "glibc_base_version"):
        for cell in last.ads[col].dropna().unique():
            assert cell == str(ExprTree(cell))
    assert set(last.values("OpSysMajorVer")) == {5}
    assert set(last.values("glibc_base_version")) == {"2.5"}
    assert last.display_name("glibc_base_version") == "glibc_base_version"
    assert set(last.ads["mycurrenttime"]) == {str(last.time)}


def test_lag_spreads_an_update_over_weeks_and_a_last_fraction_leaves_a_tail():
    body = f"""
[[wave]]
lag_days = 5
from = {{ redhat_version = "{R5}" }}
to = {{ kernel_version = "2.6.18-164.15.1.el5" }}
[[wave]]
adoption = [[2010-04-10, 0.4]]
from = {{ redhat_version = "{R4}" }}
to = {{ redhat_version = "{R5}" }}
"""
    pool = small_pool(machines=4000, slots=1, rhel4=2000)
    snaps = list(generate(parse_scenario(scenario_text(body, days=20)), pool))
    # Among the machines on 5.4 from the start (m2000 … m3999):
    first_r5 = [s.ads["machine"].str[2:-8].astype(int) >= 2000 for s in snaps]
    new_kernel = [(snaps[d].ads["kernel_version"][first_r5[d]] == '"2.6.18-164.15.1.el5"').mean()
                  for d in range(len(snaps))]
    # Exponential lag with a 5-day mean: 1 - exp(-d / 5) of the machines by day d.
    for day in (2, 5, 10):
        assert new_kernel[day] == pytest.approx(1 - np.exp(-day / 5), abs=0.04)
    # 40 % of the RHEL 4 machines ever move; the rest stay (and keep their kernel).
    moved = (snaps[-1].ads["redhat_version"] == f'"{R5}"').sum() - 2000
    assert moved == pytest.approx(800, abs=80)
    stayed = snaps[-1].ads[snaps[-1].ads["redhat_version"] == f'"{R4}"']
    assert set(stayed["kernel_version"]) == {'"2.6.9-78.0.13.ELsmp"'}


def test_machines_join_and_leave():
    body = f"""
[churn]
join_per_day = 2
leave_per_day = 1
join_like = {{ redhat_version = "{R5}" }}
join_set = {{ kernel_version = "2.6.18-164.15.1.el5" }}
[[event]]
date = 2010-04-10
leave = 20
where = {{ redhat_version = "{R4}" }}
[[event]]
date = 2010-04-12
join = 5
like = {{ redhat_version = "{R4}" }}
"""
    pool = small_pool(machines=100, slots=4, rhel4=50)
    snaps = list(generate(parse_scenario(scenario_text(body, days=15)), pool))
    machines = [s.ads["machine"].nunique() for s in snaps]
    rhel4 = [s.ads.loc[s.ads.redhat_version == f'"{R4}"', "machine"].nunique() for s in snaps]
    assert machines[0] == 100
    assert rhel4[5] <= rhel4[4] - 20  # the dated leave (random leavers may add to it)
    assert rhel4[7] >= rhel4[6] + 5 - 3  # five RHEL 4 clones arrive on the 12th
    last = snaps[-1].ads
    assert last["name"].is_unique
    joined = last[last["machine"].str.startswith('"join')]
    assert len(joined) % 4 == 0 and len(joined) > 0  # whole machines, all their slots
    random_joiners = joined[joined["redhat_version"] == f'"{R5}"']
    assert set(random_joiners["kernel_version"]) == {'"2.6.18-164.15.1.el5"'}
    hosts = joined["name"].str.split("@").str[1].str.rstrip('"')
    assert (hosts == joined["machine"].str.strip('"')).all()


def test_same_seed_same_series():
    text = scenario_text(MIGRATION + "[churn]\njoin_per_day = 1\nleave_per_day = 1\n", days=10)
    a = [s.ads for s in generate(parse_scenario(text), small_pool(machines=60))]
    b = [s.ads for s in generate(parse_scenario(text), small_pool(machines=60))]
    c = [s.ads for s in generate(parse_scenario(text.replace("seed = 3", "seed = 4")),
                                 small_pool(machines=60))]
    assert all(a[d].equals(b[d]) for d in range(10))
    assert not all(a[d].equals(c[d]) for d in range(10))


BAD = [
    ("[scenario]\nstart = 2010-04-05\ndays = 3\n[pool]\nbuiltin = \"pool_2010\"\n"
     "[[wave]]\nfrom = {}\nto = {}\n", r"line 8: wave\[1\]\.to: sets no attribute"),
    ("[scenario]\nstart = 2010-04-05\ndays = 3\n[pool]\nbuiltin = \"pool_2010\"\n[[wave]]\n"
     "from = {}\nto = {a = 1}\n[[wave]]\nfrom = {}\nto = {b = 2}\n"
     "adoption = [[2010-04-09, 0.5], [2010-04-08, 0.9]]\n",
     r"line 12: wave\[2\]\.adoption: point 2: dates must come after"),
    ("[scenario]\nstart = 2010-04-05\ndays = 3\n[pool]\nbuiltin = \"pool_2010\"\n[[wave]]\n"
     "from = {}\nto = {a = 1}\nadoption = [[2010-04-09, 0.5], [2010-04-10, 0.4]]\n",
     r"line 9: wave\[1\]\.adoption: point 2: fractions must grow"),
    ("[scenario]\nstart = 2010-04-05\ndays = 3\n[pool]\nbuiltin = \"pool_2010\"\n[churn]\n"
     "join_per_dya = 1\n", r"line 7: churn\.join_per_dya: unknown key"),
    ("[scenario]\nstart = 2010-04-05\ndays = -3\n[pool]\nbuiltin = \"pool_2010\"\n",
     r"line 3: scenario\.days: -3: give a whole number from 1 to 3660"),
    ("[scenario]\nstart = \"April\"\ndays = 3\n[pool]\nbuiltin = \"pool_2010\"\n",
     r"line 2: scenario\.start: must be a date"),
    ("[scenario]\nstart = 2010-04-05\ndays = 3\n[pool]\n", r"pool: give exactly one of"),
    ("[scenario]\nstart = 2010-04-05\ndays = 3\n[pool]\nbuiltin = \"pool_2010\"\n[[wave]]\n"
     "from = {x = [1, 2]}\nto = {y = [1]}\n",
     r"line 8: wave\[1\]\.to\.y: must be a string, number or boolean"),
    ("[scenario]\nstart = 2010-04-05\ndays = 3\n[pool]\nbuiltin = \"pool_2010\"\n[[event]]\n"
     "date = 2010-06-01\nleave = 1\n", r"line 7: event\[1\]\.date: comes after the scenario"),
    ("[scenario]\nstart = 2010-04-05\ndays = 3\nseed = 1\nseed = 2\n",
     r"not valid TOML: .*line 5"),
]


@pytest.mark.parametrize("text, message", BAD)
def test_bad_scenario_is_one_line_naming_key_and_line(text, message):
    with pytest.raises(ScenarioError, match=message) as info:
        parse_scenario(text, "bad.toml")
    assert str(info.value).startswith("bad.toml: ")
    assert "\n" not in str(info.value)


def write_pool(tmp_path, pool):
    store.write(pool, tmp_path / "pool.parquet")


def test_nothing_written_when_a_scenario_fails(tmp_path, capsys):
    write_pool(tmp_path, small_pool(machines=20))
    # The typo is only found against the pool (no slot has redhat_versoin).
    path = tmp_path / "typo.toml"
    path.write_text(scenario_text('[[wave]]\nfrom = { redhat_versoin = "x" }\nto = { a = 1 }\n'))
    target = tmp_path / "out" / "store"
    assert main(["scenario", "run", str(path), "--store", str(target)]) == 1
    err = capsys.readouterr().err
    assert re.fullmatch(r"tribes: error: .*typo\.toml: line 9: "
                        r"wave\[1\]\.from\.redhat_versoin: no slot of the start pool .*\n", err)
    assert not (tmp_path / "out").exists()


def test_run_writes_one_snapshot_per_day_and_keeps_an_existing_store(tmp_path, capsys):
    write_pool(tmp_path, small_pool(machines=20))
    path = tmp_path / "s.toml"
    path.write_text(scenario_text(MIGRATION, days=4))
    target = tmp_path / "store"
    assert main(["scenario", "run", str(path), "--store", str(target)]) == 0
    files = store.list_store(target)
    assert [f.name for f in files] == [f"snapshot-2010040{d}T000000Z.parquet" for d in (5, 6, 7, 8)]
    assert [store.load(f).time for f in files] == [START + d * DAY for d in range(4)]
    assert "wrote 4 daily snapshots" in capsys.readouterr().out
    before = [f.stat().st_mtime_ns for f in files]
    assert main(["scenario", "run", str(path), "--store", str(target)]) == 1
    assert "already holds 4 snapshots" in capsys.readouterr().err
    assert [f.stat().st_mtime_ns for f in files] == before
    scenario = load_scenario(path)
    assert len(run_scenario(scenario, target, replace=True)) == 4
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".store.tmp")]


def test_shipped_scenarios_are_valid():
    for path in sorted(SCENARIOS.glob("*.toml")):
        scenario = load_scenario(path)
        assert scenario.waves and scenario.days >= 30
    rhel = load_scenario(SCENARIOS / "rhel4_to_rhel5.toml")
    assert rhel.pool == "pool_2010"
    modern = load_scenario(SCENARIOS / "el8_to_el9_el10.toml")
    assert modern.pool == "modern"


def test_seed_scenario_with_simulate_over_its_store(tmp_path, capsys):
    # The RHEL 4 to 5.4 scenario, cut to a week, on the built-in 2010 pool; then
    # tribes simulate reads the store and the exact-kernel profile loses slots daily.
    text = (SCENARIOS / "rhel4_to_rhel5.toml").read_text()
    text = text.replace("days = 45", "days = 7").replace("2010-05-01", "2010-04-06")
    path = tmp_path / "week.toml"
    path.write_text(text)
    target = tmp_path / "store"
    assert main(["scenario", "run", str(path), "--store", str(target)]) == 0
    assert len(store.load(store.list_store(target)[0])) == 861
    capsys.readouterr()
    assert main(["simulate", "--pool", str(target), "--profiles", "opsys,kernel",
                 "--format", "json", "--as-written"]) == 0
    records = json.loads(capsys.readouterr().out)
    kernel = [r["matching_slots"] for r in records if r["profile"] == "kernel"]
    opsys = [r["matching_slots"] for r in records if r["profile"] == "opsys"]
    assert len(kernel) == 7 and kernel[0] == 342
    assert kernel[-1] < kernel[0] * 0.7
    linux = [int((store.load(f).ads["opsys"] == '"LINUX"').sum()) for f in store.list_store(target)]
    assert opsys == linux


def test_joiners_get_new_host_names_only_where_the_host_is_named():
    ads = pd.DataFrame({
        "name": ['"slot1@m1"', '"slot2@m1"'],
        "machine": ['"m1"', '"m1"'],
        "startdipaddr": ['"<10.0.0.1:9618?alias=m1>"'] * 2,
        "note": ['"m10 and m1x are not m1"'] * 2,
    }).astype(object)
    pool = Snapshot(ads=ads, time=START, time_source="test", source="tiny")
    body = "[[event]]\ndate = 2010-04-06\njoin = 1\n"
    last = list(generate(parse_scenario(scenario_text(body, days=2)), pool))[-1].ads
    new = last[last["machine"] == '"join0001"']
    assert new["name"].tolist() == ['"slot1@join0001"', '"slot2@join0001"']
    assert set(new["startdipaddr"]) == {'"<10.0.0.1:9618?alias=join0001>"'}
    assert set(new["note"]) == {'"m10 and m1x are not join0001"'}
