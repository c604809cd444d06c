"""One module per ``tribes`` subcommand; each defines ``register(subparsers)``."""


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
