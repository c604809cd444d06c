"""condor-tribes simulator: pool snapshots in, match rates out, with HTCondor's own ClassAd semantics."""

__version__ = "0.1.0"
