"""The options several ``tribes`` commands share, worded once; and old spellings kept for a
release, each with a deprecation warning on stderr when used."""

from __future__ import annotations

import argparse
import inspect
import sys

# What --pool takes, worded once: simulator.io.sources.open_snapshots reads every form.
from simulator.pools import DEFAULT_POOL  # noqa: E402

POOL_SPEC = (
    "a generated pool (pool_2010, modern, modern:slots=N,seed=S), a snapshot store folder, "
    "a Parquet snapshot, a file of slot ads, or collector:HOST (a live pool)"
)
FORMATS = ("table", "csv", "json")


def add_command(subparsers, module_name, func):
    """Register a command named after its module, its docstring as help."""
    module = sys.modules[module_name]
    name = module_name.rsplit(".", 1)[-1].replace("_", "-")
    return add_parser(subparsers, name, module.__doc__, func)


def add_parser(subparsers, name, doc, func):
    """A (sub)command whose help is ``doc``: its first line, then its description and its
    ``examples:`` section, as written."""
    doc = inspect.cleandoc(doc or "")
    parser = subparsers.add_parser(
        name,
        help=doc.splitlines()[0] if doc else None,
        description=doc,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(func=func)
    return parser


def add_pool_option(parser, default=DEFAULT_POOL, purpose="", metavar="SPEC", spec=POOL_SPEC,
                    action=None):
    """``--pool SPEC``, worded alike in every command; ``purpose`` leads its help.

    Example: ``add_pool_option(parser, None, "also show match rates on this pool: ")``.
    """
    default_text = " (default: %(default)s)" if default is not None else ""
    extra = {"action": action} if action else {}
    return parser.add_argument(
        "--pool", default=default, metavar=metavar, help=purpose + spec + default_text, **extra
    )


def add_template_option(parser, purpose):
    """``--template NAME|FILE``: the job ad a Requirements goes into (``plain`` by default).

    ``--job-template``, the old spelling of simulate and replay, still works for a release.

    Example: ``add_template_option(parser, "job ad that --requirements goes into")``.
    """
    deprecated_alias(parser, "--job-template", "template", "--template")
    return parser.add_argument(
        "--template", dest="template", default="plain", metavar="NAME|FILE",
        help=f"{purpose} (plain, ospool or a file; default: %(default)s)",
    )  # fmt: skip


def add_format_option(parser, formats=FORMATS, what="the results"):
    """``--format table|csv|json``: the same columns in each (see simulator.render.output)."""
    return parser.add_argument(
        "--format", choices=formats, default="table",
        help=f"print {what} as a table (for people), or as csv or json (for programs), "
        "with the same columns in each (default: %(default)s)",
    )  # fmt: skip


def add_quiet_option(parser):
    """``--quiet``: no progress bar (one is drawn only when stderr is a terminal)."""
    return parser.add_argument(
        "--quiet", action="store_true",
        help="no progress bar (one is drawn on stderr, and only when it is a terminal)",
    )  # fmt: skip


def show_progress(args) -> bool:
    """Whether to draw a progress bar: not ``--quiet``, and stderr is a terminal (not a log)."""
    return not args.quiet and sys.stderr.isatty()


# Deprecated spellings. Each notes its warning in the namespace; app.main prints the notes
# ("tribes: warning: …") before the command runs.

DEPRECATIONS = "deprecations"


def deprecate(namespace, message: str) -> None:
    """Note a deprecation warning for app.main to print."""
    notes = list(getattr(namespace, DEPRECATIONS, None) or [])
    if message not in notes:
        notes.append(message)
    setattr(namespace, DEPRECATIONS, notes)


class DeprecatedOption(argparse.Action):
    """An old spelling of an option: stores its value where the new one does, and warns."""

    def __init__(self, option_strings, dest, message="", **kwargs):
        self.message = message
        super().__init__(option_strings, dest, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, self.dest, values)
        deprecate(namespace, self.message)


def deprecated_alias(parser, old, dest, new, message=None, metavar=None):
    """``old`` still works for a release, hidden from the help, as ``new`` (stored in
    ``dest``); using it prints ``message`` (by default: "OLD is deprecated; use NEW")."""
    return parser.add_argument(
        old, dest=dest, action=DeprecatedOption, default=argparse.SUPPRESS,
        message=message or f"{old} is deprecated; use {new}", help=argparse.SUPPRESS,
        metavar=metavar,
    )  # fmt: skip


def require(parser, flag, dest):
    """``flag`` must be given, though a deprecated spelling (stored in ``dest`` too) may stand
    in for it: app.main checks it after parsing, as argparse would."""
    parser.set_defaults(required_options=[(flag, dest)], command_parser=parser)
