"""The tutorial notebook runs in a real Jupyter kernel (nbclient, ipykernel) and shows what a notebook user sees:
typeset equations, HTML summaries, a progress bar widget, a plot, a table, and the spikes of examples/cuba.py."""

import re
import runpy
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DURATION_MS = 200


@pytest.fixture(scope="module")
def executed():
    """The notebook after a run of DURATION_MS (its cells as written, but for the duration)."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    notebook = nbformat.read(EXAMPLES / "tutorial_cuba.ipynb", as_version=4)
    setup = next(cell for cell in notebook.cells if "duration = 1*second" in cell.source)
    setup.source = setup.source.replace("duration = 1*second", f"duration = {DURATION_MS}*ms")
    nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(EXAMPLES)}}).execute()
    return notebook


def _outputs(notebook, marker: str) -> list:
    """The outputs of the cell whose source contains ``marker``."""
    return next(cell for cell in notebook.cells if cell.cell_type == "code" and marker in cell.source).outputs


def _data(outputs, mime: str) -> str:
    found = [output["data"][mime] for output in outputs if mime in output.get("data", {})]
    assert found, f"no {mime} output in {outputs}"
    return found[0]


def test_no_cell_failed_or_warned(executed):
    for cell in executed.cells:
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error", output
            assert not (output["output_type"] == "stream" and output["name"] == "stderr"
                        and "Warning" in output["text"]), output["text"]


def test_equations_are_typeset_and_objects_summarised(executed):
    latex = _data(_outputs(executed, "eqs = Equations"), "text/latex")
    assert r"\frac{\mathrm{d}v}{\mathrm{d}t}" in latex and r"\mathrm{V}" in latex
    group = _data(_outputs(executed, "Ci.connect"), "text/html")
    assert "NeuronGroup" in group and "4000" in group and "ge" in group and "volt" in group.lower()
    monitor = _data(_outputs(executed, "mean rate"), "text/html")
    assert "SpikeMonitor" in monitor
    values = _outputs(executed, "trace.v[0, :5]")
    assert r"\mathrm{V}" in _data(values, "text/latex") and "-0.06" in _data(values, "text/html")


def test_the_run_shows_a_progress_widget(executed):
    outputs = _outputs(executed, "report='progress'")
    assert any("application/vnd.jupyter.widget-view+json" in output.get("data", {}) for output in outputs)


def test_the_plots_are_drawn(executed):
    assert _data(_outputs(executed, "brian_plot(M"), "image/png")


def test_the_spikes_are_those_of_the_example_script(executed):
    printed = "".join(output.get("text", "") for output in _outputs(executed, "mean rate"))
    spikes = int(re.search(r"(\d+) spikes in", printed).group(1))
    module = runpy.run_path(str(EXAMPLES / "cuba.py"))
    _, _, monitor = module["main"](duration=DURATION_MS * module["ms"], random_seed=1, plot_file=None)
    assert spikes == monitor.num_spikes > 0
    table = _data(_outputs(executed, "M.to_pandas()"), "text/html")
    assert "<table" in table and re.search(r"<th>\s*t\s*</th>", table)
