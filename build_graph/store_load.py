"""The persisted store of a build: loaded from its graph files (:mod:`graph_files`), or patched
from the previous build's store when few graphs changed.

The graph index says which graphs changed without reading the rest. A patch
starts from a backup of the previous store (RocksDB checkpoint: hard links, no copy, the
previous build untouched), removes the lines that left each changed graph and adds the ones that
came (a graph with blank nodes is replaced whole: a store names them afresh on loading) — the
same quads a fresh load gives, up to blank node names (tested). Past :data:`PATCH_MAX_SHARE` of the bytes
changed, or without a usable previous build, the store is loaded afresh.
"""
from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from .graph_files import read_graph, read_index

LOAD_CHUNK_BYTES = 50 * 2**20  # of N-Quads per bulk_load call
PATCH_MAX_SHARE = 0.25         # of the graph's bytes changed; more: a fresh load is faster


def load_store(out: Path, previous: Path | None = None) -> str:
    """``out/store`` with exactly the quads of the build's graph files; patched from ``previous`` (a
    complete earlier build) when that is possible and cheaper. Returns what was done, for the
    progress line."""
    plan = _patch_plan(out, previous) if previous is not None else None
    if plan is None:
        _load(out)
        return "from the graph files"
    changed, removed, old_index, new_index = plan
    ox.Store.read_only(str(previous / "store")).backup(str(out / "store"))
    store = ox.Store(str(out / "store"))
    for graph in removed:
        store.remove_graph(ox.NamedNode(graph))
    for graph in changed:
        old = set(read_graph(previous, old_index.get(graph)).splitlines(keepends=True))
        new = set(read_graph(out, new_index[graph]).splitlines(keepends=True))
        if any(b"_:" in line for line in old | new):
            # a store names blank nodes afresh on loading: its lines cannot be found by their labels
            store.remove_graph(ox.NamedNode(graph))
            old = set()
        for quad in ox.parse(b"".join(sorted(old - new)), format=ox.RdfFormat.N_QUADS):
            store.remove(quad)
        if new - old:
            store.extend(ox.parse(b"".join(sorted(new - old)), format=ox.RdfFormat.N_QUADS))
    store.flush()
    return f"patched from the previous build ({len(changed)} graph(s) changed, {len(removed)} removed)"


def _patch_plan(out: Path, previous: Path) -> tuple[list[str], list[str], dict, dict] | None:
    """(changed or new graphs, removed graphs, the previous and the new index) when patching
    ``previous``'s store is the way."""
    old_index, new_index = read_index(previous), read_index(out)
    if old_index is None or new_index is None or not (previous / "store").is_dir() \
            or any("file" not in entry for entry in old_index.values()):  # a build of before the graph files
        return None
    changed = sorted(g for g, entry in new_index.items() if old_index.get(g, {}).get("sha256") != entry["sha256"])
    removed = sorted(old_index.keys() - new_index.keys())
    total = sum(entry["length"] for entry in new_index.values())
    moved = sum(new_index[g]["length"] for g in changed) + sum(old_index[g]["length"] for g in removed)
    return (changed, removed, old_index, new_index) if moved <= PATCH_MAX_SHARE * total else None


def _load(out: Path) -> None:
    """The store from the graph files, in index order, about ``LOAD_CHUNK_BYTES`` (cut at a line
    end) per ``bulk_load``: one call over the whole graph holds memory growing with it (1.8 GB
    at 11.5 M quads, 1.0 GB at 1.15 M); in chunks it stays near 300 MB, for ≈ 1.4× the time (measured at 11.5 M quads). Then
    the store is compacted: at 11.5 M quads 33 s (beside validation) that make the library's
    queries 3–4× faster."""
    store = ox.Store(str(out / "store"))
    for chunk in _chunks(out):
        store.bulk_load(chunk, format=ox.RdfFormat.N_QUADS)
    store.flush()
    store.optimize()  # each chunk left files of its own that every lookup searched


def _chunks(out: Path):
    """The build's N-Quads in index order, in pieces of about ``LOAD_CHUNK_BYTES``, whole lines."""
    index = read_index(out)
    if index is None:
        raise ValueError(f"{out}: no graph index; the store cannot be loaded")
    pending: list[bytes] = []
    size = 0
    for graph in sorted(index):
        with (out / index[graph]["file"]).open("rb") as source:
            while block := source.read(LOAD_CHUNK_BYTES):
                block += source.readline()
                pending.append(block)
                size += len(block)
                if size >= LOAD_CHUNK_BYTES:
                    yield b"".join(pending)
                    pending, size = [], 0
    if pending:
        yield b"".join(pending)
