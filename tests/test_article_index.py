"""The article index (build_graph/article_index.py) answers `powers-by-article` with the rows the
SPARQL query gives on the store, for every article the lists cite; an article one of whose powers
two lists hold is left to SPARQL."""
from __future__ import annotations

import shutil
import sqlite3

import pyoxigraph as ox
import pytest

from build_graph.article_index import INDEX_FILE, lookup
from build_graph.corpus import bundled_lists
from build_graph.queries import answer, bind, library, plain, run
from build_graph.readers import ListMeta
from build_graph.registry import load_registry
from build_graph.stream import stream_build

CITED_ARTICLES = """PREFIX pkg: <https://w3id.org/powerkg/ontology#> PREFIX eli: <http://data.europa.eu/eli/ontology#>
SELECT DISTINCT ?instrument ?number WHERE { ?power pkg:restsOn ?provision . ?provision eli:is_part_of* ?article .
  ?article a pkg:Article ; pkg:ofInstrument ?instrument ; eli:number ?number }"""


def comparable(rows: list[list]) -> list[tuple]:
    """Rows as plain values, the sub-item names as a set (GROUP_CONCAT has no order)."""
    return [tuple(frozenset(v.split("、")) if i == 2 and v else v for i, v in enumerate(map(plain, row)))
            for row in rows]


def cited_articles(out):
    """(instrument title the query takes, article number, instrument IRI) of every cited article
    of a registry instrument."""
    registry, store = load_registry(), ox.Store.read_only(str(out / "store"))
    found = []
    for row in store.query(CITED_ARTICLES, use_default_graph_as_union=True):
        ident = row["instrument"].value.rsplit("/", 1)[1]
        if ident in registry.instruments:
            found.append((registry.instruments[ident].title, int(row["number"].value), row["instrument"].value))
    return sorted(found)


def assert_index_agrees(out) -> int:
    """Every cited article: the index's rows are the SPARQL query's (same order of list and name);
    returns how many articles the index answered."""
    registry, store = load_registry(), ox.Store.read_only(str(out / "store"))
    query = library()["powers-by-article"]
    answered = 0
    for title, number, iri in cited_articles(out):
        values = {"instrument": title, "article": str(number)}
        _, by_sparql = run(store, bind(query, values, registry, []))
        names, given = answer(store, out, query, values, registry)
        assert names == ["power", "name", "subitem", "type", "authority", "list", "provision"]
        assert sorted(comparable(given), key=repr) == sorted(comparable(by_sparql), key=repr), (title, number)
        assert [(r[5], r[1]) for r in comparable(given)] == [(r[5], r[1]) for r in comparable(by_sparql)]  # ORDER BY ?list ?name
        answered += lookup(out, iri, number) is not None
    return answered


def test_the_index_gives_what_sparql_gives_for_every_article_of_the_bundled_lists(bundled_build):
    articles = cited_articles(bundled_build)
    assert len(articles) > 20
    assert assert_index_agrees(bundled_build) == len(articles)  # no power of the seeds is in two lists


def copies(tmp_path, counties):
    """The bundled lists copied under the counties' names (pairs: the pingshan copy, the yuanshi copy)."""
    jobs = []
    for index, (county, (file, meta)) in enumerate(zip(counties, bundled_lists() * len(counties))):
        copy = tmp_path / f"{index}-{file.name}"
        shutil.copy(file, copy)
        jobs.append((copy, ListMeta(f"{meta.list_id}-{index}", county + "医疗保障局", "", copy.name, meta.date)))
    return jobs


def test_an_article_whose_power_two_lists_hold_is_answered_by_sparql(tmp_path):
    # the pingshan list names its rows' own 实施主体 (平山县医疗保障局): its copies hold the same powers
    jobs = copies(tmp_path, ["甲县", "乙县", "丙县", "丁县"])
    out = tmp_path / "out"
    stream_build(jobs, None, out, workers=1, cache=False)
    with sqlite3.connect(out / INDEX_FILE) as index:
        inexact = index.execute("SELECT COUNT(*) FROM inexact").fetchone()[0]
    articles = cited_articles(out)
    answered = assert_index_agrees(out)
    assert 0 < inexact and answered == len(articles) - inexact > 0


def test_a_build_without_the_index_is_answered_by_sparql(bundled_build, tmp_path):
    out = tmp_path / "output"
    shutil.copytree(bundled_build, out)
    (out / INDEX_FILE).unlink()
    registry, store = load_registry(), ox.Store.read_only(str(out / "store"))
    _, rows = answer(store, out, library()["powers-by-article"], {"instrument": "社会保险法", "article": "84"}, registry)
    assert len(rows) == 2 and lookup(out, rows[0][6].rsplit("/", 1)[0], 84) is None


@pytest.mark.parametrize("article", ["84", "第八十四条"])
def test_the_command_answers_from_the_index(bundled_build, article, monkeypatch):
    from build_graph import queries

    monkeypatch.setattr(queries, "run", lambda *a: pytest.fail("SPARQL run for an indexed article"))
    registry, store = load_registry(), ox.Store.read_only(str(bundled_build / "store"))
    _, rows = answer(store, bundled_build, library()["powers-by-article"],
                     {"instrument": "中华人民共和国社会保险法", "article": article}, registry)
    assert [(plain(r[5]), plain(r[1])) for r in rows] == [("pingshan-ybj", "对用人单位不办理医疗保险登记的处罚"),
                                                          ("yuanshi-ybj", "对用人单位不办理医疗保险登记")]
