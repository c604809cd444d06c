"""Scripts: the #! interpreter is reported, and adds no clause."""

import pytest

from simulator.analyses.needs import NeedsError, read_program, script
from simulator.analyses.needs.expression import clauses


@pytest.mark.parametrize("line, runs", [
    ("#!/bin/sh", "sh"),
    ("#!/usr/bin/env python3", "python3"),
    ("#! /usr/bin/env -S perl -w", "perl"),
    ("#!/usr/bin/python3.11 -u", "python3.11"),
])
def test_shebang(line, runs):
    assert script.parse_shebang(line)[2] == runs


def test_script_is_noted_not_guessed(tmp_path):
    path = tmp_path / "run.py"
    path.write_text("#!/usr/bin/env python3\nimport numpy\n")
    needs = read_program(path)
    assert needs.kind == "script" and needs.interpreter == "/usr/bin/env python3"
    assert "must provide python3" in needs.facts[0]
    assert clauses([needs]) == []


def test_empty_shebang_is_an_error(tmp_path):
    path = tmp_path / "run"
    path.write_text("#!\necho hi\n")
    with pytest.raises(NeedsError, match="names no interpreter"):
        read_program(path)
