"""What ``tribes scenario check`` and ``tribes scenario run`` print: a few lines, or one record
holding the same facts (``--format csv`` and ``json``)."""

from __future__ import annotations

from simulator.analyses.scenario import Scenario, ScenarioRun, day_label, describe
from simulator.render.formats import seconds


def check_record(scenario: Scenario) -> dict:
    return {
        "scenario": scenario.name,
        "days": scenario.days,
        "start": day_label(scenario.start),
        "seed": scenario.seed,
        "waves": [{"wave": w.name, "start": day_label(w.start),
                   "adoption": [[day_label(t), f] for t, f in w.points], "lag_days": w.lag_days}
                  for w in scenario.waves],
    }  # fmt: skip


def check_text(scenario: Scenario) -> str:
    head = (f"{scenario.name}: {scenario.days} days from {day_label(scenario.start)}, "
            f"seed {scenario.seed}")
    waves = describe(scenario)
    return head + ("\n" + waves if waves else "")


def run_record(run: ScenarioRun) -> dict:
    return {
        "scenario": run.scenario.name,
        "store": run.store,
        "snapshots": len(run.paths),
        "first": run.paths[0].name,
        "last": run.paths[-1].name,
        "elapsed_s": round(run.elapsed, 3),
    }


def run_line(run: ScenarioRun) -> str:
    r = run_record(run)
    return (f"{r['scenario']}: wrote {r['snapshots']} daily snapshots ({r['first']} … "
            f"{r['last']}) to {r['store']} in {seconds(run.elapsed)}")
