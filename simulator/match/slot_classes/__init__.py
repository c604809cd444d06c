"""Slot classes: match a job against a whole pool by evaluating one slot per class.

A match (``symmetricMatch``) can only look at the slot attributes that the two
``Requirements`` expressions reach: the job's references into the slot, the
slot's own ``Requirements`` (usually ``START && WithinResourceLimits``) and
whatever those reach in turn, through either ad. Two slots whose reached
attributes have the same expression *text* therefore give the same answer. So,
as the negotiator's autoclusters do, we group the slots on those texts,
evaluate one representative slot per group with HTCondor's own library, and
broadcast the answer. The two halves of ``symmetricMatch`` (the job's
Requirements against the slot, the slot's against the job) are grouped
separately, each on the columns it reads. The result equals
``simulator.match.plain.plain_match`` slot for slot; a half the analysis cannot bound
(``random()``, ``eval()``, an unknown function, ``MY[name]``, a
``parent.``/``super.`` scope) is evaluated one slot at a time instead.

References are found with the library's ``externalRefs`` (never by parsing
expressions here), followed case-insensitively and with ClassAd scoping: an
unscoped name is looked up in MY first, then in TARGET. ``time()`` is frozen
per ad to its capture time when the snapshot rebuilds an ad, so a reached
expression that reads the clock adds the clock's attributes to the group key.

A job whose Requirements is a chain ``c1 && c2 && ...`` (as condor_submit writes it,
the user's expression then the clauses it appends) has its half computed conjunct by
conjunct: each conjunct grouped on the columns it reads alone, its answers remembered
by its text and the job texts it reads, and the answers ANDed. That is the library's
own answer: ``A && B`` holds exactly where A and B both hold. So the Disk and Memory
of ``TARGET.Disk >= RequestDisk`` and ``TARGET.Memory >= RequestMemory`` do not
multiply the classes of the user's expression, and every job asking the same clause
shares its answers. The chain is found with the library's parser
(``simulator.model.expression.conjuncts``); any other expression is taken whole.

Each class is keyed on the columns its own texts reach (a slot whose START is
``true`` is not split on the KeyboardIdle a desktop's START reads). Costs grow
with the number of classes, not slots: each column is factorized once per
snapshot, groupings are cached per snapshot, and answers are remembered per
class text across snapshots (a pool that drifts a little from day to day
re-evaluates only the classes that changed).

>>> from simulator.model.condor import ClassAd, ExprTree
>>> from simulator.model.snapshot import Snapshot
>>> pool = Snapshot.from_classads(
...     [ClassAd({"OpSys": os, "Requirements": True}) for os in ["LINUX", "OSX", "LINUX"]],
...     source="example")
>>> job = ClassAd({"Requirements": ExprTree('TARGET.OpSys == "LINUX"')})
>>> fast_match(pool, job).tolist()
[True, False, True]
>>> classes = slot_classes(pool, job)
>>> classes.job_side.columns, classes.job_side.n_classes, classes.slot_side.n_classes
(('opsys',), 2, 1)

The parts, one module each:

- :mod:`simulator.match.slot_classes.references`: which slot attributes an
  expression can reach (``text_info``, the job's reach);
- :mod:`simulator.match.slot_classes.columns`: a column factorized into codes and texts;
- :mod:`simulator.match.slot_classes.sides`: the two halves of a match (``Side``, ``SlotClasses``);
- :mod:`simulator.match.slot_classes.cache`: per-snapshot work and remembered answers;
- :mod:`simulator.match.slot_classes.grouping`: the classes, branch by branch (``slot_classes``);
- :mod:`simulator.match.slot_classes.evaluate`: one evaluation per class (``fast_match``,
  ``fast_sides``);
- :mod:`simulator.match.slot_classes.step_groups`: slots grouped for one expression of an
  analysis step (``step_columns``, ``group_slots``, ``SlotCells``).
"""

from simulator.match.slot_classes.cache import clear_caches
from simulator.match.slot_classes.evaluate import fast_match, fast_sides
from simulator.match.slot_classes.grouping import slot_classes
from simulator.match.slot_classes.references import (
    CLOCK_COLUMNS,
    DATE_FUNCTIONS,
    PURE_FUNCTIONS,
    TIME_FUNCTIONS,
    TextInfo,
    text_info,
)
from simulator.match.slot_classes.sides import JOB_SIDE, SLOT_SIDE, Side, SlotClasses
from simulator.match.slot_classes.step_groups import (
    SlotCells,
    group_slots,
    step_columns,
    unresolved_refs,
)

__all__ = [
    "CLOCK_COLUMNS",
    "DATE_FUNCTIONS",
    "JOB_SIDE",
    "PURE_FUNCTIONS",
    "SLOT_SIDE",
    "TIME_FUNCTIONS",
    "Side",
    "SlotCells",
    "SlotClasses",
    "TextInfo",
    "clear_caches",
    "fast_match",
    "fast_sides",
    "group_slots",
    "slot_classes",
    "step_columns",
    "text_info",
    "unresolved_refs",
]
