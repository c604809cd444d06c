"""One module per ``tribes`` subcommand; each defines ``register(subparsers)``."""

# What --pool takes, worded once: simulator.io.sources.open_snapshots reads every form.
from simulator.pools import DEFAULT_POOL  # noqa: E402

POOL_SPEC = (
    "a generated pool (pool_2010, modern, modern:slots=N,seed=S), a snapshot store folder, "
    "a Parquet snapshot, a file of slot ads, or collector:HOST (a live pool)"
)


def add_command(subparsers, module_name, func):
    """Register a command named after its module, its docstring as help."""
    import sys

    module = sys.modules[module_name]
    doc = (module.__doc__ or "").strip()
    name = module_name.rsplit(".", 1)[-1].replace("_", "-")
    parser = subparsers.add_parser(
        name,
        help=doc.splitlines()[0] if doc else None,
        description=doc,
        formatter_class=__import__("argparse").RawDescriptionHelpFormatter,
    )
    parser.set_defaults(func=func)
    return parser


def add_pool_option(parser, default=DEFAULT_POOL, purpose=""):
    """``--pool SPEC``, worded alike in every command; ``purpose`` leads its help.

    Example: ``add_pool_option(parser, None, "also show match rates on this pool: ")``.
    """
    default_text = " (default: %(default)s)" if default is not None else ""
    return parser.add_argument(
        "--pool", default=default, metavar="SPEC", help=purpose + POOL_SPEC + default_text
    )


def add_template_option(parser, purpose):
    """``--template NAME|FILE``: the job ad a Requirements goes into (``plain`` by default).

    ``--job-template``, simulate's and replay's spelling, is the same option.

    Example: ``add_template_option(parser, "job ad that --requirements goes into")``.
    """
    return parser.add_argument(
        "--template", "--job-template", dest="template", default="plain", metavar="NAME|FILE",
        help=f"{purpose} (plain, ospool or a file; default: %(default)s)",
    )  # fmt: skip
