"""Building test programs here with the machine's own compilers (tests skip without them)."""

import shutil
import subprocess

import pytest

GCC = shutil.which("gcc")
GXX = shutil.which("g++")


def build(tmp_path, name, source, *flags, compiler=None):
    """Compile ``source`` into ``tmp_path/name`` (C with gcc, or C++ when ``compiler`` is
    g++); skip the test when there is no compiler or it cannot build the source."""
    compiler = compiler or GCC
    if not compiler:
        pytest.skip("needs a C compiler")
    suffix = ".cpp" if compiler == GXX else ".c"
    src = tmp_path / f"{name}{suffix}"
    src.write_text(source)
    out = tmp_path / name
    result = subprocess.run([compiler, "-o", str(out), str(src), *flags], capture_output=True,
                            text=True, cwd=tmp_path)
    if result.returncode != 0:
        pytest.skip(f"{compiler} cannot build {name}: {result.stderr.strip()[:200]}")
    return out
