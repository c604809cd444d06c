"""The C library: glibc's package version, from rpm, else dpkg, else the library.

>>> parse_rpm("2.5 42.el5_4.2 i686\\n2.5 42.el5_4.2 x86_64\\n")
{'glibc_version': 'glibc-2.5-42.el5_4.2', 'glibc_base_version': '2.5'}
>>> parse_dpkg("amd64 2.36-9+deb12u4 install ok installed\\n")
{'glibc_version': 'glibc-2.36-9+deb12u4', 'glibc_base_version': '2.36'}
"""

import os

from startd_cron.run_command import CommandError, CommandFailed

NAME = "glibc"
# ``rpm -q glibc`` prints NVR on old rpm and NVRA on new; ask for the fields.
RPM_QUERY = ["rpm", "-q", "--qf", "%{VERSION} %{RELEASE} %{ARCH}\\n", "glibc"]
DPKG_QUERY = ["dpkg-query", "-W", "-f", "${Architecture} ${Version} ${Status}\\n", "libc6"]
# With multilib (i686 next to x86_64, i386 next to amd64) the 64-bit package is
# the native one: a 32-bit system cannot install 64-bit packages.
_64_BIT = frozenset((
    "x86_64", "amd64", "aarch64", "arm64", "ppc64le", "ppc64el", "ppc64", "s390x",
    "riscv64", "ia64", "loongarch64", "mips64el", "sparc64", "alpha",
))


def _native(rows):
    """Pick the native-arch row from (arch, ...) tuples."""
    if not rows:
        return None
    for row in rows:
        if row[0] in _64_BIT:
            return row
    return rows[0]


def _attributes(version, release):
    full = "glibc-%s-%s" % (version, release) if release else "glibc-%s" % version
    return {"glibc_version": full, "glibc_base_version": version}


def parse_rpm(text):
    """Output of RPM_QUERY: one ``VERSION RELEASE ARCH`` line per installed arch."""
    rows = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 3:
            version, release, arch = parts
            rows.append((arch, version, release))
    row = _native(rows)
    return _attributes(row[1], row[2]) if row else {}


def parse_dpkg(text):
    """Output of DPKG_QUERY: ``ARCH VERSION want eflag status`` per libc6 package."""
    rows = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[-1] == "installed":
            rows.append((parts[0], parts[1]))
    row = _native(rows)
    if not row:
        return {}
    package_version = row[1]
    upstream = package_version.split(":", 1)[-1].split("-", 1)[0]
    return {"glibc_version": "glibc-" + package_version, "glibc_base_version": upstream}


def parse_confstr(text):
    """``os.confstr("CS_GNU_LIBC_VERSION")``: ``'glibc 2.36'``."""
    parts = (text or "").split()
    if len(parts) == 2 and parts[0] == "glibc":
        return _attributes(parts[1], None)
    return {}


def _query(ctx, argv, label, parse, failures):
    """Run a package query if the tool exists; failures are kept, not noted yet."""
    path = ctx.which(argv[0])
    if path is None:
        return {}
    try:
        result = ctx.run([path] + argv[1:])
    except (OSError, CommandError) as exc:
        failures.append((exc, label))
        return {}
    if result.returncode != 0:
        failures.append((CommandFailed(argv, result.returncode), label))
        return {}
    return parse(result.stdout)


def read(ctx):
    failures = []
    attrs = _query(ctx, RPM_QUERY, "rpm -q glibc", parse_rpm, failures)
    if not attrs:
        attrs = _query(ctx, DPKG_QUERY, "dpkg-query -W libc6", parse_dpkg, failures)
    if not attrs and ctx.is_host:
        # No package manager knows glibc: ask the C library this python runs on.
        try:
            attrs = parse_confstr(os.confstr("CS_GNU_LIBC_VERSION"))
        except (ValueError, OSError):
            attrs = {}
    if not attrs:
        # A Debian node may carry an rpm binary that knows no glibc: only
        # report failures when no source gave an answer.
        for exc, label in failures:
            ctx.note_command_failure(NAME, exc, label)
    return attrs
