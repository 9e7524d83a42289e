"""The documentation: docs/ builds with Sphinx with warnings as errors, every example is in the gallery with its
picture, README's links lead to files that exist, and the examples in the main docstrings run (doctest)."""

import doctest
import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

#: modules whose docstrings hold examples to run, as a user reads them
DOCTESTED = ["simcore.units.quantity", "simcore.equations.equations", "simcore.objects.neurongroup",
             "simcore.objects.monitors", "simcore.objects.state_monitor"]


def test_the_documentation_builds_without_a_warning(tmp_path):
    pytest.importorskip("sphinx")
    pytest.importorskip("myst_parser")
    done = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", str(DOCS),
                           str(tmp_path / "html")], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    index = (tmp_path / "html" / "index.html").read_text()
    assert "Coming from Brian 2" in index and "Sweeps and clusters" in index
    reference = (tmp_path / "html" / "reference" / "objects.html").read_text()
    assert "NeuronGroup" in reference and "threshold" in reference  # autodoc read the docstrings
    gallery = (tmp_path / "html" / "examples.html").read_text()
    assert gallery.count("<img") >= 10 and gallery.count('class="highlight') >= 16  # every script's source


def test_every_example_is_in_the_gallery_with_its_picture():
    gallery = (DOCS / "examples.md").read_text()
    for script in sorted((ROOT / "examples").glob("*.py")):
        assert f"## {script.stem}\n" in gallery and f"../examples/{script.name}" in gallery, script.name
    for picture in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", gallery):
        assert (DOCS / picture).is_file(), picture


def test_readme_links_lead_to_files():
    readme = (ROOT / "README.md").read_text()
    links = [link for link in re.findall(r"\]\(([^)#]+)", readme) if "://" not in link]
    assert len(links) > 10
    for link in links:
        assert (ROOT / link).exists(), link


@pytest.mark.parametrize("name", DOCTESTED)
def test_the_examples_in_docstrings_run(name):
    module = importlib.import_module(name)
    failed, attempted = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
                                        verbose=False)
    assert attempted > 0, f"{name} has no examples in its docstrings"
    assert failed == 0
