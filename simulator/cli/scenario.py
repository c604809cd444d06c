"""Turn a migration scenario file into a store of daily snapshots.

A scenario (TOML; every key is explained in simulator/data/scenarios/example.toml)
starts from a built-in pool or a stored snapshot and moves machines between
tribes in upgrade waves, while machines join and leave. `scenario run` writes
one snapshot per day into the store; `scenario check` validates the file and
shows its waves. A bad file is reported as one line naming the key and line,
and then nothing is written.

examples:
  tribes scenario check simulator/data/scenarios/rhel4_to_rhel5.toml
  tribes scenario run simulator/data/scenarios/rhel4_to_rhel5.toml --store store/rhel
  tribes simulate --pool store/rhel --format csv
"""

from __future__ import annotations

from simulator.cli.options import (
    add_command,
    add_format_option,
    add_parser,
    add_quiet_option,
    note,
    show_progress,
)
from simulator.render.output import write_csv, write_json


def register(subparsers):
    parser = add_command(subparsers, __name__, run_action)
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    run_parser = add_parser(actions, "run", run_action.__doc__, run_action)
    run_parser.add_argument("file", metavar="FILE", help="scenario file (TOML)")
    run_parser.add_argument("--store", required=True, metavar="DIR",
                            help="store folder for the daily snapshots")
    run_parser.add_argument("--replace", action="store_true",
                            help="replace the snapshots already in the store")
    add_format_option(run_parser, what="what was written")
    add_quiet_option(run_parser)
    check_parser = add_parser(actions, "check", check_action.__doc__, check_action)
    check_parser.add_argument("file", metavar="FILE", help="scenario file (TOML)")
    add_format_option(check_parser, what="the scenario")


def run_action(args) -> int:
    """Write one snapshot per day of the scenario FILE into the --store folder.

    All or nothing: the days are generated in a folder beside the store, which is
    swapped with the store in one step when every one of them is written, so the
    store holds at every moment its old snapshots or all the new ones. A store that
    already holds snapshots is kept unless --replace; one other command at a time
    writes a store. A progress bar counts the days (on a terminal).

    examples:
      tribes scenario run simulator/data/scenarios/rhel4_to_rhel5.toml --store store/rhel
      tribes scenario run my.toml --store store/my --replace --format json
    """
    from simulator.analyses.scenario import write_scenario
    from simulator.render.scenarios import run_line, run_record
    from simulator.render.snapshots import leftovers_notes

    written = write_scenario(args.file, args.store, replace=args.replace,
                             progress=show_progress(args))
    for text in leftovers_notes(args.store, written.leftovers):
        note(text)
    _emit(args.format, run_record(written), run_line(written))
    return 0


def check_action(args) -> int:
    """Validate the scenario FILE and show its waves, refusing what run would refuse.

    The start pool is built (its size, its snapshot) and day 0 generated, so
    selectors on attributes no slot has are found here too.

    examples:
      tribes scenario check simulator/data/scenarios/rhel4_to_rhel5.toml
      tribes scenario check my.toml --format json
    """
    from simulator.analyses.scenario import check_scenario
    from simulator.render.scenarios import check_record, check_text

    scenario = check_scenario(args.file)
    _emit(args.format, check_record(scenario), check_text(scenario))
    return 0


def _emit(fmt, record, text) -> None:
    if fmt == "json":
        write_json(record)
    elif fmt == "csv":
        write_csv([record])
    else:
        print(text)
