"""Progress bars of the long library calls: tqdm on stderr, drawn only when asked.

The calls that can run past a couple of seconds (``simulate`` and ``count_pool`` over a
store, ``replay_store``, ``run_scenario``) take ``progress=True`` to draw one; the
``tribes`` command asks for it only when stderr is a terminal, and never with ``--quiet``,
so a log file gets no carriage-return frames.

>>> with bar(3, False, "demo", "snapshot") as b:
...     b.update(3)
"""

from __future__ import annotations


def bar(total: int, enabled: bool, label: str, unit: str):
    """A tqdm bar of ``total`` steps of ``unit`` on stderr (a silent one unless ``enabled``);
    it vanishes when closed."""
    from tqdm import tqdm

    return tqdm(total=total, disable=not enabled, desc=label, unit=f" {unit}s", leave=False,
                dynamic_ncols=True)


def counted(items, total: int, enabled: bool, label: str, unit: str):
    """Yield ``items``, moving a bar one step per item (an item is not held while the
    next one is made: a snapshot read on demand is dropped first)."""
    with bar(total, enabled, label, unit) as b:
        for item in items:
            yield item
            del item
            b.update(1)
