"""Startd cron hook: print this node's OS, kernel, glibc, Java, VM, CPU level and container facts.

Probes (for --only): os, kernel, glibc, java, virt, microarch (Microarch, the
x86-64 level as HTCondor names it), container (tribes_apptainer_*,
tribes_user_namespaces, tribes_can_run_containers).

Examples:
    python3 -m startd_cron                     # the ad, as the startd will read it
    python3 -m startd_cron --only os,kernel    # just those probes
    python3 -m startd_cron --only microarch,container
    python3 -m startd_cron --root tests/fixtures/hosts/rhel5.4-tikanga
    python3 -m startd_cron --print-config      # the HTCondor config that runs it
    python3 -m startd_cron --install /etc/condor/config.d
    python3 -S -I tribes-startd-cron.pyz --version   # the one-file bundle (startd_cron.bundle)

Exit status 0 when at least one fact was published; probe failures are
reported in the tribes_probe_errors attribute, since the startd discards stderr.
"""

import argparse
import importlib
import os
import sys

from startd_cron import __version__, classad_format, java_cache
from startd_cron.attributes import ERRORS, PROBES
from startd_cron.context import Context

# Probe modules, imported only when their probe runs.
READERS = {
    "os": "startd_cron.probes.os_release",
    "kernel": "startd_cron.probes.kernel",
    "glibc": "startd_cron.probes.glibc",
    "java": "startd_cron.probes.java",
    "virt": "startd_cron.probes.virt",
    "microarch": "startd_cron.probes.microarch",
    "container": "startd_cron.probes.container",
}
def _probe_list(text):
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in PROBES]
    if unknown or not names:
        raise ValueError(
            "unknown probe %s (choose from %s)" % (",".join(unknown) or "''", ",".join(PROBES))
        )
    return names


def _timeout(text):
    try:
        value = float(text)
    except ValueError:
        value = -1
    if not 0 < value <= 3600:  # also refuses nan and inf
        raise ValueError("not a number of seconds between 0 and 3600: %r" % text)
    return value


def _root(text):
    # A mistyped --root would silently read the host's own /proc and /etc.
    if not os.path.isdir(text):
        raise ValueError("not a directory: %r" % text)
    return text


def _argparse_type(convert):
    def wrapped(text):
        try:
            return convert(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    wrapped.__name__ = convert.__name__
    return wrapped


def build_parser():
    parser = argparse.ArgumentParser(
        prog="tribes-startd-cron",
        description=__doc__.splitlines()[0],
        epilog="\n".join(__doc__.splitlines()[1:]),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--root", type=_argparse_type(_root), default="/", metavar="DIR",
                        help="read every file under DIR instead of / (default: /)")
    parser.add_argument("--only", type=_argparse_type(_probe_list), default=list(PROBES),
                        metavar="LIST",
                        help="comma-separated probes to run (default: %s)" % ",".join(PROBES))
    parser.add_argument("--timeout", type=_argparse_type(_timeout), default=5.0,
                        metavar="SECONDS",
                        help="time limit of all external commands together (default: 5)")
    parser.add_argument("--cache", metavar="FILE", default=None,
                        help="Java cache file ('' for none; default: "
                        "$TMPDIR/condor-tribes-UID/java.json)")
    parser.add_argument("--print-config", action="store_true",
                        help="print the HTCondor config snippet that runs this hook")
    parser.add_argument("--install", metavar="DIR",
                        help="write the config snippet into DIR (a config.d folder)")
    parser.add_argument("--version", action="version", version="%(prog)s " + __version__)
    return parser


def collect(ctx, only=PROBES):
    """Run the chosen probes; return the attributes, failures under tribes_probe_errors."""
    attrs = {}
    for name in PROBES:
        if name in only:
            try:
                attrs.update(importlib.import_module(READERS[name]).read(ctx))
            except Exception as exc:  # a bug in one probe must not silence the others
                ctx.note(name, "internal error (%s: %s)" % (type(exc).__name__, exc))
    if ctx.errors:
        attrs[ERRORS] = "; ".join(ctx.errors)
    return attrs


def _write(text, stream=None):
    # Bytes, not text: a startd's environment often has no UTF-8 locale, and
    # python 3.6 would then refuse to print a non-ASCII value.
    stream = stream or sys.stdout
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        stream.flush()
        buffer.write(text.encode("utf-8"))
        buffer.flush()
    else:
        stream.write(text)


def main(argv=None):
    if argv is None:
        argv = sys.argv[1:]
    args = build_parser().parse_args(argv)
    if args.print_config or args.install:
        from startd_cron import config

        if args.install:
            try:
                path = config.install(args.install)
            except OSError as exc:
                sys.stderr.write("tribes-startd-cron: error: cannot install into %s: %s\n"
                                 % (args.install, exc))
                return 1
            _write("wrote %s\n" % path)
        else:
            _write(config.snippet())
        return 0
    cache = args.cache
    if cache is None and "java" in args.only:
        cache = java_cache.default_path()
    ctx = Context(root=args.root, timeout=args.timeout, cache_path=cache or None)
    attrs = collect(ctx, args.only)
    _write(classad_format.format_ad(attrs))
    return 0 if set(attrs) - {ERRORS} else 1


if __name__ == "__main__":
    sys.exit(main())
