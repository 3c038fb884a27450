"""The ontology under owlready2 + HermiT: consistent, expected inferences hold, contradictions caught."""
from __future__ import annotations

import os
import shutil

import pytest

from build_graph.emit import ontology_files
from build_graph.ontodoc import write_ontology_docs

owlready2 = pytest.importorskip("owlready2")
pytestmark = pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs Java")
os.environ.setdefault("JAVA_TOOL_OPTIONS", "-Dfile.encoding=UTF-8")  # HermiT and non-ASCII text


@pytest.fixture()
def world(tmp_path):
    write_ontology_docs(ontology_files(), tmp_path)
    world = owlready2.World()
    world.get_ontology((tmp_path / "powerkg.owl").as_uri()).load()
    return world


def names(world):
    return (world.get_namespace("https://w3id.org/powerkg/ontology#"),
            world.get_namespace("https://w3id.org/powerkg/id/power-type/"),
            world.get_namespace("https://w3id.org/powerkg/id/level/"))


def test_ontology_is_consistent_and_reuses_eli_and_cpsv(world):
    pkg, _, _ = names(world)
    owlready2.sync_reasoner_hermit(world, debug=0)
    eli_resource = world["http://data.europa.eu/eli/ontology#LegalResource"]
    assert eli_resource in pkg.Law.ancestors()
    assert world["http://purl.org/vocab/cpsv#PublicService"] in pkg.PowerItem.ancestors()
    assert len(list(world.classes())) > 30


def test_chain_and_class_inferences(world):
    pkg, ptype, level = names(world)
    data = world.get_ontology("http://example.org/data#")
    with data:
        law = owlready2.Thing("law", namespace=data)
        law.is_a.append(world["http://data.europa.eu/eli/ontology#LegalResource"])
        law.legalLevel = level["law"]
        article = pkg.Article("art84", namespace=data)
        article.ofInstrument = law
        citation = pkg.Citation("c1", namespace=data)
        citation.cites = [article]
        power = pkg.PowerItem("p1", namespace=data)
        power.hasCitation = [citation]
        power.powerType = ptype["penalty"]
    owlready2.sync_reasoner_hermit(world, infer_property_values=True, debug=0)
    assert article in power.restsOn  # hasCitation ∘ cites → restsOn
    assert pkg.AdministrativePenalty in power.is_a
    assert pkg.Law in law.is_a


@pytest.mark.parametrize("classes", [("Law", "NormativeDocument"), ("AdministrativePenalty", "AdministrativeInspection")])
def test_disjoint_classes_are_caught(world, classes):
    """An instrument with two legal levels, or a power with two types, makes the graph inconsistent."""
    pkg, _, _ = names(world)
    data = world.get_ontology("http://example.org/bad#")
    with data:
        bad = owlready2.Thing("bad", namespace=data)
        bad.is_a.extend([getattr(pkg, name) for name in classes])
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        owlready2.sync_reasoner_hermit(world, debug=0)
