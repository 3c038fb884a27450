"""Static files of the generated site (scripts and style), shipped as package data and copied
once into each build's output: ``graph-view.js`` draws every graph view, ``search.js`` is the
offline search of every page, ``site.css`` their style."""
from __future__ import annotations

from importlib import resources


def asset_text(name: str) -> str:
    """The text of one asset file of this package."""
    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
