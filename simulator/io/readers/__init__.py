"""Readers: one module per input format, each giving a Snapshot of slot ads.

``read_file(path)`` sniffs the format (gzip is undone first) and calls the
right reader: ``long`` (``condor_status -long``), ``xml``, ``json`` or
``new_syntax`` (``[ ... ]`` ads). Parquet snapshots are the store's
(``simulator.io.store``); ``simulator.io.sources`` picks between them.

>>> snap = read_file("pool.ads.gz")  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Optional

from simulator.io.readers import json as json_reader
from simulator.io.readers import long, new_syntax
from simulator.io.readers import xml as xml_reader
from simulator.io.readers.sniff import FORMATS, sniff_text
from simulator.io.readers.text import PathLike, read_text
from simulator.model import clock
from simulator.model.snapshot import Snapshot

PARSERS = {
    "long": long.parse_text,
    "xml": xml_reader.parse_text,
    "json": json_reader.parse_text,
    "new": new_syntax.parse_text,
}


def read_file(
    path: PathLike, *, time: clock.TimeSpec = None, format: Optional[str] = None
) -> Snapshot:
    """Read an ads file of any supported text format into a Snapshot of its slot ads."""
    text = read_text(path)
    fmt = format or sniff_text(text)
    return PARSERS[fmt](text, path=path, time=time)


__all__ = ["FORMATS", "PARSERS", "read_file", "sniff_text"]
