"""A non-editable install ships every module: each source folder is listed as a package in pyproject.toml
(an editable install finds unlisted folders anyway, so nothing else would notice a missing one)."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_source_folder_is_a_listed_package():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed, folders = set(config["packages"]), config["package-dir"]
    found = set()
    for package, folder in folders.items():
        for path in (ROOT / folder).rglob("*.py"):
            relative = path.parent.relative_to(ROOT / folder).parts
            if "__pycache__" not in relative:
                found.add(".".join((package, *relative)))
    assert found, "no source folder found"
    assert found - listed == set(), "folders with modules that a wheel would leave out"
    assert {"simcore.plan", "simcore.runtime", "simcore.codegen"} <= found
