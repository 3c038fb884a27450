"""Library queries answered per authority at build time (``precomputed_answers``): their rows are
SPARQL's on the whole store — on the bundled lists and on variations with several lists of one
authority and a third authority — for every parameter value; a query changed since the build
goes to SPARQL; a rebuild answers only the authorities an edit reaches."""
from __future__ import annotations

import copy
import dataclasses
from collections import Counter

import pyoxigraph as ox
import pytest

from build_graph import iris, precomputed_answers
from build_graph.build import build_graph, write_outputs
from build_graph.graph_files import ranges_of, read_index
from build_graph.ordering import sort_concatenations, split_final_order
from build_graph.queries import answer, authorities_in, bound_terms, library
from build_graph.registry import load_registry
from build_graph.validate_by_list import validation_groups


def variations(pingshan, yuanshi):
    """The bundled lists; and with a second list of 平山's authority (half its rows: the powers
    they share are one node) and a copy of 元氏's list under a third authority."""
    second = dataclasses.replace(copy.deepcopy(pingshan), list_id="pingshan-ybj-2021", source_file="pingshan-2021.txt")
    second.records = second.records[::2]
    third = dataclasses.replace(copy.deepcopy(yuanshi), list_id="gaocheng-ybj", source_file="gaocheng.txt",
                                authority="藁城区医疗保障局")
    return {"bundled": [copy.deepcopy(pingshan), copy.deepcopy(yuanshi)],
            "varied": [copy.deepcopy(pingshan), second, copy.deepcopy(yuanshi), third]}


@pytest.fixture(scope="module", params=["bundled", "varied"])
def built(request, pingshan, yuanshi, tmp_path_factory):
    out = tmp_path_factory.mktemp(request.param) / "output"
    write_outputs(build_graph(variations(pingshan, yuanshi)[request.param]), out)
    return out


def parameter_values(store: ox.Store, query, registry) -> list[dict[str, str]]:
    """Every value of the query's parameter the graph could answer: each power type the
    library knows, each instrument a power rests on (whole or through a provision) and the
    notices promulgating them, by title."""
    if not query.params:
        return [{}]
    (param,) = query.params
    if param.kind == "power-type":
        return [{param.name: label} for label in iris.POWER_TYPE_SLUGS]
    cited = {row["i"].value for row in store.query(
        "PREFIX pkg: <https://w3id.org/powerkg/ontology#> SELECT DISTINCT ?i WHERE { "
        "[] pkg:restsOn ?t . OPTIONAL { ?t pkg:ofInstrument ?j } BIND(COALESCE(?j, ?t) AS ?i0) "
        "?i0 pkg:promulgatedBy? ?i }", use_default_graph_as_union=True)}
    titles = sorted({i.title for i in registry.instruments.values() if iris.instrument(i.id) in cited})
    assert len(titles) > 10
    return [{param.name: title} for title in titles]


def test_every_query_answered_per_authority_gives_sparqls_rows(built):
    store, registry = ox.Store.read_only(str(built / "store")), load_registry()
    authorities = authorities_in(store)
    forms = precomputed_answers.library_forms()
    assert {f.name for f in forms} >= {"instruments-cited-differently", "powers-by-type", "powers-by-instrument",
                                       "whole-document-only", "department-workload"}
    answered = Counter()
    for form in forms:
        query = library()[form.name]
        order = split_final_order(query.text)
        for values in parameter_values(store, query, registry):
            # the build's own rows are there, for every value (not SPARQL's behind them)
            assert precomputed_answers.lookup(built, query, bound_terms(query, values, registry, authorities)) is not None
            names, rows = answer(store, built, query, values, registry, authorities)
            live_names, live_rows = answer(store, built, query, values, registry, authorities, live=True)
            assert names == live_names
            assert Counter(map(tuple, rows)) == Counter(map(tuple, live_rows)), (form.name, values)
            keys = [names.index(name) for name, _ in order.conditions]
            assert [[row[k] for k in keys] for row in rows] == [[row[k] for k in keys] for row in live_rows]
            answered[form.name] += len(rows)
    # the rows compared are not all empty: several authorities cite one instrument, and so on
    assert all(answered[name] > 0 for name in answered if name != "penalties-on-normative-documents-only")


def test_the_per_authority_form_leaves_out_the_condition_across_authorities():
    form = next(f for f in precomputed_answers.library_forms() if f.name == "instruments-cited-differently")
    assert form.across == ("i", "a") and "HAVING" not in form.text.split("across authorities")[0][-200:]
    assert "COUNT(DISTINCT ?a) > 1" in library()[form.name].text and "COUNT(DISTINCT ?a) > 1" not in form.text
    by_type = next(f for f in precomputed_answers.library_forms() if f.name == "powers-by-type")
    assert by_type.keys == ("type",) and "SELECT ?type ?name" in by_type.text and "GROUP BY ?type ?name" in by_type.text
    assert "ORDER BY" not in by_type.text


def test_one_authority_alone_has_no_instrument_cited_differently(pingshan, tmp_path):
    out = tmp_path / "output"
    write_outputs(build_graph([copy.deepcopy(pingshan)]), out)
    store = ox.Store.read_only(str(out / "store"))
    query = library()["instruments-cited-differently"]
    assert precomputed_answers.lookup(out, query, {}) == (["instrument", "authority", "provisions"], [])
    assert answer(store, out, query, {}, load_registry(), live=True)[1] == []


def test_a_query_changed_since_the_build_is_answered_by_sparql(bundled_build):
    query = library()["whole-document-only"]
    assert precomputed_answers.lookup(bundled_build, query, {}) is not None
    changed = dataclasses.replace(query, text=query.text.replace("SUM(?cited)", "SUM(?cited) + 0"))
    assert precomputed_answers.lookup(bundled_build, changed, {}) is None
    store = ox.Store.read_only(str(bundled_build / "store"))
    assert answer(store, bundled_build, changed, {}, load_registry())[1] == answer(store, bundled_build, query, {}, load_registry())[1]
    assert (bundled_build / precomputed_answers.ANSWERS_FILE).is_file()


def test_a_rebuild_answers_only_the_authorities_an_edit_reaches(pingshan, yuanshi, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    answered = []
    real = precomputed_answers.answer_group
    monkeypatch.setattr(precomputed_answers, "answer_group", lambda lines, forms: answered.append(1) or real(lines, forms))

    def answers_of(lists, name):
        out = tmp_path / name
        built = build_graph(lists)
        write_outputs(built, out)
        index = read_index(out)
        answered.clear()
        path = tmp_path / f"{name}.sqlite"
        precomputed_answers.write_answers(path, precomputed_answers.start_answers(
            ranges_of(out, index), validation_groups(built.lists), cache=cache,
            digests={g: e["sha256"] for g, e in index.items()}, batch_groups=1))
        return len(answered), path

    assert answers_of([copy.deepcopy(pingshan), copy.deepcopy(yuanshi)], "first")[0] == 2
    assert answers_of([copy.deepcopy(pingshan), copy.deepcopy(yuanshi)], "again")[0] == 0
    edited = copy.deepcopy(yuanshi)
    edited.records[0] = dataclasses.replace(edited.records[0], power=edited.records[0].power + "（改）")
    count, path = answers_of([copy.deepcopy(pingshan), edited], "edited")
    assert count == 1
    # the answers made of one fresh group and one from the cache are the edited build's own
    (tmp_path / "edited" / precomputed_answers.ANSWERS_FILE).write_bytes(path.read_bytes())
    store = ox.Store.read_only(str(tmp_path / "edited" / "store"))
    for name in ("powers-by-type", "whole-document-only"):
        query = library()[name]
        values = {"type": "行政确认"} if query.params else {}
        rows = answer(store, tmp_path / "edited", query, values, load_registry())[1]
        assert rows and Counter(map(tuple, rows)) == Counter(map(tuple, answer(
            store, tmp_path / "edited", query, values, load_registry(), live=True)[1]))


def test_concatenated_parts_come_in_one_order_numbers_by_value():
    rows = [[ox.Literal("甲"), ox.Literal("某法第十条、某法第九条、某法第一百条、乙办法")]]
    sparql = 'SELECT ?x (GROUP_CONCAT(DISTINCT ?p; separator="、") AS ?parts) WHERE { ?x ?y ?p } GROUP BY ?x'
    assert sort_concatenations(["x", "parts"], rows, sparql)[0][1].value == "乙办法、某法第九条、某法第十条、某法第一百条"
    assert sort_concatenations(["x", "parts"], rows, "SELECT ?x ?parts WHERE { ?x ?y ?parts }") == rows


def test_the_streaming_build_answers_a_list_whose_rows_name_another_authority(tmp_path):
    """`powerkg build` groups lists by the authorities of their powers (from its working
    database): a copy of 元氏's list under another authority, whose rows still name 元氏县医疗保障局,
    is answered with 元氏's list, and the answers are SPARQL's."""
    from build_graph.corpus import bundled_lists
    from build_graph.stream import stream_build

    jobs = bundled_lists()
    file, meta = next((f, m) for f, m in jobs if m.list_id == "yuanshi-ybj")
    jobs.append((file, dataclasses.replace(meta, list_id="gaocheng-ybj", authority="藁城区医疗保障局")))
    out = tmp_path / "output"
    stream_build(jobs, None, out, workers=2, cache=False)
    store, registry = ox.Store.read_only(str(out / "store")), load_registry()
    for name in ("department-workload", "instruments-cited-differently", "whole-document-only"):
        query = library()[name]
        assert precomputed_answers.lookup(out, query, {}) is not None
        rows = answer(store, out, query, {}, registry)[1]
        assert rows and Counter(map(tuple, rows)) == Counter(map(tuple, answer(store, out, query, {}, registry, live=True)[1]))


def test_a_group_store_holds_the_lines_of_the_predicates_the_queries_name():
    form = precomputed_answers.GroupForm("t", 'PREFIX p: <http://e/#>\n# p:commented\nSELECT ?x WHERE { ?x a p:K ; '
                                         'p:q/<http://e/#r> ?y . FILTER(?y != "p:inString") }', (), None, False, frozenset())
    assert precomputed_answers.named_iris((form,)) == {
        b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", b"<http://e/#K>", b"<http://e/#q>", b"<http://e/#r>"}
    library_iris = precomputed_answers.named_iris(precomputed_answers.library_forms())
    assert b"<https://w3id.org/powerkg/ontology#restsOn>" in library_iris
    assert b"<https://w3id.org/powerkg/ontology#hasResponsibility>" not in library_iris  # what no query reads stays out


def test_powerkg_query_answers_them_without_running_sparql(bundled_build, monkeypatch):
    """answer() (what `powerkg query` runs) takes the build's rows: the store is never asked,
    unless --live."""
    from build_graph import queries

    asked = []
    monkeypatch.setattr(queries, "run", lambda store, sparql: asked.append(sparql) or ([], []))
    store, registry = ox.Store.read_only(str(bundled_build / "store")), load_registry()
    for form in precomputed_answers.library_forms():
        values = {"type": "行政检查"} if form.keys == ("type",) else {"instrument": "社会保险法"} if form.keys else {}
        answer(store, bundled_build, library()[form.name], values, registry)
    assert asked == []
    answer(store, bundled_build, library()["whole-document-only"], {}, registry, live=True)
    assert asked and "SUM(?cited)" in asked[0]
