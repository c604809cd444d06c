"""condor-tribes simulator: pool snapshots in, match rates out, by HTCondor's own ClassAds."""

__version__ = "0.1.0"
