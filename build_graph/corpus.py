"""The bundled default corpus (``corpus/``) and how user-given list files join it."""
from __future__ import annotations

import tomllib
from pathlib import Path

from .data import folder
from .readers import ListMeta, read_list
from .records import PowerList


def bundled_lists() -> list[tuple[Path, ListMeta]]:
    """(file, metadata) of every list in the bundled corpus/lists.toml, in file order."""
    corpus = folder("corpus")
    entries = tomllib.loads((corpus / "lists.toml").read_text(encoding="utf-8")).get("list", [])
    return [(corpus / e["file"], ListMeta(e["id"], e.get("authority", ""), e.get("jurisdiction", ""),
                                              e.get("source_file", ""))) for e in entries]


def meta_for(path: Path) -> ListMeta:
    """Metadata for ``path``: the registry entry when it is a bundled file, else from its name."""
    resolved = Path(path).resolve()
    for file, meta in bundled_lists():
        if file.resolve() == resolved:
            return meta
    return ListMeta(Path(path).stem)


def load_lists(paths: list[str | Path] | None = None, layout: str | None = None) -> list[PowerList]:
    """Read the given list files, or the bundled corpus when none are given."""
    if not paths:
        return [read_list(file, meta, layout) for file, meta in bundled_lists()]
    return [read_list(Path(p), meta_for(Path(p)), layout) for p in paths]
