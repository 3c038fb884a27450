"""Reconcile a list's summary table with its detail rows; report every disagreement.

Matching is by item name (not by number or position, which the lists themselves get wrong),
so a re-ordered or renumbered list still pairs each summary entry with its detail row.
Also fills in ``item_no`` and ``category_no`` of each record.
"""
from __future__ import annotations

import re
from difflib import SequenceMatcher

from .records import Finding, PowerList, PowerRecord, SummaryCategory, SummaryItem

MATCH_THRESHOLD = 0.6


def name_key(name: str) -> str:
    """Name without 主项/子项 markers, spaces and punctuation: what summary and details must share."""
    return re.sub(r"[（(]\s*[主子]项\s*[)）]|[\s\-—–─、，,。.：:（）()]", "", name)


def _similarity(a: str, b: str) -> float:
    """difflib's ratio of two name keys; 0.0 when its upper bounds already fall below the
    match threshold (the only use of a score that low is to be dropped)."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < MATCH_THRESHOLD or matcher.quick_ratio() < MATCH_THRESHOLD:
        return 0.0
    return matcher.ratio()


def _match(items: list[tuple[SummaryCategory, SummaryItem]], records: list[PowerRecord]) -> dict[int, int]:
    """record index → summary item index, greedy by best similarity (ties: nearest position).

    Identical names are paired first; only the records and entries left over are compared
    pairwise (a pair scoring 1.0 would have been taken first anyway), so a list whose summary
    and details agree costs no fuzzy comparison."""
    record_keys = [name_key(record.power) for record in records]
    item_keys = [name_key(item.name) for _, item in items]
    by_key: dict[str, list[int]] = {}
    for s, key in enumerate(item_keys):
        if key:
            by_key.setdefault(key, []).append(s)
    exact = sorted((abs(r - s), r, s) for r, key in enumerate(record_keys) if key for s in by_key.get(key, ()))
    matched: dict[int, int] = {}
    used: set[int] = set()
    for _, r, s in exact:
        if r not in matched and s not in used:
            matched[r] = s
            used.add(s)
    pairs = []
    for r, key in enumerate(record_keys):
        if r in matched:
            continue
        for s, item_key in enumerate(item_keys):
            if s not in used and (score := _similarity(key, item_key)) >= MATCH_THRESHOLD:
                pairs.append((-score, abs(r - s), r, s))
    for _, _, r, s in sorted(pairs):
        if r not in matched and s not in used:
            matched[r] = s
            used.add(s)
    return matched


def _listed_number(record: PowerRecord) -> int | None:
    """The item number a row lists; None for none, or for a code in the number column (more
    than four digits: 330217001000 is an item's code, not its place)."""
    text = record.number_as_listed
    return int(text) if text.isdigit() and len(text) <= 4 else None


def _numbers_restart(records: list[PowerRecord]) -> bool:
    """True when detail numbers restart per category (1,2,3,1,1,…) rather than run on."""
    numbers = [n for n in map(_listed_number, records) if n is not None]
    return any(b <= a for a, b in zip(numbers, numbers[1:]))


def reconcile(power_list: PowerList) -> None:
    """Number the records and append reconciliation findings to ``power_list.findings``."""
    records, name = power_list.records, power_list.source_file
    findings = power_list.findings

    def report(severity: str, line: int | None, code: str, message: str) -> None:
        findings.append(Finding(severity, name, line, code, message))

    labels: dict[str, list[PowerRecord]] = {}
    for record in records:
        if record.power_type and record.power_type_as_listed != record.power_type:
            labels.setdefault(record.power_type_as_listed, []).append(record)
    for label, holders in labels.items():
        report("info", holders[0].source.first_line, "nonstatutory-type-label",
               f"type label {label!r} ({len(holders)} items) is none of the statutory type names; "
               f"read as {holders[0].power_type}")

    per_category = _numbers_restart(records)
    counters: dict[str | None, int] = {}
    for position, record in enumerate(records, 1):
        listed = _listed_number(record)
        counters[record.power_type] = counters.get(record.power_type, 0) + 1
        if per_category:
            record.category_no = listed if listed is not None else counters[record.power_type]
        else:
            record.item_no = listed if listed is not None else position
            record.category_no = counters[record.power_type]

    summary = power_list.summary
    if summary is None:
        report("warning", None, "no-summary", "the list has no summary table (总表); nothing to reconcile")
        for position, record in enumerate(records, 1):
            record.item_no = record.item_no or position
        return

    items = summary.items()
    if summary.declared_items is not None and summary.declared_items != len(items):
        report("warning", summary.line, "summary-total-mismatch",
               f"summary title declares {summary.declared_items} items, its table lists {len(items)}")
    if summary.declared_items is not None and summary.declared_items != len(records):
        report("warning", summary.line, "detail-total-mismatch",
               f"summary title declares {summary.declared_items} items, the detail tables hold {len(records)}")
    used_categories = [c for c in summary.categories if c.items or c.declared_count]
    if summary.declared_categories is not None and summary.declared_categories != len(used_categories):
        report("warning", summary.line, "category-total-mismatch",
               f"summary title declares {summary.declared_categories} categories, {len(used_categories)} have items")
    for category in summary.categories:
        if category.declared_count is not None and category.declared_count != len(category.items):
            report("warning", category.line, "category-count-mismatch",
                   f"category {category.ordinal}、{category.power_type_as_listed} declares "
                   f"{category.declared_count} items but lists {len(category.items)}")
        in_details = sum(1 for r in records if r.power_type == category.power_type)
        if category.declared_count is not None and category.declared_count != in_details:
            report("warning", category.line, "category-detail-count-mismatch",
                   f"category {category.ordinal}、{category.power_type_as_listed} declares "
                   f"{category.declared_count} items; the detail tables hold {in_details} of type {category.power_type}")

    matched = _match(items, records)
    for r, record in enumerate(records):
        line = record.source.first_line
        label = _label(record)
        if r not in matched:
            report("warning", line, "detail-without-summary",
                   f"{label} has no entry in the summary table")
            continue
        category, item = items[matched[r]]
        item.detail = record
        record.summary_item_no, record.summary_name = item.item_no, item.name
        record.summary_type_label = category.power_type_as_listed
        if per_category:
            record.item_no = item.item_no
            label = _label(record)
        elif item.item_no is not None and record.item_no != item.item_no:
            report("warning", line, "number-mismatch",
                   f"{label} is numbered {item.item_no} in the summary (line {item.line}) but {record.item_no} in the details")
        if name_key(item.name) != name_key(record.power):
            report("info", line, "name-mismatch",
                   f"{label}: summary (line {item.line}) names it {item.name!r}")
        if category.power_type != record.power_type:
            report("warning", line, "type-mismatch",
                   f"{label} is filed under {category.power_type_as_listed} in the summary (line {category.line}) "
                   f"but typed {record.power_type_as_listed} in the details")
        elif category.power_type_as_listed != record.power_type_as_listed:
            report("warning", line, "type-label-mismatch",
                   f"{label}: type label {record.power_type_as_listed!r} differs from the summary's "
                   f"{category.power_type_as_listed!r}")
    matched_items = set(matched.values())
    for s, (category, item) in enumerate(items):
        if s not in matched_items:
            report("warning", item.line, "summary-without-detail",
                   f"summary item {item.item_no} ({item.name[:40]}) under {category.power_type_as_listed} has no detail row")
    order = [items[matched[r]][1].item_no or 0 for r in range(len(records)) if r in matched]
    if any(b < a for a, b in zip(order, order[1:])):
        first = next(i for i, (a, b) in enumerate(zip(order, order[1:])) if b < a)
        record = [records[r] for r in range(len(records)) if r in matched][first + 1]
        report("warning", record.source.first_line, "order-mismatch",
               "the detail rows are not in summary order (summary numbers in detail order: "
               + ", ".join(map(str, order)) + ")")
    taken = {r.item_no for r in records if r.item_no is not None}
    next_free = max(taken, default=0) + 1
    for record in records:
        if record.item_no is None:
            record.item_no, next_free = next_free, next_free + 1


def _label(record) -> str:
    """How a finding names a row: by the list-wide item number every report uses (item 23),
    with the number printed in the row when that differs (a number within its category)."""
    listed = record.number_as_listed.strip() if record.number_as_listed else ""
    shown = f"item {record.item_no if record.item_no is not None else '?'}"
    if listed and listed != str(record.item_no):
        shown += f" (numbered {listed} in its row)"
    return f"{shown} ({record.power[:40]})"
