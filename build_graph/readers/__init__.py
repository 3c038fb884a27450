"""Read a power list file of any supported layout into a :class:`PowerList`.

Layouts: ``tsv-html`` (tab-separated rows, HTML in cells), ``pdf-columns`` (text extracted
from a PDF table, cells wrapped into short lines), ``csv`` and ``xlsx`` (a header row, then
one row per power). ``detect_layout`` picks one; callers may force another.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..reconcile import reconcile
from ..records import Finding, PowerList
from .identity import assign_identities
from .pdf_columns import read_pdf_columns
from .summary import parse_summary
from .table_rows import read_rows, rows_from_csv, rows_from_tsv, rows_from_xlsx
from .text import DecodedText, ReadError, decode_file

LAYOUTS = ("tsv-html", "pdf-columns", "csv", "xlsx")


@dataclass(frozen=True)
class ListMeta:
    """What a reader cannot see in the text: kept in corpus/lists.toml for bundled lists."""

    list_id: str
    authority: str = ""
    jurisdiction: str = ""
    source_file: str = ""


def detect_layout(path: Path, doc: DecodedText | None) -> str:
    """Choose a layout from the file name and, for text, the shape of its lines."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    if suffix == ".csv":
        return "csv"
    assert doc is not None
    tabbed = sum(1 for line in doc.lines if line.count("\t") >= 3)
    return "tsv-html" if tabbed >= 2 else "pdf-columns"


def read_list(path: Path, meta: ListMeta | None = None, layout: str | None = None) -> PowerList:
    """Read, reconcile and return one list. Raises ReadError (file, line, reason) when the
    file cannot be read at all; everything less is a finding on the returned list."""
    path = Path(path)
    meta = meta or ListMeta(path.stem)
    if layout and layout not in LAYOUTS:
        raise ReadError(path.name, None, f"unknown layout {layout!r}; choose one of {', '.join(LAYOUTS)}")
    doc = None if (layout == "xlsx" or (layout is None and path.suffix.lower() in (".xlsx", ".xlsm"))) else decode_file(path)
    layout = layout or detect_layout(path, doc)
    name = path.name
    if layout == "pdf-columns":
        assert doc is not None
        records, summary_lines, findings, authority = read_pdf_columns(doc, name, meta.authority)
    else:
        rows = (rows_from_xlsx(path) if layout == "xlsx"
                else rows_from_csv(doc) if layout == "csv" else rows_from_tsv(doc))
        table = read_rows(rows, name, meta.authority)
        records, summary_lines, findings = table.records, table.summary_lines, table.findings
        authority = meta.authority or table.authority or ""
    summary, summary_findings, summary_authority = parse_summary(summary_lines, name)
    row_authorities = Counter(r.authority for r in records if r.authority)
    authority = authority or summary_authority or (row_authorities.most_common(1)[0][0] if row_authorities else "")
    if not records:
        raise ReadError(name, None, f"no power rows found (read as {layout}); is this a power list?")
    if not authority:
        authority = f"未知主体（{meta.list_id}）"
        findings.append(Finding("error", name, None, "no-authority",
                                f"the file names no implementing authority (no title, 单位 line or 实施主体 column); "
                                f"filed under {authority!r} — give it with --authority"))
    for record in records:
        record.authority = record.authority or authority
    power_list = PowerList(meta.list_id, authority, meta.jurisdiction, meta.source_file or name,
                           layout, summary if summary.categories else None, records,
                           findings + summary_findings)
    reconcile(power_list)
    assign_identities(power_list)
    return power_list


__all__ = ["read_list", "detect_layout", "ListMeta", "ReadError", "LAYOUTS"]
