"""Where pools come from and where they go: readers of ``condor_status`` output, the live
collector, the store of Parquet snapshots, and ``sources``, the one place a pool spec is parsed.
"""
