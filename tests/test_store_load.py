"""The store of a rebuild is patched from the previous build's store (build_graph/store_load.py)
and holds exactly the quads a fresh load of its graph files gives."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from build_graph import store_load
from build_graph.graph_files import FOLDER, INDEX

sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
from corpus import make_corpus  # noqa: E402


def build(files, out, *extra) -> str:
    result = subprocess.run([sys.executable, "-m", "build_graph.cli", "build", *map(str, files), "-o", str(out), *extra],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stderr


def copy_graph(build: Path, target: Path, index: bool = True) -> Path:
    """The graph files of ``build`` (and its graph index) copied into ``target``."""
    shutil.copytree(build / FOLDER, target / FOLDER)
    if index:
        shutil.copy(build / INDEX, target / INDEX)
    return target


def quads(store_path: Path) -> list[str]:
    """The store's quads as sorted text, blank nodes unnamed (a store names them on loading)."""
    return canonical(ox.Store.read_only(str(store_path)))


def canonical(quads) -> list[str]:
    return sorted(re.sub(r"_:\w+", "_:b", str(quad)) for quad in quads)


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory):
    """A corpus of 12 lists built, one list edited, rebuilt: (first build's copy, rebuild, log)."""
    work = tmp_path_factory.mktemp("patch")
    files = make_corpus(250, work / "lists")
    out = work / "out"
    build(files, out)
    shutil.copytree(out, work / "first")
    text = files[3].read_text(encoding="utf-8")
    files[3].write_text(text.replace("医疗保险", "医疗保障", 1), encoding="utf-8")
    return work / "first", out, build(files, out)


def test_a_rebuild_after_one_edited_list_patches_the_store_with_a_fresh_loads_quads(rebuilt, tmp_path):
    first, out, log = rebuilt
    assert "patched from the previous build" in log
    store_load._load(copy_graph(out, tmp_path))
    assert quads(out / "store") == quads(tmp_path / "store")
    assert quads(first / "store") != quads(out / "store")  # the edit is in the graph, and the first build untouched
    shutil.copy(first / "graph.nq", tmp_path / "first.nq")
    fresh_first = ox.Store()
    fresh_first.bulk_load(path=str(tmp_path / "first.nq"), format=ox.RdfFormat.N_QUADS)
    assert quads(first / "store") == canonical(fresh_first)


def test_the_patch_removes_graphs_and_lines_that_left(rebuilt, tmp_path, monkeypatch):
    """Patched the other way round (the rebuild back to the first build): what the edit added goes."""
    first, out, _ = rebuilt
    target = copy_graph(first, tmp_path / "back")
    monkeypatch.setattr(store_load, "PATCH_MAX_SHARE", 1.0)
    assert "patched" in store_load.load_store(target, out)
    assert quads(target / "store") == quads(first / "store")


def test_without_an_index_or_with_much_changed_the_store_is_loaded_afresh(rebuilt, tmp_path, monkeypatch):
    """A previous build without its graph index, or too much changed: loaded from the graph files."""
    first, out, _ = rebuilt
    no_index = copy_graph(first, tmp_path / "first-without-index", index=False)
    shutil.copytree(first / "store", no_index / "store")
    for case, previous, share in (("no-index", no_index, 1.0), ("too-much", first, 0.0)):
        target = copy_graph(out, tmp_path / case)
        monkeypatch.setattr(store_load, "PATCH_MAX_SHARE", share)
        assert store_load.load_store(target, previous) == "from the graph files"
        assert quads(target / "store") == quads(out / "store")


def test_no_cache_loads_afresh(rebuilt, tmp_path):
    first, out, _ = rebuilt
    files = sorted((out.parent / "lists").glob("*.txt"))
    assert "loaded the store store/ (from the graph files)" in build(files, out, "--no-cache")
