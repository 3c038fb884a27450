"""Read a power list file of any supported layout into a :class:`PowerList`.

Front ends, one per format, each give the rows of a table (:mod:`.grid`): ``tsv-html``,
``csv`` and ``pipe-table`` (:mod:`.delimited`), ``xlsx`` (:mod:`.xlsx`), ``html-table``
(:mod:`.html_table`), ``docx`` (:mod:`.word`), ``pdf`` (:mod:`.pdf_file`), ``key-value``
(:mod:`.key_value`) and ``cell-lines`` (:mod:`.cell_lines`); one header mapper turns the rows
into records. ``pdf-columns`` (text extracted from a PDF column by column) has a reader of its
own. :mod:`.detect` chooses the front end from the file's bytes and text; callers may force one.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..reconcile import reconcile
from ..records import Finding, PowerList
from .cell_checks import CITATION
from .cell_lines import rows_from_cell_lines
from .delimited import rows_from_csv, rows_from_pipes, rows_from_tsv
from .detect import LAYOUTS, binary_kind, check_forced, text_layout
from .grid import read_grid
from .html_table import rows_from_html
from .identity import assign_identities
from .key_value import pivot_keyed_rows, rows_from_key_values
from .pdf_columns import read_pdf_columns
from .pdf_file import rows_from_pdf
from .summary import list_date, parse_summary
from .text import ReadError, decode_file
from .word import rows_from_docx
from .xlsx import rows_from_xlsx

TEXT_FRONT_ENDS = {"tsv-html": rows_from_tsv, "csv": rows_from_csv, "pipe-table": rows_from_pipes,
                   "html-table": rows_from_html, "key-value": rows_from_key_values,
                   "cell-lines": rows_from_cell_lines}
FILE_FRONT_ENDS = {"xlsx": rows_from_xlsx, "docx": rows_from_docx, "pdf": rows_from_pdf}


@dataclass(frozen=True)
class ListMeta:
    """What a reader cannot see in the text: kept in corpus/lists.toml for bundled lists."""

    list_id: str
    authority: str = ""
    jurisdiction: str = ""
    source_file: str = ""
    date: str = ""  # ISO date the list was made, when known: the law versions it cites are those in force then


def read_list(path: Path, meta: ListMeta | None = None, layout: str | None = None) -> PowerList:
    """Read, reconcile and return one list. Raises ReadError (file, line, reason) when the
    file cannot be read at all; everything less is a finding on the returned list."""
    path = Path(path)
    meta = meta or ListMeta(path.stem)
    name = path.name
    if layout and layout not in LAYOUTS:
        raise ReadError(name, None, f"unknown layout {layout!r}; choose one of {', '.join(LAYOUTS)}")
    kind = binary_kind(path)
    if layout:
        check_forced(path, kind, layout)
    doc = None if kind else decode_file(path)
    forced = bool(layout)
    layout = layout or kind or text_layout(doc, path.suffix.lower())
    if layout == "pdf-columns":
        records, summary_lines, findings, authority = read_pdf_columns(doc, name, meta.authority)
    else:
        rows = FILE_FRONT_ENDS[layout](path) if kind else TEXT_FRONT_ENDS[layout](doc)
        try:
            table = read_grid(pivot_keyed_rows(rows), name, meta.authority)
        except ReadError as exc:
            raise ReadError(exc.file, exc.line, f"{exc.reason} (read as {layout}"
                            f"{'' if forced else ', chosen from the content; force another with --layout'})") from exc
        records, summary_lines, findings = table.records, table.summary_lines, table.findings
        authority = meta.authority or table.authority or ""
    summary, summary_findings, summary_authority = parse_summary(summary_lines, name)
    row_authorities = Counter(r.authority for r in records if r.authority)
    authority = authority or summary_authority or (row_authorities.most_common(1)[0][0] if row_authorities else "")
    _check_reading(records, findings, layout, name)
    if not authority:
        authority = f"未知主体（{meta.list_id}）"
        findings.append(Finding("error", name, None, "no-authority",
                                f"the file names no implementing authority (no title, 单位 line or 实施主体 column); "
                                f"filed under {authority!r} — give it with --authority"))
    for record in records:
        record.authority = record.authority or authority
    head_lines = [text for _, text in summary_lines] + (doc.lines[:40] if doc else [])
    power_list = PowerList(meta.list_id, authority, meta.jurisdiction, meta.source_file or name,
                           layout, summary if summary.categories else None, records,
                           findings + summary_findings, date=meta.date or list_date(head_lines))
    reconcile(power_list)
    assign_identities(power_list)
    return power_list


def _check_reading(records, findings, layout: str, name: str) -> None:
    """Refuse a reading that cannot be a power list or whose rows mostly do not fit the header:
    returning it would turn a wrong layout or a document of another kind into garbage records."""
    if not records:
        raise ReadError(name, None, f"no power rows found (read as {layout}); is this a power list?")
    if not any(r.power_type for r in records) and not any(CITATION.search(r.basis_text) for r in records):
        raise ReadError(name, None, f"read as {layout}, no row has a power type or cites any law: "
                        "this does not look like a power list")
    cut = {f.line for f in findings if f.code in ("short-row", "long-row")}
    misfits = sum(1 for r in records if r.unlinked_reason or r.source.first_line in cut)
    if len(records) >= 3 and misfits * 2 > len(records):
        raise ReadError(name, None, f"read as {layout}, the cells of {misfits} of {len(records)} rows do not fit "
                        "their columns (cells missing, extra or out of place): the layout was not understood "
                        "(try --layout, or read the original PDF, Word or spreadsheet file)")


__all__ = ["read_list", "ListMeta", "ReadError", "LAYOUTS"]
