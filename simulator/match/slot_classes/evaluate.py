"""One evaluation per class with HTCondor's library, broadcast to the class's slots.

Consecutive classes of one key pattern share one ad, edited from class to class;
the texts they hold are parsed together, and the slot's Requirements is evaluated
with the library as ``job.matches(slot)`` evaluates it (slot as MY, job as TARGET)
from a tree parsed once per text. When there are many classes to evaluate
(``PARALLEL_MIN``) and the process may fork (no other threads, more than one
CPU), a forked copy of the process evaluates half of them with the same library
calls and sends its answers back through a pipe; if it fails, this process
evaluates that half itself.

>>> from simulator import pools
>>> from simulator.model.condor import ClassAd, ExprTree
>>> job_ok, slot_ok = fast_sides(pools.generate("pool_2010"),
...                              ClassAd({"Requirements": ExprTree("TARGET.Cpus > 0")}))
>>> int(job_ok.sum()), int(slot_ok.sum())
(861, 861)
"""

from __future__ import annotations

import dataclasses
import os
import threading
from typing import Dict, FrozenSet, List, Optional, Tuple

import numpy as np

from simulator.match.slot_classes.cache import MAX_ANSWERS, PoolCache, answers_for, cache_for
from simulator.match.slot_classes.grouping import slot_classes
from simulator.match.slot_classes.references import CLOCK_COLUMNS
from simulator.match.slot_classes.sides import JOB_SIDE, Side
from simulator.model import clock
from simulator.model.condor import ClassAd, ExprTree, Value
from simulator.model.snapshot import Snapshot


def fast_match(snapshot: Snapshot, job: ClassAd) -> np.ndarray:
    """A boolean per slot, equal to ``plain_match(snapshot, job)``, one evaluation per class."""
    job_ok, slot_ok = fast_sides(snapshot, job)
    return job_ok & slot_ok


def fast_sides(snapshot: Snapshot, job: ClassAd) -> Tuple[np.ndarray, np.ndarray]:
    """(job accepts slot, slot accepts job) per slot, as ``summary.plain_sides`` gives.

    The first is the job's Requirements with the slot as TARGET
    (``slot.matches(job)``), the second the slot's with the job as TARGET
    (``job.matches(slot)``); a slot matches when both hold.
    """
    classes = slot_classes(snapshot, job)
    # copies: the answers stay cached for the next job that reads the same texts
    return (
        _side_answers(snapshot, job, classes.job_side).copy(),
        _side_answers(snapshot, job, classes.slot_side).copy(),
    )


def _ask(job: ClassAd, slot: ClassAd, side: str) -> bool:
    # a.matches(b) evaluates b's Requirements in the context of a.
    return bool(slot.matches(job)) if side == JOB_SIDE else bool(job.matches(slot))


def _side_answers(snapshot: Snapshot, job: ClassAd, side: Side) -> np.ndarray:
    """One half of the match for every slot, evaluated once per class."""
    if side.parts:
        return _conjunction_answers(snapshot, job, side)
    if side.fallback is not None:
        return np.array([_ask(job, slot, side.name) for slot in snapshot.classads()], dtype=bool)
    if len(snapshot) == 0:
        return np.zeros(0, dtype=bool)
    if side.answers is None:
        side.answers = _class_answers(snapshot, job, side)[side.gid]
    return side.answers


def _conjunction_answers(snapshot: Snapshot, job: ClassAd, side: Side) -> np.ndarray:
    """The job half of a Requirements ``c1 && c2 && ...``: where every conjunct holds.

    Exact: HTCondor's ``A && B`` is true exactly where ``(A) && true`` and
    ``(B) && true`` both are (``tests/test_slot_classes_conjuncts.py`` checks the library
    agrees), so each conjunct is evaluated as ``(c) && true`` (``conjunct_tree``): a
    conjunct alone would pass a relative time, which ``&&`` takes as an ERROR. A
    conjunct that cannot be bounded is evaluated one slot at a time, the others one
    class at a time.
    """
    if side.answers is not None:
        return side.answers
    out = np.ones(len(snapshot), dtype=bool)
    for part in side.parts:
        if part.fallback is None:
            out &= _side_answers(snapshot, job, part)
    trees = [conjunct_tree(part.expression) for part in side.parts if part.fallback is not None]
    if not trees:
        side.answers = out
    elif out.any():  # where the others hold, one slot at a time (the ads one by one)
        for i, slot in enumerate(snapshot.classads()):
            if out[i]:
                out[i] = all(_holds(tree.eval(scope=job, target=slot)) for tree in trees)
    return out


@dataclasses.dataclass
class _Batch:
    """The classes of one key pattern whose answers are not known yet."""

    names: Tuple[str, ...]  # key columns, lower case, sorted
    shown: List[str]  # their display spellings (the names the class ad holds)
    freeze: bool  # time() is frozen per class (the class reads the clock)
    index: List[int]  # class numbers
    rows: List[int]  # each class's first slot
    texts: List[tuple]  # each class's texts, one per key column (None where absent)


def _class_answers(snapshot: Snapshot, job: ClassAd, side: Side) -> np.ndarray:
    cache = cache_for(snapshot)
    answers = answers_for((side.name, side.expression, side.job_texts))
    result = np.zeros(side.n_classes, dtype=bool)
    # Classes with the same key columns are handled together.
    patterns: Dict[Tuple[FrozenSet[str], bool], List[int]] = {}
    for i, key in enumerate(zip(side.class_columns, side.class_clock, strict=True)):
        patterns.setdefault(key, []).append(i)
    batches: List[_Batch] = []
    memos: List[Dict[tuple, bool]] = []
    for (own, reads_clock), members in patterns.items():
        reps = side.reps[members]
        names = tuple(sorted(own))
        cells = [cache.column(name).texts[cache.column(name).codes[reps]] for name in names]
        # A class is known by its columns and their texts (None where absent),
        # and the half's answer by those and the job texts it reads; so answers
        # carry over to other snapshots. A class that reads the clock may read
        # the snapshot's time too.
        tail = (snapshot.time,) if reads_clock else ()
        memo = _memo(answers, (names, *tail))
        rows = zip(*cells, strict=True) if cells else [()] * len(members)
        batch = _Batch(names, [snapshot.display_name(name) for name in names],
                       reads_clock and bool(snapshot.time), [], [], [])
        if not memo:  # nothing remembered for these columns yet (a cold run)
            batch.index, batch.rows, batch.texts = members, reps.tolist(), list(rows)
        else:
            # A table past the classes asked now (at least MIN_ANSWERS) keeps only these
            # classes' answers: over a series of snapshots whose classes change it holds
            # about one snapshot's, however many went before.
            kept = {} if len(memo) > max(MIN_ANSWERS, len(members)) else None
            for i, row, texts in zip(members, reps.tolist(), rows, strict=True):
                known = memo.get(texts)
                if known is None:
                    batch.index.append(i)
                    batch.rows.append(row)
                    batch.texts.append(texts)
                else:
                    result[i] = known
                    if kept is not None:
                        kept[texts] = known
            if kept is not None:
                memo = answers[(names, *tail)] = kept
        if batch.index:
            batches.append(batch)
            memos.append(memo)
    verdicts = _evaluate(snapshot, cache, job, side, batches)
    at = 0
    for batch, memo in zip(batches, memos, strict=True):
        got = np.frombuffer(verdicts, dtype=bool, count=len(batch.index), offset=at)
        result[batch.index] = got
        memo.update(zip(batch.texts, got.tolist(), strict=True))
        at += len(batch.index)
    return result


def _memo(answers: Dict, key: tuple) -> Dict[tuple, bool]:
    """The remembered answers of one key pattern, by class texts."""
    memo = answers.get(key)
    if memo is None or len(memo) > MAX_ANSWERS:
        memo = answers[key] = {}
        while len(answers) > _MAX_PATTERNS:  # the oldest first (clock classes' old days)
            answers.pop(next(iter(answers)))
    return memo


_MAX_PATTERNS = 256
MIN_ANSWERS = 1_000  # a table this small is kept whole (a small pool's classes)


# Below this many classes to evaluate, one process does it all (a fork costs ~10-50 ms).
PARALLEL_MIN = 20_000


def _evaluate(snapshot: Snapshot, cache: PoolCache, job: ClassAd, side: Side,
              batches: List[_Batch]) -> bytes:
    """The answers of every class in ``batches``, in order, one byte (0/1) each.

    Many classes are split in two: a forked copy of this process evaluates the
    second half of every batch with the same library calls while this one
    evaluates the first halves (halves of each batch, so both get the same mix).
    """
    total = sum(len(batch.index) for batch in batches)
    if total < PARALLEL_MIN or not _can_fork():
        return _run(snapshot, cache, job, side, batches, 0)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: evaluate the second halves, send them, leave at once
        code = 1
        try:
            os.close(read_end)
            out = _run(snapshot, cache, job, side, batches, 1)
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(out)
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    try:
        mine = _run(snapshot, cache, job, side, batches, -1)
    finally:
        with os.fdopen(read_end, "rb") as pipe:
            theirs = pipe.read()
        _, status = os.waitpid(pid, 0)
    if status != 0 or len(theirs) != total - len(mine):
        # the child failed (out of memory, killed): do its halves here
        theirs = _run(snapshot, cache, job, side, batches, 1)
    out = bytearray()
    at_mine = at_theirs = 0
    for batch in batches:
        first, second = _halves(len(batch.index))
        out += mine[at_mine:at_mine + first]
        out += theirs[at_theirs:at_theirs + second]
        at_mine += first
        at_theirs += second
    return bytes(out)


def _halves(n: int) -> Tuple[int, int]:
    return n // 2, n - n // 2


def _can_fork() -> bool:
    # A fork copies only the calling thread: with other threads running (Dask's,
    # a progress bar's) one of them may hold a lock the child would need.
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return False
    try:
        return len(os.sched_getaffinity(0)) > 1
    except AttributeError:
        return (os.cpu_count() or 1) > 1


def _run(snapshot: Snapshot, cache: PoolCache, job: ClassAd, side: Side,
         batches: List[_Batch], part: int) -> bytes:
    """Evaluate every class of ``batches`` (``part`` 0), or the first (-1) or second (1)
    half of each batch."""
    out = bytearray()
    for batch in batches:
        n = len(batch.index)
        first, _ = _halves(n)
        lo, hi = {0: (0, n), -1: (0, first), 1: (first, n)}[part]
        if hi > lo:
            out += _run_batch(snapshot, cache, job, side, batch, lo, hi)
    return bytes(out)


def _run_batch(snapshot: Snapshot, cache: PoolCache, job: ClassAd, side: Side,
               batch: _Batch, lo: int, hi: int) -> bytearray:
    """One ad for the pattern, edited from class to class: consecutive classes mostly
    differ in one or two texts (cheaper than building each ad anew)."""
    ask = _asker(job, side, batch.names)
    texts_list = batch.texts[lo:hi]
    if batch.freeze:
        texts_list = [_frozen(cache, snapshot, texts, row)
                      for texts, row in zip(texts_list, batch.rows[lo:hi], strict=True)]
    slot = ClassAd()
    # Texts the same in every class of the batch are set once; only the others are edited.
    varying = []
    for j, name in enumerate(batch.shown):
        values = {texts[j] for texts in texts_list}
        if len(values) == 1:
            (text,) = values
            if text is not None:
                slot[name] = ExprTree(text)
        else:
            varying.append((j, name))
    held = {j: None for j, _ in varying}
    exprs = _trees({texts[j] for texts in texts_list for j, _ in varying} - {None})
    out = bytearray(hi - lo)
    for k, texts in enumerate(texts_list):
        for j, name in varying:
            new = texts[j]
            if new == held[j]:
                continue
            held[j] = new
            if new is None:
                del slot[name]
            else:
                slot[name] = exprs[new]
        out[k] = ask(slot, texts)
    return out


def _trees(texts) -> Dict[str, ExprTree]:
    """An ExprTree per text, parsed together: ``ExprTree(text)`` parses ``[expression =
    text]`` and looks the attribute up; one ad holding every text does the same at once."""
    texts = list(texts)
    if len(texts) > 8:
        try:
            ad = ClassAd("[" + "; ".join(f"e{i} = {t}" for i, t in enumerate(texts)) + "]")
        except Exception:  # classad2 raises ClassAdException: parse them one by one
            ad = None
        if ad is not None and len(ad) == len(texts):
            return {text: ad.lookup(f"e{i}") for i, text in enumerate(texts)}
    return {text: ExprTree(text) for text in texts}


def _asker(job: ClassAd, side: Side, names: Tuple[str, ...]):
    """``ask(slot, texts)``: this half's answer for the class ad ``slot`` holding ``texts``."""
    if side.expression is not None:
        # a conjunct of the job's Requirements, evaluated as the job evaluates its own
        # Requirements in slot.matches(job): the job as MY, the slot as TARGET
        conjunct = conjunct_tree(side.expression)
        return lambda slot, texts: _holds(conjunct.eval(scope=job, target=slot))
    if side.name == JOB_SIDE:
        return lambda slot, texts: bool(slot.matches(job))
    # job.matches(slot) is the slot's Requirements evaluated with the slot as MY and
    # the job as TARGET; the slot's Requirements text is part of the class key, so
    # its tree is parsed once per text instead of copied out of the ad per class.
    if "requirements" not in names:
        return lambda slot, texts: False  # matches() is False without Requirements
    at = names.index("requirements")
    trees: Dict[str, ExprTree] = {}

    def ask(slot: ClassAd, texts) -> bool:
        text = texts[at]
        if text is None:
            return False
        tree = trees.get(text)
        if tree is None:
            tree = trees[text] = ExprTree(text)
        return _holds(tree.eval(scope=slot, target=job))

    return ask


def conjunct_tree(text: str) -> ExprTree:
    """The conjunct ``text`` as ``&&`` reads it: ``(text) && true``, true exactly where the
    conjunct is true or a non-zero number (UNDEFINED, ERROR, a string, a time, a list or
    an ad is not)."""
    return ExprTree(f"({text}) && true")


def _holds(value) -> bool:
    """A Requirements value read as ``ClassAd.matches`` reads it: UNDEFINED, ERROR and
    anything not boolean or numeric do not hold; numbers hold when non-zero."""
    if isinstance(value, (bool, int, float)) and not isinstance(value, Value):
        return bool(value)
    return False


def _frozen(cache: PoolCache, snapshot: Snapshot, texts, row: int):
    """A clock-reading class's texts with time() frozen as Snapshot.classad_text freezes
    it (simulator.model.clock): at the slot's own MyCurrentTime, else the snapshot's time."""
    own = {name: _cell(cache, name, row) for name in CLOCK_COLUMNS}
    when = clock.slot_time(own, snapshot.time)
    plain = own["currenttime"] is None
    return tuple(
        None if text is None else clock.freeze_time(text, when, current_time=plain)
        for text in texts
    )


def _cell(cache: PoolCache, name: str, row: int) -> Optional[str]:
    if name not in cache.present:
        return None
    col = cache.column(name)
    return col.texts[col.codes[row]]
