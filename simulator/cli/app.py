"""The ``tribes`` command: a thin skin over the simulator library.

Each subcommand lives in its own module of ``simulator/cli/`` and
defines ``register(subparsers)``; the module docstring is the command's help.
Library errors (``TribesError``) become one line on stderr, never a traceback, and exit
status 1; usage errors exit 2. Old spellings of options print a deprecation warning.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import List, Optional

from simulator.cli.options import DEPRECATIONS, Parser
from simulator.model.errors import TribesError, one_line, os_error_message

# Order here is the order in ``tribes --help``.
COMMANDS = [
    "simulate",
    "report",
    "snapshot",
    "scenario",
    "replay",
    "analyze",
    "requirements",
    "cron_config",
]


def version() -> str:
    """The installed package's version, else (a source tree) ``simulator.__version__``."""
    from importlib import metadata

    try:
        return metadata.version("condor-tribes")
    except metadata.PackageNotFoundError:
        from simulator import __version__

        return __version__


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="tribes",
        description="Measure how job requirements match the real mix of an HTCondor pool.",
        epilog="tribes COMMAND --help shows a command's options and examples.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(f"simulator.cli.{name}").register(sub)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    for message in getattr(args, DEPRECATIONS, ()):
        print(f"tribes: warning: {one_line(message)}", file=sys.stderr)
    try:
        return int(args.func(args) or 0)
    except TribesError as exc:
        print(f"tribes: error: {one_line(str(exc))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("tribes: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except MemoryError as exc:
        # The checks up front refuse what cannot fit; what is left (another process took
        # the memory, a ulimit) ends here, pyarrow's ArrowMemoryError too.
        reason = f" ({one_line(str(exc))})" if str(exc) else ""
        print(f"tribes: error: out of memory{reason}; free some, or ask for less",
              file=sys.stderr)
        return 1
    except OSError as exc:
        # A path the user gave that cannot be read or written (a file where a
        # folder is wanted, no permission): one line in the library's wording.
        print(f"tribes: error: {one_line(os_error_message(exc))}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
