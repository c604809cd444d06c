"""Containers: the Apptainer (or Singularity) on PATH, user namespaces, and whether
an unprivileged user such as condor could start a container at all.

These describe the node, not HTCondor's container support: the starter
publishes ``HasSingularity``/``HasContainer``/``SingularityVersion`` itself,
for the runtime its ``SINGULARITY`` knob names and only after a test run
succeeded, so every name here starts with ``tribes_``:

* ``tribes_apptainer_flavor``/``tribes_apptainer_version``: the line of
  ``apptainer --version`` that names them (``apptainer version 1.3.4-1.el8``,
  ``singularity-ce version 4.1.2``), run with the hook's time limit, for the
  ``apptainer`` on PATH, else the ``singularity``.
* ``tribes_apptainer_path``: that program with symbolic links resolved
  (``/usr/bin/singularity`` is often a link to ``apptainer``).
* ``tribes_apptainer_setuid``: its install has a root-owned setuid
  ``starter-suid`` (``<prefix>/libexec/apptainer/bin/`` or
  ``<prefix>/libexec/singularity/bin/``), so it needs no user namespaces.
* ``tribes_user_namespaces``: ``/proc/sys/user/max_user_namespaces`` is above 0
  and, where the kernel has it (Debian and Ubuntu kernels),
  ``/proc/sys/kernel/unprivileged_userns_clone`` is 1.  Not published when
  there is no max_user_namespaces (kernels before 4.9, EL7 before 7.4) and
  nothing says no.
* ``tribes_can_run_containers``: installed and (user namespaces or setuid):
  false when no program is found, not published when it cannot be told (a
  ``--version`` that failed, user namespaces unknown).

Not read: AppArmor's ``kernel.apparmor_restrict_unprivileged_userns``
(Ubuntu 24.04, where Apptainer's package ships a profile that exempts it),
seccomp filters, and ``allow setuid`` in apptainer.conf.

>>> parse_version("apptainer version 1.3.4-1.el8\\n", "apptainer")
{'tribes_apptainer_flavor': 'apptainer', 'tribes_apptainer_version': '1.3.4-1.el8'}
>>> user_namespaces(15000, None), user_namespaces(15000, 0), user_namespaces(None, None)
(True, False, None)
"""

import os

from startd_cron.run_command import CommandError, CommandFailed

NAME = "container"
PROGRAMS = ("apptainer", "singularity")
VERSION = ["--version"]
MAX_USER_NAMESPACES = "/proc/sys/user/max_user_namespaces"
USERNS_CLONE = "/proc/sys/kernel/unprivileged_userns_clone"
# Under the install prefix (``/usr`` for ``/usr/bin/apptainer``).
SETUID_STARTERS = (
    "libexec/apptainer/bin/starter-suid",
    "libexec/singularity/bin/starter-suid",
)
FLAVOR = "tribes_apptainer_flavor"
VERSION_ATTR = "tribes_apptainer_version"
PATH_ATTR = "tribes_apptainer_path"
SETUID_ATTR = "tribes_apptainer_setuid"
USERNS_ATTR = "tribes_user_namespaces"
CAN_RUN_ATTR = "tribes_can_run_containers"


def parse_version(text, program):
    """Flavor and version from ``--version`` output; {} if it names no version.

    Apptainer and Singularity 3 print ``<flavor> version <version>``;
    Singularity 2 printed the bare version (``2.6.1-dist``), named here by
    the program that printed it.

    >>> parse_version("singularity-ce version 4.1.2\\n", "singularity")[VERSION_ATTR]
    '4.1.2'
    """
    for line in text.splitlines():
        words = line.split()
        if len(words) == 3 and words[1] == "version":
            flavor, version = words[0], words[2]
        elif len(words) == 1 and words[0][:1].isdigit():
            flavor, version = program, words[0]
        else:
            continue
        return {FLAVOR: flavor, VERSION_ATTR: version}
    return {}


def parse_sysctl_int(text):
    """A /proc/sys number, or None when it is absent or not a number."""
    if text is None:
        return None
    try:
        return int(text.strip())
    except ValueError:
        return None


def user_namespaces(max_user_namespaces, unprivileged_userns_clone):
    """True/False, or None when the kernel says nothing (both values are ints or None)."""
    if unprivileged_userns_clone is not None and unprivileged_userns_clone != 1:
        return False
    if max_user_namespaces is None:
        return None
    return max_user_namespaces > 0


def is_setuid_root(mode, uid):
    """Would this file run as root?  (``st_mode``, ``st_uid`` of the starter.)"""
    return bool(mode & 0o4000) and uid == 0


def can_run_containers(installed, userns, setuid):
    """installed and (userns or setuid), where None means unknown (Kleene logic).

    >>> can_run_containers(True, None, False) is None, can_run_containers(False, None, None)
    (True, False)
    """
    either = True if (userns or setuid) else (None if None in (userns, setuid) else False)
    if installed is False or either is False:
        return False
    if installed is None or either is None:
        return None
    return True


def node_path(ctx, path):
    """``path`` as the probed node names it (the root stripped); unchanged outside the root."""
    if ctx.root in ("/", ""):
        return path
    root = os.path.abspath(ctx.root)
    inside = os.path.relpath(os.path.abspath(path), root)
    if inside == os.pardir or inside.startswith(os.pardir + os.sep):
        return path
    return "/" if inside == os.curdir else "/" + inside


def real_node_path(ctx, path):
    """The node's path of the file ``path`` (found on PATH) with every link resolved."""
    name = node_path(ctx, path)
    if ctx.root in ("/", "") or name == path:  # the host, or a program outside the tree
        return os.path.realpath(path)
    try:
        return node_path(ctx, ctx.path(name))
    except OSError:  # a loop of links
        return name


def find_program(ctx):
    for program in PROGRAMS:
        found = ctx.which(program)
        if found:
            return program, found
    return None, None


def _setuid_install(ctx, real_path):
    prefix = os.path.dirname(os.path.dirname(real_path))
    for starter in SETUID_STARTERS:
        try:
            info = os.stat(ctx.path(os.path.join(prefix, starter)))
        except OSError:
            continue
        if is_setuid_root(info.st_mode, info.st_uid):
            return True
    return False


def _version(ctx, program, path):
    """Flavor and version attributes; {} (noted) if the program failed."""
    label = program + " --version"
    try:
        result = ctx.run([path] + VERSION)
    except (OSError, CommandError) as exc:
        ctx.note_command_failure(NAME, exc, label)
        return {}
    if result.returncode != 0:
        ctx.note_command_failure(NAME, CommandFailed([path], result.returncode), label)
        return {}
    attrs = parse_version(result.stdout, program) or parse_version(result.stderr, program)
    if not attrs:
        ctx.note(NAME, "%s printed no version" % label)
    return attrs


def _user_namespaces(ctx):
    values = [parse_sysctl_int(ctx.read_optional(NAME, name))
              for name in (MAX_USER_NAMESPACES, USERNS_CLONE)]
    return user_namespaces(*values)


def read(ctx):
    attrs = {}
    userns = _user_namespaces(ctx)
    if userns is not None:
        attrs[USERNS_ATTR] = userns
    program, found = find_program(ctx)
    if not found:
        # As HasKVM wants a /dev: a tree without /proc is no node to say "no" about.
        if os.path.isdir(ctx.path("/proc")):
            attrs[CAN_RUN_ATTR] = False
        return attrs
    real_path = real_node_path(ctx, found)
    setuid = _setuid_install(ctx, real_path)
    attrs[PATH_ATTR] = real_path
    attrs[SETUID_ATTR] = setuid
    version = _version(ctx, program, found)
    attrs.update(version)
    installed = True if version else None
    running = can_run_containers(installed, userns, setuid)
    if running is not None:
        attrs[CAN_RUN_ATTR] = running
    return attrs
