"""The modern pool's machine mix: roles and their slots, sizes, virtualisation, START policies.

Every share is a documented assumption (``roles=`` and ``hypervisors=`` of
:func:`simulator.pools.modern.generate` override ``ROLES`` and ``HYPERVISORS``);
the operating systems are in :mod:`simulator.pools.modern_releases`, Java in
:mod:`simulator.pools.modern_java`.

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
Microarch x86_64-v2/v3/v4 .10/.65/.25 (OSPool: 16/96/31).

>>> START["desktop"]
'KeyboardIdle > 15 * 60 && (LoadAvg - CondorLoadAvg) <= 0.3'
"""

from __future__ import annotations

import calendar

CAPTURE_TIME = calendar.timegm((2026, 7, 6, 12, 0, 0))  # the OSPool sample's date

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
# As real 2026 slot ads carry it (tests/fixtures/real-ads, the OSPool sample).
WITHIN_RESOURCE_LIMITS = (
    "MY.Cpus > 0 && TARGET.RequestCpus <= MY.Cpus && MY.Memory > 0 && "
    "TARGET.RequestMemory <= MY.Memory && MY.Disk > 0 && TARGET.RequestDisk <= MY.Disk && "
    "(TARGET.RequestGPUs =?= undefined || MY.GPUs >= TARGET.RequestGPUs)"
)
