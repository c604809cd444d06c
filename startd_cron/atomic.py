"""Files written whole or not at all: a dot-named temporary file beside the target, synced,
given its mode, then renamed over the target (readers never see half a file)."""

import os
import tempfile


def write_atomically(target, write, mode, binary=True):
    """Write ``target`` by calling ``write(handle)``; return ``target``.

    The temporary file's dot name keeps HTCondor's config.d reader (and ``ls``) off it
    until the rename; on any error it is removed and the target left as it was.
    """
    directory = os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(directory):
        raise OSError("not a directory: %s" % directory)
    fd, temp = tempfile.mkstemp(prefix="." + os.path.basename(target) + ".", dir=directory)
    try:
        with os.fdopen(fd, "wb" if binary else "w") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise
    return target
