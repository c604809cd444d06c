"""Errors the simulator raises; the CLI turns each into one line for the user."""

import math


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


def one_line(text: str) -> str:
    """``text`` as one printable line: a character that would break it or not show (a
    newline, a vertical tab, NUL …) is written as its escape, ``\\x0b``; a stray backslash
    stays.

    >>> one_line("ad 1: expected Attr = value: \\x00\\x0b")
    'ad 1: expected Attr = value: \\\\x00\\\\x0b'
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


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


# A number out of range, worded once for every option and file key that takes one:
#
#   --rate nan: give a number from 0 (excluded) to 1e6 per hour
#   --users 0: give a whole number from 1 to 100000
#   --reboot-time -1: give a number of at least 0 seconds
#
# Every number must be finite (NaN and infinities never are in range).


def number_text(value) -> str:
    """A number as the messages write it: ``86400``, ``0.7``, ``1e6``, ``nan``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, int):
        if abs(value) < 10 ** 15:
            return str(value)
        digits = str(abs(value))
        if len(digits) > 300:  # beyond a float
            return f"{'-' if value < 0 else ''}{digits[0]}e{len(digits) - 1}"
    text = f"{value:g}"
    return text.replace("e+0", "e").replace("e+", "e").replace("e-0", "e-")


def range_text(low=None, high=None, *, low_excluded=False, whole=False, unit="") -> str:
    """``a number from 0 (excluded) to 1e6 per hour``: what a number in range is."""
    what = "a whole number" if whole else "a number"
    excluded = " (excluded)" if low_excluded else ""
    if low is not None and high is not None:
        text = f"{what} from {number_text(low)}{excluded} to {number_text(high)}"
    elif low is not None:
        text = f"{what} above {number_text(low)}" if low_excluded else \
            f"{what} of at least {number_text(low)}"
    elif high is not None:
        text = f"{what} of at most {number_text(high)}"
    else:
        text = f"a finite {what[2:]}"
    return f"{text} {unit}" if unit else text


def in_range(name: str, value, low=None, high=None, *, low_excluded=False, whole=False,
             unit="", cls=TribesError, why=""):
    """``value``, if it is a finite number in range (``low`` excluded if ``low_excluded``;
    ``whole``: no fraction); else ``NAME VALUE: give a number from LOW to HIGH UNIT``
    (``why``, in parentheses, after it). None is returned as None (not given).

    >>> in_range("--rate", 2.5, 0, 1e6, low_excluded=True, unit="per hour")
    2.5
    >>> in_range("--rate", float("nan"), 0, 1e6, low_excluded=True, unit="per hour")
    Traceback (most recent call last):
    ...
    simulator.model.errors.TribesError: --rate nan: give a number from 0 (excluded) to 1e6 per hour
    """
    if value is None:
        return None
    ok = isinstance(value, int) and not isinstance(value, bool)
    if isinstance(value, float):
        ok = math.isfinite(value) and (value.is_integer() or not whole)
    if ok and low is not None:
        ok = value > low if low_excluded else value >= low
    if ok and high is not None:
        ok = value <= high
    if ok:
        return value
    message = f"{name} {number_text(value)}: give " + range_text(
        low, high, low_excluded=low_excluded, whole=whole, unit=unit)
    raise cls(message + (f" ({why})" if why else ""))
