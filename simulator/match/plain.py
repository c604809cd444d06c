"""Matching, the plain way: one slot at a time, with HTCondor's own symmetricMatch.

This is the reference implementation. A slot matches a job when the job's
Requirements hold with the slot as TARGET and the slot's Requirements hold
with the job as TARGET; UNDEFINED or ERROR on either side is no match. Every
faster path (``simulator.match.slot_classes``) must give exactly these answers.

>>> from simulator.model.condor import ClassAd
>>> from simulator.model.snapshot import Snapshot
>>> pool = Snapshot.from_classads([ClassAd({"OpSys": "LINUX", "Requirements": True})], source="x")
>>> job = ClassAd({"Requirements": ExprTree('TARGET.OpSys == "LINUX"')})
>>> plain_match(pool, job).tolist()
[True]
"""

from __future__ import annotations

import numpy as np

from simulator.model.condor import ClassAd, ExprTree  # noqa: F401  (ExprTree: doctest)
from simulator.model.snapshot import Snapshot


def plain_match(snapshot: Snapshot, job: ClassAd) -> np.ndarray:
    """A boolean per slot: does the slot and the job match each other?"""
    out = np.zeros(len(snapshot), dtype=bool)
    for i, slot in enumerate(snapshot.classads()):
        out[i] = bool(job.symmetricMatch(slot))
    return out
