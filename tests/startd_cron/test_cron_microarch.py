"""Microarch: HTCondor's x86-64 level names and flag sets, at every boundary."""

import pytest
from cron_helpers import CASES, HOSTS

from startd_cron.context import Context
from startd_cron.probes import microarch
from startd_cron.probes.microarch import microarch_level
from startd_cron.probes.virt import parse_cpuinfo_flags

# The sets as HTCondor's processor_flags.cpp (cpuflags_to_microarch_string) lists them.
V2 = {"cx16", "lahf_lm", "popcnt", "sse4_1", "sse4_2", "ssse3"}
V3 = {"abm", "avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "movbe", "xsave"}
V4 = {"avx512bw", "avx512cd", "avx512dq", "avx512f", "avx512vl"}
BASE = {"fpu", "cmov", "cx8", "mmx", "fxsr", "sse", "sse2", "syscall", "nx", "lm"}


def test_the_sets_are_htcondors():
    assert [(name, set(flags)) for name, flags in microarch.LEVELS] == [
        ("x86_64-v4", V4), ("x86_64-v3", V3), ("x86_64-v2", V2)]


@pytest.mark.parametrize("flags,level", [
    (BASE, "x86_64-v1"),
    (BASE | V2, "x86_64-v2"),
    (BASE | V2 | V3, "x86_64-v3"),
    (BASE | V2 | V3 | V4, "x86_64-v4"),
    (BASE | {"pni"}, "x86_64-v1"),
])
def test_each_level_exactly(flags, level):
    assert microarch_level(flags) == level


@pytest.mark.parametrize("missing", sorted(V2))
def test_one_v2_flag_short_is_v1(missing):
    assert microarch_level(BASE | V2 - {missing}) == "x86_64-v1"


@pytest.mark.parametrize("missing", sorted(V3))
def test_one_v3_flag_short_is_v2(missing):
    assert microarch_level(BASE | V2 | V3 - {missing}) == "x86_64-v2"


@pytest.mark.parametrize("missing", sorted(V4))
def test_one_v4_flag_short_is_v3(missing):
    # AVX-512 is v4 only with all five subsets (Xeon Phi had just avx512f/cd).
    assert microarch_level(BASE | V2 | V3 | V4 - {missing}) == "x86_64-v3"


def test_levels_are_checked_each_on_its_own_as_htcondor_does():
    # HTCondor tests v4, v3, v2 separately: a VM that hides movbe but shows
    # AVX-512 is still v4, and one that hides popcnt but has the v3 set is v3.
    assert microarch_level(BASE | V2 | (V3 - {"movbe"}) | V4) == "x86_64-v4"
    assert microarch_level(BASE | (V2 - {"popcnt"}) | V3) == "x86_64-v3"


@pytest.mark.parametrize("flags", [None, set(), {"fp", "asimd", "aes"}, (BASE - {"lm"}) | V2])
def test_no_level_off_x86_64(flags):
    # None: no flags line (ARM); no lm: a 32-bit CPU.
    assert microarch_level(flags) is None


def test_the_last_flag_on_the_line_counts():
    # HTCondor's own split keeps the newline on the last flag; the 2.6.18 kernel
    # prints lahf_lm last.
    line = "flags\t\t: " + " ".join(sorted(BASE | V2 - {"lahf_lm"})) + " lahf_lm \n"
    assert microarch_level(parse_cpuinfo_flags("processor\t: 0\n" + line)) == "x86_64-v2"


EXPECTED = {
    "alma8-apptainer": "x86_64-v3",          # Broadwell E5-2680 v4
    "alma9-hyperv": "x86_64-v3",             # Zen 3 under Hyper-V
    "alpine3.19-musl-qemu": "x86_64-v1",     # QEMU's qemu64 model
    "centos5.3": "x86_64-v1",                # Opteron: popcnt, no ssse3
    "centos7-vmware": "x86_64-v4",
    "centos7-westmere-v2": "x86_64-v2",      # Xeon X5650, no avx
    "debian12-ec2": "x86_64-v4",
    "fedora40-amdv": "x86_64-v4",            # Zen 4
    "rhel4-nahant": "x86_64-v1",
    "rhel5.4-tikanga": "x86_64-v1",          # Core 2: no sse4_2
    "rhel5.4-xen-guest": "x86_64-v1",
    "rocky8-kvm-guest": "x86_64-v4",
    "rocky8-skylake-avx512": "x86_64-v4",    # Xeon Silver 4110 (Skylake-SP)
    "rocky9-userns-off": "x86_64-v4",
    "rocky9-vtx-kvm": "x86_64-v4",           # Ice Lake-SP
    "sles15sp5-ibmj9": "x86_64-v3",          # Broadwell
    "ubuntu22.04-openstack": "x86_64-v4",
    "ubuntu24.04-arm64": None,
}


def test_every_fixture_has_an_expected_level():
    assert sorted(EXPECTED) == CASES


@pytest.mark.parametrize("case", CASES)
def test_fixture_levels(case):
    ctx = Context(root=str(HOSTS / case))
    assert microarch.read(ctx).get("Microarch") == EXPECTED[case]
    assert ctx.errors == []
    line = "Microarch = " if EXPECTED[case] else None
    published = [text for text in (HOSTS / case / "expected.ad").read_text().splitlines()
                 if text.startswith("Microarch = ")]
    assert published == ([f'{line}"{EXPECTED[case]}"'] if line else [])


def test_no_cpuinfo_publishes_nothing_and_is_no_error(tmp_path):
    ctx = Context(root=str(tmp_path))
    assert microarch.read(ctx) == {}
    assert ctx.errors == []
