"""The options several ``tribes`` commands share, worded once; and old spellings kept for a
release, each with a deprecation warning on stderr when used."""

from __future__ import annotations

import argparse
import copy
import inspect
import sys

# What --pool takes, worded once: simulator.io.sources.open_snapshots reads every form.
from simulator.pools import DEFAULT_POOL  # noqa: E402

POOL_SPEC = (
    "a generated pool (pool_2010, modern, modern:slots=N,seed=S), a snapshot store folder, "
    "a Parquet snapshot, a file of slot ads, or collector:HOST (a live pool)"
)
FORMATS = ("table", "csv", "json")
# The limits simulator.jobs.parse_expression puts on every expression a user writes, past
# which HTCondor's library fails (MAX_CHARS, MAX_CLAUSES, MAX_NESTING; a test keeps them alike).
EXPRESSION_LIMITS = ("at most 10,000 characters, 200 conditions joined by && and ||, and "
                     "parentheses nested 50 deep")


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
        formatter_class=HelpFormatter,
    )
    parser.set_defaults(func=func)
    return parser


def add_pool_option(parser, default=DEFAULT_POOL, purpose="", metavar="SPEC", spec=POOL_SPEC,
                    old=None, action=None, required=False):
    """``--pool SPEC``, worded alike in every command; ``purpose`` leads its help; ``old``
    maps deprecated spellings of it to their warnings.

    Example: ``add_pool_option(parser, None, "also show match rates on this pool: ")``.
    """
    default_text = " (default: %(default)s)" if default is not None else ""
    return parser.add_argument(
        "--pool", *(old or {}), default=default, metavar=metavar, required=required,
        help=purpose + spec + default_text, action=action or Spelled, deprecated=old or {},
    )  # fmt: skip


def add_template_option(parser, purpose):
    """``--template NAME|FILE``: the job ad a Requirements goes into (``plain`` by default).

    ``--job-template``, the old spelling of simulate and replay, still works for a release.

    Example: ``add_template_option(parser, "job ad that --requirements goes into")``.
    """
    return parser.add_argument(
        "--template", "--job-template", dest="template", default="plain", metavar="NAME|FILE",
        help=f"{purpose} (plain, ospool or a file; default: %(default)s)", action=Spelled,
        deprecated={"--job-template": "--job-template is deprecated; use --template"},
    )  # fmt: skip


def add_submit_options(parser, submit=True):
    """``--submit FILE.sub`` (a submit description), ``--submit-host ARCH/OPSYS`` and
    ``--condor-version V``: what condor_submit appends to the Requirements users write."""
    if submit:
        parser.add_argument(
            "--submit", action="append", default=[], metavar="FILE.sub",
            help="a submit description, as condor_submit would queue it (repeatable)",
        )
    parser.add_argument(
        "--submit-host", metavar="ARCH/OPSYS",
        help="the submit machine whose Arch and OpSys condor_submit appends "
        "(default: the reference slot's)",
    )
    parser.add_argument(
        "--as-written", action="store_true",
        help="match the Requirements exactly as written, without the clauses condor_submit "
        "appends (Arch, OpSys, Disk, Memory, file transfer …)",
    )
    parser.add_argument(
        "--condor-version", metavar="V",
        help="the condor_submit whose rules apply, e.g. 7.4.2 or 24.0.1 "
        "(default: the template's CondorVersion)",
    )


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


def note(text: str) -> None:
    """A note for the user on stderr (``tribes: note: …``), apart from the output."""
    print(f"tribes: note: {text}", file=sys.stderr)


# Deprecated spellings: an old spelling is either another option string of the same option
# (``Spelled``, hidden from the help by ``HelpFormatter``) or an option of its own hidden
# from the help (``deprecated_alias``). Using one notes its warning in the namespace;
# app.main prints the notes ("tribes: warning: …") before the command runs.

DEPRECATIONS = "deprecations"


def deprecate(namespace, message: str) -> None:
    """Note a deprecation warning for app.main to print."""
    notes = list(getattr(namespace, DEPRECATIONS, None) or [])
    if message not in notes:
        notes.append(message)
    setattr(namespace, DEPRECATIONS, notes)


class Spelled(argparse.Action):
    """An option that stores its value, some of whose spellings are deprecated: using one
    of ``deprecated`` (spelling -> warning) notes its warning."""

    def __init__(self, option_strings, dest, deprecated=None, **kwargs):
        self.deprecated = dict(deprecated or {})
        super().__init__(option_strings, dest, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, self.dest, values)
        if option_string in self.deprecated:
            deprecate(namespace, self.deprecated[option_string])


class Parser(argparse.ArgumentParser):
    """The parser of ``tribes`` and its commands: usage errors name options by their current
    spellings only (``--pool``, not ``--pool/--store``)."""

    def error(self, message):
        for action in self._actions:
            hidden = getattr(action, "deprecated", None)
            if hidden:
                shown = [s for s in action.option_strings if s not in hidden]
                message = message.replace("/".join(action.option_strings), "/".join(shown))
        super().error(message)


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """The docstring as written; an option's deprecated spellings left out of its help."""

    def _format_action_invocation(self, action):
        hidden = getattr(action, "deprecated", None)
        if hidden:
            action = copy.copy(action)
            action.option_strings = [s for s in action.option_strings if s not in hidden]
        return super()._format_action_invocation(action)


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

