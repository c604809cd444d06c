"""Copy what the probes read on a real node into a new fixture tree.

Run it on the node (as the condor user, like the hook), then copy the tree
into ``tests/fixtures/hosts/<case>`` and review it:

    python3 -m startd_cron.capture_host /tmp/mynode
    cp -r /tmp/mynode tests/fixtures/hosts/rocky9-mysite

It copies the files (only the first processor of /proc/cpuinfo), records the
output of ``rpm``/``dpkg-query``/``java``/``apptainer`` with a small fake script
in ``bin/`` that replays it, and writes ``expected.ad`` from the tree.  It then
compares that with the hook's output on the node itself and lists any difference.

The fake ``apptainer`` sits where the node has the real one, linked from
``bin/``, next to an empty copy of its ``starter-suid`` (mode kept; the owner
is whoever ran the capture, so only a capture run as root keeps a setuid
starter setuid).
"""

import argparse
import os
import sys

from startd_cron import __main__ as hook
from startd_cron import classad_format, files
from startd_cron.context import Context
from startd_cron.probes import container, glibc, java, os_release, virt
from startd_cron.run_command import CommandError

FILES = (
    os_release.REDHAT_RELEASE,
    "/proc/sys/kernel/osrelease",
    virt.CLOCKSOURCES,
    virt.XEN_FEATURES,
    virt.XEN_CAPABILITIES,
    virt.HYPERVISOR_TYPE,
    virt.DEVICE_TREE_HYPERVISOR,
    container.MAX_USER_NAMESPACES,
    container.USERNS_CLONE,
) + os_release.OS_RELEASE + virt.DMI_FILES

REPLAY = (
    "#!/bin/sh\n# Fake %s: replays what it printed on the captured node.\n"
    '/bin/cat "${0%%/*}/../outputs/%s"\n'
)
FAKE_JAVA = """#!/bin/sh
# Fake java: replays the captured JVM's output (a JVM writes it to stderr).
out="${0%/*}/../outputs"
if [ "$1" = "-XshowSettings:properties" ]; then
    /bin/cat "$out/java-properties.txt" >&2
fi
/bin/cat "$out/java-version.txt" >&2
"""
FAKE_OLD_JAVA = """#!/bin/sh
# Fake java: a JVM older than Java 7 rejects -XshowSettings; replays its output.
out="${0%/*}/../outputs"
if [ "$1" = "-XshowSettings:properties" ]; then
    /bin/cat "$out/java-rejects-showsettings.txt" >&2
    exit 1
fi
/bin/cat "$out/java-version.txt" >&2
"""


def _write(path, data, mode=0o644):
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        os.makedirs(directory)
    with open(path, "wb") as handle:
        handle.write(data if isinstance(data, bytes) else data.encode("utf-8"))
    os.chmod(path, mode)


def first_processor(text):
    """The first processor block of /proc/cpuinfo (every one says the same)."""
    block = text.split("\n\n", 1)[0]
    return block.rstrip("\n") + "\n\n"


def copy_files(ctx, dest):
    for name in FILES:
        try:
            data = files.read_bytes(ctx.path(name))
        except OSError:
            continue
        _write(os.path.join(dest, name.lstrip("/")), data)
    cpuinfo = ctx.read_optional("capture", virt.CPUINFO)
    if cpuinfo is not None:
        _write(os.path.join(dest, "proc", "cpuinfo"), first_processor(cpuinfo))
    if ctx.isdir("/proc/xen") and not os.path.exists(
        os.path.join(dest, "proc", "xen", "capabilities")
    ):
        _write(os.path.join(dest, "proc", "xen", "capabilities"), "")
    if ctx.exists(virt.KVM_DEVICE):
        _write(os.path.join(dest, "dev", "kvm"), "")
    elif ctx.isdir("/dev"):
        _write(os.path.join(dest, "dev", ".keep"), "")


def record_command(ctx, dest, argv, name, output):
    """Run a package query; on success keep its output and a fake that replays it."""
    path = ctx.which(argv[0])
    if path is None:
        return
    try:
        result = ctx.run([path] + argv[1:])
    except (OSError, CommandError):
        return
    if result.returncode == 0:
        _write(os.path.join(dest, "outputs", output), result.stdout)
        _write(os.path.join(dest, "bin", name), REPLAY % (name, output), 0o755)


def record_java(ctx, dest):
    binary = java.find_java(ctx)
    if not binary:
        return
    try:
        modern = ctx.run([binary] + java.PROPERTIES)
        banner = ctx.run([binary] + java.VERSION)
    except (OSError, CommandError):
        return
    outputs = os.path.join(dest, "outputs")
    properties = java.parse_properties(modern.stderr + modern.stdout)
    _write(os.path.join(outputs, "java-version.txt"), banner.stderr + banner.stdout)
    if "java.version" in properties:
        _write(os.path.join(outputs, "java-properties.txt"), modern.stderr)
        _write(os.path.join(dest, "bin", "java"), FAKE_JAVA, 0o755)
    else:
        _write(os.path.join(outputs, "java-rejects-showsettings.txt"),
               modern.stderr + modern.stdout)
        _write(os.path.join(dest, "bin", "java"), FAKE_OLD_JAVA, 0o755)


def record_apptainer(ctx, dest):
    """A fake apptainer (or singularity) at the node's path of the real one, linked from bin/."""
    program, found = container.find_program(ctx)
    if not found:
        return
    try:
        result = ctx.run([found] + container.VERSION)
    except (OSError, CommandError):
        return
    if result.returncode != 0:
        return
    output = "%s-version.txt" % program
    _write(os.path.join(dest, "outputs", output), result.stdout)
    real = container.real_node_path(ctx, found)
    target = os.path.join(dest, real.lstrip("/"))
    _write(target, REPLAY % (program, output), 0o755)
    link = os.path.join(dest, "bin", program)
    if os.path.normpath(target) != os.path.normpath(link):
        if not os.path.isdir(os.path.dirname(link)):
            os.makedirs(os.path.dirname(link))
        # Relative: an absolute link would run the machine's own program.
        os.symlink(os.path.relpath(target, os.path.dirname(link)), link)
    prefix = os.path.dirname(os.path.dirname(real))
    for starter in container.SETUID_STARTERS:
        name = os.path.join(prefix, starter)
        try:
            mode = os.stat(ctx.path(name)).st_mode
        except OSError:
            continue
        _write(os.path.join(dest, name.lstrip("/")), "", mode & 0o7777)


def capture(dest, root="/", timeout=5.0):
    """Build the tree in ``dest``; return (node attributes, tree attributes)."""
    ctx = Context(root=root, timeout=timeout)
    node = hook.collect(Context(root=root, timeout=timeout))
    copy_files(ctx, dest)
    record_command(ctx, dest, glibc.RPM_QUERY, "rpm", "rpm-q-glibc.txt")
    record_command(ctx, dest, glibc.DPKG_QUERY, "dpkg-query", "dpkg-query-libc6.txt")
    record_java(ctx, dest)
    record_apptainer(ctx, dest)
    tree_env = dict(os.environ, PATH=os.path.join(dest, "bin"))
    tree_env.pop("JAVA", None)
    tree = hook.collect(Context(root=dest, timeout=timeout, env=tree_env))
    _write(os.path.join(dest, "expected.ad"), classad_format.format_ad(tree))
    return node, tree


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m startd_cron.capture_host",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("dest", help="new fixture directory (must not exist)")
    parser.add_argument("--root", default="/", help="the node's root (default: /)")
    parser.add_argument("--timeout", type=float, default=5.0)
    args = parser.parse_args(argv)
    if os.path.exists(args.dest):
        parser.error("%s already exists" % args.dest)
    node, tree = capture(args.dest, args.root, args.timeout)
    sys.stdout.write("wrote %s\n" % args.dest)
    differences = sorted(k for k in set(node) | set(tree) if node.get(k) != tree.get(k))
    for name in differences:
        sys.stdout.write("differs from the node: %s: node %r, tree %r\n"
                         % (name, node.get(name), tree.get(name)))
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
