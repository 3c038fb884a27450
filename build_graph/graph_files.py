"""A build's graph on disk: one N-Quads file per named graph under ``graph/``, with an index.

``graph/list/<list>.nq`` holds a list's graph, ``graph/alignment.nq``, ``graph/cross-list.nq``,
``graph/registry.nq`` and ``graph/ontology.nq`` the others; each file is its graph's distinct
quads, sorted (:func:`sorted_nquads`). :data:`INDEX` (``.graph-index.json``) names each
graph's file with its length in bytes, quads and SHA-256, in graph-IRI order: the next build
knows from it which graphs changed without reading the rest.

A file is written once and never changed, so an unchanged graph costs no copy: a list's file is
a hard link to its entry in the list store (written by the list's worker), any other graph the
previous build holds with the same SHA-256 a link to that build's file (copied where links
cannot be made). ``graph.nq`` — every
file in index order, the sorted N-Quads of the whole build — is written too while the build has
at most :data:`NQUADS_MAX_QUADS` quads; beyond, it would be gigabytes rewritten on each rebuild
(2.8 GB at 100k powers, ≈ 8 s on this machine) and ``graph/`` alone holds the graph.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pyoxigraph as ox

from .iris import file_slug

FOLDER = "graph"
INDEX = ".graph-index.json"     # beside the folder, in the build
NQUADS_MAX_QUADS = 2_000_000    # graph.nq (the concatenation) only up to this many quads
TURTLE_MAX_QUADS = 300_000      # graph.ttl (one sorted Turtle of every triple, built in memory) only up to this


def sorted_nquads(quads) -> bytes:
    """Distinct quads (each in a named graph) as N-Quads, sorted by graph IRI, then by the quad's
    text (the order of every graph.nq). Sorted as serialized lines: a line is a quad's text and
    its graph IRI is the line's last term but the final dot (an IRI holds no space)."""
    text = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    lines = sorted(set(text.splitlines(keepends=True)), key=lambda line: (line.rsplit(b" ", 2)[1][1:-1], line))
    return b"".join(lines)


def by_graph(quads: list[ox.Quad]) -> dict[str, list[ox.Quad]]:
    """Distinct quads grouped by graph IRI."""
    groups: dict[str, set[ox.Quad]] = {}
    for quad in quads:
        groups.setdefault(quad.graph_name.value, set()).add(quad)
    return {graph: list(members) for graph, members in groups.items()}


def graph_entry(data: bytes) -> dict:
    """The index entry of one graph's N-Quads (but for its file)."""
    return {"length": len(data), "quads": data.count(b"\n"), "sha256": hashlib.sha256(data).hexdigest()}


def graph_file(graph: str) -> str:
    """The file of graph IRI ``graph``, relative to the build: ``graph/`` and the IRI's part after
    ``/graph/`` (its first segment a folder, the rest made safe for a file name)."""
    tail = graph.rsplit("/graph/", 1)[-1]
    head, _, rest = tail.partition("/")
    parts = [file_slug(head)] + ([file_slug(rest)] if rest else [])
    return "/".join([FOLDER, *parts]) + ".nq"


def write_graph(out: Path, graphs: dict[str, bytes | tuple[Path, dict]], previous: Path | None = None,
                progress=lambda message: None, turtle: bool = True) -> dict[str, dict]:
    """The graph files and index (:func:`write_graph_files`), then ``graph.nq`` and (unless not
    ``turtle``: the caller makes it, :func:`write_turtle`) ``graph.ttl`` while the graph is small
    enough; returns the index."""
    index = write_graph_files(out, graphs, previous)
    total = sum(entry["quads"] for entry in index.values())
    if total <= NQUADS_MAX_QUADS:
        write_concatenation(out, index, out / "graph.nq")
    progress(f"  wrote the graph files {FOLDER}/ ({total} quads in {len(index)} graphs)"
             + (" and graph.nq" if total <= NQUADS_MAX_QUADS else f"; graph.nq not written: over {NQUADS_MAX_QUADS} quads"))
    if turtle and not write_turtle(out, total):
        progress(turtle_not_written(total))
    return index


def write_turtle(out: Path, total: int) -> bool:
    """``graph.ttl`` from ``graph.nq`` in ``out`` when the graph (``total`` quads) has at most
    TURTLE_MAX_QUADS; whether it was written."""
    if total > TURTLE_MAX_QUADS:
        return False
    _write_turtle(out / "graph.nq", out / "graph.ttl")
    return True


def turtle_not_written(total: int) -> str:
    return f"  graph.ttl not written: {total} quads is over {TURTLE_MAX_QUADS} ({FOLDER}/ has them all)"


def _write_turtle(nquads: Path, turtle: Path) -> None:
    """The union of the graphs in ``nquads`` (canonical N-Quads, a quad a line, every quad in a
    named graph) as Turtle, its triples in the order of their N-Triples text. A line less its
    graph term is its triple's N-Triples line (the graph is an IRI: no space in it), so the
    triples are deduplicated and sorted as text, then parsed once."""
    from .build import PREFIXES

    with nquads.open("rb") as lines:
        triples = sorted({line.rstrip(b"\n").rsplit(b" ", 2)[0] for line in lines})
    parsed = ox.parse(b" .\n".join(triples) + b" .\n" if triples else b"", format=ox.RdfFormat.N_TRIPLES)
    turtle.write_bytes(ox.serialize(parsed, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES))


def write_graph_files(out: Path, graphs: dict[str, bytes | tuple[Path, dict]], previous: Path | None = None) -> dict[str, dict]:
    """Every graph of ``graphs`` (IRI → its sorted N-Quads, or a file holding them with its
    :func:`graph_entry`) into ``out/graph/``, and the index; returns the index. A graph without
    quads gets no file. ``previous``: the previous build, whose files of unchanged graphs are
    linked rather than written."""
    old = read_index(previous) if previous is not None else None
    index: dict[str, dict] = {}
    owners: dict[str, str] = {}
    for graph in sorted(graphs):
        data = graphs[graph]
        entry = data[1] if isinstance(data, tuple) else graph_entry(data)
        if not entry["length"]:
            continue
        file = graph_file(graph)
        if file in owners:
            raise ValueError(f"graphs {owners[file]} and {graph} would share the file {file}")
        owners[file] = graph
        target = out / file
        target.parent.mkdir(parents=True, exist_ok=True)
        before = (old or {}).get(graph)
        if isinstance(data, tuple):  # the file it was written to (checked against its entry when kept)
            _link(data[0], target)
        elif before is not None and before["sha256"] == entry["sha256"] and "file" in before \
                and size_of(previous / before["file"]) == entry["length"]:
            _link(previous / before["file"], target)
        else:
            target.write_bytes(data)
        index[graph] = {**entry, "file": file}
    (out / INDEX).write_text(json.dumps(index, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    return index


def size_of(path: Path) -> int | None:
    """The file's size in bytes; None when it cannot be read."""
    try:
        return path.stat().st_size
    except OSError:
        return None


def _link(source: Path, target: Path) -> None:
    """``target`` as a hard link to ``source`` (never changed after it is written), else a copy."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def read_index(folder: Path) -> dict[str, dict] | None:
    """The graph index of a build, or None (absent or unreadable)."""
    try:
        return json.loads((folder / INDEX).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def ranges_of(folder: Path, index: dict[str, dict]) -> dict[str, tuple[str, int, int]]:
    """Each graph's (file, offset, length) for the readers of byte ranges (``validate_by_list``)."""
    return {graph: (str(folder / entry["file"]), 0, entry["length"]) for graph, entry in index.items()}


def write_concatenation(folder: Path, index: dict[str, dict], path: Path) -> None:
    """``path``: every graph file of the build in ``folder``, in index order (graph IRI)."""
    from .splice import copy_bytes

    with path.open("wb") as target:
        for graph in sorted(index):
            with (folder / index[graph]["file"]).open("rb") as source:
                copy_bytes(source, target, 0, index[graph]["length"])
                target.seek(0, os.SEEK_END)


def read_graph(folder: Path, entry: dict | None) -> bytes:
    """A graph's N-Quads (b"" for no entry)."""
    return (folder / entry["file"]).read_bytes() if entry is not None else b""
