"""Validation at scale: each list's named graph is validated together with the shared graphs
(registry, ontology) it points into, a few lists per batch, the batches on a process pool.

The shapes target power items, citations, summary rows and registry nodes; every path they follow
stays inside one list's graph or leads into the shared graphs, so a batch sees everything a
result depends on and the union of the batches' results is the whole-graph run's (tested on the
bundled lists). A registry node is checked in every batch; its results are kept once.

Memory is bounded by the largest batch (plus the shared graphs), not by the corpus.
"""
from __future__ import annotations

import os
from pathlib import Path
from collections import defaultdict
from dataclasses import asdict

import pyoxigraph as ox
import rdflib
from rdflib.namespace import SH

from . import iris
from .parallel import ordered_map
from .validate import ValidationReport, ValidationResult, SEVERITY_ORDER, validate, CannotValidate

BATCH_QUADS = 150_000  # list quads per batch (≈1,300 powers): a batch's rdflib graph stays ≈0.3 GB


def _batches(quads: list[ox.Quad], limit: int) -> tuple[list[ox.Quad], list[list[ox.Quad]]]:
    """(shared quads, list quads in batches of about ``limit``), in graph order."""
    by_graph: dict[str, list[ox.Quad]] = defaultdict(list)
    for quad in quads:
        by_graph[quad.graph_name.value].append(quad)
    list_prefix = iris.list_graph("")
    shared = [q for graph, members in sorted(by_graph.items()) if not graph.startswith(list_prefix) for q in members]
    batches, current = [], []
    for graph, members in sorted(by_graph.items()):
        if not graph.startswith(list_prefix):
            continue
        if current and len(current) + len(members) > limit:
            batches.append(current)
            current = []
        current.extend(members)
    if current:
        batches.append(current)
    return shared, batches


def _validate_batch_job(job: tuple[bytes, str]) -> tuple[bool, list[dict]]:
    return _validate_batch(*job)


def _validate_batch(ntriples: bytes, shapes_ttl: str) -> tuple[bool, list[dict]]:
    data = rdflib.Graph()
    data.parse(data=ntriples, format="nt")
    shapes = rdflib.Graph()
    shapes.parse(data=shapes_ttl, format="turtle")
    report = validate(data, shapes)
    return report.conforms, [asdict(r) for r in report.results]


# what the report reads besides the shapes' own paths: where a result's row is, and labels
_CONTEXT = ("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", "http://www.w3.org/2000/01/rdf-schema#subClassOf",
            "http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#prefLabel",
            *(f"https://w3id.org/powerkg/ontology#{name}" for name in (
                "inList", "sourceRow", "itemNumber", "firstLine", "itemName", "hasCitation", "inSummaryCategory",
                "hasSummaryCategory")))


def shape_predicates(shapes: rdflib.Graph) -> frozenset[str]:
    """Every predicate a shape can follow (paths, targets, values it reports) and the ones the
    report reads: the only triples validation needs (the long texts are left out)."""
    used = set(_CONTEXT)
    for subject, predicate, obj in shapes:
        if isinstance(obj, rdflib.URIRef) and not str(obj).startswith(str(SH)):
            used.add(str(obj))  # path steps, sh:targetSubjectsOf, pks:reportValuesOf, … (a superset)
    return frozenset(used)


def _ntriples(quads: list[ox.Quad], predicates: frozenset[str] | None = None) -> bytes:
    return ox.serialize((ox.Triple(q.subject, q.predicate, q.object) for q in quads
                         if predicates is None or q.predicate.value in predicates), format=ox.RdfFormat.N_TRIPLES)


def validate_by_list(quads: list[ox.Quad], shapes: rdflib.Graph, *, batch_quads: int = BATCH_QUADS,
                     workers: int | None = None, progress=lambda message: None) -> ValidationReport:
    """Validate the lists' graphs in batches with the shared graphs; the results (registry
    results once) in the report's order, and a SHACL report graph built from them."""
    shared, batches = _batches(quads, batch_quads)
    return _run(shared, batches, shapes, workers, progress, load=lambda batch: batch)


def _run(shared: list[ox.Quad], batches: list, shapes: rdflib.Graph, workers: int | None, progress,
         load) -> ValidationReport:
    if not batches:
        raise CannotValidate("the graph holds no list: there is nothing to validate")
    shapes_ttl = shapes.serialize(format="turtle")
    workers = min(workers or os.cpu_count() or 1, len(batches))
    predicates = shape_predicates(shapes)
    payloads = (_ntriples(shared + load(batch), predicates) for batch in batches)
    outcomes = list(ordered_map(_validate_batch_job, ((payload, shapes_ttl) for payload in payloads), workers))
    progress(f"  validated {len(batches)} batch(es) of lists on {workers} process(es)")
    seen, results = set(), []
    for _, rows in outcomes:
        for row in rows:
            key = tuple(row.values())
            if key not in seen:
                seen.add(key)
                results.append(ValidationResult(**row))
    results.sort(key=lambda r: (r.list, r.item_no if r.item_no is not None else 10**9, r.line or 0,
                                SEVERITY_ORDER.get(r.severity, 3), r.shape, r.focus, r.value))
    conforms = all(ok for ok, _ in outcomes)
    return ValidationReport(conforms, results, None)


def results_turtle(conforms: bool, results: list[ValidationResult]) -> str:
    """A standard sh:ValidationReport of merged results, as Turtle text (written result by
    result: no graph of 10⁵ results is built in memory)."""
    shapes_ns = "https://w3id.org/powerkg/shapes#"
    lines = ["@prefix sh: <http://www.w3.org/ns/shacl#> .", "",
             f"[] a sh:ValidationReport ; sh:conforms {'true' if conforms else 'false'}"]
    for r in results:
        focus = rdflib.URIRef(r.focus) if r.focus.startswith("http") else rdflib.Literal(r.focus)
        parts = [f"sh:resultSeverity sh:{r.severity}", f"sh:sourceShape {rdflib.URIRef(shapes_ns + r.shape).n3()}",
                 f"sh:focusNode {focus.n3()}",
                 f"sh:resultMessage {rdflib.Literal(r.message_zh, lang='zh').n3()} , {rdflib.Literal(r.message_en, lang='en').n3()}"]
        if r.value:
            parts.append(f"sh:value {rdflib.Literal(r.value).n3()}")
        lines.append("  ; sh:result [ a sh:ValidationResult ; " + " ; ".join(parts) + " ]")
    return "\n".join(lines) + " .\n"


def validate_chunks(shared_nquads: bytes, chunk_files: list, shapes: rdflib.Graph, *, batch_quads: int = BATCH_QUADS,
                    workers: int | None = None, progress=lambda message: None) -> ValidationReport:
    """``validate_by_list`` for a streaming build: the lists' graphs are N-Quads files on disk,
    read a batch at a time."""
    shared = list(ox.parse(shared_nquads, format=ox.RdfFormat.N_QUADS)) if shared_nquads else []
    batches, current, size = [], [], 0
    for path in chunk_files:
        lines = Path(path).read_bytes().count(b"\n")
        if current and size + lines > batch_quads:
            batches.append(current)
            current, size = [], 0
        current.append(path)
        size += lines
    if current:
        batches.append(current)
    return _run(shared, batches, shapes, workers, progress,
                load=lambda batch: [q for path in batch for q in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS)])
