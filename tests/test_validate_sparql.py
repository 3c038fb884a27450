"""The shapes compiled to SPARQL (build_graph/validate_sparql.py) against pyshacl, on the bundled
lists' graph: with the features the bundled shapes do not use (counts above one, alternative and
repeated paths, xone, not, disjoint, datatype, node kind, length, flags, object and node targets),
shapes that use a feature the compiler lacks, and `powerkg validate --engine`."""
from __future__ import annotations

import copy
import subprocess
import sys

import pyoxigraph as ox
import pytest
import rdflib

from build_graph.build import build_graph
from build_graph.validate import CannotValidate, validate, validate_store
from build_graph.validate_sparql import Unsupported, compile_shapes

PREFIXES = """
@prefix sh:    <http://www.w3.org/ns/shacl#> .
@prefix pkg:   <https://w3id.org/powerkg/ontology#> .
@prefix eli:   <http://data.europa.eu/eli/ontology#> .
@prefix prov:  <http://www.w3.org/ns/prov#> .
@prefix xsd:   <http://www.w3.org/2001/XMLSchema#> .
@prefix level: <https://w3id.org/powerkg/id/level/> .
@prefix inst:  <https://w3id.org/powerkg/id/instrument/> .
@prefix ex:    <https://example.org/shapes#> .
"""

# every named shape below is a source of results on the bundled graph (asserted)
SHAPES = PREFIXES + """
ex:PowerShape a sh:NodeShape ; sh:targetClass pkg:PowerItem ;
    sh:property ex:AtLeastThreeCitations , ex:AtMostTwoCitations , ex:NameOrDepartmentIsIRI , ex:TwoLawProvisions ;
    sh:xone ( [ sh:property [ sh:path pkg:department ; sh:minCount 1 ] ]
              [ sh:property [ sh:path pkg:penaltyKind ; sh:minCount 1 ] ] ) ;
    sh:message "either a department or a penalty kind"@en .
ex:AtLeastThreeCitations a sh:PropertyShape ; sh:path pkg:hasCitation ; sh:minCount 3 ; sh:message "≥ 3 citations"@en .
ex:AtMostTwoCitations a sh:PropertyShape ; sh:path pkg:hasCitation ; sh:maxCount 2 ; sh:severity sh:Info ;
    sh:message "≤ 2 citations"@en .
ex:NameOrDepartmentIsIRI a sh:PropertyShape ; sh:path [ sh:alternativePath ( pkg:department pkg:itemName ) ] ;
    sh:nodeKind sh:IRI ; sh:severity sh:Warning ; sh:message "an IRI"@en .
ex:TwoLawProvisions a sh:PropertyShape ; sh:path pkg:restsOn ;
    sh:qualifiedValueShape ex:OfLaw ; sh:qualifiedMinCount 2 ; sh:message "two provisions of laws"@en .
ex:OfLaw a sh:NodeShape ;
    sh:property [ sh:path ( [ sh:zeroOrOnePath pkg:ofInstrument ] pkg:legalLevel ) ; sh:hasValue level:law ] .

ex:CitedShape a sh:NodeShape ; sh:targetObjectsOf pkg:hasCitation ;
    sh:property ex:WholeIsTrue , ex:TextStartsWithTitle , ex:TextShort , ex:StartIsString , ex:CitesALaw ,
                ex:NotDerivedFromWhatItCites .
ex:WholeIsTrue a sh:PropertyShape ; sh:path pkg:wholeInstrument ; sh:hasValue true ; sh:message "whole"@en .
ex:TextStartsWithTitle a sh:PropertyShape ; sh:path pkg:citationText ; sh:pattern "^《中华人民共和国" ; sh:flags "i" ;
    sh:message "starts with a national title"@en .
ex:TextShort a sh:PropertyShape ; sh:path pkg:citationText ; sh:maxLength 12 ; sh:minLength 4 ; sh:message "short"@en .
ex:StartIsString a sh:PropertyShape ; sh:path pkg:characterStart ; sh:datatype xsd:string ; sh:message "a string"@en .
ex:CitesALaw a sh:PropertyShape ; sh:path pkg:cites ; sh:node ex:OfLaw ; sh:message "cites a law"@en .
ex:NotDerivedFromWhatItCites a sh:PropertyShape ; sh:path pkg:cites ; sh:disjoint pkg:cites ;
    sh:message "disjoint with itself"@en .

ex:ArticleShape a sh:NodeShape ; sh:targetClass pkg:Article ;
    sh:not [ sh:property [ sh:path ( pkg:ofInstrument pkg:legalLevel ) ; sh:hasValue level:law ] ] ;
    sh:message "not an article of a law"@en .

ex:Article84Shape a sh:NodeShape ; sh:targetNode inst:shehui-baoxian-fa\\/art_84 ;
    sh:property ex:ChainIsALaw , ex:CitedAtMostThrice .
ex:ChainIsALaw a sh:PropertyShape ; sh:path [ sh:zeroOrMorePath pkg:ofInstrument ] ; sh:class pkg:Law ;
    sh:message "a law"@en .
ex:CitedAtMostThrice a sh:PropertyShape ; sh:path [ sh:inversePath pkg:cites ] ; sh:maxCount 1 ;
    sh:message "cited at most once"@en .

ex:PenaltyKindShape a sh:PropertyShape ; sh:targetSubjectsOf pkg:penaltyKind ; sh:path pkg:penaltyKind ;
    sh:in ( <https://w3id.org/powerkg/id/penalty-kind/fine> ) ; sh:message "fines only"@en .
"""


@pytest.fixture(scope="module")
def bundled(seed_lists):
    built = build_graph(copy.deepcopy(list(seed_lists.values())))
    store = ox.Store()
    store.extend(built.quads)
    union = rdflib.Graph()
    union.parse(data=ox.serialize((ox.Triple(q.subject, q.predicate, q.object) for q in built.quads),
                                  format=ox.RdfFormat.N_TRIPLES), format="nt")
    return store, union


def test_compiled_features_give_pyshacls_results(bundled):
    store, union = bundled
    shapes = rdflib.Graph().parse(data=SHAPES, format="turtle")
    reference = validate(union, shapes)
    compiled = validate_store(store, shapes)
    assert compiled.results == reference.results
    assert compiled.conforms == reference.conforms is False
    sources = {str(s).rsplit("#", 1)[-1] for s in shapes.subjects(rdflib.RDF.type, None)
               if str(s).startswith("https://example.org/") and (s, rdflib.URIRef("http://www.w3.org/ns/shacl#message"), None) in shapes}
    fired = reference.counts_by_shape()
    assert sources <= set(fired), sources - set(fired)
    # not vacuous either way: no shape rejects every node it sees
    powers = len(set(union.subjects(rdflib.RDF.type, rdflib.URIRef("https://w3id.org/powerkg/ontology#PowerItem"))))
    assert 0 < fired["AtLeastThreeCitations"] < powers and 0 < fired["AtMostTwoCitations"] < powers


def test_a_shape_without_a_message_still_says_what_failed(bundled):
    store, _ = bundled
    shapes = rdflib.Graph().parse(data=PREFIXES + """
        ex:S a sh:NodeShape ; sh:targetClass pkg:PowerItem ; sh:property [ sh:path pkg:hasCitation ; sh:minCount 3 ] .
        """, format="turtle")
    report = validate_store(store, shapes)
    assert report.results and all(r.message_en == "minCount not satisfied" for r in report.results)


@pytest.mark.parametrize("constraint", ["sh:lessThan pkg:characterEnd", "sh:uniqueLang true",
                                        "sh:qualifiedValueShape ex:Any ; sh:qualifiedMinCount 1 ; sh:qualifiedValueShapesDisjoint true"])
def test_a_feature_the_compiler_lacks_is_refused_not_guessed(constraint):
    shapes = rdflib.Graph().parse(data=PREFIXES + f"""
        ex:S a sh:NodeShape ; sh:targetClass pkg:Citation ; sh:property [ sh:path pkg:characterStart ; {constraint} ] .
        ex:Any a sh:NodeShape .
        """, format="turtle")
    with pytest.raises(Unsupported):
        compile_shapes(shapes)


def test_shapes_that_select_nothing_are_an_error(bundled):
    store, _ = bundled
    shapes = rdflib.Graph().parse(data=PREFIXES + """
        ex:S a sh:NodeShape ; sh:targetClass ex:Nothing ; sh:property [ sh:path pkg:cites ; sh:minCount 1 ] .
        """, format="turtle")
    with pytest.raises(CannotValidate, match="select no node"):
        validate_store(store, shapes)


def test_cli_engines_agree_and_an_unsupported_shape_falls_back(tmp_path, bundled):
    store, _ = bundled
    data = tmp_path / "graph.nq"
    data.write_bytes(ox.serialize(store, format=ox.RdfFormat.N_QUADS))

    def run(*args):
        return subprocess.run([sys.executable, "-m", "build_graph.cli", "validate", "--data", str(data),
                               "--format", "csv", *args], capture_output=True, text=True)

    sparql, pyshacl = run("--engine", "sparql"), run("--engine", "pyshacl")
    assert sparql.returncode == pyshacl.returncode == 1
    assert sparql.stdout == pyshacl.stdout and sparql.stdout.count("\n") > 10
    odd = tmp_path / "odd.ttl"
    odd.write_text(PREFIXES + """
        ex:S a sh:NodeShape ; sh:targetClass pkg:Citation ;
            sh:property [ sh:path pkg:characterStart ; sh:lessThan pkg:characterEnd ; sh:message "before"@en ] .
        """, encoding="utf-8")
    auto = run("--shapes", str(odd))
    assert auto.returncode == 0 and "validating with pyshacl" in auto.stderr
    refused = run("--shapes", str(odd), "--engine", "sparql")
    assert refused.returncode == 2 and "cannot be compiled" in refused.stderr
    broken = tmp_path / "broken.nq"
    broken.write_text('<a> <b> "x .\n', encoding="utf-8")
    bad = subprocess.run([sys.executable, "-m", "build_graph.cli", "validate", "--data", str(broken)],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "broken.nq" in bad.stderr
