"""Tribes and the reference machine: the slot the ladder's Requirements are written from.

A slot's tribe is what a binary built on one machine cares about: its
release, kernel and glibc. The reference machine is the user's desktop; by
default a slot of the pool's most common tribe.

>>> from simulator import pools
>>> snapshot = pools.generate("pool_2010")
>>> slot_name(snapshot, reference_slot(snapshot))
'slot1@node050.campus.example.edu'
"""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

from simulator.model.condor import quote
from simulator.model.errors import ProfileError
from simulator.model.snapshot import Snapshot


def reference_slot(snapshot: Snapshot, name: Optional[str] = None) -> int:
    """Row of the reference machine: the slot named ``name`` (Name or Machine), or
    by default a slot of the pool's most common tribe, the most common one
    within it, first by Name.
    """
    if len(snapshot) == 0:
        raise ProfileError(f"{snapshot.source}: the pool has no slots")
    # Cells hold expression text, so compare with the name as a ClassAd string literal.
    names = _texts(snapshot, "Name")
    if name is not None:
        wanted = quote(name)
        machines = _texts(snapshot, "Machine")
        for i in range(len(names)):
            if wanted in (names[i], machines[i]):
                return i
        raise ProfileError(f"{snapshot.source}: no slot or machine named {name!r}")
    keys = _tribe_keys(snapshot)
    best_tribe = _mode(keys)
    members = [i for i, key in enumerate(keys) if key == best_tribe]
    facts = [_texts(snapshot, a) for a in ("OpSysMajorVer", "glibc_base_version",
                                           "JavaSpecificationVersion", "HasHardwareVirt", "HasKVM")]
    details = [tuple(column[i] for column in facts) for i in range(len(snapshot))]
    best_detail = _mode([details[i] for i in members])
    members = [i for i in members if details[i] == best_detail]
    return min(members, key=lambda i: (names[i] or "", i))


def slot_name(snapshot: Snapshot, i: int) -> str:
    """Slot i's Name (``slot N`` when it has none)."""
    name = slot_value(snapshot, i, "Name")
    return name if isinstance(name, str) else f"slot {i + 1}"


def tribe(snapshot: Snapshot, i: int) -> Tuple[str, str, str]:
    """Slot i's tribe: what a binary built on one machine cares about.

    (release, kernel, glibc) as expression texts: ``redhat_version`` else
    ``OpSysAndVer``, ``kernel_version`` else ``UtsnameRelease``, ``glibc_version``.
    """
    return _tribe_keys(snapshot)[i]


def tribes(snapshot: Snapshot) -> List[Tuple]:
    """Every slot's tribe, in slot order."""
    return _tribe_keys(snapshot)


def _tribe_keys(snapshot: Snapshot) -> List[Tuple]:
    redhat, opsysandver = _texts(snapshot, "redhat_version"), _texts(snapshot, "OpSysAndVer")
    kernels, uname = _texts(snapshot, "kernel_version"), _texts(snapshot, "UtsnameRelease")
    glibcs = _texts(snapshot, "glibc_version")
    return [
        (
            redhat[i] if redhat[i] is not None else opsysandver[i],
            kernels[i] if kernels[i] is not None else uname[i],
            glibcs[i],
        )
        for i in range(len(snapshot))
    ]


def _mode(keys: Sequence) -> object:
    counts: Dict[object, int] = {}
    for key in keys:
        counts[key] = counts.get(key, 0) + 1
    # most common; ties go to the first seen, so the choice is stable
    return max(counts, key=lambda k: counts[k])


def _texts(snapshot: Snapshot, attr: str) -> List[Optional[str]]:
    try:
        column = snapshot.ads[snapshot.column(attr)]
    except KeyError:
        return [None] * len(snapshot)
    return [text if isinstance(text, str) else None for text in column]


def slot_value(snapshot: Snapshot, i: int, attr: str):
    """The reference slot's evaluated value of ``attr`` (None when it has none)."""
    try:
        column = snapshot.column(attr)
    except KeyError:
        return None
    text = snapshot.ads[column].iloc[i]
    if not isinstance(text, str):
        return None
    value = snapshot.classad(i).eval(snapshot.display_name(column))
    return value if isinstance(value, (str, int, float, bool)) else None
