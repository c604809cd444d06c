"""The HTCondor configuration that runs the hook once an hour on every startd.

>>> "STARTD_CRON_TRIBES_MODE = Periodic" in snippet("/usr/bin/tribes-startd-cron")
True
"""

import errno
import os
import shutil
import sys
import tempfile

JOB = "TRIBES"
FILE_NAME = "90-condor-tribes.conf"
# $(SPOOL) belongs to the condor user, who runs startd cron jobs.
CACHE_ARG = "--cache $(SPOOL)/tribes-java-cache.json"

TEMPLATE = """\
# condor-tribes: publish the node's OS release, kernel, glibc, Java and
# virtualization facts (redhat_version, kernel_version, glibc_version, ...).
# Written by `tribes cron-config`; see the condor-tribes README.
STARTD_CRON_JOBLIST = $(STARTD_CRON_JOBLIST) {job}
STARTD_CRON_{job}_EXECUTABLE = {executable}
STARTD_CRON_{job}_ARGS = {args}
STARTD_CRON_{job}_MODE = Periodic
STARTD_CRON_{job}_PERIOD = 1h
STARTD_CRON_{job}_KILL = true
# The Java probe asks the JVM of the startd's JAVA knob, else the java on PATH.
{env}\
# Uncomment to publish tribes_kernel_version etc. instead of the plain names:
# STARTD_CRON_{job}_PREFIX = tribes_
"""


def find_executable():
    """(executable, extra args, PYTHONPATH or None) that run this hook.

    The installed ``tribes-startd-cron`` script if there is one next to this
    python or on PATH; else this python running the package from its source
    tree with ``-S`` (no site-packages: the hook needs only the standard library).
    """
    bindir = os.path.dirname(os.path.abspath(sys.executable))
    candidate = os.path.join(bindir, "tribes-startd-cron")
    if not os.access(candidate, os.X_OK):
        candidate = shutil.which("tribes-startd-cron")
    if candidate:
        return os.path.abspath(candidate), [], None
    source_tree = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return os.path.realpath(sys.executable), ["-S", "-m", "startd_cron"], source_tree


def snippet(executable=None):
    """The config text; ``executable`` overrides the discovered one (tests)."""
    if executable is None:
        executable, extra, pythonpath = find_executable()
    else:
        extra, pythonpath = [], None
    env = ["JAVA=$(JAVA)"]
    if pythonpath:
        env.append("PYTHONPATH=" + pythonpath)
    return TEMPLATE.format(
        job=JOB,
        executable=executable,
        args=" ".join(extra + [CACHE_ARG]),
        env='STARTD_CRON_{job}_ENV = "{env}"\n'.format(job=JOB, env=" ".join(env)),
    )


def install(directory, text=None):
    """Write the snippet atomically into ``directory`` (a config.d); return its path."""
    if not os.path.isdir(directory):
        if os.path.exists(directory):
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), directory)
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), directory)
    text = snippet() if text is None else text
    target = os.path.join(directory, FILE_NAME)
    # A dot-name temp file: HTCondor's config.d reader skips it until renamed.
    fd, temp = tempfile.mkstemp(prefix="." + FILE_NAME + ".", dir=directory)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, target)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise
    return target
