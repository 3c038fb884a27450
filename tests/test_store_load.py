"""The store of a rebuild is patched from the previous build's store (build_graph/store_load.py)
and holds exactly the quads a fresh load of its graph.nq gives."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from build_graph import store_load

sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
from corpus import make_corpus  # noqa: E402


def build(files, out, *extra) -> str:
    result = subprocess.run([sys.executable, "-m", "build_graph.cli", "build", *map(str, files), "-o", str(out), *extra],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stderr


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
    shutil.copy(out / "graph.nq", tmp_path / "graph.nq")
    store_load._load(tmp_path)
    assert quads(out / "store") == quads(tmp_path / "store")
    assert quads(first / "store") != quads(out / "store")  # the edit is in the graph, and the first build untouched
    shutil.copy(first / "graph.nq", tmp_path / "first.nq")
    fresh_first = ox.Store()
    fresh_first.bulk_load(path=str(tmp_path / "first.nq"), format=ox.RdfFormat.N_QUADS)
    assert quads(first / "store") == canonical(fresh_first)


def test_the_patch_removes_graphs_and_lines_that_left(rebuilt, tmp_path, monkeypatch):
    """Patched the other way round (the rebuild back to the first build): what the edit added goes."""
    first, out, _ = rebuilt
    target = tmp_path / "back"
    target.mkdir()
    for name in ("graph.nq", store_load.INDEX):
        shutil.copy(first / name, target / name)
    monkeypatch.setattr(store_load, "PATCH_MAX_SHARE", 1.0)
    assert "patched" in store_load.load_store(target, out)
    assert quads(target / "store") == quads(first / "store")


def test_without_an_index_or_with_much_changed_the_store_is_loaded_afresh(rebuilt, tmp_path, monkeypatch):
    first, out, _ = rebuilt
    for case, share in (("no-index", 1.0), ("too-much", 0.0)):
        target = tmp_path / case
        target.mkdir()
        shutil.copy(out / "graph.nq", target / "graph.nq")
        if case != "no-index":
            shutil.copy(out / store_load.INDEX, target / store_load.INDEX)
        monkeypatch.setattr(store_load, "PATCH_MAX_SHARE", share)
        assert store_load.load_store(target, first) == "from graph.nq"
        assert quads(target / "store") == quads(out / "store")


def test_no_cache_loads_afresh(rebuilt, tmp_path):
    first, out, _ = rebuilt
    files = sorted((out.parent / "lists").glob("*.txt"))
    assert "loaded the store store/ (from graph.nq)" in build(files, out, "--no-cache")
