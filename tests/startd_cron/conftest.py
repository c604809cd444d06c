"""pytest fixtures for the startd_cron tests (the helpers live in cron_helpers.py)."""

from cron_helpers import host_copy, lingering  # noqa: F401  (fixtures, found by pytest by name)
