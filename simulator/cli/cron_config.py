"""Print the HTCondor config that runs the startd_cron hook on every execute node.

The snippet adds the TRIBES job to STARTD_CRON_JOBLIST and runs the hook once an
hour (the same text as `tribes-startd-cron --print-config`). With --install DIR it
is written atomically into DIR, a config.d folder. --bundle PATH.pyz writes the hook as one
standard-library-only file for the nodes, and --executable PATH names where it is on them:
a .pyz runs as `PYTHON -S -I PATH` (--python, default /usr/bin/python3). See the admin guide.

examples:
  tribes cron-config
  tribes cron-config --install /etc/condor/config.d
  tribes cron-config --bundle dist/tribes-startd-cron.pyz
  tribes cron-config --executable /usr/local/libexec/tribes-startd-cron.pyz \\
      --python /usr/libexec/platform-python --install /etc/condor/config.d
"""

from simulator.cli.options import add_command
from simulator.model.errors import TribesError, folder_error


def register(subparsers):
    parser = add_command(subparsers, __name__, run)
    parser.add_argument(
        "--install", metavar="DIR", help="write the snippet into DIR (a config.d folder)"
    )
    parser.add_argument(
        "--bundle", metavar="PATH.pyz",
        help="write the hook as one dependency-free file (a zipapp) to PATH.pyz",
    )
    parser.add_argument(
        "--executable", metavar="PATH",
        help="the hook's path on the nodes (default: the --bundle file, else this hook)",
    )
    parser.add_argument(
        "--python", metavar="PATH",
        help="the python that runs a .pyz executable on the nodes (default: /usr/bin/python3)",
    )


def run(args):
    from startd_cron import config

    try:
        text = config.cron_config(
            bundle_path=args.bundle, executable=args.executable, python=args.python,
            install_dir=args.install,
        )
    except config.ConfigError as exc:
        cause = exc.__cause__
        if args.install and isinstance(cause, OSError) and "install" in str(exc):
            raise folder_error(args.install, cause) from exc  # one wording for a folder
        raise TribesError(str(exc)) from exc
    print(text, end="")
    return 0
