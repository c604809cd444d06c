"""What the simulator measures: match rates (here or over Dask), attribute counts, the clause
table of an analysis, queue replays, migration scenarios and what a program needs.
"""
