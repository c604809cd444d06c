"""Reading a scenario file (TOML) into a ``Scenario``, every key validated.

>>> text = "[scenario]\\nstart = 2010-04-05\\ndays = 3\\n[pool]\\nbuiltin = 'pool_2010'\\n"
>>> parse_scenario(text).days
3
"""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path
from typing import Optional, Union

from simulator.analyses.scenario.checker import Checker, reboot_table
from simulator.analyses.scenario.spec import DAY, Event, Scenario, ScenarioError, Wave
from simulator.model import clock
from simulator.model.errors import number_text, range_text
from simulator.model.text import read_text

if sys.version_info >= (3, 11):  # noqa: UP036  (setup.cfg still allows Python 3.9)
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib


def load_scenario(path: Union[str, Path], *, days: Optional[int] = None) -> Scenario:
    """Read and fully validate a scenario file; raise ScenarioError naming the bad key.

    ``days`` keeps only the first days of it (fewer is faster)."""
    path = Path(path)
    text = read_text(path, ScenarioError)
    scenario = parse_scenario(text, str(path))
    if days is not None:
        if not days >= 1:
            raise ScenarioError(f"{path}: days {days}: give at least 1")
        scenario = dataclasses.replace(scenario, days=min(days, scenario.days))
    return scenario


# The ranges of a scenario's numbers (each message says its range).
MAX_DAYS = 3660  # ten years of daily snapshots
MAX_SEED = 2 ** 32 - 1
MAX_SLOTS = 5_000_000  # the largest generated pool
MAX_LEAVE_PER_DAY = 1e6
# Machines that join a scenario, all days and events together: each is a copy of a machine
# of the pool with all its slots, measured at 5 ms (the 2010 pool) to 11 ms (modern, 10,000
# slots) each, so at most about two minutes of cloning.
MAX_JOINED = 10_000
MS_PER_JOIN = 10


def _load_toml(text: str, path) -> dict:
    """The TOML document; one ScenarioError if it is not TOML or nests past the parser."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: not valid TOML: {exc}") from exc
    except RecursionError:  # the parser recurses once per level of [ or {
        raise ScenarioError(f"{path}: not valid TOML: arrays or tables nested too deep "
                            "for the parser") from None


def parse_scenario(text: str, path: str = "<scenario>") -> Scenario:
    data = _load_toml(text, path)
    check = Checker(path, text)
    check.table(data, ())

    head = check.table(data.get("scenario", {}), ("scenario",))
    for key in ("start", "days"):
        if key not in head:
            check.fail(("scenario",), f"missing key {key!r}")
    start = check.date(head["start"], ("scenario", "start"))
    days = check.number(head["days"], ("scenario", "days"), integer=True, minimum=1,
                        maximum=MAX_DAYS)
    seed = check.number(head.get("seed", 0), ("scenario", "seed"), integer=True, minimum=0,
                        maximum=MAX_SEED)
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
        check.number(slots, ("pool", "slots"), integer=True, minimum=1, maximum=MAX_SLOTS)

    waves = []
    for where, raw in check.tables(data, "wave"):
        i = where[1]
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
        lag = check.number(raw.get("lag_days", 0.0), (*where, "lag_days"), minimum=0.0,
                           maximum=MAX_DAYS)
        waves.append(Wave(
            name=str(raw.get("name", f"wave {i}")),
            selector=check.tribe(raw["from"], (*where, "from"), selector=True),
            target=target,
            start=wave_start,
            points=points,
            lag_days=float(lag),
        ))

    churn = check.table(data.get("churn", {}), ("churn",))
    join_rate = check.number(churn.get("join_per_day", 0.0), ("churn", "join_per_day"),
                             minimum=0)  # and at most MAX_JOINED over the days: _check_growth
    leave_rate = check.number(churn.get("leave_per_day", 0.0), ("churn", "leave_per_day"),
                              minimum=0, maximum=MAX_LEAVE_PER_DAY)

    events = []
    for where, raw in check.tables(data, "event", "an"):
        i = where[1]
        if "date" not in raw:
            check.fail(where, "missing key 'date'")
        join = check.number(raw.get("join", 0), (*where, "join"), integer=True, minimum=0,
                            maximum=MAX_JOINED)
        leave = check.number(raw.get("leave", 0), (*where, "leave"), integer=True, minimum=0,
                             maximum=MAX_LEAVE_PER_DAY)
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

    _check_growth(check, days, join_rate, events)
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
        reboot=reboot_table(check, data),
    )


def _check_growth(check: Checker, days: int, join_rate: float, events) -> None:
    """Refuse a scenario whose machines joining would take too long to clone, with the
    estimate: each joins as a copy of a machine, all its slots (about MS_PER_JOIN each)."""
    from_events = sum(event.join for event in events)
    joined = join_rate * (days - 1) + from_events
    if joined <= MAX_JOINED:
        return
    cost = clock.format_duration(joined * MS_PER_JOIN / 1000)
    count = f"{int(joined):,}" if joined < 1e9 else number_text(float(f"{joined:.3g}"))
    estimate = (f"about {count} machines would join, each a copy of one at about "
                f"{MS_PER_JOIN} ms ({cost}); at most {MAX_JOINED:,} may join a scenario")
    if join_rate * (days - 1) > MAX_JOINED - from_events or not from_events:
        high = max(0, MAX_JOINED - from_events) / max(1, days - 1)
        check.fail(("churn", "join_per_day"), f"{number_text(join_rate)}: give "
                   f"{range_text(0, float(f'{high:.3g}'))} for {days} days: {estimate}")
    check.fail(("event",), f"the events join {from_events:,} machines: {estimate}")


def read_reboot_settings(path: Union[str, Path]) -> dict:
    """The ``[reboot]`` table of a TOML file (a scenario, or the ``reboot.toml`` a scenario
    run leaves in its store) as replay knobs; errors name the file, line and key."""
    path = Path(path)
    text = read_text(path, ScenarioError)
    data = _load_toml(text, path)
    check = Checker(str(path), text)
    return reboot_table(check, data)


def reboot_toml(settings: dict, source: str) -> str:
    """``settings`` (as ``reboot_table`` gives them) written back as a ``[reboot]`` table."""
    lines = [f"# The [reboot] settings of {source}, for tribes replay.", "[reboot]"]
    for key in ("max_job_retirement_time", "reboot_time"):
        if key in settings:
            lines.append(f"{key} = {settings[key]:g}")
    if "reboot_attributes" in settings:
        lines.append("attributes = [" + ", ".join(f'"{a}"' for a in settings["reboot_attributes"])
                     + "]")
    return "\n".join(lines) + "\n"
