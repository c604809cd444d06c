"""Run an external command with a time limit, killing its whole process group.

A hung ``java`` may have started helper processes; each command runs in a
session of its own so that on timeout ``killpg`` takes all of them down and
the hook still finishes in bounded time.

>>> run(["/bin/sh", "-c", "echo hi; exit 3"], timeout=5)
Result(returncode=3, stdout='hi\\n', stderr='')
"""

import contextlib
import os
import signal
import subprocess
from collections import namedtuple

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


def decode(data):
    """Bytes from a file or a command as text; undecodable bytes become U+FFFD."""
    return data.decode("utf-8", "replace")


def run(argv, timeout, env=None):
    """Run ``argv`` (``argv[0]`` a path); return a Result with decoded output.

    stdin is /dev/null, as under the startd. Raises OSError if the command
    cannot be started and CommandTimeout (after killing its process group) if
    it runs longer than ``timeout`` seconds.
    """
    child_env = dict(os.environ if env is None else env)
    child_env.update(_ENV_OVERRIDES)
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=child_env,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        raise CommandTimeout(argv, timeout) from None
    return Result(proc.returncode, decode(out[:MAX_OUTPUT]), decode(err[:MAX_OUTPUT]))


def _kill_group(proc):
    with contextlib.suppress(OSError):  # the group may be gone already
        os.killpg(proc.pid, signal.SIGKILL)
    # Every holder of the pipes was in the group, so they close now.
    proc.communicate()
