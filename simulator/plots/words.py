"""Words under the charts: names a reader knows, capture times, counts with their share.

>>> label(["JavaVendor", "JavaVersion"])
'Java vendor and version (JavaVendor + JavaVersion)'
>>> slots(1), slots(2)
('1 slot', '2 slots')
"""

from __future__ import annotations

from typing import Dict, Iterable, List, Sequence, Union

from simulator.model import clock
from simulator.model.snapshot import Snapshot

# Names a pool admin reads more easily than the attribute names.
LABELS: Dict[str, str] = {
    "redhat_version": "OS release",
    "opsysandver": "OS and version",
    "os_pretty_name": "OS",
    "kernel_version": "Kernel",
    "utsnamerelease": "Kernel",
    "glibc_version": "glibc build",
    "glibc_base_version": "glibc version",
    "javavendor javaversion": "Java vendor and version",
    "javaversion": "Java version",
    "hashardwarevirt": "Hardware virtualization (VT-x / AMD-V)",
    "haskvm": "Usable /dev/kvm",
    "isvirtualmachine": "Runs inside a virtual machine",
    "hypervisor": "Hypervisor",
    "opsys": "Operating system",
    "arch": "Architecture",
}
NOT_PUBLISHED = "(not published)"


def format_time(epoch: int) -> str:
    """``1289916000`` -> ``'2010-11-16 14:00 UTC'``."""
    return clock.format_time(epoch, clock.MINUTE_FORMAT) + " UTC"


def describe(snapshot: Snapshot) -> str:
    """One line naming a snapshot: size, capture time (and how it is known), source."""
    when = format_time(snapshot.time)
    return (
        f"{len(snapshot)} slots · captured {when} ({snapshot.time_source})"
        f" · source: {snapshot.source}"
    )


def label(attrs: Union[str, Sequence[str]]) -> str:
    """The reader's name for an attribute (or a joined pair), with the attribute names."""
    names = names_of(attrs)
    key = " ".join(n.lower() for n in names)
    shown = " + ".join(names)
    if key not in LABELS or LABELS[key] == shown:
        return shown
    return f"{LABELS[key]} ({shown})"


def names_of(attrs: Union[str, Sequence[str]]) -> List[str]:
    return [attrs] if isinstance(attrs, str) else list(attrs)


def slots(n: int) -> str:
    """``1`` -> ``'1 slot'``, ``2`` -> ``'2 slots'``."""
    return f"{n} slot" if n == 1 else f"{n} slots"


def do(n: int) -> str:
    return "does" if n == 1 else "do"


def pct(part: int, total: int) -> str:
    return f"{100 * part / total:.1f} %"


def count_texts(values: Iterable[int], total: int) -> List[str]:
    return [f"{v} ({100 * v / total:.1f} %)" if total else str(v) for v in values]


def coverage(snapshot: Snapshot, shown: int, attrs: Union[str, Sequence[str]]) -> str:
    names = names_of(attrs)
    missing = len(snapshot) - shown
    if not missing:
        return ""
    both = " and ".join(names) if len(names) > 1 else names[0]
    return f"; {slots(missing)} {do(missing)} not publish {both}"
