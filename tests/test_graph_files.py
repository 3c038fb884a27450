"""The build's graph on disk (build_graph/graph_files.py): one file per named graph, an index,
graph.nq their concatenation while small; a list's file linked, never copied, from the list
store; a build too large for graph.nq keeps its store, validation and commands."""
from __future__ import annotations

import copy
import hashlib
import json
import os
import shutil
import subprocess
import sys

import pytest

from build_graph import graph_files, iris
from build_graph.build import build_graph, write_outputs
from build_graph.graph_files import FOLDER, INDEX, graph_file
from build_graph.list_cache import cache_folder
from conftest import copy_bundled_lists


def run(*args, check=True):
    result = subprocess.run([sys.executable, "-m", "build_graph.cli", *map(str, args)], capture_output=True, text=True)
    if check:
        assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def lists(tmp_path_factory):
    return copy_bundled_lists(tmp_path_factory.mktemp("lists"))


def index_of(out):
    return json.loads((out / INDEX).read_text(encoding="utf-8"))


def test_graph_files_hold_the_graph_and_graph_nq_is_their_concatenation(lists, tmp_path):
    out = tmp_path / "out"
    run("build", *lists, "-o", out)
    index = index_of(out)
    assert list(index) == sorted(index)
    assert {iris.list_graph(f.stem) for f in lists} | {iris.registry_graph(), iris.ontology_graph()} <= set(index)
    concatenation = b""
    for graph, entry in index.items():
        data = (out / entry["file"]).read_bytes()
        assert entry["file"] == graph_file(graph) and entry["file"].startswith(FOLDER + "/")
        assert (len(data), data.count(b"\n"), hashlib.sha256(data).hexdigest()) == \
            (entry["length"], entry["quads"], entry["sha256"])
        assert {line.rsplit(b" ", 2)[-2] for line in data.splitlines()} == {f"<{graph}>".encode()}
        concatenation += data
    assert (out / "graph.nq").read_bytes() == concatenation
    assert sorted((out / FOLDER).rglob("*.nq")) == sorted(out / e["file"] for e in index.values())  # nothing else


def test_a_lists_graph_file_is_linked_from_the_list_store_and_kept_across_rebuilds(lists, tmp_path):
    files = [tmp_path / f.name for f in lists]
    for source, target in zip(lists, files):
        shutil.copy(source, target)
    out = tmp_path / "out"
    run("build", *files, "-o", out)
    index = index_of(out)
    inodes = {f.stem: os.stat(out / index[iris.list_graph(f.stem)]["file"]).st_ino for f in files}
    store_files = {os.stat(p).st_ino for p in cache_folder(out).glob("*.nq")}
    assert set(inodes.values()) <= store_files  # the same file, not a copy
    files[0].write_text(files[0].read_text(encoding="utf-8").replace("医疗保险", "医疗保障", 1), encoding="utf-8")
    run("build", *files, "-o", out)
    index = index_of(out)
    after = {f.stem: os.stat(out / index[iris.list_graph(f.stem)]["file"]).st_ino for f in files}
    assert after[files[1].stem] == inodes[files[1].stem]   # unchanged: the same file still
    assert after[files[0].stem] != inodes[files[0].stem]   # edited: made anew
    assert os.stat(out / index[iris.list_graph(files[0].stem)]["file"]).st_mode & 0o777 == 0o666 & ~_umask()
    fresh = tmp_path / "fresh"
    run("build", *files, "-o", fresh, "--no-cache")
    for entry in index.values():
        assert (out / entry["file"]).read_bytes() == (fresh / entry["file"]).read_bytes()
    assert index_of(fresh) == index


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_a_build_too_large_for_graph_nq_has_its_graph_store_and_validation(seed_lists, tmp_path, monkeypatch):
    small, large = tmp_path / "small", tmp_path / "large"
    write_outputs(build_graph(copy.deepcopy(list(seed_lists.values()))), small)
    monkeypatch.setattr(graph_files, "NQUADS_MAX_QUADS", 100)
    monkeypatch.setattr(graph_files, "TURTLE_MAX_QUADS", 100)
    write_outputs(build_graph(copy.deepcopy(list(seed_lists.values()))), large)
    assert not (large / "graph.nq").exists() and not (large / "graph.ttl").exists()
    assert index_of(large) == index_of(small)
    for name in ("validation.csv", "validation.txt", "records.json", "summary.json"):
        assert (large / name).read_bytes() == (small / name).read_bytes(), name
    assert 'href="graph/"' in (large / "index.html").read_text(encoding="utf-8")
    assert 'href="graph.nq"' in (small / "index.html").read_text(encoding="utf-8")
    # `powerkg validate` of such a build runs on its store, and says so when asked for pyshacl
    on_store, on_file = run("validate", "-o", large, check=False), run("validate", "-o", small, check=False)
    assert on_store.returncode == on_file.returncode == 1 and on_store.stdout == on_file.stdout
    refused = run("validate", "-o", large, "--engine", "pyshacl", check=False)
    assert refused.returncode == 2 and "has no graph.nq" in refused.stderr


def test_graph_file_names_are_safe_and_distinct(tmp_path):
    base = "https://w3id.org/powerkg/graph/"
    names = {graph_file(base + tail) for tail in ("list/平山县", "list/元氏县", "list/a b", "registry", "cross-list")}
    assert len(names) == 5
    assert all(name.isascii() and " " not in name for name in names)
    with pytest.raises(ValueError, match="share the file"):
        graph_files.write_graph_files(tmp_path, {base + "list/x": b"a\n", "http://other/graph/list/x": b"b\n"})



def test_sorted_nquads_orders_by_graph_iri_then_by_the_quads_text(lists):
    """Graph files hold their quads sorted by graph IRI, then by text, duplicates once. Checked
    against that definition on a list's real graph plus quads in two graphs whose IRIs sort
    differently with their angle brackets (…/g-b before …/g> as text, after …/g as IRIs) and a
    literal holding spaces."""
    import pyoxigraph as ox

    from build_graph.build import build_graph
    from build_graph.corpus import load_lists

    built = build_graph(load_lists([lists[0]]))
    quads = [q for q in built.quads][:3000]
    extra = []
    for graph in ("https://example.org/g", "https://example.org/g-b"):
        for text in ("a b  c", "<z> \"q\"", "第八十四条 用人单位"):
            extra.append(ox.Quad(ox.NamedNode("https://example.org/s"), ox.NamedNode("https://example.org/p"),
                                 ox.Literal(text), ox.NamedNode(graph)))
    mixed = list(reversed(quads)) + extra + extra[:2] + quads[:50]
    expected = sorted(set(mixed), key=lambda q: (q.graph_name.value, str(q)))
    written = graph_files.sorted_nquads(mixed)
    assert written == ox.serialize(expected, format=ox.RdfFormat.N_QUADS)
    assert written.index(b"<https://example.org/g> .") < written.index(b"<https://example.org/g-b> .")
    assert graph_files.sorted_nquads([]) == b""
