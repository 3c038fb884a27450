"""Link citations to registry instruments and statute articles; cite every power of a list."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from .. import iris
from ..records import Finding, PowerList, PowerRecord
from ..registry import Registry
from .grammar import find_citations
from .model import Citation, ResolvedInstrument


@dataclass
class ResolvedCitation:
    """A citation with the instrument it names and, where the statute text is known, the
    article's text. ``problems`` says what does not fit (no such article, chapter differs).
    ``provision_exists``: True when the instrument's text has the cited part (or a whole
    registered instrument is cited), False when it does not, None when no text is known."""

    citation: Citation
    instrument: ResolvedInstrument
    article_text: str | None = None
    problems: list[str] = field(default_factory=list)
    provision_exists: bool | None = None
    official_text: str | None = None  # the cited article, paragraph or item, in the version cited
    version: str | None = None  # date (ISO) of the version cited: the one in force on the list's date


@dataclass
class PowerCitations:
    """The basis citations of one power (duplicates of the same provision folded) and the
    references found inside its quoted article text."""

    record: PowerRecord
    basis: list[ResolvedCitation]
    quoted: list[ResolvedCitation]


def resolve(citation: Citation, registry: Registry, on: str | None = None) -> ResolvedCitation:
    """Resolve one citation against the registry, in the version in force on ``on`` (ISO date of
    the list; None: the current version)."""
    instrument = registry.resolve(citation.instrument, into_provisions=citation.article is not None,
                                  attachment=citation.attachment)
    resolved = ResolvedCitation(citation, instrument)
    if instrument.provisional:
        return resolved
    resolved.version = registry.version_on(instrument.id, on)
    articles = registry.articles_of(instrument.id, on)
    in_own_attachment = citation.attachment is not None and instrument.attachment_no is None
    if citation.whole and citation.attachment is None:
        resolved.provision_exists = True
    elif not articles or in_own_attachment:
        return resolved  # no text to check against
    elif citation.article is not None:
        article = articles.get(citation.article)
        if article is None:
            resolved.problems.append(f"{instrument.title} has no article {citation.article} "
                                     f"(its text has articles {min(articles)}–{max(articles)})")
        else:
            resolved.article_text = article.text
            resolved.official_text = article.part_text(citation.paragraph, citation.item)
            if citation.chapter is not None and article.chapter is not None and citation.chapter != article.chapter:
                resolved.problems.append(f"article {citation.article} of {instrument.title} is in chapter "
                                         f"{article.chapter}, the list says chapter {citation.chapter}")
            if missing := article.missing_part(citation.paragraph, citation.item):
                resolved.problems.append(f"{instrument.title}: {missing}")
        resolved.provision_exists = article is not None and not article.missing_part(citation.paragraph,
                                                                                     citation.item)
    elif citation.chapter is not None:
        chapters = {a.chapter for a in articles.values()}
        resolved.provision_exists = citation.chapter in chapters
        if not resolved.provision_exists:
            resolved.problems.append(f"{instrument.title} has no chapter {citation.chapter}")
    return resolved


def target_path(resolved: ResolvedCitation) -> str:
    """Provision path under the resolved instrument (``att_2/art_4__para_1``; "" = whole).
    An attachment the registry knows is an instrument of its own, so its number is not repeated."""
    c = resolved.citation
    attachment = None if resolved.instrument.attachment_no is not None else c.attachment
    return iris.provision_path(c.chapter, c.article, c.paragraph, c.item, attachment)


def provision_key(c: Citation, instrument_id: str) -> tuple:
    return (instrument_id, c.attachment, c.article, c.paragraph, c.item, c.whole)


def cite_text(text: str, registry: Registry, on: str | None = None) -> list[ResolvedCitation]:
    return [resolve(c, registry, on) for c in _citations_in(text)]


@lru_cache(maxsize=2048)
def _citations_in(text: str) -> tuple[Citation, ...]:
    """``find_citations(text)``, parsed once per process for a text met again: lists copy their
    basis texts from one another (a county's list from its city's), and sub-items repeat their
    main item's. The citations are shared, never changed after parsing."""
    return tuple(find_citations(text))


def cite_list(power_list: PowerList, registry: Registry) -> tuple[list[PowerCitations], list[Finding]]:
    """Citations of every power of a list (in the law versions in force on the list's date), and
    findings for unresolved ones and misfits."""
    result, findings = [], []
    for record in power_list.records:
        basis, quoted, seen = [], [], set()
        if record.unlinked_reason:  # the reader found its cells shifted: linking would mislead
            result.append(PowerCitations(record, [], []))
            continue
        for resolved in cite_text(record.basis_text, registry, power_list.date):
            target = basis if resolved.citation.role == "basis" else quoted
            key = provision_key(resolved.citation, resolved.instrument.id)
            if target is basis:
                if key in seen:
                    continue
                seen.add(key)
            target.append(resolved)
        label = f"item {record.item_no} ({record.power[:30]})"
        line = record.source.first_line
        if not basis:
            findings.append(Finding("warning", power_list.source_file, line, "no-citation",
                                               f"{label}: no legal citation found in its basis text"))
        for resolved in basis:
            if resolved.instrument.provisional:
                findings.append(Finding(
                    "warning", power_list.source_file, line, "unresolved-citation",
                    f"{label}: {resolved.citation.text.strip()!r} — {resolved.instrument.unresolved_reason}"))
            for problem in resolved.problems:
                findings.append(Finding("warning", power_list.source_file, line,
                                                   "provision-mismatch", f"{label}: {problem}"))
        result.append(PowerCitations(record, basis, quoted))
    return result, findings
