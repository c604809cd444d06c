"""How much memory this machine has available, for the checks that refuse work past it
(a replay's job stream, an ads file that would not fit once read).

>>> available_memory() > 0
True
>>> size_text(3 * 1024 ** 3)
'3.0 GB'
"""

from __future__ import annotations

import os


def available_memory() -> int:
    """Bytes of memory this machine has available (MemAvailable), else its physical memory."""
    try:
        with open("/proc/meminfo") as info:
            for line in info:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (OSError, ValueError, AttributeError):  # pragma: no cover - not a POSIX system
        return 1 << 34


def size_text(nbytes: float) -> str:
    """``1536`` -> ``'1.5 KB'``: a size in the unit that reads best (powers of 1024)."""
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if nbytes < 1024 or unit == "TB":
            return f"{nbytes:.0f} {unit}" if unit == "bytes" else f"{nbytes:.1f} {unit}"
        nbytes /= 1024
    return ""  # pragma: no cover
