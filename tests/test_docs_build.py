"""The docs build as a site with ``mkdocs build --strict``: every page in the nav, every
link and anchor found, and the command reference generated from the parsers."""

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_mkdocs_build_strict(tmp_path):
    site = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout
    assert (site / "index.html").is_file()
    from simulator.cli import build_parser

    commands = build_parser()._subparsers._group_actions[0].choices
    for name, parser in commands.items():
        page = (site / "reference" / name / "index.html").read_text(encoding="utf-8")
        for action in parser._actions:
            if action.help == argparse.SUPPRESS:  # an old spelling, hidden for its release
                continue
            hidden = getattr(action, "deprecated", {})
            for option in action.option_strings:
                if option not in ("-h", "--help") and option not in hidden:
                    assert option in page, f"reference/{name}: {option} missing"
    hook = (site / "reference" / "tribes-startd-cron" / "index.html").read_text()
    assert "--root" in hook and "EXIT STATUS" in hook
    assert not list(ROOT.glob("docs/reference/*.md")), "the reference is generated, not kept"
