"""Run an external command with a time limit, killing its whole process group.

A hung ``java`` may have started helper processes; each command runs in a
session of its own so that on timeout ``killpg`` takes all of them down and
the hook still finishes in bounded time.

This is a small spawn/poll runner rather than the ``subprocess`` module:
importing ``subprocess`` (threading, selectors, enum, ...) costs about half of
the hook's CPU time at every hourly run, and the hook needs only this.

>>> run(["/bin/sh", "-c", "echo hi; exit 3"], timeout=5)
Result(returncode=3, stdout='hi\\n', stderr='')
"""

import os
import select
import time
from collections import namedtuple

try:  # the C module is loaded at interpreter start; ``signal`` would import enum
    import _signal as _signals
except ImportError:  # pragma: no cover
    import signal as _signals

Result = namedtuple("Result", "returncode stdout stderr")

# Commands get a fixed locale so that their output parses the same everywhere.
_ENV_OVERRIDES = {"LC_ALL": "C", "LANG": "C"}
MAX_OUTPUT = 4 * 1024 * 1024


class CommandTimeout(Exception):
    """The command ran longer than its time limit and was killed."""

    def __init__(self, argv, timeout):
        super(CommandTimeout, self).__init__("%s timed out after %ss" % (argv[0], timeout))
        self.argv, self.timeout = argv, timeout


class CommandFailed(Exception):
    """The command exited with a non-zero status."""

    def __init__(self, argv, returncode):
        super(CommandFailed, self).__init__("%s exited %s" % (argv[0], returncode))
        self.argv, self.returncode = argv, returncode


class _Deadline(Exception):
    pass


def decode(data):
    """Bytes from a file or a command as text; undecodable bytes become U+FFFD."""
    return data.decode("utf-8", "replace")


def run(argv, timeout, env=None):
    """Run ``argv`` (``argv[0]`` a path); return a Result with decoded output.

    Raises OSError if it cannot be started and CommandTimeout (after killing
    its process group) if it runs longer than ``timeout`` seconds.
    """
    child_env = dict(os.environ if env is None else env)
    child_env.update(_ENV_OVERRIDES)
    out_r, out_w = os.pipe()  # os.pipe() descriptors are close-on-exec
    err_r, err_w = os.pipe()
    try:
        pid = _start(argv, child_env, out_w, err_w)
    except BaseException:
        os.close(out_r)
        os.close(err_r)
        raise
    finally:
        os.close(out_w)
        os.close(err_w)
    deadline = time.monotonic() + timeout
    try:
        out, err = _collect(pid, (out_r, err_r), deadline)
        status = _wait(pid, deadline)
    except _Deadline:
        _kill_group(pid)
        raise CommandTimeout(argv, timeout) from None
    return Result(status, decode(out), decode(err))


def _start(argv, env, out_w, err_w):
    """Start ``argv`` in a new session, stdin /dev/null, stdout/stderr to the pipes.

    posix_spawn (Python 3.8+) where it can: it is safe in a process with threads
    (a test runner, a library user), where fork() is not.  Else fork and exec,
    which is fine for the hook itself, a single thread on python 3.6.
    """
    spawn = getattr(os, "posix_spawn", None)
    if spawn is not None:
        # (Only reached on Python 3.8+, where posix_spawn exists.)
        spawn_open, spawn_dup2 = os.POSIX_SPAWN_OPEN, os.POSIX_SPAWN_DUP2  # novermin
        actions = [
            (spawn_open, 0, os.devnull, os.O_RDONLY, 0),
            (spawn_dup2, out_w, 1),
            (spawn_dup2, err_w, 2),
        ]
        try:
            # Python ignores SIGPIPE; an exec'd program expects the default.
            return spawn(argv[0], argv, env, file_actions=actions, setsid=True,
                         setsigdef=(_signals.SIGPIPE,))
        except NotImplementedError:  # a C library without POSIX_SPAWN_SETSID
            pass
    return _fork_exec(argv, env, out_w, err_w)


def _fork_exec(argv, env, out_w, err_w):
    status_r, status_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover (the child)
        _exec_child(argv, env, out_w, err_w, status_w)
    os.close(status_w)
    try:
        # Empty once exec succeeded (close-on-exec), else the child's errno.
        failure = os.read(status_r, 64)
    finally:
        os.close(status_r)
    if failure:
        os.waitpid(pid, 0)
        code = int(failure)
        raise OSError(code, os.strerror(code), argv[0])
    return pid


def _exec_child(argv, env, out_w, err_w, status_w):  # pragma: no cover (runs in the child)
    try:
        os.setsid()
        _signals.signal(_signals.SIGPIPE, _signals.SIG_DFL)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(out_w, 1)
        os.dup2(err_w, 2)
        os.execve(argv[0], argv, env)
    except OSError as exc:
        os.write(status_w, str(exc.errno or 1).encode())
    finally:
        os._exit(127)


def _collect(pid, fds, deadline):
    """Read both pipes to EOF; raise _Deadline at the deadline (pipes closed)."""
    chunks = {fd: [] for fd in fds}
    sizes = dict.fromkeys(fds, 0)
    poller = select.poll()
    for fd in fds:
        poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
    open_fds = set(fds)
    try:
        while open_fds:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _Deadline()
            for fd, _event in poller.poll(remaining * 1000):
                data = os.read(fd, 65536)
                if not data:
                    poller.unregister(fd)
                    open_fds.discard(fd)
                elif sizes[fd] < MAX_OUTPUT:
                    chunks[fd].append(data)
                    sizes[fd] += len(data)
    finally:
        for fd in fds:
            os.close(fd)
    return [b"".join(chunks[fd])[:MAX_OUTPUT] for fd in fds]


def _wait(pid, deadline):
    """Exit status (negative signal number if killed); _Deadline at the deadline."""
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            if os.WIFSIGNALED(status):
                return -os.WTERMSIG(status)
            return os.WEXITSTATUS(status)
        if time.monotonic() >= deadline:
            raise _Deadline()
        time.sleep(0.002)


def _kill_group(pid):
    try:  # noqa: SIM105 (contextlib is one more import at every run)
        os.killpg(pid, _signals.SIGKILL)
    except OSError:  # the group is already gone
        pass
    os.waitpid(pid, 0)
