"""Citation rows in the JSON shapes of the CLI contract (``cite`` and ``export citations``)."""
from __future__ import annotations

from ..records import PowerList
from ..registry import Registry, load_registry
from .resolve import PowerCitations, ResolvedCitation, cite_list, cite_text

CITATION_COLUMNS = ("list", "authority", "item_no", "power", "subitem", "power_type", "instrument",
                    "chapter", "article", "paragraph", "item", "attachment", "whole", "text")


def citation_object(resolved: ResolvedCitation, registry: Registry) -> dict:
    """The provision part shared by both shapes."""
    c, instrument = resolved.citation, resolved.instrument
    return {
        "instrument": {"id": instrument.id, "title": instrument.title,
                       "doc_number": registry.doc_number_of(instrument), "level": instrument.level,
                       "resolved": not instrument.provisional, "status": instrument.status,
                       "version": resolved.version},
        "chapter": c.chapter, "article": c.article, "paragraph": c.paragraph, "item": c.item,
        "attachment": c.attachment, "whole": c.whole, "text": c.text,
        "provision_exists": resolved.provision_exists, "official_text": resolved.official_text,
        "cited_as": {"title": c.instrument.title, "doc_number": c.instrument.doc_number,
                     "level_tag": c.instrument.level_tag, "edition": c.instrument.edition},
    }


def cite_rows(text: str, registry: Registry | None = None, on: str | None = None) -> list[dict]:
    """``powerkg cite``: every citation in free text, with its role and character span; ``on``
    (ISO date) picks the law versions in force then (default: the current ones)."""
    registry = registry or load_registry()
    rows = []
    for resolved in cite_text(text, registry, on):
        row = citation_object(resolved, registry)
        row["role"] = resolved.citation.role
        if resolved.citation.quoted_in is not None:
            row["quoted_in"] = resolved.citation.quoted_in
        if resolved.instrument.provisional:
            row["unresolved_reason"] = resolved.instrument.unresolved_reason
        row["span"] = list(resolved.citation.span)
        rows.append(row)
    return rows


def citation_rows(lists: list[PowerList], registry: Registry | None = None,
                  cited: dict[str, list[PowerCitations]] | None = None) -> list[dict]:
    """``powerkg export citations``: one row per (power, provision) across the lists.
    ``cited`` (list id → citations) reuses a build's citations instead of citing again."""
    registry = registry or load_registry()
    rows = []
    for power_list in lists:
        powers = cited[power_list.list_id] if cited else cite_list(power_list, registry)[0]
        for power in powers:
            record = power.record
            for resolved in power.basis:
                rows.append({
                    "list": power_list.list_id, "authority": record.authority, "item_no": record.item_no,
                    "power": record.main_item, "subitem": "、".join(record.subitems) or None,
                    "power_type": record.power_type, **citation_object(resolved, registry)})
    return rows
