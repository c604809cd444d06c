"""Every ```console example of README.md and docs/ runs, and prints what the page shows.

The rules (docs/developers.md, "Examples that run"):

* In a ```console block a line starting ``$ `` is a command; a command line ending in ``\\``
  goes on to the next line. The lines after it, up to the next ``$ `` line or the end of the
  block, are what the command prints: stdout and stderr together, in the order a terminal
  shows them (the command runs with stderr on the same pipe as stdout, Python unbuffered).
* A page's commands run in order, each with bash, in one scratch folder that starts as a
  copy of ``examples/``; files a command writes are there for the commands after it, and
  shell variables (``R=…``) carry over from command to command of the same page. The
  venv's ``bin`` is first on PATH and the project is imported from this source tree.
* A command exits 0, unless what the page shows has an ``error:`` line: then it must fail.
* Masks: a line that is only ``…`` or ``...`` stands for any run of lines (none too); a
  duration after ``in`` (``in 0.7 s``, ``in 3 ms``) matches any number; the venv's ``bin``
  folder prints as ``/home/alice/condor-tribes/.venv/bin``, the scratch folder as
  ``/tmp/work``; trailing spaces and trailing blank lines do not count.
* ```text blocks are shown, never run: output of a host, a live pool or a benchmark.

To rewrite the shown output from real runs (after a change of behaviour), then review
``git diff``:

    python tests/test_examples.py --update [PAGE …]
    TRIBES_UPDATE_EXAMPLES=1 python -m pytest tests/test_examples.py

Lines that still match (masks included) are kept as written; ``…`` lines are kept with as
many shown lines before and after them as before.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import List, Optional

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: the project of this source tree
    sys.path.insert(0, str(ROOT))
EXAMPLES = ROOT / "examples"
BIN = Path(sys.executable).parent
SHOWN_BIN = "/home/alice/condor-tribes/.venv/bin"
SHOWN_SCRATCH = "/tmp/work"
ELLIPSIS = {"…", "..."}
DURATION = re.compile(r"\bin \d+(?:\.\d+)? ?(?:s|ms|min)\b")
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>```+|~~~+)(?P<info>[^`]*)$")
TIMEOUT = 300


def pages() -> List[Path]:
    """README.md and every page under docs/, in a stable order."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


@dataclasses.dataclass
class Command:
    page: Path
    line: int  # 1-based line of the ``$ `` line in the page
    text: str  # the command, continuation lines joined as bash reads them
    shown: List[str]  # the output lines the page shows (indent removed)
    start: int  # 0-based index of the first output line in the page
    end: int  # 0-based index one past the last output line
    indent: str


def commands(page: Path) -> List[Command]:
    """The commands of every ```console block of ``page``, in order."""
    lines = page.read_text(encoding="utf-8").split("\n")
    found: List[Command] = []
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        indent, fence = opening["indent"], opening["fence"]
        info = opening["info"].strip().split()
        j = i + 1
        while j < len(lines) and lines[j].strip() != fence:
            j += 1
        if info[:1] == ["console"]:
            found += _block(page, lines, i + 1, j, indent)
        i = j + 1
    return found


def _block(page, lines, first, stop, indent) -> List[Command]:
    body = [line[len(indent):] if line.startswith(indent) else line.lstrip()
            for line in lines[first:stop]]
    result: List[Command] = []
    k = 0
    if body and not body[0].startswith("$ "):
        raise ValueError(f"{page.name}:{first + 1}: a console block starts with a `$ ` line")
    while k < len(body):
        line_no = first + k + 1
        text = body[k][2:]
        while text.endswith("\\") and k + 1 < len(body):
            k += 1
            text += "\n" + body[k]
        k += 1
        out_start = k
        while k < len(body) and not body[k].startswith("$ "):
            k += 1
        result.append(Command(page, line_no, text, body[out_start:k], first + out_start,
                              first + k, indent))
    return result


# ---- matching -------------------------------------------------------------------------

def _norm(line: str) -> str:
    return DURATION.sub("in ‹time›", line.rstrip())


def _trim(lines: List[str]) -> List[str]:
    lines = list(lines)
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def matches(shown: List[str], actual: List[str]) -> bool:
    """Whether the output ``actual`` is what ``shown`` shows, masks and ``…`` lines included."""
    pattern = "".join(r"(?:[^\n]*\n)*?" if line.strip() in ELLIPSIS
                      else re.escape(_norm(line)) + r"\n" for line in _trim(shown))
    text = "".join(_norm(line) + "\n" for line in _trim(actual))
    return re.fullmatch(pattern, text) is not None


def _keep_or_take(shown: List[str], actual: List[str]) -> List[str]:
    return [s if _norm(s) == _norm(a) else a for s, a in zip(shown, actual, strict=True)]


def updated(shown: List[str], actual: List[str]) -> List[str]:
    """What the page should show for ``actual``, keeping what still matches of ``shown``.

    Lines before the first ``…`` and after the last stay as many; a run of shown lines
    between two ``…`` is looked for in the output by its first line (the most similar one)."""
    shown, actual = _trim(shown), _trim(actual)
    if matches(shown, actual):
        return shown
    marks = [i for i, line in enumerate(shown) if line.strip() in ELLIPSIS]
    if not marks:
        if len(shown) == len(actual):
            return _keep_or_take(shown, actual)
        return actual
    head, tail = shown[: marks[0]], shown[marks[-1] + 1:]
    if len(head) + len(tail) > len(actual):
        return actual
    rest = actual[len(head): len(actual) - len(tail)]
    result = _keep_or_take(head, actual[: len(head)])
    start = 0
    for mark, stop in zip(marks, marks[1:] + [None], strict=True):
        result.append(shown[mark])
        if stop is None:
            break
        segment = shown[mark + 1: stop]
        at = _anchor(segment, rest, start)
        if segment and at is not None:
            result += _keep_or_take(segment, rest[at: at + len(segment)])
            start = at + len(segment)
    return result + _keep_or_take(tail, actual[len(actual) - len(tail):])


def _anchor(segment: List[str], lines: List[str], start: int) -> Optional[int]:
    """Where in ``lines`` (from ``start``) the run ``segment`` now begins: the line most
    like its first line, if any is alike enough."""
    best, where = 0.6, None
    for i in range(start, len(lines) - len(segment) + 1):
        ratio = difflib.SequenceMatcher(None, _norm(segment[0]), _norm(lines[i])).ratio()
        if ratio > best:
            best, where = ratio, i
    return where


def shows_error(shown: List[str]) -> bool:
    return any("error:" in line for line in shown)


# ---- running --------------------------------------------------------------------------

def environment(state: Path) -> dict:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PYTHON", "TRIBES_", "COV_", "PYTEST_"))}
    env.update(
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}",
        PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1", PYTHONDONTWRITEBYTECODE="1",
        LC_ALL="C.UTF-8", LANG="C.UTF-8", TZ="UTC", COLUMNS="100", TERM="dumb",
        MPLBACKEND="Agg", TRIBES_EXAMPLE_STATE=str(state),
    )
    return env


# Each command runs in a fresh bash that first reads the variables the earlier ones set.
# set -a: every variable a command sets is exported, so export -p saves it for the next.
PROLOGUE = 'set -a\n. "$TRIBES_EXAMPLE_STATE"\n'
EPILOGUE = '\n__tribes_status=$?\nexport -p > "$TRIBES_EXAMPLE_STATE"\nexit $__tribes_status\n'


_SHELL = set("|&;<>()$`*?[]{}~!#")
# In-process runs share the test's process: what would start other processes is left to bash.
_NOT_IN_PROCESS = ("--dask", "--help", "-h")


def plain_tribes(text: str) -> Optional[List[str]]:
    """The arguments of ``text`` when it is ``tribes ARG…`` and nothing the shell would
    expand or redirect; else None."""
    import shlex

    text = text.replace("\\\n", " ")
    quote = None
    for char in text:
        if quote:
            if char == quote:
                quote = None
            elif quote == '"' and char in "$`\\":
                return None
        elif char in "'\"":
            quote = char
        elif char in _SHELL or char == "\\" or char == "\n":
            return None
    try:
        argv = shlex.split(text)
    except ValueError:
        return None
    if argv[:1] != ["tribes"] or any(a in _NOT_IN_PROCESS for a in argv):
        return None
    return argv[1:]


class Page:
    """A page's commands run in order in one scratch folder.

    A plain ``tribes …`` command (no pipe, redirection or expansion) runs in this process,
    through ``simulator.cli.main``, with stdout and stderr into one buffer: the same code
    as the installed command, without half a second of interpreter and imports for each.
    ``TRIBES_EXAMPLES_SUBPROCESS=1`` runs every command with bash instead.
    """

    def __init__(self, page: Path, scratch: Path):
        self.page, self.scratch = page, scratch
        shutil.copytree(EXAMPLES, scratch, symlinks=True)
        self.state = scratch.parent / (scratch.name + ".env")
        self.state.write_text("")

    def run(self, command: Command) -> tuple:
        argv = plain_tribes(command.text)
        if argv is not None and os.environ.get("TRIBES_EXAMPLES_SUBPROCESS") != "1":
            status, text = self._in_process(argv)
        else:
            status, text = self._bash(command.text)
        text = text.replace(str(self.scratch.resolve()), SHOWN_SCRATCH)
        text = text.replace(str(self.scratch), SHOWN_SCRATCH).replace(str(BIN), SHOWN_BIN)
        return status, text.split("\n")

    def _in_process(self, argv: List[str]) -> tuple:
        import contextlib
        import io

        from simulator import cli

        buffer = io.StringIO()
        saved_env = {k: os.environ.get(k) for k in ("COLUMNS", "TZ", "MPLBACKEND")}
        os.environ.update(COLUMNS="100", TZ="UTC", MPLBACKEND="Agg")
        cwd = os.getcwd()
        os.chdir(self.scratch)
        try:
            with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
                try:
                    status = cli.main(argv)
                except SystemExit as exc:  # argparse: usage errors, --version
                    status = exc.code if isinstance(exc.code, int) else 1
        finally:
            os.chdir(cwd)
            for key, value in saved_env.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        return status or 0, buffer.getvalue()

    def _bash(self, text: str) -> tuple:
        done = subprocess.run(
            ["bash", "-c", PROLOGUE + text + EPILOGUE], cwd=self.scratch,
            env=environment(self.state), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, timeout=TIMEOUT,
        )
        return done.returncode, done.stdout.decode("utf-8", "replace")


def check_page(page: Path, scratch: Path, update: bool = False) -> List[str]:
    """Run the page's examples; return one report per command that differs.

    With ``update``, rewrite the page's shown output from the runs instead."""
    found = commands(page)
    if not found:
        return []
    runner = Page(page, scratch)
    problems, edits = [], []
    name = page.relative_to(ROOT)
    for command in found:
        status, actual = runner.run(command)
        same = matches(command.shown, actual)
        failed = status != 0
        if same and failed == shows_error(command.shown):
            continue
        where = f"{name}:{command.line}: $ {command.text}"
        if not same:
            new = updated(command.shown, [line.rstrip() for line in actual])
            edits.append((command, new))
            diff = "\n".join(difflib.unified_diff(_trim(command.shown), _trim(actual),
                                                  "shown", "printed", lineterm="", n=2))
            problems.append(f"{where}\n{diff}")
        if failed != shows_error(command.shown):
            problems.append(f"{where}\nexit status {status}, but the page shows "
                            f"{'an' if shows_error(command.shown) else 'no'} error: line\n"
                            + "\n".join(_trim(actual)[-5:]))
    if update and edits:
        _rewrite(page, edits)
    return problems


def _rewrite(page: Path, edits) -> None:
    lines = page.read_text(encoding="utf-8").split("\n")
    for command, new in sorted(edits, key=lambda edit: edit[0].start, reverse=True):
        old = lines[command.start: command.end]
        trailing = len(old) - len(_trim(old))  # keep blank lines before the next `$ `
        lines[command.start: command.end] = (
            [command.indent + line if line else line for line in new] + [""] * trailing
        )
    page.write_text("\n".join(lines), encoding="utf-8")


def _source_tree_state() -> str:
    done = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=ROOT,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return done.stdout if done.returncode == 0 else ""


# ---- pytest -----------------------------------------------------------------------------

try:
    import pytest
except ImportError:  # run as a script without pytest
    pytest = None

if pytest is not None:

    @pytest.mark.parametrize("page", [p for p in pages() if commands(p)],
                             ids=lambda p: str(p.relative_to(ROOT)))
    def test_console_examples_print_what_the_page_shows(page, tmp_path):
        before = _source_tree_state()
        update = os.environ.get("TRIBES_UPDATE_EXAMPLES") == "1"
        problems = check_page(page, tmp_path / "work", update=update)
        assert _source_tree_state() == before, "an example wrote into the source tree"
        if update:
            return
        assert not problems, "\n\n".join(problems)

    def test_the_matcher_reads_ellipsis_and_durations():
        assert matches(["a", "…", "z"], ["a", "b", "c", "z"])
        assert matches(["a", "...", "z"], ["a", "z"])
        assert not matches(["a", "…", "z"], ["a", "b"])
        assert matches(["wrote 45 snapshots in 0.7 s"], ["wrote 45 snapshots in 12.25 s"])
        assert not matches(["45 snapshots"], ["46 snapshots"])
        assert matches(["x  ", "", ""], ["x"])
        assert updated(["a", "…", "y", "z"], ["a", "b", "c", "y", "Z"]) == ["a", "…", "y", "Z"]
        # A run between two … is found again by its first line.
        assert updated(["…", "time  x", "1  10", "…", "9  90"],
                       ["a", "time  x", "1  11", "2  20", "9  91"]) == [
            "…", "time  x", "1  11", "…", "9  91"]
        assert updated(["n in 0.7 s", "1"], ["n in 3.0 s", "2"]) == ["n in 0.7 s", "2"]

    def test_only_plain_tribes_commands_run_in_process():
        assert plain_tribes("tribes report OpSys --pool 'a b'") == ["report", "OpSys",
                                                                    "--pool", "a b"]
        assert plain_tribes("tribes simulate --requirements 'A && B'") == [
            "simulate", "--requirements", "A && B"]
        assert plain_tribes("tribes x \\\n    --y") == ["x", "--y"]
        for text in ("tribes report OpSys | head", "tribes x > out", 'tribes "$R"', "tribes *",
                     "ls", "FOO=1 tribes x", "tribes x --dask", "tribes x 2>&1"):
            assert plain_tribes(text) is None, text

    def test_every_example_input_is_listed_and_equals_its_origin():
        """examples/README.md names where each file of examples/ comes from; copies of
        files of the source tree are the same bytes as their originals."""
        listed = {}
        for row in (EXAMPLES / "README.md").read_text().splitlines():
            cells = re.findall(r"`([^`]+)`", row.split("|")[1]) if row.startswith("| `") else []
            if cells:
                origin = row.split("|")[2].strip()  # `path`, or "hand-written: …"
                listed[cells[0].rstrip("/")] = origin.strip("`") if origin[:1] == "`" else None
        present = {p.name for p in EXAMPLES.iterdir() if p.name != "README.md"}
        present |= {f"hosts/{p.name}" for p in (EXAMPLES / "hosts").iterdir()} - {"hosts"}
        present.discard("hosts")
        assert present == set(listed), sorted(present ^ set(listed))
        for name, origin in listed.items():
            if origin is None:
                continue
            copy, source = EXAMPLES / name, ROOT / origin
            if source.is_dir():
                files = sorted(p.relative_to(source) for p in source.rglob("*") if p.is_file())
                assert files == sorted(p.relative_to(copy) for p in copy.rglob("*")
                                       if p.is_file()), name
                for rel in files:
                    assert (copy / rel).read_bytes() == (source / rel).read_bytes(), rel
            else:
                assert copy.read_bytes() == source.read_bytes(), f"{name} differs from {origin}"


def main(argv: Optional[List[str]] = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--update", action="store_true",
                        help="rewrite the shown output of the pages from real runs")
    parser.add_argument("pages", nargs="*", help="pages to run (default: all)")
    args = parser.parse_args(argv)
    chosen = [Path(p).resolve() for p in args.pages] or pages()
    failed = 0
    import time

    for page in chosen:
        start = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp:
            problems = check_page(page, Path(tmp) / "work", update=args.update)
        took = time.perf_counter() - start
        for problem in problems:
            print(problem, end="\n\n")
        failed += bool(problems)
        verb = "updated" if args.update and problems else ("differs" if problems else "ok")
        print(f"{page.relative_to(ROOT)}: {verb} ({took:.1f} s)", file=sys.stderr)
    return 1 if failed and not args.update else 0


if __name__ == "__main__":
    sys.exit(main())
