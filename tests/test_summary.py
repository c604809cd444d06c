"""The better-analyze summary: each slot in exactly one category, per slot and per machine."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.jobs import load_template, with_requirements
from simulator.match import summary
from simulator.model.condor import ClassAd, ExprTree
from simulator.model.snapshot import Snapshot

WITHIN = ("MY.Cpus > 0 && TARGET.RequestCpus <= MY.Cpus && MY.Memory > 0 && "
          "TARGET.RequestMemory <= MY.Memory && MY.Disk > 0 && TARGET.RequestDisk <= MY.Disk")


def slot(name, machine, kind="Static", state="Unclaimed", cpus=1, memory=4096, start="true",
         opsys="LINUX"):
    ad = ClassAd({
        "Name": name, "Machine": machine, "SlotType": kind, "State": state, "OpSys": opsys,
        "Cpus": cpus, "Memory": memory, "Disk": 10_000_000, "START": ExprTree(start),
        "WithinResourceLimits": ExprTree(WITHIN),
    })
    ad["Requirements"] = ExprTree("START && WithinResourceLimits")
    return ad


def pool():
    """Slots whose category is clear by reading them; the expected list is beside each."""
    ads = [
        slot("slot1@a", "a"),                                            # available_now
        slot("slot2@a", "a", state="Claimed"),                           # matching_busy
        slot("slot1@b", "b", kind="Partitionable", cpus=3, memory=8000),  # available_now
        slot("slot1_1@b", "b", kind="Dynamic", state="Claimed"),         # matching_busy
        slot("slot1@c", "c", kind="Partitionable", cpus=2, memory=500),  # rejecting_job: no room
        slot("slot1@d", "d", start='TARGET.Owner == "bob"'),             # rejecting_job
        slot("slot1@e", "e", opsys="WINDOWS"),                           # rejected_by_job
        slot("slot2@e", "e", opsys="WINDOWS", state="Claimed"),          # rejected_by_job
    ]
    return Snapshot.from_classads(ads, source="kinds")


EXPECTED = [3, 2, 3, 2, 1, 1, 0, 0]


def job():
    return with_requirements(load_template("plain"), 'TARGET.OpSys == "LINUX"')


def test_each_slot_gets_its_category():
    snap = pool()
    job_ok, slot_ok = summary.plain_sides(list(snap.classads()), job())
    codes = summary.categorize(job_ok, slot_ok, summary.busy_slots(snap))
    assert codes.tolist() == EXPECTED


def test_sides_agree_with_symmetric_match():
    snap = pool()
    slots = list(snap.classads())
    job_ok, slot_ok = summary.plain_sides(slots, job())
    assert (job_ok & slot_ok).tolist() == [bool(job().symmetricMatch(s)) for s in slots]


def test_categories_add_up_per_slot_and_per_machine():
    snap = pool()
    job_ok, slot_ok = summary.plain_sides(list(snap.classads()), job())
    got = summary.summarize(job_ok, slot_ok, summary.busy_slots(snap), summary.machine_keys(snap))
    assert got == {
        "rejected_by_job": 2, "rejecting_job": 2, "matching_busy": 2, "available_now": 2,
        # a machine is in the best category one of its slots reaches
        "machines_rejected_by_job": 1,   # e
        "machines_rejecting_job": 2,     # c, d
        "machines_matching_busy": 0,
        "machines_available_now": 2,     # a, b
        "total_machines": 5,
    }
    assert sum(got[c] for c in summary.CATEGORIES) == len(snap)
    assert sum(got[c] for c in summary.MACHINE_CATEGORIES) == got["total_machines"]


def test_a_request_that_fits_no_remainder_is_rejected_by_the_slot():
    snap = pool()
    big = with_requirements(load_template("plain"), 'TARGET.OpSys == "LINUX"')
    big["RequestMemory"] = 6000
    job_ok, slot_ok = summary.plain_sides(list(snap.classads()), big)
    codes = summary.categorize(job_ok, slot_ok, summary.busy_slots(snap))
    # only the partitionable slot with 8000 MB left can still take it
    assert codes.tolist() == [1, 1, 3, 1, 1, 1, 0, 0]


def test_machine_keys_fall_back_to_name_then_row():
    snap = Snapshot.from_classads(
        [ClassAd({"Machine": "m"}), ClassAd({"Name": "slot1@n"}), ClassAd({"Cpus": 1})],
        source="keys")
    assert summary.machine_keys(snap).tolist() == ['"m"', '"slot1@n"', "#2"]
    assert summary.busy_slots(snap).tolist() == [False, False, False]
    assert np.array_equal(summary.categorize(np.array([True]), np.array([True]),
                                             np.array([True])), [2])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.booleans(), st.booleans(), st.integers(0, 5)),
                max_size=40))
def test_summary_counts_always_add_up(slots):
    job_ok = np.array([s[0] for s in slots], dtype=bool)
    slot_ok = np.array([s[1] for s in slots], dtype=bool)
    busy = np.array([s[2] for s in slots], dtype=bool)
    machines = np.array([f"m{s[3]}" for s in slots], dtype=object)
    got = summary.summarize(job_ok, slot_ok, busy, machines)
    assert sum(got[c] for c in summary.CATEGORIES) == len(slots)
    assert got["matching_busy"] + got["available_now"] == int((job_ok & slot_ok).sum())
    assert sum(got[c] for c in summary.MACHINE_CATEGORIES) == got["total_machines"]
    assert got["total_machines"] == len(set(machines))
    free = job_ok & slot_ok & ~busy
    free_machines = {machines[i] for i in range(len(slots)) if free[i]}
    assert got["machines_available_now"] == len(free_machines)
