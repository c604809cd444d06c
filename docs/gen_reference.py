"""The command reference, one page per command, generated from the argparse definitions.

A MkDocs hook (``hooks:`` in mkdocs.yml): every build writes ``reference/index.md`` and
``reference/<command>.md`` from ``simulator.cli.build_parser()`` and
``startd_cron.__main__.build_parser()``, with SYNOPSIS, DESCRIPTION, OPTIONS, EXAMPLES
and EXIT STATUS as HTCondor's man pages have them, and puts them under "Reference" in
the nav. Nothing is written into docs/, so the reference cannot drift from the parsers.

``python docs/gen_reference.py OUTDIR`` writes the same pages into OUTDIR, to read them
without a build.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # the parsers of this source tree, not an installed copy
    sys.path.insert(0, str(ROOT))

WIDTH = 88
EXAMPLES = re.compile(r"^\s*examples?:\s*$", re.I | re.M)
# The guide page of each command, for SEE ALSO.
GUIDE = {
    "simulate": ("simulate.md", "Match rates: tribes simulate"),
    "report": ("report.md", "Counting slots: tribes report"),
    "snapshot": ("snapshots.md", "Snapshots and the store"),
    "scenario": ("scenarios.md", "Migration scenarios"),
    "replay": ("replay.md", "Queue waits: tribes replay"),
    "analyze": ("analyze.md", "Which clause costs the matches: tribes analyze"),
    "requirements": ("requirements.md", "What a program needs: tribes requirements"),
    "cron-config": ("hook.md", "The startd cron hook"),
    "tribes-startd-cron": ("hook.md", "The startd cron hook"),
}
TRIBES_EXIT = """\
`0`
:   Success.

`1`
:   What was given cannot be used: a missing or unreadable file, an expression that does
    not parse, a time or pool spec that is not one. One line on stderr,
    `tribes: error: …`.

`2`
:   A usage error: an unknown option, a missing argument, or a value outside an
    option's choices. The usage line and `tribes COMMAND: error: …` on stderr.

`130`
:   Interrupted (Ctrl-C).
"""
HOOK_EXIT = """\
`0`
:   At least one fact was published (or the config was printed or installed). Probe
    failures are reported in the `tribes_probe_errors` attribute, since the startd
    throws stderr away.

`1`
:   No fact was published, or `--install` could not write the config.

`2`
:   A usage error: an unknown option, a `--root` that is not a folder, an unknown probe
    in `--only`, a `--timeout` out of range.
"""


def _split_examples(text: str, skip_summary: bool = False):
    """(description, examples) of a docstring-style help text: the examples are the
    indented lines after an "examples:" line; prose after them stays in the description."""
    lines = (text or "").strip("\n").splitlines()
    if skip_summary and lines:
        lines = lines[1:]
    description, examples = [], []
    i = 0
    while i < len(lines):
        if EXAMPLES.match(lines[i]):
            i += 1
            while i < len(lines) and (not lines[i].strip() or lines[i][:1] in " \t"):
                examples.append(lines[i])
                i += 1
            continue
        description.append(lines[i])
        i += 1
    return "\n".join(description).strip(), _dedent("\n".join(examples))


def _dedent(text: str) -> str:
    lines = [line.rstrip() for line in text.strip("\n").splitlines()]
    indents = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
    cut = min(indents, default=0)
    return "\n".join(line[cut:] for line in lines).strip("\n")


_SPECIAL = re.compile(r"([\\`*_\[\]<>|{}])")


def _escape(text: str) -> str:
    """Plain help text as Markdown that renders as written; ``literal`` (the docstrings'
    reStructuredText) becomes code."""
    parts = re.split(r"``(.+?)``", text)
    for i, part in enumerate(parts):
        if i % 2:
            parts[i] = f"`{part}`"
        else:
            part = _SPECIAL.sub(r"\\\1", part)
            parts[i] = re.sub(r"^([#+-]|\d+\.)(\s)", r"\\\1\2", part, flags=re.M)
    return "".join(parts)


def _prose(text: str) -> str:
    """A help text as Markdown: paragraphs as paragraphs, indented lines as text blocks."""
    out, block = [], []

    def flush():
        if block:
            out.append("```text\n" + _dedent("\n".join(block)) + "\n```")
            block.clear()

    for paragraph in re.split(r"\n\s*\n", text.strip()):
        lines = paragraph.splitlines()
        if all(line.startswith((" ", "\t")) for line in lines if line.strip()):
            block.extend(lines + [""])
            continue
        flush()
        out.append(_escape(" ".join(line.strip() for line in lines)))
    flush()
    return "\n\n".join(out)


def _formatter(parser: argparse.ArgumentParser):
    return parser.formatter_class(prog=parser.prog, width=WIDTH)


def _synopsis(parser: argparse.ArgumentParser) -> str:
    formatter = _formatter(parser)
    formatter.add_usage(parser.usage, parser._actions, parser._mutually_exclusive_groups,
                        prefix="")
    return formatter.format_help().strip()


def _subparsers(parser: argparse.ArgumentParser):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    return None


def _options(parser: argparse.ArgumentParser) -> str:
    formatter = _formatter(parser)
    items = []
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                items.append(f"`{choice.dest}`\n:   {_escape(choice.help or '')} "
                             f"(below)\n")
            continue
        if action.help == argparse.SUPPRESS:
            continue
        if action.option_strings:
            if action.nargs == 0:
                names = ", ".join(action.option_strings)
            else:
                default = formatter._get_default_metavar_for_optional(action)
                metavar = formatter._format_args(action, default)
                names = ", ".join(f"{name} {metavar}" for name in action.option_strings)
        else:
            default = formatter._get_default_metavar_for_positional(action)
            names = formatter._format_args(action, default)
        text = formatter._expand_help(action) if action.help else ""
        if action.choices is not None and "{" not in names and not action.help:
            text = "one of " + ", ".join(map(str, action.choices))
        elif action.choices is not None and "%(choices)" not in (action.help or ""):
            choices = ", ".join(map(str, action.choices))
            text = (text + " " if text else "") + f"(one of {choices})"
        items.append(f"`{names}`\n:   {_escape(text) if text else '&nbsp;'}\n")
    return "\n".join(items) if items else "None.\n"


def _sections(parser: argparse.ArgumentParser, level: int, exit_status: str,
              see_also: str) -> str:
    description, examples = _split_examples(parser.description, skip_summary=True)
    epilog_description, epilog_examples = _split_examples(parser.epilog)
    description = "\n\n".join(t for t in (description, epilog_description) if t)
    examples = "\n".join(t for t in (examples, epilog_examples) if t)
    h = "#" * level
    text = [f"{h} SYNOPSIS\n\n```text\n{_synopsis(parser)}\n```\n"]
    if description:
        text.append(f"{h} DESCRIPTION\n\n{_prose(description)}\n")
    text.append(f"{h} OPTIONS\n\n{_options(parser)}")
    sub = _subparsers(parser)
    if sub is not None:
        for name, child in sub.choices.items():
            text.append(f"{h} {parser.prog} {name}\n\n"
                        + _sections(child, level + 1, "", "").strip() + "\n")
    if examples:
        text.append(f"{h} EXAMPLES\n\n```text\n{examples}\n```\n")
    if exit_status:
        text.append(f"{h} EXIT STATUS\n\n{exit_status}")
    if see_also:
        text.append(f"{h} SEE ALSO\n\n{see_also}\n")
    return "\n".join(text)


def _see_also(name: str) -> str:
    page, title = GUIDE.get(name, (None, None))
    links = [f"[{title}](../{page})"] if page else []
    links.append("[the glossary](../glossary.md)")
    return ", ".join(links)


def pages() -> dict:
    """{path under docs/: Markdown} for the reference."""
    from simulator.cli import build_parser
    from startd_cron.__main__ import build_parser as build_hook_parser

    tribes = build_parser()
    result = {}
    rows = []
    for name, parser in _subparsers(tribes).choices.items():
        summary = (parser.description or "").strip().splitlines()[0]
        rows.append(f"| [`tribes {name}`]({name}.md) | {_escape(summary)} |")
        result[f"reference/{name}.md"] = (
            f"# tribes {name}\n\n{_escape(summary)}\n\n"
            + _sections(parser, 2, TRIBES_EXIT, _see_also(name))
        )
    hook = build_hook_parser()
    summary = hook.description.strip().splitlines()[0]
    rows.append(f"| [`tribes-startd-cron`](tribes-startd-cron.md) | {_escape(summary)} |")
    result["reference/tribes-startd-cron.md"] = (
        f"# tribes-startd-cron\n\n{_escape(summary)} Also run as `python3 -m startd_cron`, "
        "or as the bundle `python3 -S -I tribes-startd-cron.pyz`.\n\n"
        + _sections(hook, 2, HOOK_EXIT, _see_also("tribes-startd-cron"))
    )
    result["reference/index.md"] = (
        "# Command reference\n\n"
        "One page per command, generated from the commands' own argument parsers at every "
        "build of these pages (`docs/gen_reference.py`), so they say what `--help` says. "
        f"{_escape(tribes.description or '')}\n\n"
        "| command | what it does |\n| --- | --- |\n" + "\n".join(rows) + "\n"
    )
    return result


# ---- the MkDocs hook ---------------------------------------------------------------------

def _title(stem: str) -> str:
    return stem if stem.startswith("tribes") else f"tribes {stem}"


def on_config(config):
    """Fill the nav's "Reference" entry with the generated pages."""
    names = list(pages())
    entries = [{"Overview": "reference/index.md"}]
    entries += [{_title(Path(name).stem): name} for name in names if not name.endswith("index.md")]
    for item in config.nav or []:
        if isinstance(item, dict) and "Reference" in item:
            item["Reference"] = entries
    return config


def on_files(files, config):
    from mkdocs.structure.files import File

    for path, text in pages().items():
        files.append(File.generated(config, path, content=text))
    return files


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", help="folder to write the reference pages into")
    args = parser.parse_args(argv)
    for path, text in pages().items():
        target = Path(args.outdir) / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
