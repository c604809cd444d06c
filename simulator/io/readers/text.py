"""Reading an ads file as text: gzip is undone transparently, bytes must be UTF-8
(``simulator.model.text``, one wording for every file that is not).

A file whose text would not fit in this machine's available memory once read (at
MEMORY_PER_BYTE) is refused before it is read, or while it is gunzipped: a few
megabytes of gzip can hold gigabytes of text.
"""

from __future__ import annotations

import gzip
import io
import os
import zlib
from typing import Union

from simulator.model.errors import AdParseError, SnapshotError
from simulator.model.memory import available_memory, size_text
from simulator.model.text import decode
from simulator.model.text import read_bytes as read_regular

PathLike = Union[str, os.PathLike]

GZIP_MAGIC = b"\x1f\x8b"


# Bytes of memory reading ads takes at its peak per byte of their text, the worst measured:
# one 100 MB string value peaked at 1.6 GB in new syntax, JSON or XML (180 MB of that the
# interpreter and libraries).  Ordinary ads take about 4: 88 MB of condor_status -long
# output peaked at 553 MB.
MEMORY_PER_BYTE = 16


def read_bytes(path: PathLike) -> bytes:
    """The file's bytes, gunzipped when it is gzip (whatever its name)."""
    most = available_memory() // MEMORY_PER_BYTE
    try:
        size = os.stat(path).st_size
    except OSError:
        size = 0  # read_regular says why
    if size > most:
        raise _too_big(path, f"{size_text(size)} of text", size)
    data = read_regular(path)
    if data[:2] == GZIP_MAGIC:
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
                data = stream.read(most + 1)
        except (OSError, EOFError, zlib.error) as exc:
            raise AdParseError(path, 1, 1, f"broken gzip data ({exc})") from None
        if len(data) > most:
            raise _too_big(path, f"more than {size_text(most)} of text once gunzipped", most)
    return data


def _too_big(path: PathLike, what: str, size: int) -> SnapshotError:
    return SnapshotError(
        f"{path}: {what} would need more than {size_text(size * MEMORY_PER_BYTE)} of memory "
        f"to read ({MEMORY_PER_BYTE} bytes a byte), more than the "
        f"{size_text(available_memory())} this machine has available")


def read_text(path: PathLike) -> str:
    """The file as text (a leading byte order mark dropped); CRLF line ends become LF."""
    text = decode(read_bytes(path), path, SnapshotError)
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    return text


def line_of(text: str, offset: int) -> int:
    """1-based line number of a character offset."""
    return text.count("\n", 0, offset) + 1
