"""Rebuilds read only the lists that changed (build_graph/list_cache.py, list_store.py): same
bytes as a build from scratch, an edited list read again, a damaged cache rebuilt, stale entries
pruned."""
from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from build_graph.corpus import bundled_lists
from build_graph.list_cache import cache_folder
from build_graph.list_store import ListStore
from conftest import copy_bundled_lists


def build(files, out, *extra):
    result = subprocess.run([sys.executable, "-m", "build_graph.cli", "build", *map(str, files), "-o", str(out), *extra],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stderr


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return copy_bundled_lists(tmp_path_factory.mktemp("lists"))


def test_an_unchanged_corpus_is_taken_from_the_cache_with_the_same_bytes(corpus, tmp_path):
    out = tmp_path / "out"
    assert "0 of 2 list(s) unchanged" in build(corpus, out)
    first = (out / "graph.nq").read_bytes()
    log = build(corpus, out)
    assert "2 of 2 list(s) unchanged" in log and "the working database kept in .out.cache/ holds these lists already" in log
    assert (out / "graph.nq").read_bytes() == first
    assert len(list(cache_folder(out).glob("*.nq"))) == 2


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
    assert "patched 1 list(s) into the working database" in log  # the earlier build's, kept in the cache
    fresh = tmp_path / "fresh"
    assert "unchanged" not in build(files, fresh, "--no-cache")
    for name in ("graph.nq", "records.json", "citations.json", "validation.csv", "summary.json"):
        assert (out / name).read_bytes() == (fresh / name).read_bytes(), name
    assert len(list(cache_folder(out).glob("*.nq"))) == 2  # the entry of the old version is pruned
    assert ListStore(cache_folder(out)).sql.execute("SELECT COUNT(*) FROM entries").fetchone() == (2,)


def test_a_damaged_cache_database_is_rebuilt_not_trusted(corpus, tmp_path):
    out = tmp_path / "out"
    build(corpus, out)
    first = {name: (out / name).read_bytes() for name in ("graph.nq", "records.json", "findings.csv")}
    database = cache_folder(out) / "lists.sqlite"
    database.write_bytes(b"not a database" + database.read_bytes()[100:])
    assert "0 of 2 list(s) unchanged" in build(corpus, out)
    assert {name: (out / name).read_bytes() for name in first} == first


def test_the_list_store_fills_the_site_database_as_adding_list_by_list_does(tmp_path):
    from build_graph.site_db import SiteDB
    from build_graph.stream import build_list

    outputs = [build_list(file, meta, None) for file, meta in bundled_lists()]
    outputs.append(outputs[0])  # one list twice: its nodes are there already, its edges' texts replaced
    by_hand = SiteDB()
    for output in outputs:
        by_hand.add_quotes(output.quotes)
        by_hand.add(output.fragment)
        by_hand.add_list(output.power_list, output.counts["citations"])
    store = ListStore(tmp_path / "store")
    for number, output in enumerate(outputs[:2]):
        store.add(f"key{number}", output)
    filled = SiteDB()
    store.fill(filled, ["key0", "key1", "key0"])
    # the same rows in the same order; filled rows are numbered by list (position, order in it)
    for table, order in (("nodes", "rowid"), ("edges", "power, basis"), ("lists", "rowid"), ("findings", "rowid"),
                         ("items", "rowid"), ("quotes", "rowid")):
        columns = [row[1] for row in filled.sql.execute(f"PRAGMA table_info({table})") if row[1] != "seq"]
        query = f"SELECT {', '.join(columns)} FROM {table} ORDER BY {order}"
        rows = list(filled.sql.execute(query))
        assert rows and rows == list(by_hand.sql.execute(query)), table


def test_a_screenshot_is_taken_again_only_when_its_page_changed(tmp_path):
    from build_graph import build as build_module

    taken = []

    def fake_screenshot(page, png):
        taken.append(page.read_text())
        png.write_bytes(b"PNG of " + page.read_bytes())
        return True

    page, png, cache = tmp_path / "overview.html", tmp_path / "overview.png", tmp_path / "shots"
    page.write_text("<p>one</p>")
    assert build_module._screenshot(page, png, cache, fake_screenshot) and taken == ["<p>one</p>"]
    png.unlink()
    assert build_module._screenshot(page, png, cache, fake_screenshot) and len(taken) == 1
    assert png.read_bytes() == b"PNG of <p>one</p>"
    page.write_text("<p>two</p>")
    assert build_module._screenshot(page, png, cache, fake_screenshot) and len(taken) == 2
    assert png.read_bytes() == b"PNG of <p>two</p>"


def test_a_cut_graph_file_in_the_cache_is_not_trusted(corpus, tmp_path):
    out = tmp_path / "out"
    build(corpus, out)
    first = (out / "graph.nq").read_bytes()
    graph_file = sorted(cache_folder(out).glob("*.nq"))[0]
    graph_file.write_bytes(graph_file.read_bytes()[:-50])
    assert "1 of 2 list(s) unchanged" in build(corpus, out)
    assert (out / "graph.nq").read_bytes() == first


@pytest.mark.parametrize("power_pages", [True, False])
def test_a_rebuild_takes_the_views_and_pages_an_edit_does_not_reach_from_the_previous_build(tmp_path, monkeypatch,
                                                                                          power_pages):
    """Units (build_graph/reuse.py, alignments.py) whose lists did not change are linked from the
    previous build; the output is byte for byte a fresh build's."""
    from build_graph import alignments, views
    from build_graph.readers import ListMeta
    from build_graph.reuse import MANIFEST
    from build_graph.stream import stream_build

    splice_sorted = alignments.splice_sorted
    monkeypatch.setattr(views, "POWER_PAGES_MAX", 3000 if power_pages else 10)
    # the alignment graph spliced from the previous build's file however much of it changed
    monkeypatch.setattr(alignments, "SPLICE_MAX_SHARE", 2.0)
    spliced = []
    monkeypatch.setattr(alignments, "splice_sorted", lambda *args: spliced.append(args[2:4]) or splice_sorted(*args))
    jobs = []
    for counties in (("甲县", "乙县"), ("丙县", "丁县")):
        for county, (file, meta) in zip(counties, bundled_lists()):
            copy = tmp_path / f"{county}-{file.name}"
            shutil.copy(file, copy)
            jobs.append((copy, ListMeta(f"{meta.list_id}-{len(jobs)}", county + "医疗保障局", "", copy.name, meta.date)))
    out, lines = tmp_path / "out", []
    stream_build(jobs, None, out, lines.append, workers=1)
    assert (out / MANIFEST).is_file() and not any("from the previous build" in line for line in lines)
    lines.clear()
    stream_build(jobs, None, out, lines.append, workers=1)
    made = next(line for line in lines if "graph views" in line)
    units = len(list((out / "views").glob("authority-*.html"))) * 2 + len(list((out / "pages").glob("article-*")))
    assert units > 8 and made.endswith(f"({units + 2 * len(list((out / 'pages').glob('instrument-*')))} unchanged: "
                                       "from the previous build)")
    edited = jobs[3][0]
    # an edit of every item naming 医疗保险: the alignment scores of its powers change
    edited.write_text(edited.read_text(encoding="utf-8").replace("医疗保险", "医疗保障"), encoding="utf-8")
    lines.clear()
    stream_build(jobs, None, out, lines.append, workers=1)
    taken = int(next(line for line in lines if "graph views" in line).rsplit("(", 1)[1].split()[0])
    assert "  patched 1 list(s) into the working database (kept in .out.cache/)" in lines
    assert "  ontology documentation ontology/index.html unchanged: from the previous build" in lines
    assert 0 < taken < units
    # the pingshan copies keep their rows' own 实施主体 and so share their powers: the second holds none
    # first, and pairs with it are left out; of (甲, 乙), (甲, 丁), (乙, 丁) the edit of 丁 leaves one
    assert any(line.endswith("aligned 3 pairs of lists (1 unchanged: from the previous build)") for line in lines), lines
    assert len(spliced) == 2 and spliced[0] == ([], []) and all(spliced[1]), spliced  # unchanged, then lines out and in
    assert any((out / "views").glob("power-*")) == power_pages
    copied = next(line for line in lines if "copied from the previous build" in line)
    assert int(copied.split()[0]) >= 3 * 4  # of 4 lists: records, citations and validation.csv of 3 at least
    fresh = tmp_path / "fresh"
    stream_build(jobs, None, fresh, workers=1, cache=False)
    for file in sorted(p for p in fresh.rglob("*") if p.is_file() and "store" not in p.relative_to(fresh).parts
                       and p.suffix != ".png"):
        assert file.read_bytes() == (out / file.relative_to(fresh)).read_bytes(), file


def test_a_files_digest_is_kept_by_its_size_times_and_inode(tmp_path, monkeypatch):
    import hashlib
    from pathlib import Path

    from build_graph import list_store

    store, file = ListStore(tmp_path / "store"), tmp_path / "甲县.txt"
    file.write_text("对用人单位的处罚", encoding="utf-8")
    monkeypatch.setattr(list_store, "RACY_NS", 0)  # the file was written just now: trust its times anyway
    first = store.file_digest(file)
    assert first == hashlib.sha256(file.read_bytes()).hexdigest()
    read_bytes = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail(f"{self} read again"))
    assert store.file_digest(file) == first  # unchanged: not read
    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    file.write_text("对用人单位的处分", encoding="utf-8")  # the same length: its times tell
    assert store.file_digest(file) == hashlib.sha256(file.read_bytes()).hexdigest() != first
    monkeypatch.setattr(list_store, "RACY_NS", 10 ** 12)  # changed within the racy window: not kept
    file.write_text("对用人单位的处理", encoding="utf-8")
    assert store.file_digest(file) == hashlib.sha256("对用人单位的处理".encode()).hexdigest()
    assert store.sql.execute("SELECT digest FROM file_digests").fetchone()[0] != store.file_digest(file)
    store.prune(set(), [])
    assert store.sql.execute("SELECT COUNT(*) FROM file_digests").fetchone()[0] == 0


def test_validation_results_are_kept_by_group_in_the_cache_and_a_damaged_store_of_them_is_remade(corpus, tmp_path):
    """build_graph/site_db.py store_group_results: each group's results under its content key,
    added by the validating workers only when absent, pruned to the groups a build used; a file
    that cannot be read is started afresh, and the reports are a fresh build's either way."""
    import sqlite3

    from build_graph.site_db import GroupSummary, store_group_results
    from build_graph.stream import VALIDATION_RESULTS

    files = [tmp_path / f.name for f in corpus]
    for source, copy in zip(corpus, files):
        shutil.copy(source, copy)
    out = tmp_path / "out"
    build(files, out)
    kept = cache_folder(out) / VALIDATION_RESULTS

    def groups():
        with sqlite3.connect(kept) as sql:
            return {key: count for key, count in sql.execute(
                "SELECT g.key, COUNT(r.pos) FROM groups AS g LEFT JOIN results AS r USING (key) GROUP BY g.key")}

    first = groups()
    assert len(first) == 3 and sum(first.values()) > 0  # the two authorities and the alignment
    report = (out / "validation.csv").read_bytes()
    key, count = max(first.items(), key=lambda item: item[1])
    with sqlite3.connect(kept) as sql:
        stored = [row for row in sql.execute("SELECT * FROM results WHERE key = ? ORDER BY pos", (key,))]
    store_group_results(str(kept), [(key, [], GroupSummary({}, False, frozenset()))])  # present: nothing added, nothing lost
    assert groups() == first
    files[0].write_text(files[0].read_text(encoding="utf-8").replace("医疗保险", "医疗保障", 1), encoding="utf-8")
    build(files, out)
    second = groups()
    assert len(second) == 3 and len(set(second) - set(first)) == 1  # the edited list's group, the old one pruned
    with sqlite3.connect(kept) as sql:  # each group found by its quick key (the graph files' digests)
        assert sorted(key for (key,) in sql.execute("SELECT key FROM quick")) == sorted(second)
    # kept once: a group's results in the database alone, the folder holds the shared graphs' (full and quick key)
    assert len(list((cache_folder(out) / "validation").glob("*"))) == 2
    fresh = tmp_path / "fresh"
    build(files, fresh, "--no-cache")
    assert (out / "validation.csv").read_bytes() == (fresh / "validation.csv").read_bytes()
    kept.write_bytes(b"not a database" * 100)
    build(files, out)
    assert groups() == second and (out / "validation.csv").read_bytes() == (fresh / "validation.csv").read_bytes()
    assert report and stored and count == len(stored)
