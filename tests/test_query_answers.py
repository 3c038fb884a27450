"""Library queries on small graphs made here, whose answers are known row by row: the cases the
bundled lists do not hold (a penalty resting only on a normative document, on a basis of unknown
level, on nothing), for queries rewritten to join subqueries by hashing."""
from __future__ import annotations

import pyoxigraph as ox

from build_graph.queries import library, plain, run_ordered

PREFIXES = """@prefix pkg: <https://w3id.org/powerkg/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix t: <https://w3id.org/powerkg/id/power-type/> .
@prefix lv: <https://w3id.org/powerkg/id/level/> .
@prefix l: <https://w3id.org/powerkg/id/list/> .
@prefix : <http://example.org/> .
"""

GRAPH = PREFIXES + """
t:penalty skos:prefLabel "行政处罚"@zh, "penalty"@en .
t:coercion skos:prefLabel "行政强制"@zh .
t:inspection skos:prefLabel "行政检查"@zh .
lv:law skos:prefLabel "法律"@zh .
lv:normative-document skos:prefLabel "规范性文件"@zh .
:law pkg:legalLevel lv:law . :law_art3 pkg:ofInstrument :law ; rdfs:label "某法第三条" .
:notice pkg:legalLevel lv:normative-document . :notice_art2 pkg:ofInstrument :notice ; rdfs:label "某通知第二条" .
:unknown rdfs:label "某办法" .

:only_notice pkg:powerType t:penalty ; pkg:itemName "甲：只依据通知" ; pkg:inList l:a ; pkg:restsOn :notice_art2 .
:notice_whole pkg:powerType t:coercion ; pkg:itemName "乙：依据通知全文" ; pkg:inList l:a ; pkg:restsOn :notice .
:law_and_notice pkg:powerType t:penalty ; pkg:itemName "丙：法律和通知" ; pkg:inList l:a ;
    pkg:restsOn :law_art3, :notice_art2 .
:law_whole pkg:powerType t:penalty ; pkg:itemName "丁：法律全文" ; pkg:inList l:b ; pkg:restsOn :law .
:unknown_level pkg:powerType t:penalty ; pkg:itemName "戊：层级不明" ; pkg:inList l:b ; pkg:restsOn :unknown .
:no_basis pkg:powerType t:coercion ; pkg:itemName "己：没有依据" ; pkg:inList l:b .
:inspection pkg:powerType t:inspection ; pkg:itemName "庚：检查只依据通知" ; pkg:inList l:a ; pkg:restsOn :notice_art2 .
"""


def store_of(turtle: str) -> ox.Store:
    store = ox.Store()
    store.load(turtle.encode(), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("https://w3id.org/powerkg/id/list/a"))
    return store


def rows_of(store: ox.Store, name: str, text: str | None = None) -> list[tuple]:
    _, rows = run_ordered(store, text or library()[name].text)
    return [tuple(plain(term) for term in row) for row in rows]


def test_penalties_and_coercion_on_normative_documents_or_unknown_levels_only():
    assert rows_of(store_of(GRAPH), "penalties-on-normative-documents-only") == [
        ("乙：依据通知全文", "行政强制", "a"),
        ("甲：只依据通知", "行政处罚", "a"),
        ("己：没有依据", "行政强制", "b"),
        ("戊：层级不明", "行政处罚", "b"),
    ]  # not 丙 and 丁 (a law among their bases), not 庚 (an inspection); by list, then name (code points)


def test_powers_of_a_type_with_the_levels_of_their_bases():
    text = library()["powers-by-type"].text.replace(
        "WHERE {", "WHERE {\n  VALUES (?type) { (<https://w3id.org/powerkg/id/power-type/penalty>) }", 1)
    rows = {(name, lst): set(levels.split("、")) if levels else set()
            for name, lst, levels in rows_of(store_of(GRAPH), "powers-by-type", text)}
    assert rows == {("甲：只依据通知", "a"): {"规范性文件"}, ("丙：法律和通知", "a"): {"法律", "规范性文件"},
                    ("丁：法律全文", "b"): {"法律"}, ("戊：层级不明", "b"): set()}
