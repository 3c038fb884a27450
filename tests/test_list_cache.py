"""Rebuilds read only the lists that changed (build_graph/list_cache.py): same bytes as a build
from scratch, an edited list read again, a damaged cache entry rebuilt, stale entries pruned."""
from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from build_graph.corpus import bundled_lists
from build_graph.list_cache import cache_folder


def build(files, out, *extra):
    result = subprocess.run([sys.executable, "-m", "build_graph.cli", "build", *map(str, files), "-o", str(out), *extra],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stderr


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lists")
    files = []
    for file, meta in bundled_lists():
        files.append(folder / f"{meta.list_id}{file.suffix}")
        shutil.copy(file, files[-1])
    return files


def test_an_unchanged_corpus_is_taken_from_the_cache_with_the_same_bytes(corpus, tmp_path):
    out = tmp_path / "out"
    assert "0 of 2 list(s) unchanged" in build(corpus, out)
    first = (out / "graph.nq").read_bytes()
    assert "2 of 2 list(s) unchanged" in build(corpus, out)
    assert (out / "graph.nq").read_bytes() == first
    assert len(list(cache_folder(out).glob("*.pickle.z"))) == 2


def test_an_edited_list_is_read_again_and_the_output_equals_a_fresh_build(corpus, tmp_path):
    files = [tmp_path / f.name for f in corpus]
    for source, copy in zip(corpus, files):
        shutil.copy(source, copy)
    out = tmp_path / "out"
    build(files, out)
    text = files[0].read_text(encoding="utf-8")
    files[0].write_text(text.replace("医疗保险", "医疗保障", 1), encoding="utf-8")
    log = build(files, out)
    assert "1 of 2 list(s) unchanged" in log and f"{files[0].stem}" in log
    fresh = tmp_path / "fresh"
    assert "unchanged" not in build(files, fresh, "--no-cache")
    for name in ("graph.nq", "records.json", "citations.json", "validation.csv", "summary.json"):
        assert (out / name).read_bytes() == (fresh / name).read_bytes(), name
    assert len(list(cache_folder(out).glob("*.pickle.z"))) == 2  # the entry of the old version is pruned


def test_a_damaged_entry_is_rebuilt_not_trusted(corpus, tmp_path):
    out = tmp_path / "out"
    build(corpus, out)
    first = (out / "graph.nq").read_bytes()
    entry = sorted(cache_folder(out).glob("*.pickle.z"))[0]
    entry.write_bytes(entry.read_bytes()[:100])
    assert "1 of 2 list(s) unchanged" in build(corpus, out)
    assert (out / "graph.nq").read_bytes() == first


def test_a_screenshot_is_taken_again_only_when_its_page_changed(tmp_path, monkeypatch):
    from build_graph import build as build_module

    taken = []

    def fake_screenshot(page, png, profile):
        taken.append(page.read_text())
        png.write_bytes(b"PNG of " + page.read_bytes())
        return True

    monkeypatch.setattr(build_module, "screenshot", fake_screenshot)
    page, png, cache = tmp_path / "overview.html", tmp_path / "overview.png", tmp_path / "shots"
    page.write_text("<p>one</p>")
    assert build_module._screenshot(page, png, tmp_path, cache) and taken == ["<p>one</p>"]
    png.unlink()
    assert build_module._screenshot(page, png, tmp_path, cache) and len(taken) == 1
    assert png.read_bytes() == b"PNG of <p>one</p>"
    page.write_text("<p>two</p>")
    assert build_module._screenshot(page, png, tmp_path, cache) and len(taken) == 2
    assert png.read_bytes() == b"PNG of <p>two</p>"


def test_a_cut_graph_file_in_the_cache_is_not_trusted(corpus, tmp_path):
    out = tmp_path / "out"
    build(corpus, out)
    first = (out / "graph.nq").read_bytes()
    graph_file = sorted(cache_folder(out).glob("*.nq"))[0]
    graph_file.write_bytes(graph_file.read_bytes()[:-50])
    assert "1 of 2 list(s) unchanged" in build(corpus, out)
    assert (out / "graph.nq").read_bytes() == first
