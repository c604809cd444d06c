"""The evolving pool as a per-machine table: select, move, clone and broadcast to slots.

All slots of a machine share one row of the table, so a wave moves machines
whole and a day costs a few vectorised column copies.
"""

from __future__ import annotations

import re
from typing import Dict, Sequence

import numpy as np
import pandas as pd

from simulator.analyses.scenario.spec import Tribe
from simulator.model.condor import quote, unquote
from simulator.model.snapshot import Snapshot

# Columns whose text names the capture moment; refreshed on every day.
_TIME_COLUMNS = ("mycurrenttime", "lastheardfrom")


class MachinePool:
    """The evolving pool: slot rows, each tied to a machine, and a per-machine attribute table."""

    def __init__(self, snapshot: Snapshot, columns: Sequence[str]):
        ads = snapshot.ads.reset_index(drop=True)
        self.names = dict(snapshot.names)
        self.rows = ads
        keys = _machine_keys(ads)
        codes, uniques = pd.factorize(keys)
        self.slot_machine = codes.astype(np.int64)
        self.machine_text = list(uniques)
        self.n_machines = len(uniques)
        first = np.full(self.n_machines, -1, dtype=np.int64)
        first[codes[::-1]] = np.arange(len(codes))[::-1]
        self.first_row = first
        self.present = np.ones(self.n_machines, dtype=bool)
        self.attrs: Dict[str, np.ndarray] = {}
        for col in columns:
            self._ensure(col)
        self.joined = 0

    def _ensure(self, col: str):
        if col in self.attrs:
            return
        if col in self.rows.columns:
            values = self.rows[col].to_numpy(dtype=object)[self.first_row]
        else:
            values = np.full(self.n_machines, None, dtype=object)
        self.attrs[col] = values

    def select(self, tribe: Tribe) -> np.ndarray:
        """Machines (present or not) whose attributes match every value list of ``tribe``."""
        out = np.ones(self.n_machines, dtype=bool)
        for col, texts in tribe.values.items():
            out &= pd.Series(self.attrs[col]).isin(texts).to_numpy()
        return out

    def assign(self, machines: np.ndarray, tribe: Tribe):
        for col, texts in tribe.values.items():
            self.attrs[col][machines] = texts[0]
            self.names.setdefault(col, tribe.names[col])

    def clone(self, templates: np.ndarray) -> np.ndarray:
        """Add one new machine per template machine (all its slots); return the new indices."""
        new_rows, new_codes, new_first = [], [], []
        start_index = self.n_machines
        for k, m in enumerate(templates):
            self.joined += 1
            old = unquote(self.machine_text[m]) if _is_string(self.machine_text[m]) else str(m)
            host = f"join{self.joined:04d}" + (old[old.index("."):] if "." in old else "")
            rows = self.rows.iloc[np.flatnonzero(self.slot_machine == m)].copy()
            # The host name as a whole word (slot1@HOST, <HOST:9618>), never inside another.
            pattern = re.compile(r"(?<![A-Za-z0-9_.-])" + re.escape(old) + r"(?![A-Za-z0-9_-])")
            for col in rows.columns:
                cells = rows[col]
                mask = cells.map(lambda c, p=pattern: isinstance(c, str) and bool(p.search(c)))
                mask = mask.to_numpy(dtype=bool)
                if mask.any():
                    rows.loc[mask, col] = cells[mask].map(lambda c, p=pattern, h=host: p.sub(h, c))
            new_first.append(len(self.rows) + sum(len(r) for r in new_rows))
            new_rows.append(rows)
            new_codes.append(np.full(len(rows), start_index + k, dtype=np.int64))
            self.machine_text.append(quote(host))
        if not new_rows:
            return np.zeros(0, dtype=np.int64)
        self.rows = pd.concat([self.rows, *new_rows], ignore_index=True)
        self.slot_machine = np.concatenate([self.slot_machine, *new_codes])
        self.first_row = np.concatenate([self.first_row, np.array(new_first, dtype=np.int64)])
        for col, values in self.attrs.items():
            self.attrs[col] = np.concatenate([values, values[templates]])
        self.present = np.concatenate([self.present, np.ones(len(templates), dtype=bool)])
        self.n_machines += len(templates)
        return np.arange(start_index, self.n_machines)

    def frame(self, when: int) -> pd.DataFrame:
        keep = self.present[self.slot_machine]
        machines = self.slot_machine[keep]
        frame = self.rows.loc[keep].reset_index(drop=True)
        for col, values in self.attrs.items():
            frame[col] = values[machines]
        for col in _TIME_COLUMNS:
            if col in frame.columns:
                frame[col] = str(int(when))
        return frame


def _is_string(text) -> bool:
    return isinstance(text, str) and text.startswith('"')


def _machine_keys(ads: pd.DataFrame) -> pd.Series:
    """The machine of each slot: ``Machine``, else the host part of ``Name``, else the slot."""
    if "machine" in ads.columns and ads["machine"].notna().all():
        return ads["machine"]
    if "name" in ads.columns and ads["name"].notna().all():
        return ads["name"].map(lambda t: t.split("@", 1)[-1] if "@" in t else t)
    return pd.Series(np.arange(len(ads)).astype(str))
