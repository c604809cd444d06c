"""Migration scenarios: a start pool plus upgrade waves and churn, as one snapshot per day.

A scenario file (TOML; see ``simulator/scenarios/example.toml`` for every key,
commented) names a start pool, a start date, a number of days and a seed, then:

* **waves**: machines of tribe A (a set of attribute values, e.g. one
  ``redhat_version``) move to tribe B (new values for ``OpSysAndVer``,
  ``kernel_version``, ``glibc_version`` ...). Each machine draws its own turn
  from an adoption curve (a logistic ramp through dated fractions, such as 30 %,
  50 % and 100 %) plus a per-machine update lag, so nodes pick up a new build
  on their own schedules. All slots of a machine move together.
* **churn**: machines join (cloned from machines of the pool) and leave, at
  Poisson rates per day or as dated events.

Generation works on a per-machine table of the attributes the scenario touches
and broadcasts it to the slots, so a day costs a few vectorised column copies.
Cells are written exactly as HTCondor's unparser writes them.

>>> scenario = load_scenario("simulator/scenarios/rhel4_to_rhel5.toml")  # doctest: +SKIP
>>> paths = run_scenario(scenario, "store/")                            # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import math
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import pandas as pd

from simulator.condor import ExprTree, quote, unquote
from simulator.exceptions import TribesError
from simulator.snapshot import Snapshot

if sys.version_info >= (3, 11):  # noqa: UP036  (setup.cfg still allows Python 3.9)
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib

DAY = 86400
_UTC = _dt.timezone(_dt.timedelta(0))
# Fractions are mapped into [EPS, 1 - EPS] before the logit, so that 0 % at the
# wave's start and 100 % at its last date are finite ends of the ramp.
_EPS = 1e-3
# Columns whose text names the capture moment; refreshed on every day.
_TIME_COLUMNS = ("mycurrenttime", "lastheardfrom")


class ScenarioError(TribesError, ValueError):
    """A scenario file is wrong; the message names the file, line and key."""


@dataclasses.dataclass
class Tribe:
    """Attribute values, as cell texts. In a selector each attribute may list several values."""

    values: Dict[str, List[str]]
    names: Dict[str, str]


@dataclasses.dataclass
class Wave:
    name: str
    selector: Tribe
    target: Tribe
    start: int
    points: List[Tuple[int, float]]
    lag_days: float


@dataclasses.dataclass
class Event:
    time: int
    join: int
    leave: int
    selector: Tribe
    target: Tribe
    where: Tribe


@dataclasses.dataclass
class Scenario:
    name: str
    path: str
    start: int
    days: int
    seed: int
    pool: Optional[str]
    snapshot: Optional[str]
    slots: Optional[int]
    waves: List[Wave]
    events: List[Event]
    join_per_day: float
    leave_per_day: float
    join_like: Tribe
    join_set: Tribe
    leave_where: Tribe
    description: str = ""
    lines: Dict[tuple, int] = dataclasses.field(default_factory=dict, repr=False)

    def error(self, where: Sequence, reason: str) -> ScenarioError:
        """An error about key path ``where`` (e.g. ("wave", 2, "from")), with its line if known."""
        probe, line = tuple(where), None
        while probe and line is None:
            line = self.lines.get(probe)
            probe = probe[:-1]
        at = f"line {line}: " if line else ""
        return ScenarioError(f"{self.path}: {at}{_dotted(where)}: {reason}")

    def times(self) -> List[int]:
        return [self.start + d * DAY for d in range(self.days)]


# --------------------------------------------------------------------------- parsing


_SCHEMA = {
    (): {"scenario", "pool", "wave", "churn", "event"},
    ("scenario",): {"name", "description", "start", "days", "seed"},
    ("pool",): {"builtin", "snapshot", "slots"},
    ("wave",): {"name", "from", "to", "start", "adoption", "lag_days"},
    ("churn",): {"join_per_day", "leave_per_day", "join_like", "join_set", "leave_where"},
    ("event",): {"date", "join", "leave", "like", "set", "where"},
}


class _Checker:
    """Validates one parsed file; every error names the key path and, if found, its line."""

    def __init__(self, path: str, text: str):
        self.path = path
        self.lines = _key_lines(text)

    def fail(self, where: Sequence, reason: str):
        dotted = _dotted(where)
        line = None
        probe = tuple(where)
        while probe and line is None:
            line = self.lines.get(probe)
            probe = probe[:-1]
        at = f"line {line}: " if line else ""
        raise ScenarioError(f"{self.path}: {at}{dotted}: {reason}")

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

    def number(self, value, where, *, integer=False, minimum=None, maximum=None):
        ok = isinstance(value, int) if integer else isinstance(value, (int, float))
        if isinstance(value, bool) or not ok:
            self.fail(where, f"must be {'an integer' if integer else 'a number'}, not {value!r}")
        if minimum is not None and value < minimum:
            self.fail(where, f"must be at least {minimum}, not {value!r}")
        if maximum is not None and value > maximum:
            self.fail(where, f"must be at most {maximum}, not {value!r}")
        return value

    def date(self, value, where) -> int:
        if isinstance(value, str):
            try:
                value = _dt.date.fromisoformat(value)
            except ValueError:
                self.fail(where, f"must be a date YYYY-MM-DD, not {value!r}")
        if isinstance(value, _dt.datetime):
            if value.tzinfo is None:
                value = value.replace(tzinfo=_UTC)
            return int(value.timestamp())
        if isinstance(value, _dt.date):
            return int(_dt.datetime(value.year, value.month, value.day, tzinfo=_UTC)
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


def _dotted(where: Sequence) -> str:
    out = ""
    for part in where:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(file)"


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


def load_scenario(path: Union[str, Path]) -> Scenario:
    """Read and fully validate a scenario file; raise ScenarioError naming the bad key."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read ({exc.strerror})") from exc
    return parse_scenario(text, str(path))


def parse_scenario(text: str, path: str = "<scenario>") -> Scenario:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: not valid TOML: {exc}") from exc
    check = _Checker(path, text)
    check.table(data, ())

    head = check.table(data.get("scenario", {}), ("scenario",))
    for key in ("start", "days"):
        if key not in head:
            check.fail(("scenario",), f"missing key {key!r}")
    start = check.date(head["start"], ("scenario", "start"))
    days = check.number(head["days"], ("scenario", "days"), integer=True, minimum=1, maximum=3660)
    seed = check.number(head.get("seed", 0), ("scenario", "seed"), integer=True, minimum=0)
    name = head.get("name", Path(path).stem)
    if not isinstance(name, str):
        check.fail(("scenario", "name"), "must be a string")
    description = head.get("description", "")

    pool = check.table(data.get("pool", {}), ("pool",))
    builtin, snapshot = pool.get("builtin"), pool.get("snapshot")
    if (builtin is None) == (snapshot is None):
        check.fail(("pool",), "give exactly one of 'builtin' (a pool name) or 'snapshot' (a path)")
    for key, value in (("builtin", builtin), ("snapshot", snapshot)):
        if value is not None and not isinstance(value, str):
            check.fail(("pool", key), "must be a string")
    if snapshot is not None and not os.path.isabs(snapshot):
        snapshot = str(Path(path).parent / snapshot)
    slots = pool.get("slots")
    if slots is not None:
        check.number(slots, ("pool", "slots"), integer=True, minimum=1)

    waves = []
    raw_waves = data.get("wave", [])
    if not isinstance(raw_waves, list):
        check.fail(("wave",), "write each wave as a [[wave]] table")
    for i, raw in enumerate(raw_waves, 1):
        where = ("wave", i)
        raw = check.table(raw, where)
        for key in ("from", "to"):
            if key not in raw:
                check.fail(where, f"missing key {key!r}")
        target = check.tribe(raw["to"], (*where, "to"), selector=False)
        if not target.values:
            check.fail((*where, "to"), "sets no attribute")
        wave_start = check.date(raw.get("start", head["start"]), (*where, "start"))
        points = []
        last_time, last_fraction = wave_start, 0.0
        adoption = raw.get("adoption", [])
        if not isinstance(adoption, list):
            check.fail((*where, "adoption"), "must be a list of [date, fraction] pairs")
        for j, point in enumerate(adoption, 1):
            if not (isinstance(point, list) and len(point) == 2):
                check.fail((*where, "adoption"), f"point {j} must be a [date, fraction] pair")
            when = check.date(point[0], (*where, "adoption"))
            fraction = check.number(point[1], (*where, "adoption"), minimum=0.0, maximum=1.0)
            if when <= last_time:
                check.fail((*where, "adoption"), f"point {j}: dates must come after the wave's "
                           "start and after each other")
            if fraction <= last_fraction:
                check.fail((*where, "adoption"), f"point {j}: fractions must grow above 0 "
                           f"({fraction} after {last_fraction})")
            points.append((when, float(fraction)))
            last_time, last_fraction = when, fraction
        lag = check.number(raw.get("lag_days", 0.0), (*where, "lag_days"), minimum=0.0)
        waves.append(Wave(
            name=str(raw.get("name", f"wave {i}")),
            selector=check.tribe(raw["from"], (*where, "from"), selector=True),
            target=target,
            start=wave_start,
            points=points,
            lag_days=float(lag),
        ))

    churn = check.table(data.get("churn", {}), ("churn",))
    join_rate = check.number(churn.get("join_per_day", 0.0), ("churn", "join_per_day"), minimum=0)
    leave_rate = check.number(churn.get("leave_per_day", 0.0), ("churn", "leave_per_day"),
                              minimum=0)

    events = []
    raw_events = data.get("event", [])
    if not isinstance(raw_events, list):
        check.fail(("event",), "write each event as an [[event]] table")
    for i, raw in enumerate(raw_events, 1):
        where = ("event", i)
        raw = check.table(raw, where)
        if "date" not in raw:
            check.fail(where, "missing key 'date'")
        join = check.number(raw.get("join", 0), (*where, "join"), integer=True, minimum=0)
        leave = check.number(raw.get("leave", 0), (*where, "leave"), integer=True, minimum=0)
        if not join and not leave:
            check.fail(where, "an event must 'join' or 'leave' some machines")
        events.append(Event(
            time=check.date(raw["date"], (*where, "date")),
            join=join,
            leave=leave,
            selector=check.tribe(raw.get("like"), (*where, "like"), selector=True),
            target=check.tribe(raw.get("set"), (*where, "set"), selector=False),
            where=check.tribe(raw.get("where"), (*where, "where"), selector=True),
        ))
        if events[-1].time >= start + days * DAY:
            check.fail((*where, "date"), "comes after the scenario's last day")

    return Scenario(
        name=name,
        path=path,
        start=start,
        days=days,
        seed=seed,
        pool=builtin,
        snapshot=snapshot,
        slots=slots,
        waves=waves,
        events=events,
        join_per_day=float(join_rate),
        leave_per_day=float(leave_rate),
        join_like=check.tribe(churn.get("join_like"), ("churn", "join_like"), selector=True),
        join_set=check.tribe(churn.get("join_set"), ("churn", "join_set"), selector=False),
        leave_where=check.tribe(churn.get("leave_where"), ("churn", "leave_where"), selector=True),
        description=str(description),
        lines=check.lines,
    )


# --------------------------------------------------------------------------- adoption


def turn_times(wave: Wave, rng: np.random.Generator, count: int) -> np.ndarray:
    """Each machine's turn (epoch seconds, inf = never) in ``wave``.

    The adoption curve runs through (wave start, 0) and the given points,
    linear in logit space between them: each stretch is a piece of a logistic
    ramp, and the curve passes exactly through every point. A machine's
    uniform draw is mapped back through the curve; its update lag (exponential,
    mean ``lag_days``) comes on top.
    """
    draws = rng.random(count)
    lags = rng.exponential(wave.lag_days * DAY, count) if wave.lag_days > 0 else np.zeros(count)
    if not wave.points:
        return wave.start + lags
    times = np.array([wave.start] + [t for t, _ in wave.points], dtype=float)
    fractions = np.array([0.0] + [f for _, f in wave.points])
    out = np.interp(_logit(draws), _logit(fractions), times)
    out[draws > fractions[-1]] = np.inf
    return out + lags


def _logit(fraction):
    scaled = _EPS + np.asarray(fraction, dtype=float) * (1 - 2 * _EPS)
    return np.log(scaled / (1 - scaled))


def adoption_at(wave: Wave, when: int) -> float:
    """The curve's fraction at ``when`` (without lag): the inverse of ``turn_times``."""
    if not wave.points:
        return 1.0 if when >= wave.start else 0.0
    times = np.array([wave.start] + [t for t, _ in wave.points], dtype=float)
    logits = _logit(np.array([0.0] + [f for _, f in wave.points]))
    if when <= times[0]:
        return 0.0
    if when >= times[-1]:
        return wave.points[-1][1]
    z = float(np.interp(when, times, logits))
    return ((1 / (1 + math.exp(-z))) - _EPS) / (1 - 2 * _EPS)


# --------------------------------------------------------------------------- generation


def start_pool(scenario: Scenario) -> Snapshot:
    """The scenario's start pool: a built-in generator's pool or a stored snapshot."""
    if scenario.snapshot is not None:
        from simulator import store

        if not Path(scenario.snapshot).exists():
            raise scenario.error(("pool", "snapshot"), f"no such file {scenario.snapshot}")
        return store.load(scenario.snapshot)
    from simulator import pools

    kwargs = {"seed": scenario.seed}
    if scenario.slots is not None:
        kwargs["slots"] = scenario.slots
    try:
        pool = pools.generate(scenario.pool, **kwargs)
    except (KeyError, ValueError, TribesError) as exc:
        raise scenario.error(("pool", "builtin"), str(exc)) from exc
    if isinstance(pool, pd.DataFrame):
        pool = Snapshot(ads=pool, time=scenario.start, time_source="generated",
                        source=f"pool {scenario.pool}")
    return pool


class _Pool:
    """The evolving pool: slot rows, each tied to a machine, and a per-machine attribute table."""

    def __init__(self, snapshot: Snapshot, columns: Sequence[str]):
        ads = snapshot.ads.reset_index(drop=True)
        self.names = dict(snapshot.names)
        self.rows = ads
        keys = _machine_keys(ads)
        codes, uniques = pd.factorize(keys)
        self.slot_machine = codes.astype(np.int64)
        self.machine_text = list(uniques)
        self.n_machines = len(uniques)
        first = np.full(self.n_machines, -1, dtype=np.int64)
        first[codes[::-1]] = np.arange(len(codes))[::-1]
        self.first_row = first
        self.present = np.ones(self.n_machines, dtype=bool)
        self.attrs: Dict[str, np.ndarray] = {}
        for col in columns:
            self._ensure(col)
        self.joined = 0

    def _ensure(self, col: str):
        if col in self.attrs:
            return
        if col in self.rows.columns:
            values = self.rows[col].to_numpy(dtype=object)[self.first_row]
        else:
            values = np.full(self.n_machines, None, dtype=object)
        self.attrs[col] = values

    def select(self, tribe: Tribe) -> np.ndarray:
        """Machines (present or not) whose attributes match every value list of ``tribe``."""
        out = np.ones(self.n_machines, dtype=bool)
        for col, texts in tribe.values.items():
            out &= pd.Series(self.attrs[col]).isin(texts).to_numpy()
        return out

    def assign(self, machines: np.ndarray, tribe: Tribe):
        for col, texts in tribe.values.items():
            self.attrs[col][machines] = texts[0]
            self.names.setdefault(col, tribe.names[col])

    def clone(self, templates: np.ndarray) -> np.ndarray:
        """Add one new machine per template machine (all its slots); return the new indices."""
        new_rows, new_codes, new_first = [], [], []
        start_index = self.n_machines
        for k, m in enumerate(templates):
            self.joined += 1
            old = unquote(self.machine_text[m]) if _is_string(self.machine_text[m]) else str(m)
            host = f"join{self.joined:04d}" + (old[old.index("."):] if "." in old else "")
            rows = self.rows.iloc[np.flatnonzero(self.slot_machine == m)].copy()
            # The host name as a whole word (slot1@HOST, <HOST:9618>), never inside another.
            pattern = re.compile(r"(?<![A-Za-z0-9_.-])" + re.escape(old) + r"(?![A-Za-z0-9_-])")
            for col in rows.columns:
                cells = rows[col]
                mask = cells.map(lambda c, p=pattern: isinstance(c, str) and bool(p.search(c)))
                mask = mask.to_numpy(dtype=bool)
                if mask.any():
                    rows.loc[mask, col] = cells[mask].map(lambda c, p=pattern, h=host: p.sub(h, c))
            new_first.append(len(self.rows) + sum(len(r) for r in new_rows))
            new_rows.append(rows)
            new_codes.append(np.full(len(rows), start_index + k, dtype=np.int64))
            self.machine_text.append(quote(host))
        if not new_rows:
            return np.zeros(0, dtype=np.int64)
        self.rows = pd.concat([self.rows, *new_rows], ignore_index=True)
        self.slot_machine = np.concatenate([self.slot_machine, *new_codes])
        self.first_row = np.concatenate([self.first_row, np.array(new_first, dtype=np.int64)])
        for col, values in self.attrs.items():
            self.attrs[col] = np.concatenate([values, values[templates]])
        self.present = np.concatenate([self.present, np.ones(len(templates), dtype=bool)])
        self.n_machines += len(templates)
        return np.arange(start_index, self.n_machines)

    def frame(self, when: int) -> pd.DataFrame:
        keep = self.present[self.slot_machine]
        machines = self.slot_machine[keep]
        frame = self.rows.loc[keep].reset_index(drop=True)
        for col, values in self.attrs.items():
            frame[col] = values[machines]
        for col in _TIME_COLUMNS:
            if col in frame.columns:
                frame[col] = str(int(when))
        return frame


def _is_string(text) -> bool:
    return isinstance(text, str) and text.startswith('"')


def _machine_keys(ads: pd.DataFrame) -> pd.Series:
    """The machine of each slot: ``Machine``, else the host part of ``Name``, else the slot."""
    if "machine" in ads.columns and ads["machine"].notna().all():
        return ads["machine"]
    if "name" in ads.columns and ads["name"].notna().all():
        return ads["name"].map(lambda t: t.split("@", 1)[-1] if "@" in t else t)
    return pd.Series(np.arange(len(ads)).astype(str))


def generate(scenario: Scenario, pool: Snapshot):
    """Yield one Snapshot per day of ``scenario``, starting from ``pool``."""
    columns = set()
    for wave in scenario.waves:
        columns.update(wave.selector.values, wave.target.values)
    for event in scenario.events:
        columns.update(event.selector.values, event.target.values, event.where.values)
    for tribe in (scenario.join_like, scenario.join_set, scenario.leave_where):
        columns.update(tribe.values)
    _check_selectors(scenario, pool)
    state = _Pool(pool, sorted(columns))
    rng = np.random.default_rng(scenario.seed)
    turns = [turn_times(w, rng, state.n_machines) for w in scenario.waves]
    for day, when in enumerate(scenario.times()):
        joined: List[np.ndarray] = []
        if day > 0:
            leave = rng.poisson(scenario.leave_per_day) if scenario.leave_per_day else 0
            _leave(state, rng, leave, scenario.leave_where)
            join = rng.poisson(scenario.join_per_day) if scenario.join_per_day else 0
            joined.append(_join(state, rng, join, scenario.join_like, scenario.join_set))
        for event in scenario.events:
            if when - (DAY if day > 0 else 10 ** 12) < event.time <= when:
                _leave(state, rng, event.leave, event.where)
                joined.append(_join(state, rng, event.join, event.selector, event.target))
        added = sum(len(j) for j in joined)
        if added:
            turns = [np.concatenate([turns[i], turn_times(w, rng, added)])
                     for i, w in enumerate(scenario.waves)]
        for i, wave in enumerate(scenario.waves):
            moving = state.present & (turns[i] <= when) & state.select(wave.selector)
            state.assign(moving, wave.target)
        yield Snapshot(
            ads=state.frame(when),
            time=int(when),
            time_source="scenario",
            source=f"scenario {scenario.name}, day {day}",
            names=dict(state.names),
        )


def _check_selectors(scenario: Scenario, pool: Snapshot):
    """A selector on an attribute nothing has is a typo: say so before writing anything."""
    known = set(pool.ads.columns)
    for tribe in (scenario.join_set, *(e.target for e in scenario.events)):
        known.update(tribe.values)
    selectors = []
    for i, wave in enumerate(scenario.waves, 1):
        selectors.append((("wave", i, "from"), wave.selector))
        known.update(wave.target.values)
    for i, event in enumerate(scenario.events, 1):
        selectors += [(("event", i, "like"), event.selector), (("event", i, "where"), event.where)]
    selectors += [(("churn", "join_like"), scenario.join_like),
                  (("churn", "leave_where"), scenario.leave_where)]
    for where, tribe in selectors:
        for col in tribe.values:
            if col not in known:
                raise scenario.error((*where, tribe.names[col]),
                                     "no slot of the start pool (nor any wave) has this attribute")


def _leave(state: _Pool, rng, count: int, where: Tribe):
    if count <= 0:
        return
    candidates = np.flatnonzero(state.present & state.select(where))
    if len(candidates):
        gone = rng.choice(candidates, size=min(count, len(candidates)), replace=False)
        state.present[gone] = False


def _join(state: _Pool, rng, count: int, like: Tribe, target: Tribe) -> np.ndarray:
    if count <= 0:
        return np.zeros(0, dtype=np.int64)
    candidates = np.flatnonzero(state.present & state.select(like))
    if not len(candidates):
        candidates = np.flatnonzero(state.select(like))
    if not len(candidates):
        return np.zeros(0, dtype=np.int64)
    new = state.clone(rng.choice(candidates, size=count, replace=True))
    state.assign(new, target)
    return new


def run_scenario(scenario: Scenario, store_dir: Union[str, Path], *, replace: bool = False,
                 pool: Optional[Snapshot] = None) -> List[Path]:
    """Write one snapshot per day into ``store_dir``; all or nothing.

    Snapshots go to a temporary folder beside the store and are moved in only
    once every day has been generated, so a failure leaves the store untouched.
    """
    from simulator import store

    target = Path(store_dir)
    existing = store.list_store(target) if target.is_dir() else []
    if existing and not replace:
        raise ScenarioError(
            f"{target}: the store already holds {len(existing)} snapshots "
            "(use another folder, or --replace to overwrite them)"
        )
    if pool is None:
        pool = start_pool(scenario)
    created = target.parent
    while not created.parent.exists():
        created = created.parent
    made_parent = not target.parent.exists()
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        written = [store.save(snap, temp) for snap in generate(scenario, pool)]
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        if made_parent:
            shutil.rmtree(created, ignore_errors=True)
        raise
    try:
        target.mkdir(exist_ok=True)
        for old in existing:
            old.unlink()
        final = []
        for path in written:
            os.replace(path, target / path.name)
            final.append(target / path.name)
        return final
    finally:
        shutil.rmtree(temp, ignore_errors=True)


def describe(scenario: Scenario) -> str:
    """One line per wave: what moves, when, how fast."""
    out = []
    for wave in scenario.waves:
        curve = ", ".join(f"{day_label(t)} {f:.0%}" for t, f in wave.points) or "all at start"
        out.append(f"{wave.name}: from {day_label(wave.start)}; {curve}; lag {wave.lag_days:g} d")
    return "\n".join(out)


def day_label(epoch: Any) -> str:
    return _dt.datetime.fromtimestamp(int(epoch), tz=_UTC).strftime("%Y-%m-%d")
