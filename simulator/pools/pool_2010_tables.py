"""The seed's 2010 tables and its readings: release texts, kernels, glibc, Java.

Each table is split by family and put in age order, oldest first;
:mod:`simulator.pools.pool_2010` reproduces every one exactly.

>>> sum(n for _, n in RHEL5_KERNELS) + sum(n for _, n in RHEL4_KERNELS) + CENTOS5[-1]
859
>>> sum(row[3] for row in JAVA)
861

What comes from the seed
------------------------
The seven tables (``RHEL4_*``, ``RHEL5_*``, ``CENTOS5``, ``JAVA`` below) and
these readings of its text:

* "another 73 machines are behind by a version or two": the 47 RHEL 4 and 26
  RHEL 5.3 slots are 73 single-slot machines.
* "someone plugged in their own personal CentOS machine" and "a few are
  hand-modified for some unusual hardware": the 4 CentOS 5.3 slots are one
  4-core machine running the custom ``2.6.27.8-md-microway`` kernel with the
  glibc it was installed with (``glibc-2.5-34``).
* "only two are Xen virtualized": the two ``…el5xen`` slots are two
  single-vCPU Xen guests (``IsVirtualMachine``, ``Hypervisor = "xen"``); a
  paravirtualised guest does not see VT-x.
"""

from __future__ import annotations

import calendar

CAPTURE_TIME = calendar.timegm((2010, 4, 5, 12, 0, 0))

_AS7 = "Red Hat Enterprise Linux AS release 4 (Nahant Update 7)"
_WS7 = "Red Hat Enterprise Linux WS release 4 (Nahant Update 7)"
_AS8 = "Red Hat Enterprise Linux AS release 4 (Nahant Update 8)"
_EL53 = "Red Hat Enterprise Linux Server release 5.3 (Tikanga)"
_EL54 = "Red Hat Enterprise Linux Server release 5.4 (Tikanga)"
_CENTOS53 = "CentOS release 5.3 (Final)"

# The seed's tables, split by family and put in age order (oldest first).
RHEL4_UPDATES = [("4.7", 37), ("4.8", 10)]
RHEL4_RELEASES = {"4.7": [(_AS7, 27), (_WS7, 10)], "4.8": [(_AS8, 10)]}
RHEL4_KERNELS = [
    ("2.6.9-78.0.5.ELsmp", 2),
    ("2.6.9-78.0.13.ELsmp", 32),
    ("2.6.9-78.0.17.ELsmp", 5),
    ("2.6.9-89.0.9.ELsmp", 2),
    ("2.6.9-89.0.16.ELsmp", 2),
    ("2.6.9-89.0.20.ELsmp", 4),
]
RHEL4_GLIBC = [
    ("glibc-2.3.4-2.41", 24),
    ("glibc-2.3.4-2.41.el4_7.1", 13),
    ("glibc-2.3.4-2.43", 6),
    ("glibc-2.3.4-2.43.el4_8.1", 4),
]
RHEL5_RELEASES = [(_EL53, 26), (_EL54, 782)]
RHEL5_KERNELS = [
    ("2.6.18-128.2.1.el5", 10),
    ("2.6.18-128.4.1.el5", 2),
    ("2.6.18-128.7.1.el5", 14),
    ("2.6.18-164.el5", 294),
    ("2.6.18-164.2.1.el5", 6),
    ("2.6.18-164.6.1.el5", 12),
    ("2.6.18-164.9.1.el5", 342),
    ("2.6.18-164.9.1.el5xen", 2),
    ("2.6.18-164.10.1.el5", 94),
    ("2.6.18-164.11.1.el5", 32),
]
# glibc-2.5-34 has 14 slots in the seed: 10 here and 4 on the CentOS machine.
RHEL5_GLIBC = [
    ("glibc-2.5-34", 10),
    ("glibc-2.5-34.el5_3.1", 16),
    ("glibc-2.5-42", 296),
    ("glibc-2.5-42.el5_4.2", 452),
    ("glibc-2.5-42.el5_4.3", 34),
]
CENTOS5 = (_CENTOS53, "2.6.27.8-md-microway", "glibc-2.5-34", 4)
XEN_KERNEL = "2.6.18-164.9.1.el5xen"

# (vendor, version, specification, slots, weight per family); vendor None = no Java.
# Filled in this order; the last row takes what is left.
JAVA = [
    ("Apple Computer, Inc.", "1.5.0_19", "1.5", 2, {"mac": 1}),
    ("Sun Microsystems Inc.", "1.5.0_17", "1.5", 3, {"rhel4": 1}),
    ("Free Software Foundation, Inc.", "1.4.2", "1.4", 52, {"rhel4": 6, "rhel5": 1, "centos5": 1}),
    ("Sun Microsystems Inc.", "1.6.0", "1.6", 308, {"rhel5": 1, "centos5": 1}),
    (None, None, None, 72, {"rhel4": 1, "rhel5": 1, "centos5": 1}),
    ("Sun Microsystems Inc.", "1.6.0_18", "1.6", 28, {"rhel4": 1, "rhel5": 1, "centos5": 1}),
    ("Sun Microsystems Inc.", "1.6.0_17", "1.6", 174, {"rhel4": 1, "rhel5": 1, "centos5": 1}),
    ("Sun Microsystems Inc.", "1.6.0_15", "1.6", 222, {"rhel4": 1, "rhel5": 1, "centos5": 1}),
]

TOTAL_SLOTS = 861
LINUX_SLOTS = 859

_OS = {  # release text -> (OpSysAndVer, OpSysMajorVer, OpSysName, OpSysVer)
    _AS7: ("RedHat4", 4, "RedHat", 407),
    _WS7: ("RedHat4", 4, "RedHat", 407),
    _AS8: ("RedHat4", 4, "RedHat", 408),
    _EL53: ("RedHat5", 5, "RedHat", 503),
    _EL54: ("RedHat5", 5, "RedHat", 504),
    _CENTOS53: ("CentOS5", 5, "CentOS", 503),
}

