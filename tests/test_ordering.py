"""The final ORDER BY done in Python (build_graph.ordering) gives the rows in the order the store's
own sort gives them: every library query on the bundled build, and orders with unbound values,
numbers, descending keys and IRIs on a small store; what it cannot order it leaves to the store."""
from __future__ import annotations

import re
from collections import Counter

import pyoxigraph as ox
import pytest

from build_graph.ordering import projected_names, sort_concatenations, sort_rows, split_final_order
from build_graph.queries import answer, authorities_in, bind, library, plain, run, run_ordered
from build_graph.registry import load_registry


def keys(names, rows, order):
    return [tuple(plain(row[names.index(name)]) for name, _ in order.conditions) for row in rows]


def test_every_library_query_in_the_order_the_store_sorts(bundled_build):
    store = ox.Store.read_only(str(bundled_build / "store"))
    registry, authorities = load_registry(), authorities_in(store)
    taken_over = 0
    for name, query in sorted(library().items()):
        values = dict(re.findall(r"--param (\w+)=(\S+)", query.example))
        values.update({p.name: authorities[i % len(authorities)] for i, p in enumerate(query.params)
                       if p.kind == "authority"})
        sparql = bind(query, values, registry, authorities)
        names, by_store = run(store, sparql)
        by_store = sort_concatenations(names, by_store, sparql)  # as answer() gives GROUP_CONCAT cells
        given_names, given = answer(store, bundled_build, query, values, registry, authorities)
        assert given_names == names, name
        assert Counter(map(tuple, given)) == Counter(tuple(plain(t) for t in row) for row in by_store), name
        order = split_final_order(sparql)
        if order is not None and sort_rows(names, run(store, order.body)[1], order) is not None:
            taken_over += 1
            assert [tuple(row[names.index(n)] for n, _ in order.conditions) for row in given] \
                == keys(names, by_store, order), name
        elif name != "powers-by-article":  # left to the store: its very rows
            assert given == [[plain(t) for t in row] for row in by_store], name
    assert taken_over >= 10  # most of the library is ordered in Python


@pytest.fixture
def small_store():
    store = ox.Store()
    ex = "http://example.org/"
    rows = [("a", "乙", 3), ("b", "甲", 10), ("c", None, 3), ("d", "甲", 2), ("e", "Z", None)]
    for subject, label, count in rows:
        node = ox.NamedNode(ex + subject)
        store.add(ox.Quad(node, ox.NamedNode(ex + "kind"), ox.Literal("x")))
        if label is not None:
            store.add(ox.Quad(node, ox.NamedNode(ex + "label"), ox.Literal(label)))
        if count is not None:
            store.add(ox.Quad(node, ox.NamedNode(ex + "count"), ox.Literal(str(count), datatype=ox.NamedNode(
                "http://www.w3.org/2001/XMLSchema#integer"))))
    return store


SELECT = ("SELECT ?s ?label ?count WHERE { ?s <http://example.org/kind> ?k . "
          "OPTIONAL { ?s <http://example.org/label> ?label } OPTIONAL { ?s <http://example.org/count> ?count } }")


@pytest.mark.parametrize("clause", ["ORDER BY ?label", "ORDER BY DESC(?count) ?label", "ORDER BY ASC(?count) DESC(?s)",
                                    "ORDER BY ?count DESC(?label) ?s", "order by desc(?label)\n"])
def test_unbound_numbers_strings_and_iris_as_the_store_orders_them(small_store, clause):
    sparql = SELECT + " " + clause
    order = split_final_order(sparql)
    assert order is not None and order.body.rstrip().endswith("}")
    names, by_store = run(small_store, sparql)
    assert run_ordered(small_store, sparql)[1] != [] and \
        keys(names, run_ordered(small_store, sparql)[1], order) == keys(names, by_store, order)


def test_what_it_cannot_order_is_left_to_the_store(small_store):
    assert split_final_order(SELECT + " ORDER BY ?label LIMIT 2") is None  # the limit picks by the store's order
    assert split_final_order(SELECT + " ORDER BY STRLEN(?label)") is None
    assert split_final_order(SELECT) is None
    assert split_final_order(SELECT + " ORDER BY ?missing") is None  # not projected: seen before running
    starred = split_final_order(SELECT.replace("?s ?label ?count", "*", 1) + " ORDER BY ?missing")
    assert sort_rows(["s", "label", "count"], [], starred) is None  # SELECT *: seen in the rows
    mixed = [[None, ox.Literal("甲"), None], [None, ox.Literal("3", datatype=ox.NamedNode(
        "http://www.w3.org/2001/XMLSchema#integer")), None]]
    assert sort_rows(["s", "label", "count"], mixed, split_final_order(SELECT + " ORDER BY ?label")) is None
    dated = [[None, ox.Literal("2020-01-01", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")), None]]
    assert sort_rows(["s", "label", "count"], dated, split_final_order(SELECT + " ORDER BY ?label")) is None
    not_a_number = [[None, ox.Literal("NaN", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#double")), None]]
    assert sort_rows(["s", "label", "count"], not_a_number, split_final_order(SELECT + " ORDER BY ?label")) is None
    sparql = SELECT + " ORDER BY ?label LIMIT 2"
    assert run_ordered(small_store, sparql) == run(small_store, sparql)


def test_the_projected_variables_are_read_from_the_outer_select():
    assert projected_names("# SELECT ?commented\nPREFIX a: <http://a#>\nSELECT DISTINCT ?x (COUNT(?y) AS ?n) "
                           "(GROUP_CONCAT(DISTINCT ?z; separator=\",\") AS ?zs) WHERE { ?x a:p ?y }") == {"x", "n", "zs"}
    assert projected_names("SELECT ?a ?b\n{ SELECT ?c WHERE {} }") == {"a", "b"}
    assert projected_names("SELECT * WHERE { ?s ?p ?o }") is None
    assert projected_names("ASK { ?s ?p ?o }") is None


def test_powerkg_query_asks_the_store_for_the_rows_unsorted(bundled_build, monkeypatch):
    """answer() (what `powerkg query` runs) sends the library query without its final ORDER BY
    and sorts the rows itself; a query ordering by a variable it does not project goes whole."""
    from build_graph import queries

    asked = []
    store_run = queries.run
    monkeypatch.setattr(queries, "run", lambda store, sparql: asked.append(sparql) or store_run(store, sparql))
    store, registry = ox.Store.read_only(str(bundled_build / "store")), load_registry()
    names, rows = answer(store, bundled_build, library()["whole-document-only"], {}, registry, live=True)
    assert len(asked) == 1 and not re.search(r"ORDER\s+BY\s+\?list", asked[0]) and len(rows) == 13
    assert [(r[names.index("list")], r[names.index("name")]) for r in rows] == \
        sorted((r[names.index("list")], r[names.index("name")]) for r in rows)
    asked.clear()
    answer(store, bundled_build, library()["instruments-by-level"], {}, registry)
    assert len(asked) == 1 and re.search(r"ORDER\s+BY[^}]*$", asked[0])  # ?rank is not projected
