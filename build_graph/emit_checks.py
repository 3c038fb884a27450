"""Emit the legal facts of :mod:`build_graph.checks.facts` onto power and citation nodes, for the
shapes to judge: each fact is a property whose presence the shape forbids (the report shows its
value — the difference, what replaced what, the kinds read)."""
from __future__ import annotations

from . import iris
from .checks.facts import PowerFacts
from .emit import RDF_TYPE, QuadSink, pkg, zh


def penalty_kind(slug: str) -> str:
    return f"{iris.DEFAULT_BASE}id/penalty-kind/{slug}"


def coercion_kind(slug: str) -> str:
    return f"{iris.DEFAULT_BASE}id/coercion-kind/{slug}"


def emit_power_facts(sink: QuadSink, power_node: str, facts: PowerFacts, citation_nodes: dict[int, str],
                     version_node) -> None:
    """``version_node(index, date)`` gives the node of a version of the instrument of basis citation
    ``index`` (for a quote in an earlier version's wording)."""
    for slug in sorted(facts.penalty_kinds):
        sink.add(power_node, pkg("penaltyKind"), penalty_kind(slug))
    for slug in sorted(facts.coercion_kinds):
        sink.add(power_node, pkg("coercionKind"), coercion_kind(slug))
    sink.add(power_node, pkg("basisWithoutSanction"), zh(facts.without_sanction) if facts.without_sanction else None)
    for hint in facts.competence:
        sink.add(power_node, pkg("competenceHint"), zh(hint))
    for index, node in citation_nodes.items():
        cf = facts.citations.get(index)
        if cf is None:
            continue
        sink.add(node, pkg("quotedText"), zh(cf.quote) if cf.quote else None)
        sink.add(node, pkg("misquote"), zh(cf.misquote) if cf.misquote else None)
        if cf.quoted_version:
            sink.add(node, pkg("quotesVersion"), version_node(index, cf.quoted_version))
            sink.add(node, pkg("outdatedQuote"), zh(f"引文是{cf.quoted_version}版本的文字，不是所引版本的"))
        sink.add(node, pkg("repealedBasis"), zh(cf.repealed) if cf.repealed else None)
        sink.add(node, pkg("levelTagConflict"), zh(cf.level_tag_conflict) if cf.level_tag_conflict else None)
        for hint in cf.details:
            sink.add(node, pkg("citationDetailHint"), zh(hint))


def conflict_quads(hints: dict[str, list[str]]) -> list:
    """The cross-list graph: pkg:conflictingQuote on each citation (IRI → hints) whose quote
    another list or item gives in other words."""
    sink = QuadSink(iris.cross_list_graph())
    for citation in sorted(hints):
        for hint in hints[citation]:
            sink.add(citation, pkg("conflictingQuote"), zh(hint))
    return sink.quads


def alignment_quads(comparisons) -> list:
    """The alignment graph: ``a pkg:samePowerAs b`` (both ways) for each aligned pair of
    ``compare.Comparison`` objects, and a pkg:PowerAlignment node with the score, whether it is
    uncertain and whether a sub-item joined its main item's partner."""
    from .emit import boolean, decimal

    sink = QuadSink(iris.alignment_graph())
    for comparison in comparisons:
        for pair in comparison.pairs:
            node = iris.alignment(pair.a.iri, pair.b.iri)
            sink.add(pair.a.iri, pkg("samePowerAs"), pair.b.iri)
            sink.add(pair.b.iri, pkg("samePowerAs"), pair.a.iri)
            sink.add(node, RDF_TYPE, pkg("PowerAlignment"))
            sink.add(node, pkg("alignedPower"), pair.a.iri)
            sink.add(node, pkg("alignedPower"), pair.b.iri)
            sink.add(node, pkg("alignmentScore"), decimal(round(pair.score, 3)))
            sink.add(node, pkg("uncertainAlignment"), boolean(pair.uncertain))
            sink.add(node, pkg("viaMainItem"), boolean(pair.via_main_item))
    return sink.quads
