"""Run an external command with a time limit, killing its whole process group.

A hung ``java`` may have started helper processes; each command runs in its
own session so that on timeout ``killpg`` takes all of them down, and the hook
still finishes in bounded time.

>>> run(["true"], timeout=5).returncode
0
"""

import contextlib
import os
import signal
import subprocess
from collections import namedtuple

Result = namedtuple("Result", "returncode stdout stderr")

# Commands get a fixed locale so that their output parses the same everywhere.
_ENV_OVERRIDES = {"LC_ALL": "C", "LANG": "C"}


def decode(data):
    """Bytes from a file or a command as text; undecodable bytes become U+FFFD."""
    return data.decode("utf-8", "replace")


def run(argv, timeout, env=None):
    """Run ``argv``; return a Result with decoded output.

    Raises OSError if it cannot be started and ``subprocess.TimeoutExpired``
    (after killing its process group) if it runs longer than ``timeout`` seconds.
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
        raise
    return Result(proc.returncode, decode(out), decode(err))


def _kill_group(proc):
    with contextlib.suppress(OSError):
        os.killpg(proc.pid, signal.SIGKILL)
    try:
        # Reap the child; a grandchild that escaped the group may still hold the
        # pipes open, so do not wait on them for long.
        proc.communicate(timeout=1)
    except subprocess.TimeoutExpired:
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()
        proc.wait()
