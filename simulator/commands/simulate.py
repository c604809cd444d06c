"""(placeholder) tribes simulate."""

from simulator.commands import add_command
from simulator.exceptions import TribesError


def register(subparsers):
    add_command(subparsers, __name__, run)


def run(args):
    raise TribesError("tribes simulate is not built yet")
