"""The Synapses spec reaches the device (connect) and the runtime tables only through simcore.connect and
simcore.runtime: no module of it imports simcore.backends or simcore.codegen (issue 14, objects as specs)."""

import ast
from pathlib import Path

import pytest

import simcore

OBJECTS = Path(simcore.__file__).parent / "objects"


@pytest.mark.parametrize("module", ["synapses", "synapse_views", "synapse_connect", "synapse_lowering",
                                    "synapse_checks"])
def test_synapse_modules_import_neither_backends_nor_codegen(module):
    tree = ast.parse((OBJECTS / f"{module}.py").read_text())
    imported = [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    imported += [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    assert [name for name in imported if name.startswith(("simcore.backends", "simcore.codegen"))] == []
