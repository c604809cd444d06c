"""A script's interpreter, from its ``#!`` line: noted, never guessed.

What the interpreter needs (a Python version, modules) cannot be read from
the line, so a script adds no clause to the Requirements; it is reported so
the user knows the execute node must provide it.

>>> parse_shebang("#!/usr/bin/env python3 -u")
('/usr/bin/env', ['python3', '-u'], 'python3')
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Tuple

from simulator.analyses.needs import Needs, NeedsError


def parse_shebang(line: str) -> Tuple[str, List[str], str]:
    """(interpreter path, its arguments, the program that really runs)."""
    words = line[2:].strip().split()
    if not words:
        raise ValueError("empty #! line")
    interpreter, args = words[0], words[1:]
    runs = Path(interpreter).name
    if runs == "env":
        rest = [a for a in args if not a.startswith("-")]
        runs = rest[0] if rest else runs
    return interpreter, args, runs


def read(path) -> Needs:
    path = Path(path)
    with open(path, "rb") as stream:
        first = stream.readline(4096)
    try:
        line = first.decode("utf-8").rstrip("\r\n")
        interpreter, args, runs = parse_shebang(line)
    except (UnicodeDecodeError, ValueError):
        raise NeedsError(f"{path}: a #! line that names no interpreter") from None
    needs = Needs(path=str(path), kind="script", interpreter=" ".join([interpreter, *args]))
    needs.facts.append(
        f"{path.name}: script run by {needs.interpreter} (not checked: the execute node "
        f"must provide {runs})"
    )
    return needs
