"""HTML documentation of the ontology (classes, properties, concept schemes), written from the
ontology itself, plus Turtle and RDF/XML copies that Protégé opens. Every text is escaped."""
from __future__ import annotations

from html import escape
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.compare import to_canonical_graph
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from .iris import ONTOLOGY
from .validate_sparql import to_oxigraph


def _label(graph: rdflib.Graph, node, lang: str) -> str:
    for predicate in (RDFS.label, SKOS.prefLabel):
        for value in graph.objects(node, predicate):
            if getattr(value, "language", None) == lang:
                return str(value)
    return ""


def _short(graph: rdflib.Graph, node) -> str:
    if isinstance(node, rdflib.BNode):
        return "(anonymous)"
    try:
        return graph.namespace_manager.normalizeUri(node)
    except Exception:  # rdflib raises several types for IRIs it cannot shorten
        return str(node)


def _definition(graph: rdflib.Graph, node) -> tuple[str, str]:
    values = {getattr(v, "language", None): str(v) for v in graph.objects(node, SKOS.definition)}
    return values.get("zh", ""), values.get("en", "")


def _section(graph: rdflib.Graph, title: str, nodes, extra) -> str:
    rows = []
    for node in sorted(nodes, key=str):
        zh_def, en_def = _definition(graph, node)
        anchor = escape(_short(graph, node).replace(":", "_"))
        rows.append(
            f'<tr id="{anchor}"><td><code>{escape(_short(graph, node))}</code></td>'
            f"<td>{escape(_label(graph, node, 'zh'))}<br>{escape(_label(graph, node, 'en'))}</td>"
            f"<td>{escape(zh_def)}<br>{escape(en_def)}</td><td>{extra(node)}</td></tr>")
    return (f"<h2>{escape(title)}</h2><table><tr><th>term</th><th>label 标签</th><th>definition 定义</th>"
            f"<th>axioms</th></tr>{''.join(rows)}</table>")


ONTOLOGY_DOCS = ("index.html", "powerkg.ttl", "powerkg.owl")  # what write_ontology_docs writes


def write_ontology_docs(files: list[Path], out: Path) -> Path:
    """Write ``index.html``, ``powerkg.ttl`` and ``powerkg.owl`` (RDF/XML) into ``out`` (``ONTOLOGY_DOCS``)."""
    out.mkdir(parents=True, exist_ok=True)
    graph = rdflib.Graph()
    graph.bind("pkg", ONTOLOGY)
    graph.bind("eli", "http://data.europa.eu/eli/ontology#")
    graph.bind("cpsv", "http://purl.org/vocab/cpsv#")
    graph.bind("m8g", "http://data.europa.eu/m8g/")
    for path in files:
        graph.parse(path, format="turtle")
    # blank nodes named by their content and the triples in order: the same files every build
    # (rdflib names blank nodes at random and writes RDF/XML in the order of a hashed set)
    published = sorted(to_canonical_graph(graph))
    turtle = rdflib.Graph(namespace_manager=graph.namespace_manager)
    for triple in published:
        turtle.add(triple)
    turtle.serialize(out / "powerkg.ttl", format="turtle")
    used = {str(term) for triple in published for term in triple if isinstance(term, rdflib.URIRef)}
    prefixes = {prefix: str(namespace) for prefix, namespace in graph.namespaces()
                if prefix and any(iri.startswith(str(namespace)) for iri in used)}
    (out / "powerkg.owl").write_bytes(ox.serialize(
        [ox.Triple(*map(to_oxigraph, triple)) for triple in published], format=ox.RdfFormat.RDF_XML, prefixes=prefixes))

    def ours(node) -> bool:
        return isinstance(node, rdflib.URIRef) and str(node).startswith(ONTOLOGY)

    classes = [c for c in graph.subjects(RDF.type, OWL.Class) if ours(c)]
    properties = [p for t in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
                  for p in graph.subjects(RDF.type, t) if ours(p)]
    schemes = list(graph.subjects(RDF.type, SKOS.ConceptScheme))

    def class_axioms(node) -> str:
        supers = [escape(_short(graph, s)) for s in graph.objects(node, RDFS.subClassOf) if not isinstance(s, rdflib.BNode)]
        return "⊑ " + ", ".join(supers) if supers else ""

    def property_axioms(node) -> str:
        parts = [f"{name} {escape(_short(graph, v))}" for name, pred in (("domain", RDFS.domain), ("range", RDFS.range),
                                                                         ("⊑", RDFS.subPropertyOf))
                 for v in graph.objects(node, pred)]
        if (node, OWL.propertyChainAxiom, None) in graph:
            chain = rdflib.collection.Collection(graph, graph.value(node, OWL.propertyChainAxiom))
            parts.append("chain " + " ∘ ".join(escape(_short(graph, p)) for p in chain))
        return "; ".join(parts)

    scheme_html = []
    for scheme in sorted(schemes, key=str):
        concepts = sorted(graph.subjects(SKOS.inScheme, scheme), key=str)
        items = "".join(
            f"<li><code>{escape(_short(graph, c))}</code> {escape(_label(graph, c, 'zh'))} / {escape(_label(graph, c, 'en'))}"
            + (f" — alt: {escape('、'.join(sorted(str(a) for a in graph.objects(c, SKOS.altLabel))))}"
               if (c, SKOS.altLabel, None) in graph else "") + "</li>"
            for c in concepts)
        scheme_html.append(f"<h3>{escape(_label(graph, scheme, 'zh'))} · {escape(_label(graph, scheme, 'en'))}</h3><ul>{items}</ul>")
    ontology = rdflib.URIRef(ONTOLOGY.rstrip("#"))
    descriptions = " ".join(f"<p>{escape(str(d))}</p>" for d in graph.objects(ontology, rdflib.namespace.DCTERMS.description))
    html = f"""<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><title>powerkg ontology</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:80em}}table{{border-collapse:collapse;width:100%}}
td,th{{border:1px solid #ccc;padding:4px;vertical-align:top;font-size:90%}}code{{white-space:nowrap}}</style></head>
<body><h1>powerkg 权责清单知识图谱本体 · ontology</h1>
<p><code>{escape(ONTOLOGY)}</code> — <a href="powerkg.ttl">Turtle</a> · <a href="powerkg.owl">RDF/XML</a></p>
{descriptions}
{_section(graph, "Classes 类", classes, class_axioms)}
{_section(graph, "Properties 属性", properties, property_axioms)}
<h2>Concept schemes 概念体系</h2>{''.join(scheme_html)}
</body></html>
"""
    (out / "index.html").write_text(html, encoding="utf-8")
    return out / "index.html"
