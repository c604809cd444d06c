"""The ``tribes`` command: one module per subcommand, each parsing its options, calling one
library function and rendering its result; ``app`` builds the parser and turns errors into
one line.
"""

from simulator.cli.app import COMMANDS, build_parser, main

__all__ = ["COMMANDS", "build_parser", "main"]
