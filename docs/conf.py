"""Sphinx configuration of simcore's documentation: Markdown pages (MyST) and the API reference from docstrings
(autodoc). Build: python -m sphinx -W -b html docs build/docs"""

project = "simcore"
author = "the simcore developers"
extensions = ["sphinx.ext.autodoc", "myst_parser"]
source_suffix = {".md": "markdown"}
exclude_patterns = ["images/*"]
myst_heading_anchors = 3
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": False}
html_theme = "alabaster"
html_title = "simcore"
