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


# One wording per kind of path error, whichever module meets it (and the CLI's last-resort
# OSError handler too):
#
#   FILE: no such file                  a file that is not there
#   DIR: no such folder                 a folder that is not there
#   PATH: a file, not a store folder    a file where a folder is wanted ("a folder" in general)
#   PATH: a folder, not a file          a folder where a file is wanted
#   PATH: cannot read (REASON)          any other failure to read it (REASON: the system's)
#   PATH: cannot write (REASON)         any other failure to write it
#
# Where a name may be something else than a path (a pool spec: pool_2010, collector:HOST),
# a hint in parentheses may follow ("FILE: no such file (a pool is …)").


def no_such_file(path, cls=TribesError, hint: str = "") -> TribesError:
    """``FILE: no such file``, with an optional hint in parentheses."""
    return cls(f"{path}: no such file" + (f" ({hint})" if hint else ""))


def no_such_folder(path, cls=TribesError) -> TribesError:
    return cls(f"{path}: no such folder")


def not_a_folder(path, what: str = "folder", cls=TribesError) -> TribesError:
    """``PATH: a file, not a store folder``: a file where a folder is wanted."""
    return cls(f"{path}: a file, not a {what}")


def read_error(path, exc: OSError, cls=TribesError) -> TribesError:
    """The error for a file that could not be read, worded by what went wrong."""
    if isinstance(exc, FileNotFoundError):
        return no_such_file(path, cls)
    if isinstance(exc, IsADirectoryError):
        return cls(f"{path}: a folder, not a file")
    return cls(f"{path}: cannot read ({_reason(exc)})")


def folder_error(path, exc: OSError, cls=TribesError) -> TribesError:
    """The error for a folder that could not be written into."""
    if isinstance(exc, FileNotFoundError):
        return no_such_folder(path, cls)
    if isinstance(exc, (NotADirectoryError, FileExistsError)):
        return not_a_folder(path, cls=cls)
    return cls(f"{path}: cannot write ({_reason(exc)})")


def os_error_message(exc: OSError) -> str:
    """One line for an OSError nobody caught: the same wording, the path when known."""
    path = exc.filename
    if path is None:
        return _reason(exc)
    if isinstance(exc, FileNotFoundError):
        return str(no_such_file(path))
    if isinstance(exc, IsADirectoryError):
        return f"{path}: a folder, not a file"
    return f"{path}: {_reason(exc)}"


def _reason(exc: OSError) -> str:
    text = exc.strerror or str(exc)
    return text[:1].lower() + text[1:]
