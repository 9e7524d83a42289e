"""Groups and TimedArrays evaluate strings and look up TimedArray rows with the plain-Python functions of
simcore.kernels and simcore.equations.evaluate: no module of theirs imports simcore.backends or simcore.codegen
(issue 14, objects as specs)."""

import ast
from pathlib import Path

import pytest

import simcore

OBJECTS = Path(simcore.__file__).parent / "objects"


@pytest.mark.parametrize("module", ["group", "group_code", "group_links", "evaluation", "timedarray"])
def test_group_modules_import_neither_backends_nor_codegen(module):
    tree = ast.parse((OBJECTS / f"{module}.py").read_text())
    imported = [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    imported += [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    assert [name for name in imported if name.startswith(("simcore.backends", "simcore.codegen"))] == []
