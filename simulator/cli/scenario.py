"""Turn a migration scenario file into a store of daily snapshots.

A scenario (TOML; every key is explained in simulator/data/scenarios/example.toml)
starts from a built-in pool or a stored snapshot and moves machines between
tribes in upgrade waves, while machines join and leave. One snapshot per day
is written into the store; a bad file is reported as one line naming the key
and line, and then nothing is written.

Example:
  tribes scenario run simulator/data/scenarios/rhel4_to_rhel5.toml --store store/rhel
  tribes simulate --pool store/rhel --format csv
"""

from __future__ import annotations

import time
from pathlib import Path

from simulator.cli.options import add_command
from simulator.model.errors import TribesError


def register(subparsers):
    parser = add_command(subparsers, __name__, run)
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    run_parser = actions.add_parser("run", help="write one snapshot per day of FILE into --store")
    run_parser.add_argument("file", metavar="FILE", help="scenario file (TOML)")
    run_parser.add_argument("--store", required=True, metavar="DIR",
                            help="store folder for the daily snapshots")
    run_parser.add_argument("--replace", action="store_true",
                            help="replace the snapshots already in the store")
    check_parser = actions.add_parser("check", help="validate FILE and show its waves")
    check_parser.add_argument("file", metavar="FILE", help="scenario file (TOML)")


def run(args) -> int:
    from simulator.analyses import scenario as scenarios

    if args.action == "run" and Path(args.store).exists() and not Path(args.store).is_dir():
        raise TribesError(f"--store {args.store}: a file, not a store folder")
    scenario = scenarios.load_scenario(args.file)
    if args.action == "check":
        # What run would refuse, check refuses too: the start pool (its size,
        # its snapshot) and selectors on attributes nothing has. Day 0 is enough.
        next(scenarios.generate(scenario, scenarios.start_pool(scenario)))
        print(f"{scenario.name}: {scenario.days} days from "
              f"{scenarios.day_label(scenario.start)}, seed {scenario.seed}")
        print(scenarios.describe(scenario))
        return 0
    began = time.perf_counter()
    paths = scenarios.run_scenario(scenario, args.store, replace=args.replace)
    elapsed = time.perf_counter() - began
    print(f"{scenario.name}: wrote {len(paths)} daily snapshots "
          f"({paths[0].name} … {paths[-1].name}) to {args.store} in {elapsed:.1f} s")
    return 0
