"""condor-tribes startd cron hook: publish what HTCondor does not.

Run it as ``python3 -m startd_cron`` (or the ``tribes-startd-cron`` script);
it prints ``Attr = value`` lines for the startd and ends with ``- update:true``.
Standard library only and Python 3.6 syntax: it runs under the execute node's
system python as the condor user.
"""

__version__ = "0.1.0"
