"""The data powerkg ships with: ontology, shapes, queries and the bundled corpus.

Each is a package that ``pyproject.toml`` maps onto the top-level folder of the same name
(``tool.setuptools.package-dir``), so the folders stay where people look for them in a
checkout and still install inside the package. Code finds them only through
:func:`folder`, i.e. through ``importlib.resources``, never by paths relative to a checkout.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

KINDS = ("ontology", "shapes", "queries", "corpus")


class MissingData(Exception):
    """A data folder the installed package should carry is not there."""


def folder(kind: str) -> Path:
    """The on-disk folder of one data package (``ontology``, ``shapes``, ``queries``, ``corpus``).

    Raises MissingData naming the folder when the installation does not carry it.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown data folder {kind!r}; one of {', '.join(KINDS)}")
    try:
        root = resources.files(f"{__name__}.{kind}")
    except ModuleNotFoundError:
        raise MissingData(f"the installed powerkg has no {kind}/ data folder; reinstall it "
                          "(pip install powerkg, or pip install . in a checkout)") from None
    path = Path(str(root))
    if not path.is_dir():
        raise MissingData(f"the {kind}/ data folder {path} is missing; reinstall powerkg")
    return path
