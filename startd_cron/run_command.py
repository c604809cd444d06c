"""Run an external command with a time limit and an output cap, killing its whole process group.

A hung or hostile ``rpm``/``dpkg-query``/``java`` must not hold the hook nor
fill the node's memory:

* each command runs in a session of its own, so ``killpg`` takes down every
  helper it started (in that session);
* its stdout and stderr are read as they come (non-blocking pipes, a
  selector), at most MAX_OUTPUT bytes each: a command printing more is killed
  at once (CommandOutputTooLarge);
* the time limit covers everything: at the deadline the group is killed and
  reading stops, even while a grandchild that left the session (``setsid
  sleep 120 &``) still holds the pipes open (CommandTimeout).  Nothing waits
  past the deadline but the reaping of the killed command, itself bounded
  (REAP_SECONDS).

>>> run(["/bin/sh", "-c", "echo hi; exit 3"], timeout=5)
Result(returncode=3, stdout='hi\\n', stderr='')
"""

import contextlib
import os
import selectors
import signal
import subprocess
import time
from collections import namedtuple

Result = namedtuple("Result", "returncode stdout stderr")

# Commands get a fixed locale so that their output parses the same everywhere.
_ENV_OVERRIDES = {"LC_ALL": "C", "LANG": "C"}
MAX_OUTPUT = 4 * 1024 * 1024
_CHUNK = 64 * 1024
# A SIGKILLed process is reaped within milliseconds unless stuck in the kernel;
# then it is left behind rather than holding the hook.
REAP_SECONDS = 0.5
# poll(2), as subprocess itself uses: no descriptor of its own to open and close.
_Selector = getattr(selectors, "PollSelector", selectors.SelectSelector)


class CommandError(Exception):
    """The command gave no usable answer."""


class CommandTimeout(CommandError):
    """The command ran longer than its time limit and was killed."""

    def __init__(self, argv, timeout):
        super(CommandTimeout, self).__init__("%s timed out after %ss" % (argv[0], timeout))
        self.argv, self.timeout = argv, timeout


class CommandOutputTooLarge(CommandError):
    """The command printed more than ``limit`` bytes on stdout or stderr and was killed."""

    def __init__(self, argv, limit):
        super(CommandOutputTooLarge, self).__init__(
            "%s printed more than %s bytes" % (argv[0], limit))
        self.argv, self.limit = argv, limit


class CommandFailed(CommandError):
    """The command exited with a non-zero status."""

    def __init__(self, argv, returncode):
        super(CommandFailed, self).__init__("%s exited %s" % (argv[0], returncode))
        self.argv, self.returncode = argv, returncode


def decode(data):
    """Bytes from a file or a command as text; undecodable bytes become U+FFFD."""
    return data.decode("utf-8", "replace")


def run(argv, timeout, env=None):
    """Run ``argv`` (``argv[0]`` a path); return a Result with decoded output.

    stdin is /dev/null, as under the startd.  Raises OSError if the command
    cannot be started; CommandTimeout if it (or anything holding its output
    open) runs longer than ``timeout`` seconds; CommandOutputTooLarge if it
    prints more than MAX_OUTPUT bytes on either stream.  Both after killing
    its process group.
    """
    deadline = time.monotonic() + timeout
    proc = _start(argv, env)
    try:
        out, err = _read_outputs(proc, argv, timeout, deadline)
        returncode = _wait(proc, argv, timeout, deadline)
    except BaseException:
        _kill_group(proc)
        raise
    finally:
        proc.stdout.close()
        proc.stderr.close()
    return Result(returncode, decode(out), decode(err))


def _start(argv, env):
    child_env = dict(os.environ if env is None else env)
    child_env.update(_ENV_OVERRIDES)
    return subprocess.Popen(
        argv,
        bufsize=0,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=child_env,
        start_new_session=True,
    )


def _read_outputs(proc, argv, timeout, deadline):
    """(stdout, stderr) bytes, read until both pipes reach end of file."""
    streams = (proc.stdout.fileno(), proc.stderr.fileno())
    chunks = {fd: [] for fd in streams}
    sizes = dict.fromkeys(streams, 0)
    with _Selector() as selector:
        for fd in streams:
            os.set_blocking(fd, False)
            selector.register(fd, selectors.EVENT_READ)
        while selector.get_map():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise CommandTimeout(argv, timeout)
            for key, _ in selector.select(remaining):
                chunk = _read_some(key.fd, MAX_OUTPUT + 1 - sizes[key.fd])
                if chunk == b"":
                    selector.unregister(key.fd)
                elif chunk:
                    chunks[key.fd].append(chunk)
                    sizes[key.fd] += len(chunk)
                    if sizes[key.fd] > MAX_OUTPUT:
                        raise CommandOutputTooLarge(argv, MAX_OUTPUT)
    return tuple(b"".join(chunks[fd]) for fd in streams)


def _read_some(fd, wanted):
    """Up to ``wanted`` bytes (b"" at end of file), or None if none are ready yet."""
    try:
        return os.read(fd, min(_CHUNK, wanted))
    except BlockingIOError:
        return None


def _wait(proc, argv, timeout, deadline):
    """The exit status; the command may have closed its output and still run."""
    try:
        return proc.wait(max(deadline - time.monotonic(), 0))
    except subprocess.TimeoutExpired:
        raise CommandTimeout(argv, timeout) from None


def _kill_group(proc):
    """SIGKILL the command's group (and the command, should it have left it); reap it."""
    with contextlib.suppress(OSError):  # the group may be gone already
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        proc.kill()
    # No waiting for the pipes: a process in another session may hold them.
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(REAP_SECONDS)
