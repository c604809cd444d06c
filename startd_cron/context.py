"""What every probe touches the system through: a root directory, PATH, a clock.

Tests point ``root`` at a fixture tree (``tests/fixtures/hosts/<case>``) and
put fake ``rpm``/``dpkg-query``/``java`` first on ``PATH``; nothing else in a
probe reaches the machine.

>>> ctx = Context(root="/")
>>> ctx.path("/etc/os-release")
'/etc/os-release'
"""

import os
import time

from startd_cron import files, run_command


class Context(object):
    """The seams of one hook run, plus the errors its probes noted.

    ``timeout`` is the time limit of all the run's external commands together:
    it starts with the Context, each command gets what is left of it, and a
    command due once it has run out is not started.  However many tools hang,
    the run lasts at most ``timeout`` plus its own fraction of a second.
    """

    def __init__(self, root="/", timeout=5.0, cache_path=None, env=None):
        self.root = root
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout
        self.cache_path = cache_path
        self.env = dict(os.environ if env is None else env)
        self.errors = []

    @property
    def is_host(self):
        """True when the probes look at the running machine itself."""
        return os.path.realpath(self.root) == "/"

    def path(self, name):
        """``name`` (an absolute path on the probed node) under the root.

        Symbolic links are followed inside the root, so an absolute link in a
        copied tree (``etc/os-release -> /usr/lib/os-release``) does not read
        the machine running the tests.
        """
        if self.root in ("/", ""):
            return name
        return resolve_under(self.root, name)

    def exists(self, name):
        """Is anything at ``name``, even a dangling link or a link loop?"""
        try:
            return os.path.lexists(self.path(name))
        except OSError:  # a link loop under the root: reading it will say so
            return True

    def isdir(self, name):
        """Is ``name`` a directory (False when its links loop)?"""
        try:
            return os.path.isdir(self.path(name))
        except OSError:
            return False

    def read_text(self, name):
        """The first 64 KiB of ``name``, decoded; raises OSError (FileNotFoundError
        when absent) and refuses anything but a regular file (see ``files``)."""
        return run_command.decode(files.read_bytes(self.path(name)))

    def read_optional(self, probe, name):
        """Contents of ``name``, or None if it is absent or unreadable (noted)."""
        try:
            return self.read_text(name)
        except FileNotFoundError:
            return None
        except NotADirectoryError:
            return None
        except OSError as exc:
            self.note(probe, "cannot read %s (%s)" % (name, exc.strerror or exc))
            return None

    def which(self, command):
        """Absolute path of ``command`` on this run's PATH, or None.

        (shutil.which would do, but importing shutil costs the hook ~8 ms a run.)
        """
        for directory in self.env.get("PATH", os.defpath).split(os.pathsep):
            candidate = os.path.join(directory or os.curdir, command)
            if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
                return candidate
        return None

    def run(self, argv):
        """Run a command within what is left of this run's time limit (see
        ``run_command.run``); CommandTimeout, unstarted, if nothing is left."""
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise run_command.CommandTimeout(argv, 0)
        return run_command.run(argv, min(self.timeout, remaining), env=self.env)

    def note(self, probe, message):
        """Record a failure; it is published in ``tribes_probe_errors``."""
        self.errors.append("%s: %s" % (probe, message))

    def note_command_failure(self, probe, exc, label=None):
        """Record why a command (``label``, e.g. ``rpm -q glibc``) gave no answer.

        >>> ctx = Context(timeout=5)
        >>> ctx.note_command_failure("java", run_command.CommandTimeout(["java"], 5))
        >>> ctx.errors
        ['java: timed out after 5s']
        """
        prefix = label + " " if label else ""
        if isinstance(exc, run_command.CommandTimeout) and exc.timeout <= 0:
            self.note(probe, "%snot run: the %ss time limit of the commands was used up"
                      % (prefix, _seconds(self.timeout)))
        elif isinstance(exc, run_command.CommandTimeout) and round(exc.timeout, 1) < self.timeout:
            self.note(probe, "%stimed out after %ss, the rest of the %ss time limit"
                      % (prefix, _seconds(round(exc.timeout, 1)), _seconds(self.timeout)))
        elif isinstance(exc, run_command.CommandTimeout):
            self.note(probe, "%stimed out after %ss" % (prefix, _seconds(self.timeout)))
        elif isinstance(exc, run_command.CommandOutputTooLarge):
            self.note(probe, "%sprinted more than %s, killed" % (prefix, _bytes(exc.limit)))
        elif isinstance(exc, run_command.CommandFailed):
            self.note(probe, "%sexited %s" % (prefix, exc.returncode))
        elif isinstance(exc, OSError):
            self.note(probe, "cannot run %s(%s)" % (prefix, exc.strerror or exc))
        else:
            self.note(probe, "%sfailed (%s)" % (prefix, exc))


def _bytes(count):
    """``4194304`` -> ``'4 MiB'``, ``65536`` -> ``'64 KiB'``, ``1000`` -> ``'1000 bytes'``."""
    for unit, size in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= size and count % size == 0:
            return "%d %s" % (count // size, unit)
    return "%d bytes" % count


def _seconds(value):
    return "%d" % value if float(value).is_integer() else "%g" % value


def resolve_under(root, name, max_links=40):
    """``name`` resolved as if ``root`` were ``/``: links and ``..`` cannot leave it.

    >>> resolve_under("/srv/node", "/etc/../proc/cpuinfo")
    '/srv/node/proc/cpuinfo'
    """
    pending = [part for part in name.split("/") if part]
    resolved = []
    while pending:
        part = pending.pop(0)
        if part == ".":
            continue
        if part == "..":
            if resolved:
                resolved.pop()
            continue
        candidate = os.path.join(root, *(resolved + [part]))
        if not os.path.islink(candidate):
            resolved.append(part)
            continue
        max_links -= 1
        if max_links < 0:
            raise OSError(40, "Too many levels of symbolic links", name)  # ELOOP
        target = os.readlink(candidate)
        if target.startswith("/"):
            resolved = []
        pending = [p for p in target.split("/") if p] + pending
    return os.path.join(root, *resolved)
