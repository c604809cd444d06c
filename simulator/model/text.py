"""Every text file a user gives (ads, job ads, submit descriptions, scenarios, traces) is
decoded here, up front, with one wording for bytes that are not text.

The bytes must be UTF-8 (ASCII is); a UTF-8 byte order mark at the start, which
editors on Windows write, is dropped, so the first attribute keeps its name.

>>> decode(b"\\xef\\xbb\\xbfMyType = 1\\n", "ad")
'MyType = 1\\n'
>>> decode(b"Cpus = 1\\n\\xff", "ad")
Traceback (most recent call last):
...
simulator.model.errors.TribesError: ad: not UTF-8 text (byte 0xff at offset 9)
"""

from __future__ import annotations

import json
import os
import stat
from typing import Optional, Tuple, Type

from simulator.model.errors import TribesError, read_error

BOM = "\ufeff"


def not_utf8(path, exc: UnicodeDecodeError, cls: Type[TribesError] = TribesError) -> TribesError:
    """``FILE: not UTF-8 text (byte 0xff at offset N)``: the first byte that is not."""
    byte = exc.object[exc.start]
    return cls(f"{path}: not UTF-8 text (byte 0x{byte:02x} at offset {exc.start})")


def decode(data: bytes, path, cls: Type[TribesError] = TribesError) -> str:
    """``data`` as text (a leading byte order mark dropped), or ``not_utf8``'s error."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise not_utf8(path, exc, cls) from None
    return text[1:] if text.startswith(BOM) else text


_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)
_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)


def check_regular(path, mode: int, cls: Type[TribesError] = TribesError) -> None:
    """Refuse anything but a regular file (``mode`` is its ``st_mode``): a FIFO would
    block a reader forever, a device such as /dev/zero never ends.

    >>> check_regular("/dev/zero", os.stat("/dev/zero").st_mode)
    Traceback (most recent call last):
    ...
    simulator.model.errors.TribesError: /dev/zero: a character device, not a regular file
    """
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise read_error(path, IsADirectoryError(), cls)
    kind = next((name for is_kind, name in _KINDS if is_kind(mode)), "an odd file")
    raise cls(f"{path}: {kind}, not a regular file")


def read_bytes(path, cls: Type[TribesError] = TribesError) -> bytes:
    """The bytes of the regular file at ``path``; anything else (``check_regular``), or a
    file that cannot be read, is one ``cls`` error.  The type is checked before opening
    and again on the open descriptor, opened non-blocking (the path may be swapped)."""
    try:
        check_regular(path, os.stat(path).st_mode, cls)
        fd = os.open(path, _OPEN_FLAGS)
        with open(fd, "rb") as stream:
            check_regular(path, os.fstat(fd).st_mode, cls)
            return stream.read()
    except OSError as exc:
        raise read_error(path, exc, cls) from None


def read_text(path, cls: Type[TribesError] = TribesError) -> str:
    """The file at ``path`` as text; any failure is one ``cls`` error in the one wording."""
    return decode(read_bytes(path, cls), path, cls)


class JSONRefused(ValueError):
    """JSON that Python's decoder accepts but HTCondor's JSON ClassAd parser does not."""


def _no_constant(name: str):
    raise JSONRefused(f"{name} is not a number HTCondor reads (JSON has no NaN nor Infinity)")


def _pairs(pairs):
    for key, _ in pairs:
        if key == "":
            raise JSONRefused('an attribute with an empty name ("")')
    return dict(pairs)


# Python's JSON decoder, refusing what HTCondor's would: NaN, Infinity and -Infinity, and
# an empty attribute name (at any depth). Either raises JSONRefused.
STRICT_JSON = json.JSONDecoder(parse_constant=_no_constant, object_pairs_hook=_pairs)


def unparsable_expression(obj: dict) -> Optional[Tuple[str, str]]:
    """The first ``(name, expression)`` of a decoded JSON ad whose ``"\\\\/Expr(…)\\\\/"`` value
    HTCondor's parser cannot read (its JSON parser would drop the whole ad), else None."""
    from simulator.model.condor import ClassAdException, ExprTree

    for key, value in obj.items():
        if isinstance(value, str) and value.startswith("/Expr(") and value.endswith(")/"):
            try:
                ExprTree(value[6:-2])
            except (ClassAdException, ValueError):
                return key, value[6:-2]
    return None
