"""The notebooks run top to bottom on a fresh kernel, and are committed without outputs."""

from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).parent.parent / "notebooks"
NAMES = ["pool_report.ipynb", "match_rates.ipynb"]


def read(name):
    return nbformat.read(NOTEBOOKS / name, as_version=4)


def execute(name, cwd, monkeypatch):
    from nbclient import NotebookClient

    # Without it jupyter_core warns (DeprecationWarning, an error here) about its paths.
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    nb = read(name)
    # "python3" is the kernel ipykernel installs into the venv; jupyter_client starts
    # it with this interpreter (sys.executable), so it imports this checkout.
    client = NotebookClient(
        nb, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(cwd)}}
    )
    client.execute()  # raises CellExecutionError, naming the cell, if any cell fails
    stderr = [
        o["text"] for c in nb.cells if c.cell_type == "code" for o in c.outputs
        if o.output_type == "stream" and o["name"] == "stderr"
    ]
    assert not stderr, f"{name} wrote to stderr (a warning?): {stderr}"
    return nb


def outputs(nb, kind):
    """Per code cell, the outputs with data of MIME type ``kind``."""
    return [
        [o["data"][kind] for o in cell.outputs if kind in o.get("data", {})]
        for cell in nb.cells
        if cell.cell_type == "code"
    ]


def code_cells(nb, text):
    return [c for c in nb.cells if c.cell_type == "code" and text in c.source]


@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_committed_without_outputs(name):
    nb = read(name)
    nbformat.validate(nb)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{name}: cell {i} has outputs (clear them before commit)"
            assert cell.execution_count is None, f"{name}: cell {i} has an execution count"


@pytest.mark.parametrize("name", NAMES)
def test_notebook_has_one_parameter_cell_first(name):
    nb = read(name)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    assert first_code is tagged[0]
    assert 'POOL = "pool_2010"' in first_code.source


@pytest.mark.slow  # about 8 s: a kernel start, the pool, six charts
def test_pool_report_runs_and_draws_every_chart(tmp_path, monkeypatch):
    nb = execute("pool_report.ipynb", tmp_path, monkeypatch)
    chart_cells = code_cells(nb, "plots.pool_chart(")
    assert len(chart_cells) == 6  # os, kernel, glibc, java, virt, joint
    for cell in chart_cells:
        assert any("image/png" in o.get("data", {}) for o in cell.outputs), cell.source
    reading = [text for out in outputs(nb, "text/markdown") for text in out]
    assert len(reading) == 1
    assert reading[0].startswith("The pool has 861 slots (captured 2010-04-05 12:00 UTC).")
    assert "90.8 % of all slots run Red Hat Enterprise Linux Server release 5.4" in reading[0]
    (table,) = code_cells(nb, "plots.joint_table(")
    assert "glibc-2.5-42.el5_4.2" in table.outputs[0]["data"]["text/html"]


@pytest.mark.slow  # about 12 s: the ladder, a 7-day scenario, seven replays
def test_match_rates_runs_the_ladder_the_scenario_and_the_replay(tmp_path, monkeypatch):
    nb = execute("match_rates.ipynb", tmp_path, monkeypatch)
    for call in ("plots.ladder(", "plots.composition(", "plots.match_rates(", "plots.wait_times("):
        (cell,) = code_cells(nb, call)
        assert any("image/png" in o.get("data", {}) for o in cell.outputs), call
    (scenario,) = code_cells(nb, "simulator.run_scenario(")
    printed = "".join(o.get("text", "") for o in scenario.outputs)
    assert "rhel4_to_rhel5: 7 daily snapshots" in printed
    assert list(tmp_path.iterdir()) == []  # the scenario's store went to a temporary folder


def test_the_docs_name_both_notebooks_with_pictures_that_exist():
    import re

    docs = NOTEBOOKS.parent / "docs"
    page = (docs / "notebooks.md").read_text()
    for name in NAMES:
        assert f"notebooks/{name}" in page
    pictures = re.findall(r"!\[[^\]]+\]\(([^)]+\.png)\)", page)
    assert len(pictures) >= 2
    for picture in pictures + re.findall(r"\]\((img/[^)]+)\)", page):
        assert (docs / picture).is_file(), picture


def test_notebooks_use_only_the_library_calls():
    """A notebook calls what a script would: ``simulator.simulate``, ``.replay`` … and the
    charts, never the modules behind them."""
    import json
    import re

    allowed = {"import simulator", "from simulator import plots",
               "from simulator.data import SCENARIOS"}
    for name in NAMES:
        cells = json.loads((NOTEBOOKS / name).read_text())["cells"]
        code = "".join("".join(c["source"]) + "\n" for c in cells if c["cell_type"] == "code")
        imports = set(re.findall(r"^(?:from simulator\S* import .*|import simulator\S*)$", code,
                                 re.M))
        assert imports <= allowed, (name, imports - allowed)
