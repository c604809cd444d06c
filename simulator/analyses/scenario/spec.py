"""What a scenario file says: the start pool, upgrade waves, churn and dated events.

``Scenario`` is what ``load_scenario`` returns; a ``Tribe`` is a set of
attribute values as cell texts. ``ScenarioError`` names the file, line and key.

>>> Tribe({"opsysmajorver": ["5"]}, {"opsysmajorver": "OpSysMajorVer"}).values
{'opsysmajorver': ['5']}
>>> day_label(DAY)
'1970-01-02'
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from typing import Any, Dict, List, Optional, Sequence, Tuple

from simulator.model import clock
from simulator.model.errors import TribesError

DAY = 86400
UTC = _dt.UTC


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
    # [reboot]: how the replay drains a machine whose kernel or release changes (knob names)
    reboot: Dict[str, Any] = dataclasses.field(default_factory=dict)

    def error(self, where: Sequence, reason: str) -> ScenarioError:
        """An error about key path ``where`` (e.g. ("wave", 2, "from")), with its line if known."""
        probe, line = tuple(where), None
        while probe and line is None:
            line = self.lines.get(probe)
            probe = probe[:-1]
        at = f"line {line}: " if line else ""
        return ScenarioError(f"{self.path}: {at}{dotted(where)}: {reason}")

    def times(self) -> List[int]:
        return [self.start + d * DAY for d in range(self.days)]


def dotted(where: Sequence) -> str:
    out = ""
    for part in where:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(file)"


def describe(scenario: Scenario) -> str:
    """One line per wave: what moves, when, how fast."""
    out = []
    for wave in scenario.waves:
        curve = ", ".join(f"{day_label(t)} {f:.0%}" for t, f in wave.points) or "all at start"
        out.append(f"{wave.name}: from {day_label(wave.start)}; {curve}; lag {wave.lag_days:g} d")
    return "\n".join(out)


def day_label(epoch: Any) -> str:
    return clock.format_time(epoch, clock.DAY_FORMAT)
