"""Reading a file that a hostile or broken node may have replaced, in bounded time and memory.

Every file the hook reads (the probes' /etc, /proc and /sys files, the Java
cache) goes through ``read_bytes``:

* anything but a regular file is refused with OSError (a directory with
  EISDIR, as ``open`` would): a FIFO would block the hook forever, a device
  such as /dev/zero never ends.  The type is checked before opening (opening
  some devices has side effects) and again on the open descriptor (the path
  may have been swapped in between);
* the file is opened with O_NONBLOCK and O_NOCTTY, so even a FIFO or terminal
  swapped in at the last moment cannot block or adopt the hook;
* at most ``limit`` bytes (MAX_READ, 64 KiB, by default) are read.  procfs
  and sysfs files are regular files claiming a size of 0 or 4096 whatever
  they hold, so the size is never trusted: reading stops at end of file or
  at the limit.

>>> len(read_bytes(__file__, limit=10))
10
>>> read_bytes("/dev/null")
Traceback (most recent call last):
OSError: [Errno 22] a character device, not a regular file: '/dev/null'
"""

import errno
import os
import stat

MAX_READ = 64 * 1024
# Small reads: /proc/sys files refuse one read of megabytes (ENOMEM).
_CHUNK = 64 * 1024
_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)
_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def check_regular(mode, path):
    """Raise OSError unless ``mode`` (an ``st_mode``) is a regular file's."""
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
    kind = next((name for is_kind, name in _KINDS if is_kind(mode)), "an odd file")
    raise OSError(errno.EINVAL, "%s, not a regular file" % kind, path)


def open_regular(path):
    """A read-only, non-blocking descriptor of ``path``; OSError unless it is a regular file."""
    check_regular(os.stat(path).st_mode, path)
    fd = os.open(path, _OPEN_FLAGS)
    try:
        check_regular(os.fstat(fd).st_mode, path)
    except OSError:
        os.close(fd)
        raise
    return fd


def read_fd(fd, limit=MAX_READ):
    """At most ``limit`` bytes from ``fd``, up to its end."""
    chunks, size = [], 0
    while size < limit:
        chunk = os.read(fd, min(_CHUNK, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def read_bytes(path, limit=MAX_READ):
    """The first ``limit`` bytes of the regular file ``path``; raises OSError."""
    fd = open_regular(path)
    try:
        return read_fd(fd, limit)
    finally:
        os.close(fd)
