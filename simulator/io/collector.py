"""A live collector: ``htcondor2.Collector(HOST).query(AdTypes.Startd)``.

A few lines over the same Snapshot building as the file readers. No collector
can run where the tests run, so the tests hand in a stand-in object with the
same ``query`` method; a real query is a ``live`` test, skipped by default.

>>> snap = read("cm.example.org", collector=StandIn([...]))  # doctest: +SKIP
"""

from __future__ import annotations

from typing import List, Optional

from simulator.io.readers.build import SlotTable
from simulator.model import clock
from simulator.model.condor import UnwritableValue, htcondor
from simulator.model.errors import TribesError
from simulator.model.snapshot import Snapshot


def read(
    host: str,
    *,
    time: clock.TimeSpec = None,
    projection: Optional[List[str]] = None,
    collector=None,
) -> Snapshot:
    """Every slot ad of the pool whose central manager is ``host`` (all attributes by default)."""
    try:
        if collector is None:
            collector = htcondor.Collector(host)
        ads = collector.query(htcondor.AdTypes.Startd, projection=projection or [])
    except Exception as exc:  # the bindings raise HTCondorException, IOError, ValueError...
        raise TribesError(f"collector {host}: query failed ({exc})") from None
    table = SlotTable()
    for number, ad in enumerate(ads, start=1):
        try:
            table.add_classad(ad)
        except UnwritableValue as exc:
            name = ad.get("Name", f"number {number}")
            raise TribesError(f"collector {host}: ad {name}: {exc}") from None
    return table.snapshot(source=f"collector {host}", time=time)
