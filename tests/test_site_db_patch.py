"""A kept working database is patched where the lists changed (build_graph/site_db.py,
``SiteDB.fill_from``): every table then holds what filling it afresh gives, row for row and
numbered alike — nodes owned by the first list holding them, edges with the last list's text,
each power's lists, whether the lists agree on basis records — and the rows of a build as a
whole (findings of shared authorities, validation groups) are gone."""
from __future__ import annotations

import pytest

from build_graph import site_db
from build_graph.corpus import bundled_lists
from build_graph.list_store import ListStore
from build_graph.records import Finding
from build_graph.site_db import SiteDB
from build_graph.stream import build_list

TABLES = {"nodes": "seq", "edges": "power, basis", "lists": "seq", "findings": "seq", "items": "seq",
          "quotes": "seq", "power_lists": "id"}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """Keys a, b: the bundled lists; a2, b2: edited copies (a power renamed, a citation
    changed); b_odd: b with one basis node's record changed."""
    folder = tmp_path_factory.mktemp("edits")
    (a_file, a_meta), (b_file, b_meta) = bundled_lists()
    a_text, b_text = a_file.read_text(encoding="utf-8"), b_file.read_text(encoding="utf-8")
    assert "医疗保险" in a_text and "第八十四条" in b_text
    a2_file, b2_file = folder / a_file.name, folder / b_file.name
    a2_file.write_text(a_text.replace("医疗保险", "医疗保障", 1), encoding="utf-8")
    b2_file.write_text(b_text.replace("第八十四条", "第八十五条", 1), encoding="utf-8")
    kept = ListStore(folder / "store")
    for key, file, meta in (("a", a_file, a_meta), ("b", b_file, b_meta), ("a2", a2_file, a_meta),
                            ("b2", b2_file, b_meta), ("b_odd", b_file, b_meta)):
        kept.add(key, build_list(file, meta, None))
    # a basis node only b cites: a list after b_odd holding it disagrees with the record b_odd gives
    kept.sql.execute("UPDATE l_nodes SET label = label || ' (another record)' WHERE kid = (SELECT kid FROM entries "
                     "WHERE key = 'b_odd') AND ord = (SELECT MIN(ord) FROM l_nodes WHERE kind != 'power' AND kid = "
                     "(SELECT kid FROM entries WHERE key = 'b_odd') AND id NOT IN (SELECT id FROM l_nodes WHERE kid = "
                     "(SELECT kid FROM entries WHERE key = 'a')))")
    assert kept.sql.execute("SELECT changes()").fetchone() == (1,)
    kept.sql.commit()
    return kept


def rows(db: SiteDB) -> dict[str, list[tuple]]:
    return {table: list(db.sql.execute(f"SELECT * FROM {table} ORDER BY {order}")) for table, order in TABLES.items()}


def fresh(store, keys) -> SiteDB:
    db = SiteDB()
    assert store.fill(db, keys) is None
    return db


@pytest.mark.parametrize("before, after", [
    (["a", "b", "a"], ["a2", "b", "a"]),       # the first of two copies edited: its nodes move to the second
    (["a", "b", "a"], ["a", "b", "a2"]),       # the second edited: edges' texts come from the last list
    (["a", "b"], ["a", "b2"]),                 # a citation changed: an edge and a provision node replaced
    (["a", "b_odd", "b"], ["a", "b", "b"]),     # the list that disagreed on a basis record patched away
    (["a", "b", "b"], ["a", "b_odd", "b"]),     # a patched list that owns a record the next list disagrees with
    (["a", "b", "b"], ["a", "b", "b_odd"]),     # a patched list that disagrees with the record owned before it
    (["a", "b", "a", "b"], ["b2", "b", "a2", "b"]),  # two lists at once
])
def test_a_patched_database_equals_one_filled_afresh(store, tmp_path, monkeypatch, before, after):
    monkeypatch.setattr(site_db, "PATCH_MAX_SHARE", 1.0)
    path = tmp_path / "site.sqlite"
    db = SiteDB(path, tmp_path / "results.sqlite", kept=True)
    assert store.fill(db, before) is None
    db.add_findings(db.lists()[0].list_id, [Finding("warning", "x.txt", None, "shared", "a build's own finding")])
    db.add_groups(["a group of the earlier build"])
    db.keep(before)
    db.close()
    db = SiteDB(path, tmp_path / "results.sqlite", kept=True)
    assert store.fill(db, after) == sum(1 for old, new in zip(before, after) if old != new)
    expected = fresh(store, after)
    assert rows(db) == rows(expected)
    assert db.basis_records_agree == expected.basis_records_agree
    assert db.sql.execute("SELECT COUNT(*) FROM build_groups").fetchone() == (0,)


def test_the_lists_disagreeing_on_a_basis_record_are_told(store):
    assert fresh(store, ["a", "b", "b"]).basis_records_agree
    assert not fresh(store, ["a", "b_odd", "b"]).basis_records_agree


def test_a_kept_database_is_filled_afresh_when_unfinished_or_too_different(store, tmp_path):
    path = tmp_path / "site.sqlite"
    db = SiteDB(path, kept=True)
    store.fill(db, ["a", "b", "a", "b"])
    db.close()  # not kept: the build did not finish
    db = SiteDB(path, kept=True)
    assert db.kept_keys is None and store.fill(db, ["a2", "b", "a", "b"]) is None
    db.keep(["a2", "b", "a", "b"])
    db.close()
    # one of four lists changed: patched; then fewer lists, then both of two changed: afresh
    for after, patched in ((["a2", "b2", "a", "b"], 1), (["a", "b"], None), (["a2", "b2"], None)):
        db = SiteDB(path, kept=True)
        assert store.fill(db, after) == patched
        assert rows(db) == rows(fresh(store, after))
        db.keep(after)
        db.close()
