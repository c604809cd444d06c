"""The modern pool's OS releases: kernels, glibc builds and spellings belong to their release."""

import re

from simulator import pools
from simulator.pools import modern_releases

KERNELS = {  # OpSysMajorVer family -> uname -r prefix
    "EL7": ("3.10.0-1160.",), "EL8": ("4.18.0-",), "EL9": ("5.14.0-",), "EL10": ("6.12.0-",),
    "Debian12": ("6.1.0-",), "Debian13": ("6.12.",), "Ubuntu22": ("5.15.0-", "6.8.0-"),
    "Ubuntu24": ("6.8.0-",),
}  # fmt: skip
GLIBC = {"EL7": "2.17", "EL8": "2.28", "EL9": "2.34", "EL10": "2.39", "Debian12": "2.36",
         "Debian13": "2.41", "Ubuntu22": "2.35", "Ubuntu24": "2.39"}  # fmt: skip


def family(name, major):
    return f"{name}{major}" if name in ("Debian", "Ubuntu") else f"EL{major}"


def test_kernels_and_glibc_belong_to_their_release(modern_frame):
    seen = set()
    for row in modern_frame.drop_duplicates("Machine").itertuples():
        fam = family(row.OpSysName, row.OpSysMajorVer)
        seen.add(fam)
        assert row.kernel_version.startswith(KERNELS[fam]), (fam, row.kernel_version)
        assert row.UtsnameRelease == row.kernel_version
        assert row.glibc_base_version == GLIBC[fam]
        assert row.glibc_version.startswith(f"glibc-{GLIBC[fam]}-")
        if fam.startswith("EL"):
            assert row.kernel_version.endswith(".x86_64") and f".el{row.OpSysMajorVer}" in (
                row.kernel_version
            )
            assert f"el{row.OpSysMajorVer}" in row.glibc_version
            assert row.redhat_version == row.OpSysLongName
        else:
            assert row.redhat_version is None
    assert seen == set(KERNELS)
    bases = sorted({tuple(map(int, b.split("."))) for b in modern_frame.glibc_base_version})
    assert bases[0] == (2, 17) and bases[-1] == (2, 41)


def test_os_attributes_use_htcondors_spelling(modern_frame):
    pattern = re.compile(r"^(AlmaLinux|Rocky|RedHat|CentOS|SL|Debian|Ubuntu)\d+$")
    for row in modern_frame.drop_duplicates("OpSysLongName").itertuples():
        assert pattern.match(row.OpSysAndVer), row.OpSysAndVer
        assert row.OpSysAndVer == f"{row.OpSysName}{row.OpSysMajorVer}"
        assert row.OpSysVer // 100 == row.OpSysMajorVer
        assert row.os_version_id.split(".")[0] == str(row.OpSysMajorVer)


def test_the_mix_follows_the_documented_shares():
    big = pools.generate("modern", slots=100_000, seed=3)
    names = big.values("OpSysName")
    majors = big.values("OpSysMajorVer")
    machines = big.values("Machine")
    first = ~machines.duplicated()
    fams = [family(n, m) for n, m in zip(names[first], majors[first], strict=True)]
    counts = {f: fams.count(f) / len(fams) for f in set(fams)}
    for fam, share in modern_releases.OS_SHARES.items():
        assert abs(counts[fam] - share) < 0.03, (fam, counts[fam], share)
