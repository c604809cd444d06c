"""A paragraph that reads a pool in words, every number counted from the snapshot.
"""

from __future__ import annotations

import re
from typing import Optional

import pandas as pd

from simulator.model.snapshot import Snapshot
from simulator.plots.counting import counts
from simulator.plots.words import format_time, pct, slots


def _glibc_base(value: str) -> Optional[str]:
    match = re.match(r"(?:glibc-)?(\d+(?:\.\d+)+)", value)
    return match.group(1) if match else None


def _lacking(snapshot: Snapshot, attr: str) -> str:
    """The slots that lack ``attr``, in words, naming their OpSys when known."""
    absent = snapshot.values(attr).isna()
    n = int(absent.sum())
    verb = "publishes" if n == 1 else "publish"
    text = f"{slots(n)} {verb} no {snapshot.display_name(attr)}"
    if "opsys" in snapshot.ads.columns:
        systems = snapshot.values("opsys")[absent].dropna().value_counts()
        if len(systems):
            text += " (OpSys: " + ", ".join(f"{k} {v}" for v, k in systems.items()) + ")"
    return text


def reading(snapshot: Snapshot) -> str:
    """A paragraph that reads the pool's mix in words, every number from the data."""
    total = len(snapshot)
    sentences = [f"The pool has {slots(total)} (captured {format_time(snapshot.time)})."]
    published = set(snapshot.ads.columns)
    for attr, what in (("redhat_version", "OS releases"), ("opsysandver", "OS versions")):
        found = counts(snapshot, attr) if attr in published else pd.Series(dtype=int)
        if len(found):
            first, n, publishing = found.index[0], int(found.iloc[0]), int(found.sum())
            sentence = (
                f"{slots(publishing)} publish {snapshot.display_name(attr)} and run "
                f"{len(found)} {what}: {pct(n, total)} of all slots run {first}"
            )
            if len(found) > 1:
                sentence += (
                    f"; the other {len(found) - 1} {what} share the remaining "
                    f"{slots(publishing - n)}"
                )
            sentences.append(sentence + ".")
            if publishing < total:
                sentences.append(_lacking(snapshot, attr) + ".")
            break
    found = counts(snapshot, "kernel_version") if "kernel_version" in published else []
    if len(found):
        sentences.append(
            f"There are {len(found)} kernels: even the most common, {found.index[0]}, is on only "
            f"{pct(int(found.iloc[0]), total)} of slots, so a job that names an exact kernel "
            f"can use at most that share."
        )
    found = counts(snapshot, "glibc_version") if "glibc_version" in published else []
    if len(found):
        bases = found.groupby(found.index.map(_glibc_base)).sum().sort_values(ascending=False)
        parts = ", ".join(f"glibc {b} on {slots(int(n))}" for b, n in bases.items())
        sentences.append(
            f"The {len(found)} glibc builds come down to {len(bases)} versions ({parts})."
        )
    if "javavendor" in published and "javaversion" in published:
        found = counts(snapshot, ["JavaVendor", "JavaVersion"])
        with_java = int(found.sum())
        most = f", most often {found.index[0]}" if len(found) else ""
        sentences.append(
            f"{slots(with_java)} publish a Java ({len(found)} vendor/version builds{most}); "
            f"{total - with_java} publish none."
        )
    virt = []
    for attr, what in (
        ("hashardwarevirt", "VT-x or AMD-V on {}"),
        ("haskvm", "a /dev/kvm the condor user can open on {}"),
        ("isvirtualmachine", "{} inside a virtual machine"),
    ):
        if attr in published:
            n = int(snapshot.values(attr).map(lambda v: v is True).sum())
            virt.append(what.format(slots(n)))
    if virt:
        listed = virt[0] if len(virt) == 1 else ", ".join(virt[:-1]) + " and " + virt[-1]
        sentences.append(f"For virtualization: {listed}.")
    return " ".join(sentences)
