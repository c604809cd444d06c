"""A modern pool (2026): EL7–EL10, Debian 12/13, Ubuntu 22.04/24.04, bare metal and VMs.

Vectorised with numpy: ``generate(slots=1_000_000)`` takes a few seconds. Each
distinct cell text is one shared Python string, so a column costs one pointer
per slot. Deterministic for a given ``seed``.

>>> snap = generate(slots=500, seed=1)
>>> len(snap), sorted(set(snap.values("SlotType")))
(500, ['Dynamic', 'Partitionable', 'Static'])

The mix (every share is a documented assumption; where a figure comes from is
said beside it; ``os_shares=``, ``roles=``, ``hypervisors=`` override them):

================  =====  =============================================================
OS family         share  where the figure comes from
================  =====  =============================================================
EL9               .40    OSPool sample (reference/real-ads, 143 slot ads, 2026):
                         OpSysAndVer CentOS9 109 + AlmaLinux9 1 (inside containers);
                         host kernels 5.14.0 (EL9) 36 of 143
EL8               .25    OSPool: CentOS8 20; host kernels 4.18.0 (EL8) 55 of 143
EL7               .10    OSPool: CentOS7 2; host kernels 3.10.0 44 of 143 (one site);
                         EL7 is past its end of life (2024-06) but lingers
EL10              .05    OSPool: CentOS10 3 (EL10 released 2025-05)
Debian 12         .04    assumption (bookworm, still supported)
Debian 13         .04    OSPool: DEBIAN13 5; one host kernel 6.12.x+deb13
Ubuntu 22.04      .05    OSPool: host kernels 5.15.0-*-generic 2
Ubuntu 24.04      .07    OSPool: UBUNTU24 3; host kernels 6.8.0-*-generic 5
================  =====  =============================================================

Within a family: EL9 Rocky/Alma .35/.35, RHEL .15, CentOS Stream .15; EL8
Rocky/Alma .35/.35, RHEL .20, CentOS 8.5 .10; EL7 CentOS .80, RHEL .15,
Scientific Linux .05; EL10 Alma .40, Rocky/RHEL/Stream .20 each. Point
releases lean to the newest (``RELEASES``). Kernels (``uname -r``, which is both
``kernel_version`` and ``UtsnameRelease``) and glibc package versions follow each
release: strings marked ``# OSPool`` in ``RELEASES`` appear in the reference
sample; the others were checked against public build logs, errata and bug
reports (2026) found with the project's search tools, except the few marked
``# assumed`` (CentOS Stream builds). AlmaLinux's own glibc rebuilds carry
``.alma.N``. glibc base versions are exact: 2.17
(EL7), 2.28 (EL8), 2.34 (EL9), 2.39 (EL10), 2.36 (Debian 12), 2.41 (Debian 13),
2.35 (Ubuntu 22.04), 2.39 (Ubuntu 24.04). OpSysAndVer/OpSysName follow
HTCondor's bare-metal spelling ("Rocky9", "AlmaLinux9", "RedHat9", "CentOS9",
"Debian12", "Ubuntu24"); the OSPool's upper-case "DEBIAN13" and "UBUNTU24" come
from its pilots' container descriptions, not from a startd on a host.

================  =====  =============================================================
machine role      share  slots
================  =====  =============================================================
cluster           .55    one partitionable slot + one dynamic slot per running job
cluster-static    .15    one static slot per core
desktop           .10    static slots; START is HTCondor's desktop policy
vm                .20    partitionable; START retires the instance (``GLIDEIN_ToRetire``)
================  =====  =============================================================

Cores: cluster 16–192 (64 and 128 the commonest), desktops 4–16, VMs 2–64.
Memory 2/4/8/16 GB per core (.15/.50/.30/.05), desktops 2/4/8 (.3/.5/.2).
Running jobs on a partitionable machine: a Beta(4, 2) share of its cores, one
core and 1–8 GB each (OSPool: 116 of 143 slot ads are dynamic, all 1 core).
Static slots are Claimed with probability .6.

VMs by hypervisor (systemd-detect-virt names, as the hook publishes them):
kvm (OpenStack/on-prem) .35, amazon (EC2 Nitro) .30, microsoft (Hyper-V/Azure)
.10, google .10, vmware .10, xen .05. Nested virtualisation (VT-x/AMD-V seen
inside the VM) is rare: kvm .15, microsoft .15, google .10, vmware .05, amazon
and xen 0. Bare metal has VT-x or AMD-V (AMD .35 of machines) 97% of the time
(firmware can switch it off). ``HasKVM`` (``/dev/kvm`` usable by the condor
user) needs hardware virtualisation and then holds for .90 on EL8+ (udev makes
/dev/kvm mode 0666), .50 on EL7, .25 on Debian/Ubuntu (0660, group kvm).
Microarch x86_64-v2/v3/v4 .10/.65/.25 (OSPool: 16/96/31). Java (HTCondor's
``JavaVendor``/``JavaVersion``): none on .35 of machines; else the distro's
OpenJDK 8/11/17/21 as each release ships it ("Red Hat, Inc.", "Debian",
"Ubuntu", Ubuntu's OpenJDK 8 says "Private Build"), Temurin ("Eclipse Adoptium")
or Oracle, with the weights in ``JAVA``.
"""

from __future__ import annotations

import calendar
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import pandas as pd

from simulator.exceptions import TribesError
from simulator.pools.cells import (
    Block,
    expression_cell,
    float_cell,
    int_cell,
    string_cell,
)
from simulator.snapshot import Snapshot

CAPTURE_TIME = calendar.timegm((2026, 7, 6, 12, 0, 0))  # the OSPool sample's date
DEFAULT_SLOTS = 10_000
MAX_SLOTS = 5_000_000
DOMAIN = "pool.example.org"

OS_SHARES = {
    "EL9": 0.40, "EL8": 0.25, "EL7": 0.10, "EL10": 0.05,
    "Debian12": 0.04, "Debian13": 0.04, "Ubuntu22": 0.05, "Ubuntu24": 0.07,
}  # fmt: skip
ROLES = {"cluster": 0.55, "cluster-static": 0.15, "desktop": 0.10, "vm": 0.20}
HYPERVISORS = {"kvm": 0.35, "amazon": 0.30, "microsoft": 0.10, "google": 0.10,
               "vmware": 0.10, "xen": 0.05}  # fmt: skip
NESTED_VIRT = {"kvm": 0.15, "amazon": 0.0, "microsoft": 0.15, "google": 0.10,
               "vmware": 0.05, "xen": 0.0}  # fmt: skip
HAS_KVM = {"EL7": 0.50, "EL8": 0.90, "EL9": 0.90, "EL10": 0.90,
           "Debian12": 0.25, "Debian13": 0.25, "Ubuntu22": 0.25, "Ubuntu24": 0.25}  # fmt: skip
BARE_METAL_VIRT = 0.97
AMD_SHARE = 0.35
MICROARCH = {"x86_64-v2": 0.10, "x86_64-v3": 0.65, "x86_64-v4": 0.25}
NO_JAVA = 0.35
CORES = {
    "cluster": {16: .10, 32: .15, 48: .10, 64: .25, 96: .10, 128: .25, 192: .05},
    "cluster-static": {16: .10, 32: .15, 48: .10, 64: .25, 96: .10, 128: .25, 192: .05},
    "desktop": {4: .2, 8: .4, 12: .2, 16: .2},
    "vm": {2: .10, 4: .25, 8: .30, 16: .20, 32: .10, 64: .05},
}  # fmt: skip
GB_PER_CORE = {2: 0.15, 4: 0.50, 8: 0.30, 16: 0.05}
DESKTOP_GB_PER_CORE = {2: 0.3, 4: 0.5, 8: 0.2}
DISK_GB_PER_CORE = {10: 0.2, 20: 0.4, 50: 0.3, 100: 0.1}
JOB_MEMORY_MB = {1024: 0.3, 2048: 0.4, 4096: 0.25, 8192: 0.05}
STATIC_CLAIMED = 0.6

# START per role, as HTCondor's policies write it. Desktop: POLICY : DESKTOP's
# StartIdleTime (15 min) and BackgroundLoad (0.3); vm: the pilots' retirement clause.
START = {
    "cluster": "true",
    "cluster-static": "true",
    "desktop": "KeyboardIdle > 15 * 60 && (LoadAvg - CondorLoadAvg) <= 0.3",
    "vm": "time() < GLIDEIN_ToRetire",
}
REQUIREMENTS = "START && (WithinResourceLimits)"
# As real 2026 slot ads carry it (reference/real-ads, OSPool sample).
WITHIN_RESOURCE_LIMITS = (
    "MY.Cpus > 0 && TARGET.RequestCpus <= MY.Cpus && MY.Memory > 0 && "
    "TARGET.RequestMemory <= MY.Memory && MY.Disk > 0 && TARGET.RequestDisk <= MY.Disk && "
    "(TARGET.RequestGPUs =?= undefined || MY.GPUs >= TARGET.RequestGPUs)"
)


def _release(family, name, major, minor, long_name, os_id, pretty, version_id, share,
             kernels, glibcs, redhat=True):  # fmt: skip
    return {
        "family": family, "name": name, "major": major, "minor": minor,
        "long_name": long_name, "redhat_version": long_name if redhat else None,
        "os_id": os_id, "os_pretty_name": pretty, "os_version_id": version_id,
        "share": share, "kernels": kernels, "glibcs": glibcs,
    }  # fmt: skip


def _el(family, vendor_share, name, os_id, minor_rows):
    """Rows for one EL rebuild: ``minor_rows`` = (minor, share, long, pretty, kernels, glibcs)."""
    major = int(family[2:])
    return [
        _release(family, name, major, minor, long_name, os_id, pretty,
                 f"{major}.{minor}" if os_id not in ("centos",) else str(major),
                 vendor_share * share, kernels, glibcs)  # fmt: skip
        for minor, share, long_name, pretty, kernels, glibcs in minor_rows
    ]


# Kernels (uname -r) and glibc builds per minor release. "# OSPool": seen in the
# reference sample; the others were checked against public build logs, errata and
# bug reports in the project's search index (2026), except where marked "# assumed".
_K9 = {
    4: ["5.14.0-427.13.1.el9_4.x86_64", "5.14.0-427.42.1.el9_4.x86_64"],
    5: ["5.14.0-503.14.1.el9_5.x86_64", "5.14.0-503.38.1.el9_5.x86_64"],
    6: ["5.14.0-570.12.1.el9_6.x86_64", "5.14.0-570.58.1.el9_6.x86_64"],
    7: ["5.14.0-611.47.1.el9_7.x86_64", "5.14.0-611.49.2.el9_7.x86_64",  # OSPool
        "5.14.0-611.54.1.el9_7.x86_64", "5.14.0-611.54.3.el9_7.x86_64"],  # OSPool
    8: ["5.14.0-687.5.3.el9_8.x86_64", "5.14.0-687.15.1.el9_8.x86_64",  # OSPool
        "5.14.0-687.20.1.el9_8.x86_64", "5.14.0-687.39.1.el9_8.x86_64"],  # OSPool (3 first)
}  # fmt: skip
_G9 = {
    4: ["glibc-2.34-100.el9_4.2", "glibc-2.34-100.el9_4.4"],
    5: ["glibc-2.34-125.el9_5.1", "glibc-2.34-125.el9_5.8"],
    6: ["glibc-2.34-168.el9_6.14", "glibc-2.34-168.el9_6.19", "glibc-2.34-168.el9_6.23"],
    7: ["glibc-2.34-231.el9_7.2", "glibc-2.34-231.el9_7.10"],
    8: ["glibc-2.34-275.el9_8"],
}
# AlmaLinux rebuilds some glibc errata with its own suffix.
_G9_ALMA = {
    4: ["glibc-2.34-100.el9_4.2.alma.2"],
    5: ["glibc-2.34-125.el9_5.3.alma.1", "glibc-2.34-125.el9_5.8.alma.1"],
    6: ["glibc-2.34-168.el9_6.14.alma.1"],
}
_EL9_MINORS = {4: 0.10, 5: 0.15, 6: 0.30, 7: 0.35, 8: 0.10}
_ALMA9 = {4: "Seafoam Ocelot", 5: "Teal Serval", 6: "Sage Margay", 7: "Moss Jungle Cat",
          8: "Olive Jaguar"}  # fmt: skip


def _el9_rows():
    rows = []
    for minor, share in _EL9_MINORS.items():
        k, g = _K9[minor], _G9[minor]
        rows += _el("EL9", 0.35, "Rocky", "rocky", [(
            minor, share, f"Rocky Linux release 9.{minor} (Blue Onyx)",
            f"Rocky Linux 9.{minor} (Blue Onyx)", k, g)])  # fmt: skip
        rows += _el("EL9", 0.15, "RedHat", "rhel", [(
            minor, share, f"Red Hat Enterprise Linux release 9.{minor} (Plow)",
            f"Red Hat Enterprise Linux 9.{minor} (Plow)", k, g)])  # fmt: skip
        code = _ALMA9[minor]
        rows += _el("EL9", 0.35, "AlmaLinux", "almalinux", [(
            minor, share, f"AlmaLinux release 9.{minor} ({code})",
            f"AlmaLinux 9.{minor} ({code})", k, _G9_ALMA.get(minor, g))])  # fmt: skip
    rows += _el("EL9", 0.15, "CentOS", "centos", [(
        0, 1.0, "CentOS Stream release 9", "CentOS Stream 9",
        ["5.14.0-620.el9.x86_64", "5.14.0-708.el9.x86_64", "5.14.0-719.el9.x86_64"],  # OSPool
        ["glibc-2.34-275.el9"])])  # assumed  # fmt: skip
    return rows


_K8_10 = ["4.18.0-553.6.1.el8.x86_64", "4.18.0-553.89.1.el8_10.x86_64",  # OSPool
          "4.18.0-553.123.1.el8_10.x86_64", "4.18.0-553.126.1.el8_10.x86_64",  # OSPool
          "4.18.0-553.129.1.el8_10.x86_64"]  # OSPool  # fmt: skip
_G8_10 = ["glibc-2.28-251.el8_10.2", "glibc-2.28-251.el8_10.13", "glibc-2.28-251.el8_10.16",
          "glibc-2.28-251.el8_10.40"]  # fmt: skip
_EL8_MINORS = {  # minor: (share, kernels, glibcs, Alma code name)
    6: (0.05, ["4.18.0-372.16.1.el8_6.0.1.x86_64"], ["glibc-2.28-189.5.el8_6"],  # OSPool
        "Sky Tiger"),
    8: (0.10, ["4.18.0-477.10.1.el8_8.x86_64"], ["glibc-2.28-225.el8"], "Sapphire Caracal"),
    9: (0.10, ["4.18.0-513.5.1.el8_9.x86_64"], ["glibc-2.28-236.el8_9.7",
        "glibc-2.28-236.el8_9.13"], "Midnight Oncilla"),
    10: (0.75, _K8_10, _G8_10, "Cerulean Leopard"),
}  # fmt: skip


def _el8_rows():
    rows = []
    for minor, (share, k, g, alma) in _EL8_MINORS.items():
        rows += _el("EL8", 0.35, "Rocky", "rocky", [(
            minor, share, f"Rocky Linux release 8.{minor} (Green Obsidian)",
            f"Rocky Linux 8.{minor} (Green Obsidian)", k, g)])  # fmt: skip
        rows += _el("EL8", 0.35, "AlmaLinux", "almalinux", [(
            minor, share, f"AlmaLinux release 8.{minor} ({alma})",
            f"AlmaLinux 8.{minor} ({alma})", k, g)])  # fmt: skip
        rows += _el("EL8", 0.20, "RedHat", "rhel", [(
            minor, share, f"Red Hat Enterprise Linux release 8.{minor} (Ootpa)",
            f"Red Hat Enterprise Linux 8.{minor} (Ootpa)", k, g)])  # fmt: skip
    rows += _el("EL8", 0.10, "CentOS", "centos", [(
        5, 1.0, "CentOS Linux release 8.5.2111", "CentOS Linux 8",
        ["4.18.0-348.7.1.el8_5.x86_64"], ["glibc-2.28-164.el8", "glibc-2.28-164.el8_5.3"])])
    return rows  # fmt: skip


_K7 = ["3.10.0-1160.66.1.el7.x86_64", "3.10.0-1160.119.1.el7.x86_64"]  # OSPool (first)
_G7 = ["glibc-2.17-317.el7", "glibc-2.17-326.el7_9"]


def _el7_rows():
    return [
        _release("EL7", "CentOS", 7, 9, "CentOS Linux release 7.9.2009 (Core)", "centos",  # OSPool
                 "CentOS Linux 7 (Core)", "7", 0.80, _K7, _G7),
        _release("EL7", "RedHat", 7, 9, "Red Hat Enterprise Linux Server release 7.9 (Maipo)",
                 "rhel", "Red Hat Enterprise Linux Server 7.9 (Maipo)", "7.9", 0.15, _K7, _G7),
        _release("EL7", "SL", 7, 9, "Scientific Linux release 7.9 (Nitrogen)", "scientific",
                 "Scientific Linux 7.9 (Nitrogen)", "7.9", 0.05, _K7, _G7),
    ]  # fmt: skip


_EL10 = {  # minor: (share, kernels, glibcs, Alma glibcs, Alma code name)
    0: (0.35, ["6.12.0-55.9.1.el10_0.x86_64", "6.12.0-55.34.1.el10_0.x86_64"],
        ["glibc-2.39-46.el10_0"], ["glibc-2.39-46.el10_0.alma.1"], "Purple Lion"),
    1: (0.65, ["6.12.0-124.8.1.el10_1.x86_64", "6.12.0-124.47.1.el10_1.x86_64"],
        ["glibc-2.39-58.el10_1.2", "glibc-2.39-58.el10_1.7"], None, "Heliotrope Lion"),
}  # fmt: skip


def _el10_rows():
    rows = []
    for minor, (share, k, g, alma_g, alma) in _EL10.items():
        rows += [
            _release("EL10", "AlmaLinux", 10, minor, f"AlmaLinux release 10.{minor} ({alma})",
                     "almalinux", f"AlmaLinux 10.{minor} ({alma})", f"10.{minor}", 0.40 * share,
                     k, alma_g or g),
            _release("EL10", "Rocky", 10, minor, f"Rocky Linux release 10.{minor} (Red Quartz)",
                     "rocky", f"Rocky Linux 10.{minor} (Red Quartz)", f"10.{minor}",
                     0.20 * share, k, g),
            _release("EL10", "RedHat", 10, minor,
                     f"Red Hat Enterprise Linux release 10.{minor} (Coughlan)", "rhel",
                     f"Red Hat Enterprise Linux 10.{minor} (Coughlan)", f"10.{minor}",
                     0.20 * share, k, g),
        ]  # fmt: skip
    rows.append(
        _release("EL10", "CentOS", 10, 0, "CentOS Stream release 10", "centos",
                 "CentOS Stream 10 (Coughlan)", "10", 0.20,
                 ["6.12.0-124.el10.x86_64", "6.12.0-147.el10.x86_64"],  # assumed
                 ["glibc-2.39-58.el10"])  # assumed  # fmt: skip
    )
    return rows


def _debian_ubuntu_rows():
    return [
        _release("Debian12", "Debian", 12, 0, "Debian GNU/Linux 12 (bookworm)", "debian",
                 "Debian GNU/Linux 12 (bookworm)", "12", 1.0,
                 ["6.1.0-37-amd64", "6.1.0-37-cloud-amd64"],
                 ["glibc-2.36-9+deb12u10", "glibc-2.36-9+deb12u13"], redhat=False),
        _release("Debian13", "Debian", 13, 0, "Debian GNU/Linux 13 (trixie)", "debian",
                 "Debian GNU/Linux 13 (trixie)", "13", 1.0,
                 ["6.12.73+deb13-amd64", "6.12.85+deb13-cloud-amd64"],  # OSPool (second)
                 ["glibc-2.41-12+deb13u2", "glibc-2.41-12+deb13u3"], redhat=False),
        _release("Ubuntu22", "Ubuntu", 22, 4, "Ubuntu 22.04.5 LTS", "ubuntu",
                 "Ubuntu 22.04.5 LTS", "22.04", 1.0,
                 ["5.15.0-57-generic", "5.15.0-181-generic"],  # OSPool
                 ["glibc-2.35-0ubuntu3.10", "glibc-2.35-0ubuntu3.11"], redhat=False),
        _release("Ubuntu24", "Ubuntu", 24, 4, "Ubuntu 24.04.3 LTS", "ubuntu",
                 "Ubuntu 24.04.3 LTS", "24.04", 1.0,
                 ["6.8.0-71-generic", "6.8.0-124-generic"],  # OSPool (second)
                 ["glibc-2.39-0ubuntu8.6", "glibc-2.39-0ubuntu8.7"], redhat=False),
    ]  # fmt: skip


RELEASES = _el9_rows() + _el8_rows() + _el7_rows() + _el10_rows() + _debian_ubuntu_rows()

# Java per OS family: (vendor, version, specification, weight) among machines with Java.
# Versions are the OpenJDK updates of January and April 2026 (the capture is July
# 2026; machines lag by one update or none), half and half.
_UPDATES = {"1.8": ("1.8.0_482", "1.8.0_492"), "11": ("11.0.30", "11.0.31"),
            "17": ("17.0.18", "17.0.19"), "21": ("21.0.10", "21.0.11")}  # fmt: skip


def _jdk(vendor: str, spec: str, weight: float) -> List[Tuple[str, str, str, float]]:
    return [(vendor, version, spec, weight / 2) for version in _UPDATES[spec]]


_RH = "Red Hat, Inc."  # also what the Rocky and AlmaLinux rebuilds report
_OTHERS = [*_jdk("Eclipse Adoptium", "17", 0.05), *_jdk("Eclipse Adoptium", "21", 0.05),
           ("Oracle Corporation", "1.8.0_481", "1.8", 0.03)]  # fmt: skip
JAVA = {
    "EL7": [*_jdk(_RH, "1.8", 0.55), *_jdk(_RH, "11", 0.32), *_OTHERS],
    "EL8": [*_jdk(_RH, "1.8", 0.20), *_jdk(_RH, "11", 0.20), *_jdk(_RH, "17", 0.35),
            *_jdk(_RH, "21", 0.12), *_OTHERS],
    "EL9": [*_jdk(_RH, "1.8", 0.12), *_jdk(_RH, "11", 0.13), *_jdk(_RH, "17", 0.35),
            *_jdk(_RH, "21", 0.27), *_OTHERS],
    "EL10": [*_jdk(_RH, "21", 0.87), *_OTHERS],
    "Debian12": [*_jdk("Debian", "17", 0.87), *_OTHERS],
    "Debian13": [*_jdk("Debian", "21", 0.87), *_OTHERS],
    "Ubuntu22": [*_jdk("Private Build", "1.8", 0.15), *_jdk("Ubuntu", "11", 0.42),
                 *_jdk("Ubuntu", "17", 0.30), *_OTHERS],
    "Ubuntu24": [*_jdk("Ubuntu", "17", 0.30), *_jdk("Ubuntu", "21", 0.57), *_OTHERS],
}  # fmt: skip


def _pick(rng, table: Dict, size: int) -> np.ndarray:
    """Indices into ``list(table)``, drawn with the table's weights."""
    weights = np.array(list(table.values()), dtype=float)
    return rng.choice(len(weights), size=size, p=weights / weights.sum())


def _values(table: Dict) -> np.ndarray:
    return np.array(list(table))


class _Machines:
    """Per-machine arrays for ``n`` machines (codes into the tables above)."""

    def __init__(self, rng: np.random.Generator, n: int, os_shares, roles, hypervisors):
        families = list(os_shares)
        unknown = sorted(set(families) - {r["family"] for r in RELEASES})
        if unknown:
            raise TribesError(f"modern pool: unknown OS families {unknown}")
        weights = np.array(
            [os_shares[r["family"]] * r["share"] if r["family"] in os_shares else 0.0
             for r in RELEASES]
        )  # fmt: skip
        family_totals: Dict[str, float] = {}
        for r in RELEASES:
            family_totals[r["family"]] = family_totals.get(r["family"], 0.0) + r["share"]
        weights = weights / np.array([family_totals[r["family"]] for r in RELEASES])
        self.n = n
        self.release = rng.choice(len(RELEASES), size=n, p=weights / weights.sum())
        self.kernel = np.zeros(n, dtype=np.int64)
        self.glibc = np.zeros(n, dtype=np.int64)
        for i, r in enumerate(RELEASES):
            mask = self.release == i
            count = int(mask.sum())
            if count:
                self.kernel[mask] = rng.integers(0, len(r["kernels"]), size=count)
                self.glibc[mask] = rng.integers(0, len(r["glibcs"]), size=count)
        self.role = _pick(rng, roles, n)
        role_names = list(roles)
        self.role_names = role_names
        self.cores = np.zeros(n, dtype=np.int64)
        for j, role in enumerate(role_names):
            mask = self.role == j
            self.cores[mask] = _values(CORES[role])[_pick(rng, CORES[role], int(mask.sum()))]
        desktop = self._is("desktop")
        gb = _values(GB_PER_CORE)[_pick(rng, GB_PER_CORE, n)]
        gb[desktop] = _values(DESKTOP_GB_PER_CORE)[_pick(rng, DESKTOP_GB_PER_CORE,
                                                         int(desktop.sum()))]  # fmt: skip
        total_mb = self.cores * gb * 1024
        self.memory = total_mb - (total_mb * rng.uniform(0.01, 0.03, size=n)).astype(np.int64)
        disk_gb = _values(DISK_GB_PER_CORE)[_pick(rng, DISK_GB_PER_CORE, n)]
        free = rng.uniform(0.5, 0.95, size=n)
        self.disk = (self.cores * disk_gb * 1024 * 1024 * free).astype(np.int64)
        # Virtualisation.
        vm = self._is("vm")
        self.hypervisor = np.full(n, -1, dtype=np.int64)
        self.hypervisor[vm] = _pick(rng, hypervisors, int(vm.sum()))
        self.hypervisor_names = list(hypervisors)
        nested = np.array([NESTED_VIRT.get(h, 0.0) for h in self.hypervisor_names])
        p_virt = np.where(vm, nested[np.maximum(self.hypervisor, 0)], BARE_METAL_VIRT)
        self.virt = rng.random(n) < p_virt
        self.amd = rng.random(n) < AMD_SHARE
        family_of = np.array([r["family"] for r in RELEASES])[self.release]
        p_kvm = np.array([HAS_KVM[f] for f in family_of])
        self.kvm = self.virt & (rng.random(n) < p_kvm)
        self.microarch = _pick(rng, MICROARCH, n)
        # Java: none, or one of the family's builds.
        self.java = np.full(n, -1, dtype=np.int64)
        has_java = rng.random(n) >= NO_JAVA
        self.java_rows: List[Tuple[str, str, str]] = []
        for family, options in JAVA.items():
            mask = has_java & (family_of == family)
            if mask.any():
                table = {len(self.java_rows) + i: w for i, (*_, w) in enumerate(options)}
                self.java[mask] = np.array(list(table))[_pick(rng, table, int(mask.sum()))]
            self.java_rows += [tuple(o[:3]) for o in options]
        # Desktop owners: idle time and their own load; VMs: when the instance retires.
        self.keyboard_idle = rng.choice([30, 300, 1800, 7200, 86400], size=n,
                                        p=[0.15, 0.15, 0.2, 0.25, 0.25])  # fmt: skip
        self.owner_load = rng.choice([0.0, 0.1, 0.5, 1.2], size=n, p=[0.6, 0.2, 0.1, 0.1])
        self.heard = CAPTURE_TIME - rng.integers(0, 300, size=n)
        self.retire = self.heard + rng.integers(3600, 48 * 3600, size=n)
        # Running jobs on partitionable machines.
        pslot = self._is("cluster") | vm
        busy = (rng.beta(4, 2, size=n) * self.cores).astype(np.int64)
        self.dynamic = np.where(pslot, np.minimum(busy, self.cores), 0)
        self.partitionable = pslot
        self.slot_ads = np.where(pslot, 1 + self.dynamic, self.cores)

    def _is(self, role: str) -> np.ndarray:
        if role not in self.role_names:
            return np.zeros(self.n, dtype=bool)
        return self.role == self.role_names.index(role)

    def truncate(self, n_machines: int, last_slots: int) -> None:
        """Keep the first machines; the last keeps only ``last_slots`` slot ads."""
        for name, value in list(vars(self).items()):
            if isinstance(value, np.ndarray) and len(value) == self.n:
                setattr(self, name, value[:n_machines].copy())
        self.n = n_machines
        last = n_machines - 1
        if self.partitionable[last]:
            self.dynamic[last] = last_slots - 1
        else:
            self.cores[last] = last_slots
        self.slot_ads[last] = last_slots


def _labels(texts: Sequence[Optional[str]]) -> np.ndarray:
    table = np.empty(len(texts) + 1, dtype=object)
    table[:-1] = list(texts)
    table[-1] = None  # code -1 = absent
    return table


def _coded(codes: np.ndarray, texts: Sequence[Optional[str]]) -> np.ndarray:
    return _labels(texts)[codes]


def _numbers(values: np.ndarray, fmt=int_cell, index: Optional[np.ndarray] = None) -> np.ndarray:
    """Cells of numbers; with ``index``, ``values`` are per machine and spread to slots."""
    codes, uniq = pd.factorize(values)
    texts = [fmt(v) for v in uniq.tolist()]
    return _coded(codes if index is None else codes[index], texts)


def _masked(column: np.ndarray, keep: np.ndarray) -> np.ndarray:
    out = column.copy()
    out[~keep] = None
    return out


ATTRIBUTES = [
    "MyType", "TargetType", "Name", "Machine", "SlotID", "SlotType", "PartitionableSlot",
    "DynamicSlot", "State", "Activity", "OpSys", "OpSysLegacy", "Arch", "Microarch",
    "OpSysAndVer", "OpSysMajorVer", "OpSysName", "OpSysShortName", "OpSysVer", "OpSysLongName",
    "UtsnameSysname", "UtsnameRelease", "redhat_version", "os_pretty_name", "os_id",
    "os_version_id", "kernel_version", "glibc_version", "glibc_base_version", "HasJava",
    "JavaVendor", "JavaVersion", "JavaSpecificationVersion", "HasHardwareVirt",
    "HardwareVirtType", "HasKVM", "IsVirtualMachine", "Hypervisor", "Cpus", "TotalCpus",
    "Memory", "TotalMemory", "Disk", "TotalDisk", "TotalSlots", "KeyboardIdle", "LoadAvg",
    "CondorLoadAvg", "GLIDEIN_ToRetire", "START", "WithinResourceLimits", "Requirements",
    "MyCurrentTime", "LastHeardFrom",
]  # fmt: skip


def generate(
    *,
    seed: int = 2010,
    slots: Optional[int] = None,
    os_shares: Optional[Dict[str, float]] = None,
    roles: Optional[Dict[str, float]] = None,
    hypervisors: Optional[Dict[str, float]] = None,
    attributes: Optional[Sequence[str]] = None,
) -> Snapshot:
    """A modern pool of ``slots`` slot ads (default 10,000), as of 2026-07-06.

    ``attributes`` keeps only those columns (any case), for big pools where
    memory counts; the slots are the same as with all of them.
    """
    slots = DEFAULT_SLOTS if slots is None else int(slots)
    if not 1 <= slots <= MAX_SLOTS:
        raise TribesError(f"modern pool: slots must be between 1 and {MAX_SLOTS:,}, got {slots}")
    roles = dict(ROLES if roles is None else roles)
    unknown = sorted(set(roles) - set(START))
    if unknown:
        raise TribesError(f"modern pool: unknown roles {unknown} (known: {', '.join(START)})")
    rng = np.random.default_rng(seed)
    # Draw enough machines at once; a second draw is rarely needed.
    n = max(8, int(slots / 20) + 8)
    while True:
        m = _Machines(rng, n, os_shares or OS_SHARES, roles, hypervisors or HYPERVISORS)
        ends = np.cumsum(m.slot_ads)
        if ends[-1] >= slots:
            break
        n *= 2
    n_machines = int(np.searchsorted(ends, slots) + 1)
    before = int(ends[n_machines - 2]) if n_machines > 1 else 0
    m.truncate(n_machines, slots - before)
    keep = ATTRIBUTES
    if attributes is not None:
        wanted = {a.lower() for a in attributes}
        unknown = sorted(wanted - {a.lower() for a in ATTRIBUTES})
        if unknown:
            raise TribesError(f"modern pool: no attributes {unknown}")
        keep = [a for a in ATTRIBUTES if a.lower() in wanted]
    return _snapshot(m, rng, seed, slots, keep)


def _snapshot(m: _Machines, rng, seed: int, slots: int, keep: Sequence[str]) -> Snapshot:
    mi = np.repeat(np.arange(m.n), m.slot_ads)  # machine of each slot
    starts = np.cumsum(m.slot_ads) - m.slot_ads
    pos = np.arange(len(mi)) - starts[mi]  # 0 = first slot ad of its machine
    pslot = m.partitionable[mi]
    dynamic = pslot & (pos > 0)
    static = ~pslot
    cols = Block(keep, len(mi))
    const = {
        "MyType": "Machine", "TargetType": "Job", "OpSys": "LINUX", "OpSysLegacy": "LINUX",
        "Arch": "X86_64", "UtsnameSysname": "Linux",
    }  # fmt: skip
    for attr, value in const.items():
        cols[attr] = _coded(np.zeros(len(mi), dtype=np.int64), [string_cell(value)])

    # Names: hosts are [a-z0-9.-] only, so quoting is adding the quotes.
    host = [f"{_host_prefix(m, i)}{i + 1:06d}.{DOMAIN}" for i in range(m.n)]
    cols["Machine"] = _coded(mi, [f'"{h}"' for h in host])
    if "Name" in cols:  # a million distinct strings: only when asked for
        pos_list, mi_list = pos.tolist(), mi.tolist()
        names = np.empty(len(mi), dtype=object)
        names[:] = [
            f'"slot1_{p}@{host[j]}"' if kind == 2 else f'"slot{p + 1}@{host[j]}"'
            for p, j, kind in zip(pos_list, mi_list, (pslot.astype(np.int8) + dynamic).tolist(),
                                  strict=True)
        ]  # fmt: skip
        cols["Name"] = names
        del names
    cols["SlotID"] = _numbers(np.where(pslot, 1, pos + 1))
    kind = np.where(dynamic, 2, np.where(pslot, 1, 0))
    cols["SlotType"] = _coded(kind, [string_cell(s) for s in ("Static", "Partitionable",
                                                             "Dynamic")])  # fmt: skip
    cols["PartitionableSlot"] = _masked(_coded(np.zeros(len(mi), np.int64), ["true"]),
                                        pslot & ~dynamic)  # fmt: skip
    cols["DynamicSlot"] = _masked(_coded(np.zeros(len(mi), np.int64), ["true"]), dynamic)

    # State: dynamic slots run a job; partitionable slots stay Unclaimed; static ones vary.
    claimed = dynamic | (static & (rng.random(len(mi)) < STATIC_CLAIMED))
    cols["State"] = _coded(claimed.astype(np.int64), ['"Unclaimed"', '"Claimed"'])
    cols["Activity"] = _coded(claimed.astype(np.int64), ['"Idle"', '"Busy"'])

    # The OS, one release row per machine.
    rel = m.release[mi]
    for attr, key, fmt in (
        ("OpSysAndVer", None, None), ("OpSysMajorVer", "major", int_cell),
        ("OpSysName", "name", string_cell), ("OpSysShortName", "name", string_cell),
        ("OpSysVer", None, None), ("OpSysLongName", "long_name", string_cell),
        ("redhat_version", "redhat_version", string_cell), ("os_pretty_name",
        "os_pretty_name", string_cell), ("os_id", "os_id", string_cell),
        ("os_version_id", "os_version_id", string_cell),
    ):  # fmt: skip
        if attr == "OpSysAndVer":
            texts = [string_cell(f"{r['name']}{r['major']}") for r in RELEASES]
        elif attr == "OpSysVer":
            texts = [int_cell(r["major"] * 100 + r["minor"]) for r in RELEASES]
        else:
            texts = [fmt(r[key]) for r in RELEASES]
        cols[attr] = _coded(rel, texts)
    kernel_codes, kernel_texts = _per_release(m.release, m.kernel, "kernels")
    cols["kernel_version"] = cols["UtsnameRelease"] = _coded(kernel_codes[mi], kernel_texts)
    glibc_codes, glibc_texts = _per_release(m.release, m.glibc, "glibcs")
    cols["glibc_version"] = _coded(glibc_codes[mi], glibc_texts)
    base = [string_cell(t.strip('"').split("-")[1]) for t in glibc_texts]
    cols["glibc_base_version"] = _coded(glibc_codes[mi], base)
    cols["Microarch"] = _coded(m.microarch[mi], [string_cell(v) for v in MICROARCH])

    java = m.java[mi]
    cols["HasJava"] = _coded(np.where(java >= 0, 0, -1), ["true"])
    for attr, idx in (("JavaVendor", 0), ("JavaVersion", 1), ("JavaSpecificationVersion", 2)):
        cols[attr] = _coded(java, [string_cell(row[idx]) for row in m.java_rows])

    virt, amd = m.virt[mi], m.amd[mi]
    cols["HasHardwareVirt"] = _coded(virt.astype(np.int64), ["false", "true"])
    cols["HardwareVirtType"] = _coded(np.where(virt, amd.astype(np.int64), -1),
                                      ['"VT-x"', '"AMD-V"'])  # fmt: skip
    cols["HasKVM"] = _coded(m.kvm[mi].astype(np.int64), ["false", "true"])
    hyp = m.hypervisor[mi]
    cols["IsVirtualMachine"] = _coded((hyp >= 0).astype(np.int64), ["false", "true"])
    cols["Hypervisor"] = _coded(hyp, [string_cell(h) for h in m.hypervisor_names])

    # Resources. Static: an equal share per core. Partitionable: what is left
    # after the dynamic slots; dynamic: one core and the job's memory.
    cores, memory, disk = m.cores[mi], m.memory[mi], m.disk[mi]
    job_mb = _values(JOB_MEMORY_MB)[_pick(rng, JOB_MEMORY_MB, len(mi))]
    job_mb = np.minimum(job_mb, memory // np.maximum(cores, 1))
    dyn_disk = disk // np.maximum(cores, 1)
    used_mb = np.bincount(mi, weights=np.where(dynamic, job_mb, 0), minlength=m.n).astype(np.int64)
    slot_cpus = np.where(dynamic, 1, np.where(pslot, m.cores[mi] - m.dynamic[mi], 1))
    slot_memory = np.where(dynamic, job_mb, np.where(pslot, memory - used_mb[mi], memory // cores))
    pslot_disk = disk - dyn_disk * m.dynamic[mi]
    slot_disk = np.where(dynamic, dyn_disk, np.where(pslot, pslot_disk, disk // cores))
    cols["Cpus"] = _numbers(slot_cpus)
    cols["TotalCpus"] = _numbers(m.cores, index=mi)
    cols["Memory"] = _numbers(slot_memory)
    cols["TotalMemory"] = _numbers(m.memory, index=mi)
    cols["Disk"] = _numbers(slot_disk)
    cols["TotalDisk"] = _numbers(m.disk, index=mi)
    cols["TotalSlots"] = _numbers(m.slot_ads, index=mi)

    role = m.role[mi]
    desktop = role == (m.role_names.index("desktop") if "desktop" in m.role_names else -1)
    vm = m.hypervisor[mi] >= 0
    cols["KeyboardIdle"] = _masked(_numbers(m.keyboard_idle, index=mi), desktop)
    condor_load = claimed.astype(float)
    cols["CondorLoadAvg"] = _masked(_numbers(condor_load, float_cell), desktop)
    cols["LoadAvg"] = _masked(_numbers(condor_load + m.owner_load[mi], float_cell), desktop)
    cols["GLIDEIN_ToRetire"] = _masked(_numbers(m.retire, index=mi), vm)
    cols["START"] = _coded(role, [expression_cell(START[r]) for r in m.role_names])
    cols["WithinResourceLimits"] = _coded(np.zeros(len(mi), np.int64),
                                          [expression_cell(WITHIN_RESOURCE_LIMITS)])  # fmt: skip
    cols["Requirements"] = _coded(np.zeros(len(mi), np.int64), [expression_cell(REQUIREMENTS)])
    cols["MyCurrentTime"] = cols["LastHeardFrom"] = _numbers(m.heard, index=mi)

    del mi, pos
    ads, names_map = cols.frame()
    return Snapshot(
        ads=ads,
        time=int(m.heard.max()),
        time_source="generated",
        source=f"modern(seed={seed}, slots={slots})",
        names=names_map,
    )


def _host_prefix(m: _Machines, i: int) -> str:
    role = m.role_names[m.role[i]]
    return {"cluster": "node", "cluster-static": "node", "desktop": "ws", "vm": "vm"}[role]


def _per_release(release: np.ndarray, choice: np.ndarray, key: str):
    """Global codes and cell texts for a per-release list (kernels or glibcs)."""
    offsets, texts = [], []
    for r in RELEASES:
        offsets.append(len(texts))
        texts += [string_cell(v) for v in r[key]]
    return np.array(offsets)[release] + choice, texts
