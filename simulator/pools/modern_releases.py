"""The modern pool's operating systems: OS families, their releases, kernels and glibc builds.

Every share is a documented assumption; where a figure comes from is said
beside it (``os_shares=`` in :func:`simulator.pools.modern.generate` overrides
``OS_SHARES``):

================  =====  =============================================================
OS family         share  where the figure comes from
================  =====  =============================================================
EL9               .40    OSPool sample (tests/fixtures/real-ads, 143 slot ads):
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

``RELEASES`` holds one row per release; a row's ``share`` is its weight within
its family:

>>> rocky = RELEASES[0]
>>> rocky["long_name"], rocky["kernels"][0], rocky["glibcs"][0]
('Rocky Linux release 9.4 (Blue Onyx)', '5.14.0-427.13.1.el9_4.x86_64', 'glibc-2.34-100.el9_4.2')
>>> sorted({r["family"] for r in RELEASES}) == sorted(OS_SHARES)
True
"""

from __future__ import annotations

OS_SHARES = {
    "EL9": 0.40, "EL8": 0.25, "EL7": 0.10, "EL10": 0.05,
    "Debian12": 0.04, "Debian13": 0.04, "Ubuntu22": 0.05, "Ubuntu24": 0.07,
}  # fmt: skip


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
