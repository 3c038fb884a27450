"""Records and resolved citations → RDF quads (pyoxigraph terms).

One named graph per list (its powers, authority, departments, summary, citations), one for
the registry (instruments and every cited provision, shared by all lists), one for the
ontology and concept schemes. Data quads use no blank nodes, so sorted N-Quads of two builds
of the same input are byte-identical.
"""
from __future__ import annotations

import re
from pathlib import Path

import cn2an
import pyoxigraph as ox

from . import iris
from .citations.model import Citation, InstrumentMention, ResolvedInstrument
from .citations.resolve import PowerCitations, ResolvedCitation, provision_key, target_path
from .reconcile import name_key
from .records import PowerList
from .data import folder
from .registry import LEVEL_BY_LABEL, Registry, registry_file

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
SKOS_PREF = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
SKOS_ALT = ox.NamedNode("http://www.w3.org/2004/02/skos/core#altLabel")
XSD = "http://www.w3.org/2001/XMLSchema#"


def ontology_files() -> list[Path]:
    """The ontology and its SKOS schemes (the registry is emitted separately)."""
    return [folder("ontology") / "powerkg.ttl", folder("ontology") / "schemes.ttl"]


def pkg(term: str) -> ox.NamedNode:
    return ox.NamedNode(iris.ONTOLOGY + term)


def eli(term: str) -> ox.NamedNode:
    return ox.NamedNode("http://data.europa.eu/eli/ontology#" + term)


M8G_AUTHORITY = ox.NamedNode("http://data.europa.eu/m8g/hasCompetentAuthority")
ORG_UNIT_OF = ox.NamedNode("http://www.w3.org/ns/org#unitOf")
PROV_DERIVED = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")

LEVEL_CLASSES = {"law": "Law", "administrative-regulation": "AdministrativeRegulation",
                 "local-regulation": "LocalRegulation", "departmental-rule": "DepartmentalRule",
                 "local-government-rule": "LocalGovernmentRule", "normative-document": "NormativeDocument",
                 "autonomous-regulation": "AutonomyRegulation", "separate-regulation": "SeparateRegulation",
                 "sez-regulation": "SezRegulation"}
TYPE_CLASSES = {"行政许可": "AdministrativeLicensing", "行政处罚": "AdministrativePenalty",
                "行政强制": "AdministrativeCoercion", "行政征收": "AdministrativeLevy",
                "行政给付": "AdministrativeBenefit", "行政检查": "AdministrativeInspection",
                "行政确认": "AdministrativeConfirmation", "行政奖励": "AdministrativeReward",
                "行政裁决": "AdministrativeAdjudication", "其他行政权力": "OtherAdministrativePower",
                "行政征用": "AdministrativeRequisition"}
PROVISION_CLASSES = {"att": "Attachment", "art": "Article", "para": "Paragraph", "item": "Item", "chp": "Chapter"}


def zh(text: str) -> ox.Literal:
    return ox.Literal(text, language="zh")


def string(text: str) -> ox.Literal:
    return ox.Literal(text)


def integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))


def decimal(value: float) -> ox.Literal:
    return ox.Literal(f"{value:.3f}", datatype=ox.NamedNode(XSD + "decimal"))


def date(value: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + "date"))


def boolean(value: bool) -> ox.Literal:
    return ox.Literal("true" if value else "false", datatype=ox.NamedNode(XSD + "boolean"))


class QuadSink:
    """Collects quads for one named graph."""

    def __init__(self, graph: str):
        self.graph = ox.NamedNode(graph)
        self.quads: list[ox.Quad] = []

    def add(self, subject: str | ox.NamedNode, predicate: ox.NamedNode, obj) -> None:
        if obj is None:
            return
        s = subject if isinstance(subject, ox.NamedNode) else ox.NamedNode(subject)
        o = ox.NamedNode(obj) if isinstance(obj, str) else obj
        self.quads.append(ox.Quad(s, predicate, o, self.graph))


def ontology_quads() -> list[ox.Quad]:
    """The ontology and SKOS schemes, blank nodes renamed canonically (RDFC-1.0)."""
    dataset = ox.Dataset()
    graph = ox.NamedNode(iris.ontology_graph())
    for path in ontology_files():
        for triple in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            dataset.add(ox.Quad(triple.subject, triple.predicate, triple.object, graph))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return list(dataset)


class RegistryEmitter:
    """Registry instruments, provisional instruments and cited provisions (shared nodes)."""

    def __init__(self, registry: Registry):
        self.registry = registry
        self.sink = QuadSink(iris.registry_graph())
        self.provisions: set[str] = set()
        self.labels: dict[str, str] = {}  # provision IRI → label, so 第十条第二项 names its article
        self.emitted: set[str] = set()  # instruments written on first citation (provisional, archive)
        for triple in ox.parse(path=str(registry_file()), format=ox.RdfFormat.TURTLE):
            self.sink.quads.append(ox.Quad(triple.subject, triple.predicate, triple.object, self.sink.graph))
        for instrument in registry.instruments.values():
            if instrument.id != instrument.archive_id:  # archive-only ones: typed when cited, so a
                self._typed_level(instrument)          # build never depends on what was resolved before it

    def _typed_level(self, instrument: ResolvedInstrument) -> None:
        slug = LEVEL_BY_LABEL.get(instrument.level or "")
        if slug:
            self.sink.add(iris.instrument(instrument.id), RDF_TYPE, pkg(LEVEL_CLASSES[slug]))
            if instrument.provisional:
                self.sink.add(iris.instrument(instrument.id), pkg("legalLevel"), iris.level(slug))

    def instrument_node(self, instrument: ResolvedInstrument) -> str:
        node = iris.instrument(instrument.id)
        if instrument.id in self.emitted:
            return node
        if instrument.archive_id:
            self.emitted.add(instrument.id)
            self._archive_facts(node, instrument)
        if instrument.provisional:
            self.emitted.add(instrument.id)
            self.sink.add(node, RDF_TYPE, eli("LegalResource"))
            self.sink.add(node, RDF_TYPE, pkg("ProvisionalInstrument"))
            self.sink.add(node, eli("title"), zh(instrument.title))
            self.sink.add(node, RDFS_LABEL, zh(instrument.title))
            self.sink.add(node, eli("id_local"), string(instrument.doc_number) if instrument.doc_number else None)
            self.sink.add(node, pkg("unresolvedReason"), string(instrument.unresolved_reason or ""))
            self._typed_level(instrument)
        return node

    def _archive_facts(self, node: str, instrument: ResolvedInstrument) -> None:
        """An instrument the law archive holds: its versions (eli:is_realized_by) and, when the
        curated registry does not have it, its title, level, issuer and status."""
        entry = self.registry.archive.entries[instrument.archive_id]
        if instrument.id == entry.id:  # not in the curated registry
            self.sink.add(node, RDF_TYPE, eli("LegalResource"))
            self.sink.add(node, eli("title"), zh(instrument.title))
            self.sink.add(node, RDFS_LABEL, zh(instrument.title))
            self.sink.add(node, pkg("fromLawArchive"), boolean(True))
            self.sink.add(node, pkg("issuerName"), zh(instrument.issuer) if instrument.issuer else None)
            self.sink.add(node, pkg("status"), zh(instrument.status) if instrument.status else None)
            self.sink.add(node, eli("id_local"), string(instrument.doc_number) if instrument.doc_number else None)
            for alias in instrument.aliases:
                self.sink.add(node, SKOS_ALT, zh(alias))
            slug = LEVEL_BY_LABEL.get(instrument.level or "")
            self.sink.add(node, pkg("legalLevel"), iris.level(slug) if slug else None)
            self._typed_level(instrument)
        for version in entry.versions:
            v = self.version_node(instrument, version.date)
            self.sink.add(node, eli("is_realized_by"), v)
            self.sink.add(v, RDF_TYPE, eli("LegalExpression"))
            self.sink.add(v, RDFS_LABEL, zh(f"{instrument.title}（{version.date or '日期不详'}版）"))
            self.sink.add(v, eli("version_date"), date(version.date) if version.date else None)
            self.sink.add(v, eli("date_applicability"), date(version.in_force) if version.in_force else None)
            self.sink.add(v, pkg("superseded"), boolean(version.superseded))

    @staticmethod
    def version_node(instrument: ResolvedInstrument, version_date: str | None) -> str:
        return f"{iris.instrument(instrument.id)}/version/{version_date or 'undated'}"

    def provision_node(self, resolved: ResolvedCitation) -> str:
        """The node a citation points at: the instrument itself, or a provision of it."""
        c, instrument = resolved.citation, resolved.instrument
        top = self.instrument_node(instrument)
        path = target_path(resolved)
        node = top
        # att_2/art_4__para_1 → nodes …/att_2, …/att_2/art_4, …/att_2/art_4__para_1, each part of the one before
        for step in path.split("/") if path else []:
            pieces = step.split("__")
            for count, piece in enumerate(pieces):
                parent = node
                node = (node + "/" + piece) if count == 0 else (node + "__" + piece)
                article_text = resolved.article_text if piece.startswith("art_") and count == len(pieces) - 1 else None
                self._provision(node, parent, top, piece, instrument, article_text)
        in_attachment = path.startswith("att_")
        if c.article is not None and c.chapter is not None and not in_attachment:
            self._chapter(top, c.chapter, f"{top}/art_{c.article}", instrument)
        elif c.article is not None and not in_attachment:
            article = (self.registry.articles_of(instrument.id) or {}).get(c.article)
            if article and article.chapter:
                self._chapter(top, article.chapter, f"{top}/art_{c.article}", instrument, article.chapter_title)
        return node

    def rule_provision(self, iri: str) -> None:
        """Add a provision a shape names as its rule (``…/id/instrument/<id>/art_<n>``)."""
        match = re.fullmatch(re.escape(iris.DEFAULT_BASE) + r"id/instrument/([^/]+)/art_(\d+)", iri)
        if not match or match.group(1) not in self.registry.instruments:
            raise ValueError(f"shape rule {iri} names no registry instrument article")
        instrument = self.registry.instruments[match.group(1)]
        article = int(match.group(2))
        citation = Citation(instrument=InstrumentMention(title=instrument.title), span=(0, 0), article=article)
        text = (self.registry.articles_of(instrument.id) or {}).get(article)
        self.provision_node(ResolvedCitation(citation, instrument, text.text if text else None))

    def _provision(self, node: str, parent: str, top: str, piece: str, instrument: ResolvedInstrument,
                   text: str | None) -> None:
        if node in self.provisions:
            return
        self.provisions.add(node)
        kind, number = piece.rsplit("_", 1)
        label_unit = {"att": "附件{}", "art": "第{}条", "para": "第{}款", "item": "第{}项", "chp": "第{}章"}[kind]
        self.sink.add(node, RDF_TYPE, pkg(PROVISION_CLASSES[kind]))
        self.sink.add(node, pkg("ofInstrument"), top)
        self.sink.add(node, eli("is_part_of"), parent)
        self.sink.add(node, eli("number"), string(number))
        self.labels[node] = self.labels.get(parent, instrument.title) + label_unit.format(cn2an.an2cn(int(number)))
        self.sink.add(node, RDFS_LABEL, zh(self.labels[node]))
        if text:
            self.sink.add(node, pkg("text"), zh(text))

    def _chapter(self, top: str, chapter: int, article: str, instrument: ResolvedInstrument,
                 title: str | None = None) -> None:
        node = f"{top}/chp_{chapter}"
        if title is None:  # the heading the text gives the chapter, however the chapter was reached
            title = next((a.chapter_title for a in (self.registry.articles_of(instrument.id) or {}).values()
                          if a.chapter == chapter and a.chapter_title), None)
        if node not in self.provisions:
            self.provisions.add(node)
            self.sink.add(node, RDF_TYPE, pkg("Chapter"))
            self.sink.add(node, pkg("ofInstrument"), top)
            self.sink.add(node, eli("is_part_of"), top)
            self.sink.add(node, eli("number"), string(str(chapter)))
            self.sink.add(node, RDFS_LABEL, zh(f"{instrument.title}第{cn2an.an2cn(chapter)}章" + (f" {title}" if title else "")))
        self.sink.add(article, pkg("inChapter"), node)


def emit_list(power_list: PowerList, citations: list[PowerCitations], registry_emitter: RegistryEmitter,
              facts: dict | None = None) -> list[ox.Quad]:
    """Quads of one list's named graph (registry nodes go to ``registry_emitter``); ``facts``
    (record identity → :class:`~build_graph.checks.facts.PowerFacts`) adds what the legal
    checks judge."""
    from .emit_checks import emit_power_facts

    sink = QuadSink(iris.list_graph(power_list.list_id))
    list_node = iris.power_list(power_list.list_id)
    authority_node = iris.authority(power_list.authority)
    sink.add(list_node, RDF_TYPE, pkg("PowerList"))
    sink.add(list_node, pkg("listDate"), date(power_list.date) if power_list.date else None)
    sink.add(list_node, RDFS_LABEL, zh(f"{power_list.authority}权责清单"))
    sink.add(list_node, pkg("listedBy"), authority_node)
    sink.add(list_node, pkg("sourceFile"), string(power_list.source_file))
    sink.add(list_node, pkg("jurisdiction"), string(power_list.jurisdiction) if power_list.jurisdiction else None)
    sink.add(authority_node, RDF_TYPE, pkg("Authority"))
    sink.add(authority_node, SKOS_PREF, zh(power_list.authority))
    sink.add(authority_node, RDFS_LABEL, zh(power_list.authority))
    if power_list.summary:
        for category in power_list.summary.categories:
            node = f"{list_node}/summary/{category.ordinal}"
            sink.add(list_node, pkg("hasSummaryCategory"), node)
            sink.add(node, RDF_TYPE, pkg("SummaryCategory"))
            sink.add(node, RDFS_LABEL, zh(f"{category.ordinal}、{category.power_type_as_listed}"))
            if category.power_type in iris.POWER_TYPE_SLUGS:
                sink.add(node, pkg("powerType"), iris.power_type(category.power_type))
            sink.add(node, pkg("declaredCount"), integer(category.declared_count) if category.declared_count is not None else None)
            detail_count = sum(1 for r in power_list.records if r.power_type == category.power_type)
            sink.add(node, pkg("detailCount"), integer(detail_count))
            for position, item in enumerate(category.items, 1):
                sink.add(node, pkg("summaryItemName"), string(item.name))
                entry = f"{node}/item/{position}"
                sink.add(entry, RDF_TYPE, pkg("SummaryItem"))
                sink.add(entry, RDFS_LABEL, zh(item.name))
                sink.add(entry, pkg("inSummaryCategory"), node)
                sink.add(entry, pkg("summaryItemNumber"), integer(item.item_no) if item.item_no is not None else None)
                if item.detail is not None:
                    sink.add(entry, pkg("describes"), iris.power(item.detail.authority or power_list.authority,
                                                                 item.detail.identity))
    for power in citations:
        record = power.record
        authority_name = record.authority or power_list.authority
        node = iris.power(authority_name, record.identity)
        sink.add(node, RDF_TYPE, pkg("PowerItem"))
        if record.power_type in TYPE_CLASSES:
            sink.add(node, RDF_TYPE, pkg(TYPE_CLASSES[record.power_type]))
            sink.add(node, pkg("powerType"), iris.power_type(record.power_type))
        sink.add(node, pkg("itemName"), string(record.power))
        sink.add(node, pkg("nameKey"), string(name_key(record.power)))
        if power_list.summary:
            sink.add(node, pkg("expectedInSummary"), list_node)
            if record.summary_name is not None:
                sink.add(node, pkg("summaryNameKey"), string(name_key(record.summary_name)))
                sink.add(node, pkg("summaryTypeLabel"), string(record.summary_type_label or ""))
                sink.add(node, pkg("summaryItemNumber"),
                         integer(record.summary_item_no) if record.summary_item_no is not None else None)
        sink.add(node, RDFS_LABEL, zh(record.power))
        sink.add(node, pkg("itemNumber"), integer(record.item_no) if record.item_no is not None else None)
        sink.add(node, pkg("categoryNumber"), integer(record.category_no) if record.category_no is not None else None)
        sink.add(node, pkg("powerTypeAsListed"), string(record.power_type_as_listed))
        sink.add(node, pkg("inList"), list_node)
        sink.add(node, M8G_AUTHORITY, iris.authority(authority_name))
        sink.add(node, pkg("basisText"), zh(record.basis_text) if record.basis_text else None)
        sink.add(node, pkg("basisNotLinked"), string(record.unlinked_reason) if record.unlinked_reason else None)
        sink.add(node, pkg("accountabilityPreamble"), zh(record.accountability_preamble) if record.accountability_preamble else None)
        if record.subitems:
            main = iris.main_item(authority_name, record.main_item)
            sink.add(node, pkg("isSubItemOf"), main)
            sink.add(main, RDF_TYPE, pkg("MainItem"))
            sink.add(main, RDFS_LABEL, zh(record.main_item))
            sink.add(main, pkg("itemName"), string(record.main_item))
            sink.add(main, M8G_AUTHORITY, iris.authority(authority_name))
            sink.add(main, pkg("inList"), list_node)
            if record.power_type in TYPE_CLASSES:
                sink.add(main, pkg("powerType"), iris.power_type(record.power_type))
            for subitem in record.subitems:
                sink.add(node, pkg("subItemName"), string(subitem))
        if record.department:
            unit = iris.department(authority_name, record.department)
            sink.add(node, pkg("department"), unit)
            sink.add(unit, RDF_TYPE, pkg("Department"))
            sink.add(unit, SKOS_PREF, zh(record.department))
            sink.add(unit, RDFS_LABEL, zh(record.department))
            sink.add(unit, ORG_UNIT_OF, iris.authority(authority_name))
        row = f"{node}/source/{power_list.list_id}"
        sink.add(node, pkg("sourceRow"), row)
        sink.add(row, RDF_TYPE, pkg("SourceRow"))
        sink.add(row, pkg("sourceFile"), string(record.source.file))
        sink.add(row, pkg("firstLine"), integer(record.source.first_line))
        sink.add(row, pkg("lastLine"), integer(record.source.last_line))
        for position, responsibility in enumerate(record.responsibilities, 1):
            r = f"{node}/responsibility/{position}"
            sink.add(node, pkg("hasResponsibility"), r)
            sink.add(r, RDF_TYPE, pkg("Responsibility"))
            sink.add(r, pkg("position"), integer(position))
            sink.add(r, RDFS_LABEL, zh(responsibility.text))
            sink.add(r, pkg("kindAsListed"), string(responsibility.kind) if responsibility.kind else None)
            sink.add(r, pkg("responsibilityKind"), iris.responsibility_kind(responsibility.kind))
        for position, case in enumerate(record.accountability, 1):
            a = f"{node}/accountability/{position}"
            sink.add(node, pkg("hasAccountabilityCase"), a)
            sink.add(a, RDF_TYPE, pkg("AccountabilityCase"))
            sink.add(a, pkg("position"), integer(position))
            sink.add(a, RDFS_LABEL, zh(case))
        citation_nodes = {}
        for index, resolved in enumerate(power.basis):
            target = registry_emitter.provision_node(resolved)
            c = citation_node(node, resolved)
            citation_nodes[index] = c
            sink.add(node, pkg("hasCitation"), c)
            sink.add(node, pkg("restsOn"), target)
            sink.add(c, RDF_TYPE, pkg("Citation"))
            sink.add(c, pkg("cites"), target)
            sink.add(c, pkg("wholeInstrument"), boolean(resolved.citation.whole))
            if resolved.provision_exists is not None:
                sink.add(c, pkg("provisionExists"), boolean(resolved.provision_exists))
            if resolved.version:
                sink.add(c, pkg("citesVersion"), registry_emitter.version_node(resolved.instrument, resolved.version))
            sink.add(c, pkg("citationText"), zh(resolved.citation.text))
            sink.add(c, pkg("characterStart"), integer(resolved.citation.span[0]))
            sink.add(c, pkg("characterEnd"), integer(resolved.citation.span[1]))
            sink.add(c, pkg("levelAsTagged"), string(resolved.citation.instrument.level_tag) if resolved.citation.instrument.level_tag else None)
            sink.add(c, PROV_DERIVED, row)
        if facts is not None and record.identity in facts:
            emit_power_facts(sink, node, facts[record.identity], citation_nodes,
                             lambda i, when: registry_emitter.version_node(power.basis[i].instrument, when))
        for index, resolved in enumerate(power.quoted):
            q = f"{node}/quoted/{index + 1}"
            sink.add(q, RDF_TYPE, pkg("QuotedReference"))
            sink.add(q, pkg("cites"), registry_emitter.provision_node(resolved))
            sink.add(q, pkg("citationText"), zh(resolved.citation.text))
            holder = _holder(power, resolved)
            sink.add(q, pkg("quotedIn"), citation_nodes.get(holder) if holder is not None else None)
    return sink.quads


def citation_node(power_node: str, resolved: ResolvedCitation) -> str:
    """The IRI of a power's citation of one provision."""
    return f"{power_node}/citation/{iris.digest(*map(str, provision_key(resolved.citation, resolved.instrument.id)))}"


def citation_iri(power_list: PowerList, record, resolved: ResolvedCitation) -> str:
    """The citation node of ``resolved`` on ``record``'s power in ``power_list``."""
    return citation_node(iris.power(record.authority or power_list.authority, record.identity), resolved)


def _holder(power: PowerCitations, quoted: ResolvedCitation) -> int | None:
    """Index in ``power.basis`` of the citation whose quote holds ``quoted`` (the last basis
    citation starting before it)."""
    start = quoted.citation.span[0]
    before = [i for i, b in enumerate(power.basis) if b.citation.span[0] < start]
    return before[-1] if before else None
