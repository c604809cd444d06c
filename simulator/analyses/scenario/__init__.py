"""Migration scenarios: a start pool plus upgrade waves and churn, as one snapshot per day.

A scenario file (TOML; see ``simulator/data/scenarios/example.toml`` for every key,
commented) names a start pool, a start date, a number of days and a seed, then:

* **waves**: machines of tribe A (a set of attribute values, e.g. one
  ``redhat_version``) move to tribe B (new values for ``OpSysAndVer``,
  ``kernel_version``, ``glibc_version`` ...). Each machine draws its own turn
  from an adoption curve (a logistic ramp through dated fractions, such as 30 %,
  50 % and 100 %) plus a per-machine update lag, so nodes pick up a new build
  on their own schedules. All slots of a machine move together.
* **churn**: machines join (cloned from machines of the pool) and leave, at
  Poisson rates per day or as dated events.
* **reboot** (optional): how ``tribes replay`` drains a machine whose kernel
  or release changes between days: ``max_job_retirement_time`` (HTCondor's
  MaxJobRetirementTime, default 0: running jobs are evicted at once),
  ``reboot_time`` (seconds the machine is gone, default 600) and
  ``attributes`` (the slot attributes whose change means a reboot). A scenario
  run writes them into the store as ``reboot.toml``.

Generation works on a per-machine table of the attributes the scenario touches
and broadcasts it to the slots, so a day costs a few vectorised column copies.
Cells are written exactly as HTCondor's unparser writes them.

The modules, in the order data flows through them:

* ``spec``: the ``Scenario``, ``Wave``, ``Event`` and ``Tribe`` dataclasses, ``ScenarioError``;
* ``checker``: value checks whose errors name the key and its line;
* ``parse``: ``load_scenario`` / ``parse_scenario``, a TOML file to a ``Scenario``;
* ``adoption``: the adoption curves, ``turn_times`` and ``adoption_at``;
* ``machines``: the evolving per-machine table of the pool;
* ``evolve``: ``start_pool`` and ``generate``, the pool day by day with joins and leaves;
* ``run``: ``run_scenario``, the days written into a store; ``write_scenario`` and
  ``check_scenario``, a scenario file run or checked as ``tribes scenario`` does.

>>> scenario = load_scenario("simulator/data/scenarios/rhel4_to_rhel5.toml")  # doctest: +SKIP
>>> paths = run_scenario(scenario, "store/")                            # doctest: +SKIP
"""

from simulator.analyses.scenario.adoption import adoption_at, turn_times
from simulator.analyses.scenario.evolve import generate, start_pool
from simulator.analyses.scenario.parse import load_scenario, parse_scenario, read_reboot_settings
from simulator.analyses.scenario.run import (
    ScenarioRun,
    check_scenario,
    run_scenario,
    write_scenario,
)
from simulator.analyses.scenario.spec import (
    DAY,
    Event,
    Scenario,
    ScenarioError,
    Tribe,
    Wave,
    day_label,
    describe,
)

__all__ = [
    "DAY",
    "Event",
    "Scenario",
    "ScenarioError",
    "ScenarioRun",
    "Tribe",
    "Wave",
    "adoption_at",
    "check_scenario",
    "day_label",
    "describe",
    "generate",
    "load_scenario",
    "parse_scenario",
    "read_reboot_settings",
    "run_scenario",
    "start_pool",
    "turn_times",
    "write_scenario",
]
