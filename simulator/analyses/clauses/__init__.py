"""Which clause of a job's Requirements costs the matches: the expression split into steps
(``steps``) and each step counted over the pool (``analysis``).
"""
