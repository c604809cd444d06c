"""The data model every layer above shares: HTCondor's ClassAd bindings, errors, clocks,
snapshots of a pool and the tribes of its slots.

``simulator.model.condor`` is the only module that imports HTCondor's Python bindings.
"""
