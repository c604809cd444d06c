"""Java facts cached per java binary, so the hourly hook starts no JVM.

The key is the binary's real path (``/usr/bin/java`` is usually an
alternatives symlink) and its mtime: a JDK update replaces the binary and so
invalidates the entry.  The file is JSON, written atomically (temp file +
rename in the same directory) so a killed hook never leaves half a file.

A cache that cannot be used, whatever the reason, is ignored and replaced by
a fresh one at the next store, never fatal: unreadable, not a regular file (a
FIFO; an empty directory is removed; a device or a socket is ignored but never
replaced: ``--cache /dev/null`` run as root leaves /dev/null alone), larger
than 64 KiB, not UTF-8, bad JSON, nested too deep for the parser (RecursionError), another
user's, or of the wrong shape (entries of the wrong types are dropped).

>>> key_for("/bin/sh")[0] == os.path.realpath("/bin/sh")
True
"""

import os

from startd_cron import files

# json and tempfile are imported where used: most hourly runs never need them,
# and the hook's start-up time is its cost.
FORMAT = 1
_FIELDS = ("JavaVendor", "JavaVersion", "JavaSpecificationVersion")


def key_for(java):
    """(real path, mtime in ns) of the java binary; raises OSError."""
    real = os.path.realpath(java)
    return real, os.stat(real).st_mtime_ns


def _read(path):
    """The file's parsed JSON, or None if it is not ours; raises OSError or ValueError."""
    import json

    fd = files.open_regular(path)
    try:
        # Another user's file (planted in a shared /tmp) is not our cache.
        if os.fstat(fd).st_uid != os.getuid():
            return None
        data = files.read_fd(fd)
    finally:
        os.close(fd)
    return json.loads(data.decode("utf-8"))


def _valid_entry(entry):
    if not isinstance(entry, dict) or type(entry.get("mtime_ns")) is not int:
        return False
    attrs = entry.get("attributes")
    return isinstance(attrs, dict) and all(
        isinstance(attrs.get(name, ""), str) for name in _FIELDS)


def _load(path):
    """The well-formed entries of the cache file; {} if it cannot be read or parsed."""
    try:
        data = _read(path)
    except (OSError, ValueError, RecursionError):
        return {}
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return {}
    entries = data.get("entries")
    if not isinstance(entries, dict):
        return {}
    return {real: entry for real, entry in entries.items() if _valid_entry(entry)}


def lookup(path, key):
    """Cached attributes for ``key``, or None."""
    if not path:
        return None
    entry = _load(path).get(key[0])
    if entry is None or entry["mtime_ns"] != key[1]:
        return None
    attrs = entry["attributes"]
    return {name: attrs[name] for name in _FIELDS if attrs.get(name)}


def store(path, key, attrs):
    """Remember ``attrs`` for ``key``; returns False (silently) if it cannot."""
    if not path:
        return False
    import json
    import tempfile

    entries = _load(path)
    entries[key[0]] = {"mtime_ns": key[1], "attributes": attrs}
    directory = os.path.dirname(os.path.abspath(path))
    try:
        if _is_device(path):  # --cache /dev/null run as root must not replace /dev/null
            return False
        if not os.path.isdir(directory):
            os.makedirs(directory, 0o700)
        fd, temp = tempfile.mkstemp(prefix=".tribes-java-", dir=directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump({"format": FORMAT, "entries": entries}, handle, indent=1,
                          sort_keys=True)
            os.chmod(temp, 0o644)
            _replace(temp, path)
        except BaseException:
            os.unlink(temp)
            raise
    except OSError:
        return False
    return True


def _is_device(path):
    """Is ``path`` a device or a socket (never replaced by a cache file)?"""
    import stat

    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISSOCK(mode)


def _replace(temp, path):
    """Rename ``temp`` over ``path``; an empty directory there is removed first."""
    try:
        os.replace(temp, path)
    except IsADirectoryError:
        os.rmdir(path)  # OSError if not empty: nothing of anyone's is deleted
        os.replace(temp, path)


def default_path():
    """A per-user cache file under the temporary directory; None if that folder is
    someone else's (in a shared /tmp, anyone could have made it first)."""
    import tempfile

    directory = os.path.join(tempfile.gettempdir(), "condor-tribes-%d" % os.getuid())
    try:
        if os.lstat(directory).st_uid != os.getuid():
            return None
    except OSError:
        pass  # absent: store() creates it, mode 0700
    return os.path.join(directory, "java.json")
