"""The instrument registry (ontology/instruments.ttl) and statute texts (corpus/statutes/).

Resolution of an instrument mention, in order: document number, then title, then alias.
A number that names a notice which promulgates rules (关于印发…的通知) resolves to those rules
when the citation points into them (nested title, or an article cited); an attachment number
resolves to the registered attachment. Whatever is not found becomes a provisional instrument
with the reason — never dropped.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .citations.model import InstrumentMention, ResolvedInstrument
from .citations.normalize import normalize, to_int
from .data import folder
PKG = "https://w3id.org/powerkg/ontology#"
INST = "https://w3id.org/powerkg/id/instrument/"
LEVEL = "https://w3id.org/powerkg/id/level/"
ELI = "http://data.europa.eu/eli/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"

LEVELS = {  # level IRI local name → 效力层级, highest first
    "law": "法律",
    "administrative-regulation": "行政法规",
    "local-regulation": "地方性法规",
    "departmental-rule": "部门规章",
    "local-government-rule": "地方政府规章",
    "normative-document": "规范性文件",
}
LEVEL_BY_LABEL = {label: key for key, label in LEVELS.items()}


def title_key(title: str) -> str:
    """Comparable form of a title: normalised, no spaces or brackets, no 中华人民共和国 prefix."""
    text = normalize(title or "")
    text = re.sub(r"[\s《》〈〉<>\"“”]", "", text)
    return re.sub(r"^中华人民共和国", "", text)


def number_key(number: str) -> str:
    return re.sub(r"\s", "", normalize(number or "")).replace("[", "〔").replace("]", "〕")


_ITEM_LINE = re.compile(r"^[（(]([零〇一二三四五六七八九十百]+)[)）]")


@dataclass
class Article:
    """One article of a statute text: number, chapter (number, heading) and its lines as the
    text has them — paragraphs (款), each followed by its enumerated items (项, ``（一）…``)."""

    number: int
    chapter: int | None
    chapter_title: str | None
    paragraphs: list[str]  # every line of the article, items included

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)

    def structure(self) -> list[list[str]]:
        """Per paragraph (款), its item lines (项); a paragraph without items has []."""
        result: list[list[str]] = []
        for line in self.paragraphs:
            if _ITEM_LINE.match(line) and result:
                result[-1].append(line)
            else:
                result.append([])
        return result

    def missing_part(self, paragraph: int | None, item: int | None) -> str | None:
        """Why 第N款/第M项 of this article does not exist, or None when it does. An item cited
        without a paragraph is looked up in the first paragraph that has items."""
        paragraphs = self.structure()
        if paragraph is not None and not 1 <= paragraph <= len(paragraphs):
            return f"article {self.number} has {len(paragraphs)} paragraph(s), not {paragraph}"
        if item is None:
            return None
        items = paragraphs[paragraph - 1] if paragraph is not None else next((i for i in paragraphs if i), [])
        if not 1 <= item <= len(items):
            where = f"paragraph {paragraph} of article {self.number}" if paragraph else f"article {self.number}"
            return f"{where} has {len(items)} item(s), not {item}"
        return None


def parse_statute(path: Path) -> tuple[str, dict[int, Article]]:
    """LawRefBook Markdown → (title, articles by number)."""
    title, articles = "", {}
    chapter, chapter_title, current = None, None, None
    in_body = False
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("# ") and not title:
            title = line[2:].strip()
            continue
        if line.startswith("<!-- INFO END"):
            in_body = True
            continue
        if not in_body:
            continue
        if match := re.match(r"^#+\s*第(\S+?)章\s*(.*)$", line):
            chapter, chapter_title = to_int(match.group(1)), match.group(2).strip() or None
            continue
        if line.startswith("#"):
            continue
        if match := re.match(r"^第([零〇一二三四五六七八九十百千]+)条\s*(.*)$", line):
            number = to_int(match.group(1))
            current = Article(number, chapter, chapter_title, [match.group(2).strip()])
            articles[number] = current
        elif current is not None:
            current.paragraphs.append(line)
    return title, articles


@dataclass
class Registry:
    """Registry instruments by id, with look-up indices and statute texts by instrument id."""

    instruments: dict[str, ResolvedInstrument]
    by_number: dict[str, str] = field(default_factory=dict)
    by_title: dict[str, str] = field(default_factory=dict)
    by_alias: dict[str, str] = field(default_factory=dict)
    statutes: dict[str, dict[int, Article]] = field(default_factory=dict)
    promulgates: dict[str, list[str]] = field(default_factory=dict)
    attachments: dict[tuple[str, int], str] = field(default_factory=dict)

    def resolve(self, mention: InstrumentMention, *, into_provisions: bool = False,
                attachment: int | None = None) -> ResolvedInstrument:
        """The registry instrument a mention names, or a provisional one with the reason."""
        found = None
        if mention.doc_number:
            found = self.by_number.get(number_key(mention.doc_number))
            if found and attachment is not None and (found, attachment) in self.attachments:
                return self.instruments[self.attachments[(found, attachment)]]
            rules = self.promulgates.get(found or "", [])
            if found and len(rules) == 1 and (mention.promulgated_by or into_provisions):
                found = rules[0]
        if not found and mention.title:
            key = title_key(mention.title)
            found = self.by_title.get(key) or self.by_alias.get(key)
            if not found and mention.promulgated_by:
                notice = title_key(mention.promulgated_by)
                found = self.by_title.get(notice) or self.by_alias.get(notice)
        if found:
            return self.instruments[found]
        return self.provisional(mention)

    def provisional(self, mention: InstrumentMention) -> ResolvedInstrument:
        key = number_key(mention.doc_number or "") + "|" + title_key(mention.title or "")
        digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]
        level = mention.level_tag if mention.level_tag in LEVEL_BY_LABEL else None
        wanted = " / ".join(x for x in (mention.doc_number, f"《{mention.title}》" if mention.title else None) if x)
        return ResolvedInstrument(
            id=f"provisional-{digest}", title=mention.title or mention.doc_number or "?",
            doc_number=mention.doc_number, level=level, provisional=True,
            unresolved_reason=f"no registry instrument has the number or title {wanted or '(none given)'}"
                              + ("" if level else "; its legal level is unknown"))

    def doc_number_of(self, instrument: ResolvedInstrument) -> str | None:
        """An instrument's own number, else that of the notice promulgating it."""
        if instrument.doc_number:
            return instrument.doc_number
        parent = instrument.promulgated_by or instrument.part_of
        return self.instruments[parent].doc_number if parent in self.instruments else None


def registry_file() -> Path:
    """The curated instrument registry shipped in ontology/."""
    return folder("ontology") / "instruments.ttl"


def statutes_dir() -> Path:
    """The bundled statute texts (LawRefBook Markdown) in corpus/statutes/."""
    return folder("corpus") / "statutes"


@lru_cache(maxsize=4)
def load_registry(path: Path | None = None, statutes: Path | None = None) -> Registry:
    """Parse the registry Turtle (default: the bundled one) and attach the statute texts its
    ``pkg:statuteText`` entries name (default folder: the bundled corpus/statutes/)."""
    import rdflib

    path, statutes = path or registry_file(), statutes or statutes_dir()

    graph = rdflib.Graph()
    graph.parse(path, format="turtle")
    ns = rdflib.Namespace
    pkg, eli, skos = ns(PKG), ns(ELI), ns(SKOS)
    instruments: dict[str, ResolvedInstrument] = {}
    registry = Registry(instruments)
    for subject in sorted(set(graph.subjects(rdflib.RDF.type, eli.LegalResource))):
        ident = str(subject).removeprefix(INST)

        def one(predicate):
            value = graph.value(subject, predicate)
            return None if value is None else str(value)

        level_iri = one(pkg.legalLevel)
        part_of = one(eli.is_part_of)
        promulgated_by = one(pkg.promulgatedBy)
        attachment_no = one(pkg.attachmentNumber)
        aliases = sorted(str(o) for p in (skos.altLabel, skos.hiddenLabel) for o in graph.objects(subject, p))
        instrument = ResolvedInstrument(
            id=ident, title=one(eli.title) or ident, doc_number=one(eli.id_local),
            level=LEVELS.get((level_iri or "").removeprefix(LEVEL)), issuer=one(pkg.issuerName),
            date=one(eli.date_document), status=one(pkg.status), aliases=aliases,
            part_of=part_of.removeprefix(INST) if part_of else None,
            promulgated_by=promulgated_by.removeprefix(INST) if promulgated_by else None,
            attachment_no=int(attachment_no) if attachment_no else None)
        instruments[ident] = instrument
        for number in [instrument.doc_number, one(pkg.otherNumber), one(pkg.promulgationOrder)]:
            if number:
                registry.by_number.setdefault(number_key(number), ident)
        registry.by_title.setdefault(title_key(instrument.title), ident)
        for alias in aliases:
            registry.by_alias.setdefault(title_key(alias), ident)
        if instrument.promulgated_by:
            registry.promulgates.setdefault(instrument.promulgated_by, []).append(ident)
        if instrument.part_of and instrument.attachment_no:
            registry.attachments[(instrument.part_of, instrument.attachment_no)] = ident
        if text_file := one(pkg.statuteText):
            _, articles = parse_statute(statutes / text_file)
            registry.statutes[ident] = articles
    return registry
