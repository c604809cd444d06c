"""The simulator's folders are layers: a module imports only from its own layer or below.

Every import (module level or inside a function, ``import x`` or ``from x import y``) of
every module under ``simulator/`` is read with ``ast``; a name imported from another package
must be public, and nothing may import a higher layer.
"""

import ast
from pathlib import Path

import pytest

import simulator

# Lowest first. A module of a layer may import its own layer and any layer before it.
LAYERS = ["data", "model", "pools", "io", "jobs", "match", "analyses", "render", "plots", "cli"]
ROOT = Path(simulator.__file__).parent


def imports_of(path: Path, package: str):
    """(line, imported module, imported names) for each import in the file at ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, []
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:  # relative: resolve against the importing package
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([module] if module else []))
            yield node.lineno, module, [a.name for a in node.names]


def layer_of(module: str):
    parts = module.split(".")
    if parts[0] != "simulator" or len(parts) < 2:
        return None
    return parts[1] if parts[1] in LAYERS else None


def violations(root: Path, layers=LAYERS):
    """Every import in the tree at ``root`` that climbs a layer or takes a private name."""
    found = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root.parent)
        module = ".".join(rel.with_suffix("").parts)
        package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
        own = layer_of(module)
        if own is None:
            continue
        for line, imported, names in imports_of(path, package):
            target = layer_of(imported)
            if target is not None and layers.index(target) > layers.index(own):
                found.append(f"{rel}:{line}: layer {own} imports {imported} (layer {target})")
            other_package = imported != package and not imported.startswith(package + ".")
            if imported.startswith("simulator.") and other_package:
                private = [n for n in names if n.startswith("_") and n != "__version__"]
                if private:
                    found.append(f"{rel}:{line}: imports private {', '.join(private)} "
                                 f"from {imported}")
    return found


def test_every_top_level_folder_is_a_layer():
    folders = {p.name for p in ROOT.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert folders == set(LAYERS)
    loose = {p.name for p in ROOT.glob("*.py")} - {"__init__.py", "__main__.py"}
    assert loose == set()


def test_no_layer_imports_a_higher_one_nor_a_private_name():
    assert violations(ROOT) == []


def test_each_layer_package_declares_its_interface():
    # The interface of a package is its __init__; packages other than data ship a docstring.
    for layer in LAYERS:
        init = ROOT / layer / "__init__.py"
        assert init.exists(), layer
        assert ast.get_docstring(ast.parse(init.read_text())), f"{layer}/__init__.py"


@pytest.mark.parametrize("own, imported, ok", [
    ("model", "simulator.cli.app", False),
    ("match", "simulator.analyses.rates", False),
    ("analyses", "simulator.match", True),
    ("cli", "simulator.model.errors", True),
])
def test_the_check_fails_when_a_lower_layer_imports_a_higher_one(tmp_path, own, imported, ok):
    package = tmp_path / "simulator" / own
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('"""x."""\n')
    (package / "bad.py").write_text(f"def f():\n    import {imported}\n")
    found = violations(tmp_path / "simulator")
    assert (found == []) == ok, found


def test_the_check_catches_private_names_and_relative_imports(tmp_path):
    package = tmp_path / "simulator" / "analyses"
    package.mkdir(parents=True)
    (package / "a.py").write_text("from simulator.match.plain import _hidden\n"
                                  "from ..cli import app\n")
    found = violations(tmp_path / "simulator")
    assert any("private _hidden" in f for f in found)
    assert any("imports simulator.cli" in f for f in found)
