"""Errors the simulator raises; the CLI turns each into one line for the user."""


class TribesError(Exception):
    """Base class: a message meant for the user, shown without a traceback."""


class AdParseError(TribesError, ValueError):
    """A file of ads could not be read. The message names the file, ad and line."""

    def __init__(self, path, ad_number, line, reason):
        self.path, self.ad_number, self.line, self.reason = path, ad_number, line, reason
        super().__init__(f"{path}: ad {ad_number}, line {line}: {reason}")


class RequirementsError(TribesError, ValueError):
    """A Requirements expression does not parse."""


class SnapshotError(TribesError):
    """A snapshot or store cannot be read or written."""


class ProfileError(TribesError):
    """A job profile cannot be built (unknown name, unreadable job file, no reference slot)."""
