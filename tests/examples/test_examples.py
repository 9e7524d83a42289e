"""Every script in examples/ runs, and its result is checked."""

import runpy
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_every_example_has_a_test():
    tested = {"hh_model_check.py"}
    assert {p.name for p in EXAMPLES.glob("*.py")} == tested


def test_hh_model_check(capsys):
    module = runpy.run_path(str(EXAMPLES / "hh_model_check.py"))
    eqs, message = module["main"]()
    assert eqs.diff_eq_names == ("v", "m", "n", "h", "ge", "gi")
    assert "'alpham'" in message and "declared as Hz (hertz)" in message
    printed = capsys.readouterr().out
    assert "12 equations: 6 differential" in printed
    assert "refused as expected" in printed
