"""Readers: one module per input format, each giving a Snapshot of slot ads.

``read_file(path)`` sniffs the format (gzip is undone first) and calls the
right reader: ``long`` (``condor_status -long``), ``xml``, ``json``,
``new_syntax`` (``[ ... ]`` ads), or a Parquet snapshot from the store.
``collector.read(HOST)`` queries a live pool.

>>> snap = read_file("pool.ads.gz")  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Optional

from simulator.model import clock
from simulator.model.snapshot import Snapshot
from simulator.readers import json as json_reader
from simulator.readers import long, new_syntax
from simulator.readers import xml as xml_reader
from simulator.readers.sniff import FORMATS, sniff_text
from simulator.readers.text import PathLike, read_text

PARSERS = {
    "long": long.parse_text,
    "xml": xml_reader.parse_text,
    "json": json_reader.parse_text,
    "new": new_syntax.parse_text,
}


def is_parquet(path: PathLike) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == b"PAR1"
    except OSError:
        return False


def read_file(
    path: PathLike, *, time: clock.TimeSpec = None, format: Optional[str] = None
) -> Snapshot:
    """Read an ads file of any supported format into a Snapshot of its slot ads."""
    if format == "parquet" or (format is None and is_parquet(path)):
        from simulator import store

        return store.load(path)
    text = read_text(path)
    fmt = format or sniff_text(text)
    return PARSERS[fmt](text, path=path, time=time)


__all__ = ["FORMATS", "PARSERS", "read_file", "sniff_text"]
