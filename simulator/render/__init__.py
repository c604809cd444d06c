"""Output: one table renderer and one way of writing numbers, durations and counts, and the
tables of each analysis built on them.
"""
