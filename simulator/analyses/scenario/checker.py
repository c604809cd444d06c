"""Validation of a parsed scenario file, each error naming the key path and its line.

tomllib parses the file; ``Checker`` checks each value (tables, numbers,
dates, attribute values) and ``_key_lines`` finds where each key is written.

>>> _key_lines("[scenario]\\ndays = 3\\n")[("scenario", "days")]
2
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from typing import Dict, Sequence

from simulator.analyses.scenario.spec import UTC, ScenarioError, Tribe, dotted
from simulator.model.condor import ExprTree, quote
from simulator.model.errors import TribesError, in_range

_SCHEMA = {
    (): {"scenario", "pool", "wave", "churn", "event", "reboot"},
    ("scenario",): {"name", "description", "start", "days", "seed"},
    ("pool",): {"builtin", "snapshot", "slots"},
    ("wave",): {"name", "from", "to", "start", "adoption", "lag_days"},
    ("churn",): {"join_per_day", "leave_per_day", "join_like", "join_set", "leave_where"},
    ("event",): {"date", "join", "leave", "like", "set", "where"},
    ("reboot",): {"max_job_retirement_time", "reboot_time", "attributes"},
}


class Checker:
    """Validates one parsed file; every error names the key path and, if found, its line."""

    def __init__(self, path: str, text: str):
        self.path = path
        self.lines = _key_lines(text)

    def fail(self, where: Sequence, reason: str):
        name = dotted(where)
        line = None
        probe = tuple(where)
        while probe and line is None:
            line = self.lines.get(probe)
            probe = probe[:-1]
        at = f"line {line}: " if line else ""
        raise ScenarioError(f"{self.path}: {at}{name}: {reason}")

    def tables(self, data: dict, key: str, article: str = "a"):
        """The ``[[key]]`` tables of ``data``, each as ``(where, table)`` with ``where`` =
        ``(key, n)`` counted from 1; anything else under ``key`` fails."""
        raw = data.get(key, [])
        if not isinstance(raw, list):
            self.fail((key,), f"write each {key} as {article} [[{key}]] table")
        return [((key, i), self.table(item, (key, i))) for i, item in enumerate(raw, 1)]

    def table(self, data, where) -> dict:
        if not isinstance(data, dict):
            self.fail(where, f"must be a table, not {type(data).__name__}")
        schema = _SCHEMA.get(tuple(w for w in where if not isinstance(w, int)))
        if schema is not None:
            for key in data:
                if key not in schema:
                    self.fail(
                        (*where, key), f"unknown key (expected one of {', '.join(sorted(schema))})"
                    )
        return data

    def number(self, value, where, *, integer=False, minimum=None, maximum=None, why=""):
        """A finite number in range, or the one wording: ``KEY: nan: give a number from 0
        to 10000`` (``why`` in parentheses after it)."""
        ok = isinstance(value, int) if integer else isinstance(value, (int, float))
        if isinstance(value, bool) or not ok:
            self.fail(where, f"must be {'an integer' if integer else 'a number'}, not {value!r}")
        try:
            in_range("", value, minimum, maximum, whole=integer, why=why)
        except TribesError as exc:
            self.fail(where, str(exc).lstrip())
        return value

    def date(self, value, where) -> int:
        if isinstance(value, str):
            try:
                value = _dt.date.fromisoformat(value)
            except ValueError:
                self.fail(where, f"must be a date YYYY-MM-DD, not {value!r}")
        if isinstance(value, _dt.datetime):
            if value.tzinfo is None:
                value = value.replace(tzinfo=UTC)
            return int(value.timestamp())
        if isinstance(value, _dt.date):
            return int(_dt.datetime(value.year, value.month, value.day, tzinfo=UTC)
                       .timestamp())
        self.fail(where, f"must be a date YYYY-MM-DD, not {value!r}")

    def tribe(self, data, where, *, selector: bool) -> Tribe:
        data = self.table(data if data is not None else {}, where)
        values, names = {}, {}
        for key, raw in data.items():
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", key):
                self.fail((*where, key), "not a ClassAd attribute name")
            items = raw if (selector and isinstance(raw, list)) else [raw]
            if not items:
                self.fail((*where, key), "an empty list of values")
            values[key.lower()] = [self.cell(v, (*where, key)) for v in items]
            names[key.lower()] = key
        return Tribe(values, names)

    def cell(self, value, where) -> str:
        if isinstance(value, bool):
            literal = "true" if value else "false"
        elif isinstance(value, int):
            literal = str(value)
        elif isinstance(value, float):
            if not math.isfinite(value):
                self.fail(where, f"not a finite number: {value!r}")
            literal = repr(value)
        elif isinstance(value, str):
            literal = quote(value)
        else:
            self.fail(where, f"must be a string, number or boolean, not {type(value).__name__}")
        return str(ExprTree(literal))


MAX_SECONDS = 1e9  # a reboot's times: 31 years is already none


def reboot_table(check: Checker, data) -> dict:
    """The ``[reboot]`` table as replay knobs: how a machine that changes kernel or release
    drains (MaxJobRetirementTime), how long it is gone, which attributes mean a reboot."""
    table = check.table(data.get("reboot", {}), ("reboot",))
    out = {}
    for key in ("max_job_retirement_time", "reboot_time"):
        if key in table:
            out[key] = float(check.number(table[key], ("reboot", key), minimum=0,
                                          maximum=MAX_SECONDS))
    if "attributes" in table:
        names = table["attributes"]
        if not (isinstance(names, list) and names and all(
                isinstance(n, str) and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", n)
                for n in names)):
            check.fail(("reboot", "attributes"), "must be a list of ClassAd attribute names")
        out["reboot_attributes"] = tuple(names)
    return out


def _key_lines(text: str) -> Dict[tuple, int]:
    """Where each key is written: (table, [index,] key) → line number, from a light scan.

    tomllib reports positions of syntax errors only; this index lets a value
    error name its line too.
    """
    lines: Dict[tuple, int] = {}
    counts: Dict[str, int] = {}
    current: tuple = ()
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("[["):
            name = stripped[2:].split("]]")[0].strip()
            counts[name] = counts.get(name, 0) + 1
            current = (name, counts[name])
            lines.setdefault(current, number)
        elif stripped.startswith("["):
            parts = stripped[1:].split("]")[0].strip().split(".")
            if parts[0] in counts and len(parts) > 1:
                current = (parts[0], counts[parts[0]], *parts[1:])
            else:
                current = tuple(parts)
            lines.setdefault(current, number)
        else:
            match = re.match(r"\s*([A-Za-z0-9_\-]+)\s*=", line)
            if match:
                lines.setdefault((*current, match.group(1)), number)
    return lines
