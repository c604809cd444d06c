"""The HTCondor configuration that runs the hook once an hour on every startd.

>>> "STARTD_CRON_TRIBES_MODE = Periodic" in snippet("/usr/bin/tribes-startd-cron")
True

A bundle (``startd_cron.bundle``, a ``.pyz``) runs under an explicit python
with ``-S -I``, not through its ``#!/usr/bin/env python3`` line: the startd's
PATH and PYTHON* variables then do not matter, site-packages is never read,
and the file need not be executable (a noexec shared file system will do).

>>> command_for("/usr/local/libexec/tribes-startd-cron.pyz")
('/usr/bin/python3', ['-S', '-I', '/usr/local/libexec/tribes-startd-cron.pyz'])
"""

import errno
import os
import re
import shutil
import sys

from startd_cron.atomic import write_atomically

JOB = "TRIBES"
FILE_NAME = "90-condor-tribes.conf"
# $(SPOOL) belongs to the condor user, who runs startd cron jobs.
CACHE_ARG = "--cache $(SPOOL)/tribes-java-cache.json"

TEMPLATE = """\
# condor-tribes: publish the node's OS release, kernel, glibc, Java,
# virtualization, CPU level and container facts (redhat_version,
# kernel_version, glibc_version, Microarch, tribes_can_run_containers, ...).
# Written by `tribes cron-config`; see the condor-tribes README.
STARTD_CRON_JOBLIST = $(STARTD_CRON_JOBLIST) {job}
STARTD_CRON_{job}_EXECUTABLE = {executable}
STARTD_CRON_{job}_ARGS = {args}
STARTD_CRON_{job}_MODE = Periodic
STARTD_CRON_{job}_PERIOD = 1h
STARTD_CRON_{job}_KILL = true
{run_note}\
# The hook exits 1 when it publishes no fact (tribes_probe_errors then says
# why). To have the startd log such exits and the hook's output in its StartLog
# (for every startd cron job; HTCondor 9.0.13 and later), uncomment:
# STARTD_CRON_LOG_NON_ZERO_EXIT = True
# The Java probe asks the JVM of the startd's JAVA knob, else the java on PATH.
{env}\
# Uncomment to publish tribes_kernel_version etc. instead of the plain names:
# STARTD_CRON_{job}_PREFIX = tribes_
"""
# The python a bundle runs under unless told otherwise (on EL8 without the python3
# package: /usr/libexec/platform-python).
DEFAULT_PYTHON = "/usr/bin/python3"
BUNDLE_SUFFIX = ".pyz"
BUNDLE_FLAGS = ["-S", "-I"]
BUNDLE_NOTE = """\
# The bundle needs only the standard library of a python >= 3.6: -S -I keep
# site-packages and the PYTHON* variables of the startd's environment out.
"""
# What the config file cannot carry in a path: blanks split ARGS, $ starts a
# macro, quotes and backslashes change how HTCondor reads the line.
_UNSAFE = re.compile(r"[\s$\"'\\]")


class ConfigError(Exception):
    """A ``tribes cron-config`` request that cannot be done; the message says why."""


def find_executable():
    """(executable, extra args, PYTHONPATH or None) that run this hook.

    The installed ``tribes-startd-cron`` script if there is one next to this
    python or on PATH; else this python running the package from its source
    tree with ``-S`` (no site-packages: the hook needs only the standard library).
    Running from a bundle, the bundle itself, under this python with ``-S -I``.
    """
    package_parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if os.path.isfile(package_parent) and package_parent.endswith(BUNDLE_SUFFIX):
        # Not realpath: /usr/bin/python3 -> python3.6 would pin a minor version.
        python = os.path.abspath(sys.executable) if sys.executable else DEFAULT_PYTHON
        return python, BUNDLE_FLAGS + [package_parent], None
    bindir = os.path.dirname(os.path.abspath(sys.executable))
    candidate = os.path.join(bindir, "tribes-startd-cron")
    if not os.access(candidate, os.X_OK):
        candidate = shutil.which("tribes-startd-cron")
    if candidate:
        return os.path.abspath(candidate), [], None
    source_tree = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return os.path.realpath(sys.executable), ["-S", "-m", "startd_cron"], source_tree


def check_path(path, what="executable"):
    """``path`` if the config file can name it; else ValueError."""
    if not os.path.isabs(path):
        raise ValueError("the %s must be an absolute path (the startd runs it from "
                         "its own directory): %s" % (what, path))
    if _UNSAFE.search(path):
        raise ValueError("the %s's path cannot be written into the HTCondor config "
                         "(blank, $, quote or backslash): %r" % (what, path))
    return path


def command_for(executable, python=None):
    """(EXECUTABLE, leading ARGS) that run the hook installed at ``executable``.

    A ``.pyz`` bundle runs as ``PYTHON -S -I BUNDLE`` (``python`` defaults to
    /usr/bin/python3); anything else is run directly, and ``python`` is refused.
    Raises ValueError for a path the config cannot hold.
    """
    check_path(executable)
    if executable.endswith(BUNDLE_SUFFIX):
        return check_path(python or DEFAULT_PYTHON, "python"), BUNDLE_FLAGS + [executable]
    if python:
        raise ValueError("a python is only needed for a %s bundle, not for %s"
                         % (BUNDLE_SUFFIX, executable))
    return executable, []


def snippet(executable=None, python=None):
    """The config text for the hook at ``executable`` (default: this one, found)."""
    if executable is None:
        if python:
            raise ValueError("a python is only needed with an executable that is a bundle")
        executable, extra, pythonpath = find_executable()
    else:
        (executable, extra), pythonpath = command_for(executable, python), None
    env = ["JAVA=$(JAVA)"]
    if pythonpath:
        env.append("PYTHONPATH=" + pythonpath)
    is_bundle = extra[:len(BUNDLE_FLAGS)] == BUNDLE_FLAGS
    return TEMPLATE.format(
        job=JOB,
        executable=executable,
        args=" ".join(extra + [CACHE_ARG]),
        run_note=BUNDLE_NOTE if is_bundle else "",
        env='STARTD_CRON_{job}_ENV = "{env}"\n'.format(job=JOB, env=" ".join(env)),
    )


def install(directory, text=None):
    """Write the snippet atomically into ``directory`` (a config.d); return its path."""
    if not os.path.isdir(directory):
        if os.path.exists(directory):
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), directory)
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), directory)
    text = snippet() if text is None else text
    # A dot-name temp file: HTCondor's config.d reader skips it until renamed.
    return write_atomically(os.path.join(directory, FILE_NAME), lambda handle: handle.write(text),
                            0o644, binary=False)


def cron_config(bundle_path=None, executable=None, python=None, install_dir=None):
    """What ``tribes cron-config`` does; returns the text to print.

    ``bundle_path``: write the one-file hook there (see ``startd_cron.bundle``).
    ``executable``: where the hook is on the nodes (default: the bundle's
    absolute path, else this hook); ``python``: what runs a ``.pyz`` there.
    ``install_dir``: write the snippet into that config.d folder.  Without
    ``bundle_path`` or ``install_dir`` the text is the snippet itself; otherwise one
    ``wrote PATH`` line per file written.  Raises ConfigError.
    """
    if bundle_path and not install_dir and (executable or python):
        raise ConfigError("--executable and --python shape the config: with --bundle they "
                          "need --install DIR (or print the snippet with a separate "
                          "cron-config --executable PATH)")
    text = None
    if install_dir or not bundle_path:
        if bundle_path and executable is None:
            executable = os.path.abspath(bundle_path)
        try:
            text = snippet(executable, python)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
    if not bundle_path and not install_dir:
        return text
    lines = []
    if bundle_path:
        from startd_cron import bundle

        try:
            lines.append("wrote %s\n" % bundle.build(bundle_path))
        except (OSError, ValueError) as exc:
            raise ConfigError("cannot write the bundle %s: %s" % (bundle_path, exc)) from exc
    if install_dir:
        try:
            lines.append("wrote %s\n" % install(install_dir, text))
        except OSError as exc:
            raise ConfigError("cannot install the cron config into %s: %s"
                              % (install_dir, exc)) from exc
    return "".join(lines)
