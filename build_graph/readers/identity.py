"""Which rows of a list are distinct powers: the identity each record's IRI is made from.

A power is keyed by its authority and normalised name (so re-ordering or renumbering rows
changes no IRI). Two rows of one list that share a normalised name are still two powers: each
gets its name plus a digest of its content (type, basis, responsibilities, accountability,
department), and rows identical in all of that are numbered — identical rows cannot be told
apart, so their numbering does not depend on their order. Every such row is a finding.
"""
from __future__ import annotations

from collections import defaultdict

from .. import iris
from ..records import Finding, PowerList, PowerRecord


def _content(record: PowerRecord) -> str:
    parts = [record.power_type_as_listed, record.basis_text, record.accountability_preamble,
             record.department or "", record.remarks, *record.subitems, *record.accountability,
             *(f"{r.kind}:{r.text}" for r in record.responsibilities)]
    return iris.digest(*parts, length=8)


def assign_identities(power_list: PowerList) -> None:
    """Set ``record.identity`` on every record; add a finding for each row whose name another
    row of the list shares."""
    by_name: dict[tuple[str, str], list[PowerRecord]] = defaultdict(list)
    for record in power_list.records:
        record.identity = record.power
        by_name[(record.authority, iris.name_key(record.power))].append(record)
    for group in by_name.values():
        if len(group) < 2:
            continue
        lines = ", ".join(str(r.source.first_line) for r in group)
        by_content: dict[str, list[PowerRecord]] = defaultdict(list)
        for record in group:
            by_content[_content(record)].append(record)
        for digest, same in by_content.items():
            for ordinal, record in enumerate(same, 1):
                record.identity = f"{record.power}#{digest}" + (f"-{ordinal}" if len(same) > 1 else "")
                kind = "identical to another row" if len(same) > 1 else "with a different content"
                power_list.findings.append(Finding(
                    "warning", power_list.source_file, record.source.first_line, "duplicate-name",
                    f"item {record.item_no or record.number_as_listed or '?'} ({record.power[:30]}): {len(group)} rows "
                    f"of this list share this name (lines {lines}); this one, {kind}, is kept as a power of its own"))
