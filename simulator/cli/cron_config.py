"""Print the HTCondor config that runs the startd_cron hook on every execute node.

The snippet adds the TRIBES job to STARTD_CRON_JOBLIST and runs the hook once an
hour (the same text as `tribes-startd-cron --print-config`). With
--install DIR it is written atomically into DIR, a config.d folder.

examples:
  tribes cron-config
  tribes cron-config --install /etc/condor/config.d
"""

from simulator.cli.options import add_command
from simulator.model.errors import folder_error


def register(subparsers):
    parser = add_command(subparsers, __name__, run)
    parser.add_argument(
        "--install", metavar="DIR", help="write the snippet into DIR (a config.d folder)"
    )


def run(args):
    from startd_cron import config

    if args.install:
        try:
            path = config.install(args.install)
        except OSError as exc:
            raise folder_error(args.install, exc) from exc
        print(f"wrote {path}")
    else:
        print(config.snippet(), end="")
    return 0
