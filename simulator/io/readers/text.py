"""Reading an ads file as text: gzip is undone transparently, bytes must be UTF-8
(``simulator.model.text``, one wording for every file that is not)."""

from __future__ import annotations

import gzip
import os
import zlib
from typing import Union

from simulator.model.errors import AdParseError, SnapshotError
from simulator.model.text import decode
from simulator.model.text import read_bytes as read_regular

PathLike = Union[str, os.PathLike]

GZIP_MAGIC = b"\x1f\x8b"


def read_bytes(path: PathLike) -> bytes:
    """The file's bytes, gunzipped when it is gzip (whatever its name)."""
    data = read_regular(path)
    if data[:2] == GZIP_MAGIC:
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise AdParseError(path, 1, 1, f"broken gzip data ({exc})") from None
    return data


def read_text(path: PathLike) -> str:
    """The file as text (a leading byte order mark dropped); CRLF line ends become LF."""
    text = decode(read_bytes(path), path, SnapshotError)
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    return text


def line_of(text: str, offset: int) -> int:
    """1-based line number of a character offset."""
    return text.count("\n", 0, offset) + 1
