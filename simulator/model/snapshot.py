"""A snapshot: the slot ads of one pool at one moment, as a pandas DataFrame.

Each row is one slot ad. Each column is one attribute, named in lower case
(ClassAd names are case-insensitive); a cell holds the attribute's ClassAd
expression as text, exactly as HTCondor's library unparses it (``"LINUX"``,
``8``, ``START && WithinResourceLimits``), or ``None`` where the ad lacks it.
Keeping expressions as text makes a snapshot exact (any ad can be rebuilt and
evaluated by the ClassAd library) and cheap to group, compare and store.

>>> snap = Snapshot.from_classads([ClassAd({"OpSys": "LINUX", "Cpus": 4})], source="example")
>>> snap.values("opsys").tolist()
['LINUX']
"""

from __future__ import annotations

import dataclasses
from typing import Dict, Iterable, Iterator, Optional

import numpy as np
import pandas as pd

from simulator.model import clock
from simulator.model.condor import (
    ClassAd,
    ExprTree,
    Value,
    attribute_text,
    parse_one,
    quote,
    value_text,
)


@dataclasses.dataclass
class Snapshot:
    """Slot ads of one pool at one moment.

    ``time`` is the capture time (epoch seconds) at which ``time()`` is
    evaluated; ``time_source`` says where it came from (``MyCurrentTime``,
    ``LastHeardFrom``, ``--time``, ``mtime``, ``generated``). ``skipped`` counts
    the ads of other types that were left out, by MyType. ``names`` maps each
    lower-case column to the spelling first seen, for display.
    """

    ads: pd.DataFrame
    time: int
    time_source: str
    source: str
    skipped: Dict[str, int] = dataclasses.field(default_factory=dict)
    names: Dict[str, str] = dataclasses.field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ads)

    @classmethod
    def from_classads(
        cls,
        ads: Iterable[ClassAd],
        *,
        source: str,
        time: Optional[int] = None,
        time_source: str = "generated",
        skipped: Optional[Dict[str, int]] = None,
    ) -> Snapshot:
        """Build a snapshot from ClassAd objects (all of them slot ads).

        Raises ``UnwritableValue`` for a value the library would not write back as itself.
        """
        records = []
        names: Dict[str, str] = {}
        seen: dict = {}
        for ad in ads:
            row = {}
            for key in ad:
                low = key.lower()
                names.setdefault(low, key)
                row[low] = value_text(ad, key, seen)
            records.append(row)
        frame = pd.DataFrame.from_records(records, columns=list(names))
        frame = frame.astype(object).where(frame.notna(), None)
        return cls(
            ads=frame,
            time=int(time) if time is not None else 0,
            time_source=time_source,
            source=source,
            skipped=dict(skipped or {}),
            names=names,
        )

    def column(self, attr: str) -> str:
        """The column that holds ``attr`` (case-insensitive); raises KeyError if absent."""
        low = attr.lower()
        if low not in self.ads.columns:
            raise KeyError(attr)
        return low

    def display_name(self, column: str) -> str:
        return self.names.get(column, column)

    def attribute_text(self, column: str) -> str:
        """The column's name as ClassAd text (``'1Cpus'`` quoted, ``Cpus`` as it is)."""
        return attribute_text(self.display_name(column))

    def classad_text(self, i: int) -> str:
        """The i-th slot as new-syntax ClassAd text.

        ``time()`` (and an undefined ``CurrentTime``) is frozen at the slot's own
        ``MyCurrentTime``, else the snapshot's time: ads are evaluated as of their
        capture, never the wall clock. A snapshot with time 0 is left alone. A name that
        is not a plain identifier is written quoted, as the library writes it.
        """
        row = self.ads.iloc[i]
        cells = [
            (col, src)
            for col, src in row.items()
            if src is not None and not (isinstance(src, float) and pd.isna(src))
        ]
        if self.time:
            when = clock.slot_time(row, self.time)
            plain = "currenttime" not in row.index or row["currenttime"] is None
            cells = [
                (col, clock.freeze_time(src, when, current_time=plain)) for col, src in cells
            ]
        parts = [f"{self.attribute_text(col)} = {src}" for col, src in cells]
        return "[" + "; ".join(parts) + "]"

    def classad(self, i: int) -> ClassAd:
        """The i-th slot as a ClassAd, rebuilt with HTCondor's own parser."""
        return parse_one(self.classad_text(i))

    def classads(self) -> Iterator[ClassAd]:
        for i in range(len(self.ads)):
            yield self.classad(i)

    def values(self, attr: str) -> pd.Series:
        """Evaluated values of one attribute, one per slot (``None`` where undefined).

        Literals are evaluated once per distinct text; an expression that
        refers to other attributes is evaluated inside its own ad.
        """
        try:
            col = self.column(attr)
        except KeyError:
            return pd.Series([None] * len(self.ads), index=self.ads.index, dtype=object)
        # Each distinct text is evaluated once; only texts that refer to other
        # attributes are evaluated again inside each ad that holds them.
        codes, texts = pd.factorize(self.ads[col], use_na_sentinel=True)
        values = np.empty(len(texts) + 1, dtype=object)  # the last one: absent
        per_ad = []
        for k, src in enumerate(texts):
            expr = ExprTree(src)
            values[k] = _plain(expr.eval())
            if not _is_constant(expr):
                per_ad.append(k)
        out = values[codes]  # code -1 takes the trailing None
        for k in per_ad:
            for i in np.flatnonzero(codes == k):
                out[i] = _plain(self.classad(int(i)).eval(self.display_name(col)))
        return pd.Series(out, index=self.ads.index, dtype=object)


def _is_constant(expr: ExprTree) -> bool:
    # externalRefs of a literal is [''] (a quirk of the library), so drop empty names.
    refs = [ref for ref in ClassAd().externalRefs(expr) if ref]
    if refs:
        return False
    # A string literal may hold "(" ("... release 5.4 (Tikanga)") and is still constant.
    value = expr.eval()
    if isinstance(value, str) and quote(value) == str(expr):
        return True
    return "(" not in str(expr)


def _plain(value):
    """A ClassAd value as plain Python: UNDEFINED and ERROR become None."""
    if isinstance(value, Value):
        return None
    return value

