"""Java facts cached per java binary, so the hourly hook starts no JVM.

The key is the binary's real path (``/usr/bin/java`` is usually an
alternatives symlink) and its mtime: a JDK update replaces the binary and so
invalidates the entry.  The file is JSON, written atomically (temp file +
rename in the same directory) so a killed hook never leaves half a file; a
corrupt or foreign file is ignored and rewritten, never fatal.

>>> key_for("/bin/sh")[0] == os.path.realpath("/bin/sh")
True
"""

import os

# json and tempfile are imported where used: most hourly runs never need them,
# and the hook's start-up time is its cost.
FORMAT = 1
_FIELDS = ("JavaVendor", "JavaVersion", "JavaSpecificationVersion")


def key_for(java):
    """(real path, mtime in ns) of the java binary; raises OSError."""
    real = os.path.realpath(java)
    return real, os.stat(real).st_mtime_ns


def _load(path):
    import json

    try:
        with open(path, "r", encoding="utf-8") as handle:
            # Another user's file (planted in a shared /tmp) is not our cache.
            if os.fstat(handle.fileno()).st_uid != os.getuid():
                return {}
            data = json.load(handle)
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return {}
    entries = data.get("entries")
    return entries if isinstance(entries, dict) else {}


def lookup(path, key):
    """Cached attributes for ``key``, or None."""
    if not path:
        return None
    entry = _load(path).get(key[0])
    if not isinstance(entry, dict) or entry.get("mtime_ns") != key[1]:
        return None
    attrs = entry.get("attributes")
    if not isinstance(attrs, dict):
        return None
    if not all(isinstance(attrs.get(name, ""), str) for name in _FIELDS):
        return None
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
        if not os.path.isdir(directory):
            os.makedirs(directory, 0o700)
        fd, temp = tempfile.mkstemp(prefix=".tribes-java-", dir=directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump({"format": FORMAT, "entries": entries}, handle, indent=1,
                          sort_keys=True)
            os.chmod(temp, 0o644)
            os.replace(temp, path)
        except BaseException:
            os.unlink(temp)
            raise
    except OSError:
        return False
    return True


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
