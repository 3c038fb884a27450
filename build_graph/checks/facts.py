"""Legal facts the shapes judge, computed from a list's resolved citations and the registry:
what each quote says against the official text, repealed bases, level tags, penalty and coercion
kinds, bases without any sanction, and hints (citation details, competence, conflicting quotes).

``assess_list`` gives, per power, a :class:`PowerFacts` record; ``conflicting_quotes`` compares
the quotes of provisions without an official text (``quote_entries``) across all lists. Emit writes the
records into the graph; shapes/*.ttl decide what is a violation.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations
from typing import Iterable

import cn2an

from ..citations.resolve import PowerCitations, ResolvedCitation
from ..records import PowerList
from ..registry import Registry, number_key, tag_fits_level, title_key, without_edition
from .kinds import coercion_kinds, names_a_sanction, penalty_kinds
from .quotes import QuoteCheck, compare_quote, normal_form

_ENTRY_NUMBER = re.compile(r"(?:(?<=[\s；;。])|^)(?:\d{1,2}\s*[.、．](?!\d)|[①-⑳])")
_N = r"[零〇一二两三四五六七八九十百千\d]+"
# what may stand between a citation and its quote: 规定：“ … and the article's own number again
_LEAD = re.compile(rf"^[\s:：,，。.、“”\"‘’'「」『』]*(?:中|的|之)?(?:规定|明确规定|明确|指出)?[\s:：,，“\"「『]*"
                   rf"(?:第\s*{_N}\s*条(?:\s*第\s*{_N}\s*款)?[\s:：,，“\"「『]*)?")
_TRAILING_TAG = re.compile(r"[【\[〔][^】\]〕]{1,12}[】\]〕]\s*$")


@dataclass
class CitationFacts:
    """What the checks found about one basis citation (None / empty: nothing)."""

    quote: str | None = None
    misquote: str | None = None           # the difference from the official text, to read
    quoted_version: str | None = None     # date of the earlier version whose wording the quote has
    repealed: str | None = None           # repealed or replaced before the list's date, and by what
    level_tag_conflict: str | None = None  # the list's tag against the registry's level
    details: list[str] = field(default_factory=list)   # issuer, number or title words that differ


@dataclass
class PowerFacts:
    """What the checks found about one power; ``citations`` by index into its basis."""

    penalty_kinds: set[str] = field(default_factory=set)
    coercion_kinds: set[str] = field(default_factory=set)
    without_sanction: str | None = None
    competence: list[str] = field(default_factory=list)
    citations: dict[int, CitationFacts] = field(default_factory=dict)


def provision_label(resolved: ResolvedCitation) -> str:
    """《社会保险法》第七十九条第二款 — the cited provision, for messages."""
    c = resolved.citation
    label = f"《{resolved.instrument.title}》"
    if c.attachment is not None:
        label += f"附件{c.attachment}"
    for value, unit in ((c.article, "条"), (c.paragraph, "款"), (c.item, "项")):
        if value is not None:
            label += f"第{cn2an.an2cn(value)}{unit}"
    return label


def quotes_of(text: str, basis: list[ResolvedCitation]) -> dict[int, str]:
    """The text each basis citation is followed by (its quote), by index; citations of one
    chain (第八十四条、第八十六条：…) share one quote under the first index of the chain."""
    starts = sorted({r.citation.span[0] for r in basis})
    quotes, seen_spans = {}, set()
    for index, resolved in enumerate(basis):
        span = resolved.citation.span
        if span in seen_spans:
            continue
        seen_spans.add(span)
        following = [s for s in starts if s >= span[1]]
        stop = following[0] if following else len(text)
        nxt = next((r for r in basis if r.citation.span[0] == stop), None)
        quote = text[span[1]:stop]
        if nxt is not None and nxt.citation.instrument.issuer and quote.rstrip().endswith(nxt.citation.instrument.issuer):
            quote = quote.rstrip()[: -len(nxt.citation.instrument.issuer)]
        if entry := _ENTRY_NUMBER.search(quote):
            quote = quote[: entry.start()]
        quote = _TRAILING_TAG.sub("", quote.rstrip())
        quote = re.sub(r"(?<=[。；;，,”\s])\s*\d{1,2}\s*$", "", quote)  # the next entry's bare number
        quotes[index] = _LEAD.sub("", quote).strip()
    return quotes


def _chain(basis: list[ResolvedCitation], index: int) -> list[ResolvedCitation]:
    span = basis[index].citation.span
    return [r for r in basis if r.citation.span == span]


def _quote_facts(quote: str, chain: list[ResolvedCitation], registry: Registry, on: str | None,
                 facts: CitationFacts) -> None:
    official = "\n".join(r.official_text or "" for r in chain)
    if not quote or any(r.official_text is None for r in chain):
        return
    check = compare_quote(quote, official)
    if check.verdict != "differs":
        return
    whole = "\n".join(r.article_text or "" for r in chain)
    if whole != official and compare_quote(quote, whole).verdict == "same":
        return  # a paragraph or item cited, more of its article quoted: still the article's words
    first = chain[0]
    label = "、".join(provision_label(r) for r in chain)
    if (older := _older_wording(quote, first, registry, on)) is not None:
        facts.quoted_version = older
        return
    other = _other_article(quote, first, registry, on, check)
    facts.misquote = f"{label}：" + (other or check.summary())


def _older_wording(quote: str, resolved: ResolvedCitation, registry: Registry, on: str | None) -> str | None:
    """Date of an earlier version of the instrument whose text of the provision the quote has."""
    instrument, c = resolved.instrument, resolved.citation
    if not instrument.archive_id or registry.archive is None or c.article is None:
        return None
    entry = registry.archive.entries[instrument.archive_id]
    for version in entry.versions:
        if version.date == resolved.version or (resolved.version and (version.date or "") > resolved.version):
            continue
        article = registry.archive.articles(version).get(c.article)
        text = article.part_text(c.paragraph, c.item) if article else None
        if text and compare_quote(quote, text).verdict == "same":
            return version.date
    return None


def _other_article(quote: str, resolved: ResolvedCitation, registry: Registry, on: str | None,
                   check: QuoteCheck) -> str | None:
    """"所引文字是第N条" when most of the quote is not in the cited article but is another one."""
    if check.coverage >= 0.5 or resolved.citation.article is None:
        return None
    for number, article in sorted((registry.articles_of(resolved.instrument.id, on) or {}).items()):
        if number != resolved.citation.article and compare_quote(quote, article.text).verdict == "same":
            return f"所引文字是第{cn2an.an2cn(number)}条，不是所标的第{cn2an.an2cn(resolved.citation.article)}条"
    return None


def _repealed(resolved: ResolvedCitation, registry: Registry, on: str | None) -> str | None:
    instrument = resolved.instrument
    if instrument.provisional or not instrument.repealed:
        return None
    replacement = registry.instruments.get(instrument.replaced_by or "")
    ended = instrument.repealed_on or (replacement.date if replacement else None)
    if on and ended and ended > on:
        return None  # still in force when the list was made
    message = f"《{instrument.title}》" + (f"（{instrument.doc_number}）" if instrument.doc_number else "")
    message += f"已废止（{instrument.repealed_by}）" if instrument.repealed_by else f"{instrument.status or '已废止'}"
    if replacement is not None:
        message += f"，已被《{replacement.title}》" + (f"（{replacement.doc_number}）" if replacement.doc_number else "") + "取代"
    return message + (f"，{ended}起不再有效" if ended else "")


def _details(resolved: ResolvedCitation, registry: Registry) -> list[str]:
    """Issuer, number or title words of a resolved instrument that differ from the registry's."""
    instrument, mention = resolved.instrument, resolved.citation.instrument
    if instrument.provisional:
        return []
    hints = []
    known = {number_key(n) for n in instrument.numbers}
    if registry.doc_number_of(instrument):
        known.add(number_key(registry.doc_number_of(instrument)))
    cited = mention.doc_number
    if cited and known and number_key(cited) not in known and not cited.startswith("主席令"):
        right = registry.doc_number_of(instrument) or sorted(instrument.numbers)[0]
        if cited in instrument.mis_cited_numbers:
            hints.append(f"文号写作“{cited}”，应为“{right}”（已知的误引：发文机关不同）")
        else:
            hints.append(f"文号写作“{cited}”，登记册中为“{right}”")
    if mention.title:
        names = {title_key(without_edition(n)) for n in [instrument.title, *instrument.aliases]}
        parent = registry.instruments.get(instrument.promulgated_by or instrument.part_of or "")
        if parent is not None:
            names |= {title_key(without_edition(n)) for n in [parent.title, *parent.aliases]}
        written = title_key(without_edition(mention.title))
        if written not in names and not any(written in n or n in written for n in names if len(n) >= 6):
            hints.append(f"标题写作《{mention.title}》，登记册中为《{instrument.title}》")
    return hints


def assess_list(power_list: PowerList, cited: list[PowerCitations], registry: Registry) -> dict[str, PowerFacts]:
    """Facts per power of one list (keyed by the record's identity)."""
    on = power_list.date
    result = {}
    for power in cited:
        record = power.record
        facts = PowerFacts()
        quotes = quotes_of(record.basis_text, power.basis)
        mentions = set()
        for index, resolved in enumerate(power.basis):
            cf = CitationFacts(quote=quotes.get(index))
            if cf.quote is not None:
                _quote_facts(cf.quote, _chain(power.basis, index), registry, on, cf)
            if id(resolved.citation.instrument) not in mentions:  # once per instrument as written
                mentions.add(id(resolved.citation.instrument))
                cf.repealed = _repealed(resolved, registry, on)
                tag = resolved.citation.instrument.level_tag
                if tag_fits_level(tag, resolved.instrument.level) is False and not resolved.instrument.provisional:
                    cf.level_tag_conflict = f"《{resolved.instrument.title}》标为【{tag}】，登记册中为{resolved.instrument.level}"
                cf.details = _details(resolved, registry)
            facts.citations[index] = cf
        texts = [r.official_text or quotes.get(i) or "" for i, r in enumerate(power.basis)]
        names = [record.power, *record.subitems]
        if record.power_type == "行政处罚":
            facts.penalty_kinds = penalty_kinds(*names, *texts)
        if record.power_type == "行政强制":
            facts.coercion_kinds = coercion_kinds(*names, *texts)
        facts.without_sanction = _without_sanction(record.power_type, power.basis)
        facts.competence = _competence(power_list, record, power.basis)
        result[record.identity] = facts
    return result


def _without_sanction(power_type: str | None, basis: list[ResolvedCitation]) -> str | None:
    """For a 行政处罚 or 行政强制 whose every cited provision has an official text: the
    provisions, when none of them sets or refers to a sanction of that kind."""
    if power_type not in ("行政处罚", "行政强制") or not basis:
        return None
    if any(r.official_text is None or r.citation.whole for r in basis):
        return None  # a provision without text (or a whole document) might hold the sanction
    if any(names_a_sanction(r.official_text, power_type) for r in basis):
        return None
    what = "行政处罚" if power_type == "行政处罚" else "行政强制措施或强制执行"
    return "、".join(provision_label(r) for r in basis) + f"均未规定{what}（只有职责、义务或监督检查的规定）"


_AGENCY = re.compile(r"经办机构|中心|服务站|服务所")


def _competence(power_list: PowerList, record, basis: list[ResolvedCitation]) -> list[str]:
    hints = []
    authority = record.authority or power_list.authority
    texts = [r.official_text for r in basis if r.official_text]
    is_department = bool(re.search(r"(局|厅|委员会|委|部)$", authority)) and not _AGENCY.search(authority)
    if is_department and texts and all("经办机构" in t for t in texts) and \
            not any(re.search(r"行政部门|主管部门|监督管理部门|行政机关|人民政府", t) for t in texts):
        hints.append(f"所引条款授权的是社会保险经办机构，不是{authority}这样的行政部门")
    if re.search(r"[县区]", authority) and not re.search(r"市$", authority) and \
            (level := re.search(r"(市本级|省本级|省级|市级)", record.power)):
        hints.append(f"事项名称标明“{level.group(1)}”，却列在{authority}的清单中")
    return hints


@dataclass(frozen=True)
class QuoteEntry:
    """A quote of a provision without an official text, kept to compare across lists."""

    provision: tuple           # (instrument id, attachment, article, paragraph, item)
    list_id: str
    item_no: int | None
    quote: str
    label: str                 # the provision, for messages
    citation: str              # the citation node's IRI
    normal: str = ""           # the quote's normal form (``quotes.normal_form``), what quotes are grouped by


def quote_entries(power_list: PowerList, cited: list[PowerCitations], facts: dict[str, PowerFacts],
                  citation_iri) -> list[QuoteEntry]:
    """The quotes of one list that ``conflicting_quotes`` compares; ``citation_iri(power_list,
    record, resolved)`` names the citation node."""
    entries = []
    for power in cited:
        power_facts = facts[power.record.identity]
        for index, resolved in enumerate(power.basis):
            quote, c = power_facts.citations[index].quote, resolved.citation
            if resolved.instrument.provisional or c.article is None or resolved.official_text is not None:
                continue
            if not quote or len(_chain(power.basis, index)) > 1:
                continue
            entries.append(QuoteEntry((resolved.instrument.id, c.attachment, c.article, c.paragraph, c.item),
                                      power_list.list_id, power.record.item_no, quote, provision_label(resolved),
                                      citation_iri(power_list, power.record, resolved), normal_form(quote).text))
    return entries


def conflicting_quotes(entries: list[QuoteEntry]) -> dict[str, list[str]]:
    """Across all lists: citation IRI → hints, for quotes of one provision (one without an
    official text to judge them by) that differ in substance — neither is the other or an
    excerpt of it. The same wording quoted by many lists is compared once (by normal form), so
    the cost grows with the distinct wordings, not with the lists."""
    by_provision: dict[tuple, dict[str, list[QuoteEntry]]] = defaultdict(lambda: defaultdict(list))
    for entry in entries:
        by_provision[entry.provision][entry.normal].append(entry)
    return conflicts_by_provision(by_provision.values())


def conflicts_by_provision(provisions: Iterable[dict[str, list[QuoteEntry]]]) -> dict[str, list[str]]:
    """:func:`conflicting_quotes` from the quotes grouped already: per provision (in the order
    first quoted), normal form → its quotes (in the order quoted)."""
    hints: dict[str, list[str]] = defaultdict(list)
    for variants in provisions:
        for (_, group_a), (_, group_b) in combinations(sorted(variants.items()), 2):
            quote_a, quote_b = group_a[0].quote, group_b[0].quote
            forward, backward = compare_quote(quote_a, quote_b, strict=True), compare_quote(quote_b, quote_a, strict=True)
            if "too-short" in (forward.verdict, backward.verdict) or "same" in (forward.verdict, backward.verdict):
                continue
            for mine, theirs, check in ((group_a, group_b, backward), (group_b, group_a, forward)):
                others = f"{theirs[0].list_id} 第{theirs[0].item_no}项" + (f"等{len(theirs)}处" if len(theirs) > 1 else "")
                for entry in mine:
                    if len(hints[entry.citation]) < 3:
                        hints[entry.citation].append(f"{entry.label}：{others}的引文不同（{check.summary(2)}）")
    return dict(hints)
