"""Kernel release, as ``uname -r`` prints it, read from /proc under the root.

>>> parse_osrelease("2.6.18-164.9.1.el5xen\\n")
'2.6.18-164.9.1.el5xen'
"""

NAME = "kernel"
OSRELEASE = "/proc/sys/kernel/osrelease"


def parse_osrelease(text):
    lines = text.strip().splitlines()
    return lines[0].strip() if lines else None


def read(ctx):
    text = ctx.read_optional(NAME, OSRELEASE)
    release = parse_osrelease(text) if text is not None else None
    return {"kernel_version": release} if release else {}
