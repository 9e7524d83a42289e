"""The Synapses spec reaches the device (connect) and the runtime tables only through simcore.connect and
simcore.runtime: no module of it imports simcore.backends or simcore.codegen (issue 14, objects as specs)."""

import ast
from pathlib import Path

import pytest

import simcore

OBJECTS = Path(simcore.__file__).parent / "objects"


@pytest.mark.parametrize("module", ["synapses", "synapse_views", "synapse_connect", "synapse_lowering",
                                    "synapse_checks", "synapse_names"])
def test_synapse_modules_import_neither_backends_nor_codegen(module):
    tree = ast.parse((OBJECTS / f"{module}.py").read_text())
    imported = [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    imported += [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    assert [name for name in imported if name.startswith(("simcore.backends", "simcore.codegen"))] == []


SEAMS = [OBJECTS / f"{name}.py" for name in ("synapse_views", "synapse_connect", "synapse_lowering", "synapse_checks")]
SEAMS += [OBJECTS.parent / "runtime" / "synapse_tables.py", *sorted((OBJECTS.parent / "connect").glob("*.py"))]


@pytest.mark.parametrize("path", SEAMS, ids=[path.name for path in SEAMS])
def test_modules_around_synapses_use_only_their_public_interface(path):
    tree = ast.parse(path.read_text())
    private = [f"{node.lineno}: {ast.unparse(node)}" for node in ast.walk(tree)
               if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
               and ast.unparse(node.value).split(".")[-1] in ("synapses", "_synapses", "group")]
    assert private == []
