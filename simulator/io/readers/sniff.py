"""Which format an ads file is in, from its first non-blank characters.

``<`` starts XML (``condor_status -xml``); ``[`` followed by ``{`` or ``]`` is a
JSON list (``condor_status -json``) and ``{`` a JSON object; ``[`` followed by
anything else is new ClassAd syntax; ``PAR1`` is a Parquet snapshot; anything
else is taken as old syntax (``condor_status -long``).

>>> sniff_text('[\\n{\\n  "MyType": "Machine"\\n}\\n]')
'json'
>>> sniff_text("MyType = \\"Machine\\"\\n")
'long'
"""

from __future__ import annotations

import re

from simulator.io.readers.text import PathLike, read_bytes
from simulator.model.text import BOM

FORMATS = ("long", "xml", "json", "new", "parquet")

_LEADING = re.compile(r"\s*(?:(?:#|//)[^\n]*\n\s*)*")


def sniff_text(text: str) -> str:
    head = text[_LEADING.match(text).end():]
    if head.startswith("<"):
        return "xml"
    if head.startswith("{"):
        return "json"
    if head.startswith("["):
        rest = head[1:].lstrip()
        return "json" if rest[:1] in ("{", "]") else "new"
    return "long"


def sniff(path: PathLike) -> str:
    """The format of the file at ``path`` (one of ``FORMATS``)."""
    data = read_bytes(path)
    if data[:4] == b"PAR1":
        return "parquet"
    return sniff_text(data[:65536].decode("utf-8", errors="replace").lstrip(BOM))
