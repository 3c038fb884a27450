"""The bundled default corpus (``corpus/``) and how user-given list files join it."""
from __future__ import annotations

import hashlib
import tomllib
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from .data import folder
from .list_cache import real_path
from .readers import ListMeta, ReadError, read_list
from .records import PowerList


def bundled_lists() -> list[tuple[Path, ListMeta]]:
    """(file, metadata) of every list in the bundled corpus/lists.toml, in file order."""
    corpus = folder("corpus")
    entries = tomllib.loads((corpus / "lists.toml").read_text(encoding="utf-8")).get("list", [])
    return [(corpus / e["file"], ListMeta(e["id"], e.get("authority", ""), e.get("jurisdiction", ""),
                                          e.get("source_file", ""), str(e.get("date", "")))) for e in entries]


def meta_for(path: Path) -> ListMeta:
    """Metadata for ``path``: the registry entry when it is a bundled file, else from its name."""
    return _bundled_by_path().get(Path(real_path(path))) or ListMeta(Path(path).stem)


@lru_cache(maxsize=1)
def _bundled_by_path() -> dict[Path, ListMeta]:
    return {file.resolve(): meta for file, meta in bundled_lists()}


def unique_metas(paths: list[Path]) -> list[ListMeta]:
    """Metadata for each file, with list ids made unique: files whose names give the same id
    (``a/list.txt``, ``b/list.txt``) get a digest of their content appended. The same content
    given twice is a ReadError: one list would be counted twice."""
    metas = [meta_for(p) for p in paths]
    by_id: dict[str, list[int]] = {}
    for index, meta in enumerate(metas):
        by_id.setdefault(meta.list_id, []).append(index)
    for indices in by_id.values():
        if len(indices) < 2:
            continue
        digests = {}
        for index in indices:
            digest = hashlib.sha1(paths[index].read_bytes()).hexdigest()[:8]
            if digest in digests:
                raise ReadError(paths[index].name, None, f"same content as {paths[digests[digest]]}: "
                                "give each list once")
            digests[digest] = index
            metas[index] = replace(metas[index], list_id=f"{metas[index].list_id}-{digest}")
    return metas


def load_lists(paths: list[str | Path] | None = None, layout: str | None = None,
               authority: str | None = None, date: str | None = None) -> list[PowerList]:
    """Read the given list files, or the bundled corpus when none are given (see ``list_jobs``)."""
    return [read_list(file, meta, layout) for file, meta in list_jobs(paths, authority, date)]


def list_jobs(paths: list[str | Path] | None = None, authority: str | None = None,
              date: str | None = None) -> list[tuple[Path, ListMeta]]:
    """(file, metadata) of the given list files (a folder: the files in it), or of the bundled
    corpus when none are given.
    ``authority`` names the implementing authority of the given files, instead of their title or
    单位 line (rows with a 实施主体 cell of their own keep it); ``date`` (ISO) the day they were
    made, instead of a date they state: citations point at the law versions in force then."""
    if not paths:
        pairs = bundled_lists()
    else:
        files = []
        for path in map(Path, paths):  # a folder stands for the files in it, in name order
            files.extend(sorted(f for f in path.iterdir() if f.is_file() and not f.name.startswith("."))
                         if path.is_dir() else [path])
        metas = unique_metas(files)
        if authority:
            metas = [replace(meta, authority=authority) for meta in metas]
        pairs = list(zip(files, metas))
    if date:
        pairs = [(file, replace(meta, date=date)) for file, meta in pairs]
    return pairs
