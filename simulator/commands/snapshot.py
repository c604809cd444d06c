"""(placeholder) tribes snapshot."""

from simulator.commands import add_command
from simulator.exceptions import TribesError


def register(subparsers):
    add_command(subparsers, __name__, run)


def run(args):
    raise TribesError("tribes snapshot is not built yet")
