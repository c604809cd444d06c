"""condor-tribes simulator: pool snapshots in, match rates out, by HTCondor's own ClassAds.

The library calls a notebook or script makes (each returns a result object that the
``tribes`` command only renders):

- ``simulate(pool, profiles=…, requirements=…, job_files=…)``: match rates per profile;
- ``replay(store, …)``: queue waits of each way of writing Requirements;
- ``analyze(pool, requirements=… | job_file=…)``: the clause table of ``condor_q
  -better-analyze``;
- ``needs(programs, pool=…)``: the loosest safe Requirements for programs;
- ``count(pool, attrs)``: slots counted by attribute values;
- ``open_pool(spec)``, ``add_snapshot(spec, store)``, ``load_scenario(path)``,
  ``run_scenario(scenario, store)``.

The folders are layers, each importing only those below it: ``data`` and ``model``,
``pools``, ``io``, ``jobs``, ``match``, ``analyses``, ``render``, ``plots``, ``cli``.

>>> import simulator
>>> [r["matching_slots"] for r in simulator.simulate("pool_2010", profiles=["opsys"]).records()]
[579]
"""

import importlib

__version__ = "0.1.0"

# Library call -> (module, name); imported on first use, so that importing a lower layer
# does not import them all.
_CALLS = {
    "simulate": ("simulator.analyses.simulation", "simulate"),
    "replay": ("simulator.analyses.replay.session", "replay_store"),
    "analyze": ("simulator.analyses.clauses", "analyze_pool"),
    "needs": ("simulator.analyses.needs.verdict", "needs"),
    "count": ("simulator.analyses.counts", "count_pool"),
    "open_pool": ("simulator.io.sources", "open_snapshots"),
    "add_snapshot": ("simulator.io.sources", "add_snapshot"),
    "load_scenario": ("simulator.analyses.scenario", "load_scenario"),
    "run_scenario": ("simulator.analyses.scenario", "run_scenario"),
}

__all__ = sorted(_CALLS) + ["__version__"]


def __getattr__(name):
    if name in _CALLS:
        module, attr = _CALLS[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'simulator' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_CALLS))
