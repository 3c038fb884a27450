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
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from .citations.model import InstrumentMention, ResolvedInstrument
from .citations.normalize import normalize, to_int
from .data import folder

if TYPE_CHECKING:
    from .law.archive import LawArchive
PKG = "https://w3id.org/powerkg/ontology#"
INST = "https://w3id.org/powerkg/id/instrument/"
LEVEL = "https://w3id.org/powerkg/id/level/"
ELI = "http://data.europa.eu/eli/ontology#"
SKOS = "http://www.w3.org/2004/02/skos/core#"

LEVELS = {  # level IRI local name → 效力层级, highest first
    "law": "法律",
    "administrative-regulation": "行政法规",
    "local-regulation": "地方性法规",
    "autonomous-regulation": "自治条例",
    "separate-regulation": "单行条例",
    "sez-regulation": "经济特区法规",
    "departmental-rule": "部门规章",
    "local-government-rule": "地方政府规章",
    "normative-document": "规范性文件",
}
LEVEL_BY_LABEL = {label: key for key, label in LEVELS.items()}
# 立法法's families: a 【法规】 tag claims one of the first, a 【规章】 tag one of the second.
LEVEL_FAMILIES = {"法规": ("行政法规", "地方性法规", "自治条例", "单行条例", "经济特区法规"),
                  "规章": ("部门规章", "地方政府规章")}


def tag_fits_level(tag: str | None, level: str | None) -> bool | None:
    """Whether a list's level tag agrees with a known level (None when either is unknown):
    【规章】 fits 部门规章 and 地方政府规章, 【法规】 every kind of 法规, other tags their own level."""
    if not tag or not level:
        return None
    return level in LEVEL_FAMILIES.get(tag, (tag,))


def title_key(title: str) -> str:
    """Comparable form of a title: normalised, no spaces, quotes or brackets, no 中华人民共和国
    (also inside: 山东省实施《中华人民共和国环境影响评价法》办法)."""
    text = normalize(title or "")
    text = re.sub(r"[\s《》〈〉<>\"“”'‘’]", "", text)
    return text.replace("中华人民共和国", "")


_EDITION_NOTE = re.compile(r"\s*\(\s*(?:(?:19|20)\d\d\s*年?[^()]{0,8}|[^()]{0,6}(?:修订|修正|修改)[^()]{0,4})\)\s*$"
                           r"|\s*(?:19|20)\d\d\s*年?\s*(?:修订|修正|修改)?\s*(?:版|本)\s*$")
_MASK = re.compile(r"[*×○□■●▲△※?]+|X{2,}|…+|\.{2,}")


def without_edition(title: str | None) -> str | None:
    """A title without an edition note at its end: 《X(2019年修订)》, 《X 2023年版》 → X."""
    return _EDITION_NOTE.sub("", normalize(title)) if title else title


def masked_pattern(title: str | None) -> re.Pattern | None:
    """For a title with masked characters (×, *, ○, …), a pattern over title keys in which
    each masked run stands for one to twelve characters; None when nothing is masked."""
    key = title_key(title or "")
    if not _MASK.search(key):
        return None
    pieces = _MASK.split(key)
    if sum(len(piece) for piece in pieces) < 3:
        return None  # too little left to identify anything
    return re.compile(".{1,12}?".join(re.escape(piece) for piece in pieces))


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

    def part_text(self, paragraph: int | None, item: int | None) -> str | None:
        """The text of 第N款 / 第M项 of this article (the whole article when neither is given),
        or None when the part does not exist."""
        if self.missing_part(paragraph, item):
            return None
        groups: list[tuple[str, list[str]]] = []
        for line in self.paragraphs:
            if _ITEM_LINE.match(line) and groups:
                groups[-1][1].append(line)
            else:
                groups.append((line, []))
        if paragraph is None and item is None:
            return self.text
        head, items = groups[paragraph - 1] if paragraph is not None else next(g for g in groups if g[1])
        return items[item - 1] if item is not None else "\n".join([head, *items])

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
    """A LawRefBook Markdown file → (title, articles by number)."""
    return parse_statute_text(path.read_text(encoding="utf-8"))


def parse_statute_text(markdown: str) -> tuple[str, dict[int, Article]]:
    """LawRefBook Markdown text → (title, articles by number)."""
    title, articles = "", {}
    chapter, chapter_title, current = None, None, None
    in_body = False
    for raw in markdown.splitlines():
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
    archive: "LawArchive | None" = None

    def version_on(self, instrument_id: str, on: str | None = None) -> str | None:
        """Date (ISO) of the instrument's version in force on ``on`` (ISO date; None: the current
        one); None when the archive has no versions of it."""
        instrument = self.instruments.get(instrument_id)
        if instrument is None or not instrument.archive_id or self.archive is None:
            return None
        if on is None:
            return instrument.version
        return self.archive.entries[instrument.archive_id].version_on(on).date

    def articles_of(self, instrument_id: str, on: str | None = None) -> dict[int, Article] | None:
        """Article texts of an instrument in the version in force on ``on`` (ISO date; None: the
        current version): the curated statute text for the current version, else the archive's."""
        instrument = self.instruments.get(instrument_id)
        version = self.version_on(instrument_id, on)
        current = instrument is not None and version == instrument.version
        if instrument_id in self.statutes and (current or version is None):
            return self.statutes[instrument_id]
        if version is None:
            return None
        entry = self.archive.entries[instrument.archive_id]
        return self.archive.articles(entry.version_on(on or instrument.version)) or None

    def _from_archive(self, mention: InstrumentMention) -> str | None:
        """Id of the archive instrument a mention names (added to ``instruments`` on first use)."""
        if self.archive is None:
            return None
        entry = self.archive.find(mention.title, mention.doc_number) or (
            self.archive.find(mention.promulgated_by) if mention.promulgated_by else None)
        if entry is None:
            return None
        if entry.id not in self.instruments:
            self.instruments[entry.id] = instrument_from_archive(entry)
        return entry.id

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
        found = found or self._from_archive(mention)
        if not found and mention.title:
            found = self._by_variant_title(mention)
        if found:
            return self.instruments[found]
        return self.provisional(mention)

    def _by_variant_title(self, mention: InstrumentMention) -> str | None:
        """A title that names its edition (《药品管理法(2019修订)》) resolves as the title without it;
        a title with masked characters (《中华人民共和国××法》) resolves when exactly one known
        title fits it."""
        plain = without_edition(mention.title)
        if plain != mention.title:
            found = self.resolve(replace(mention, title=plain, doc_number=None))
            if not found.provisional:
                return found.id
        pattern = masked_pattern(mention.title)
        if pattern is None:
            return None
        fits = {ident for key, ident in (*self.by_title.items(), *self.by_alias.items()) if pattern.fullmatch(key)}
        if self.archive is not None:
            fits |= {ident for key, ident in self.archive.by_title.items() if pattern.fullmatch(key)}
        if len(fits) != 1:
            return None
        ident = fits.pop()
        if ident not in self.instruments:
            self.instruments[ident] = instrument_from_archive(self.archive.entries[ident])
        return ident

    def provisional(self, mention: InstrumentMention) -> ResolvedInstrument:
        key = number_key(mention.doc_number or "") + "|" + title_key(mention.title or "")
        digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]
        wanted = " / ".join(x for x in (mention.doc_number, f"《{mention.title}》" if mention.title else None) if x)
        return ResolvedInstrument(
            id=f"provisional-{digest}", title=mention.title or mention.doc_number or "?",
            doc_number=mention.doc_number, level=None, provisional=True,
            unresolved_reason=f"no registry instrument has the number or title {wanted or '(none given)'}; its legal "
                              f"level is unknown" + (f" (the list's own tag 【{mention.level_tag}】 is a claim, not proof)"
                                                     if mention.level_tag else ""))

    def doc_number_of(self, instrument: ResolvedInstrument) -> str | None:
        """An instrument's own number, else that of the notice promulgating it."""
        if instrument.doc_number:
            return instrument.doc_number
        parent = instrument.promulgated_by or instrument.part_of
        return self.instruments[parent].doc_number if parent in self.instruments else None


def instrument_from_archive(entry) -> ResolvedInstrument:
    """A registry instrument for an archive entry, pointing at its current version."""
    from .law.archive import STATUS_LABELS

    current = entry.version_on(None)
    return ResolvedInstrument(
        id=entry.id, title=entry.title, doc_number=entry.orders[-1] if entry.orders else None,
        level=LEVELS.get(entry.level), issuer=entry.issuer, date=entry.versions[0].date,
        status=STATUS_LABELS[entry.status], aliases=list(entry.aliases), version=current.date, archive_id=entry.id,
        numbers=list(entry.orders))


def archive_file() -> Path:
    """The bundled law archive (every national law, administrative regulation and the
    departmental rules of the imported corpus), written by ``powerkg registry import``."""
    return folder("corpus") / "laws.zip"


def registry_file() -> Path:
    """The curated instrument registry shipped in ontology/."""
    return folder("ontology") / "instruments.ttl"


def statutes_dir() -> Path:
    """The bundled statute texts (LawRefBook Markdown) in corpus/statutes/."""
    return folder("corpus") / "statutes"


@lru_cache(maxsize=4)
def load_registry(path: Path | None = None, statutes: Path | None = None, archive: Path | None = None) -> Registry:
    """Parse the registry Turtle (default: the bundled one), attach the statute texts its
    ``pkg:statuteText`` entries name (default folder: the bundled corpus/statutes/) and the law
    archive (default: the bundled corpus/laws.zip) behind it: a curated entry wins over the
    archive's entry of the same title, and takes its versions and status from it."""
    import rdflib

    from .law.archive import LawArchive

    path, statutes = path or registry_file(), statutes or statutes_dir()
    archive = archive or archive_file()

    graph = rdflib.Graph()
    graph.parse(path, format="turtle")
    ns = rdflib.Namespace
    pkg, eli, skos = ns(PKG), ns(ELI), ns(SKOS)
    instruments: dict[str, ResolvedInstrument] = {}
    registry = Registry(instruments, archive=LawArchive(archive) if archive.is_file() else None)
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
            attachment_no=int(attachment_no) if attachment_no else None,
            replaced_by=one(pkg.replacedBy).removeprefix(INST) if one(pkg.replacedBy) else None,
            repealed_by=one(pkg.repealedBy), repealed_on=one(pkg.repealedOn),
            mis_cited_numbers=sorted(str(o) for o in graph.objects(subject, pkg.misCitedNumber)))
        instruments[ident] = instrument
        for number in [instrument.doc_number, one(pkg.otherNumber), one(pkg.promulgationOrder)]:
            if number:
                instrument.numbers.append(number)
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
    attach_archive_versions(registry)
    return registry


def attach_archive_versions(registry: Registry) -> None:
    """Give curated instruments that the archive also holds (same title) its versions: the
    version cited and, where the registry says nothing, the status."""
    from .law.archive import STATUS_LABELS

    if registry.archive is None:
        return
    for instrument in list(registry.instruments.values()):
        entry = registry.archive.find(instrument.title)
        if entry is not None and not instrument.archive_id:
            instrument.archive_id = entry.id
            instrument.version = entry.version_on(None).date
            instrument.status = instrument.status or STATUS_LABELS[entry.status]
