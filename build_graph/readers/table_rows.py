"""Lists laid out as rows of cells: tab-separated text with HTML in the cells, CSV, XLSX.

Rows before the first detail header form the summary table; after it come section titles
(``权责清单（行政处罚类、共3项）``), repeated headers, separator rows and data rows.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from ..records import Finding, PowerRecord, SourceSpan
from .fields import is_header, map_header, record_from_fields
from .html_cells import cell_text
from .summary import AUTHORITY
from .text import DecodedText, ReadError

SECTION_TITLE = re.compile(r"权责清单.*[（(](.+?)类?[、,，]\s*共?\s*([0-9一二三四五六七八九十]+)\s*项[)）]")
_SEPARATOR = re.compile(r"^[\s\-—=|:]*$")


@dataclass
class TableRead:
    """What the row reader found: records, the summary's lines, findings, authority seen."""

    records: list[PowerRecord]
    summary_lines: list[tuple[int, str]]
    findings: list[Finding]
    authority: str | None


def rows_from_tsv(doc: DecodedText) -> list[tuple[int, list[str]]]:
    """(line number, cells) per physical line; HTML in cells becomes text."""
    return [(n, [cell_text(c) for c in line.split("\t")]) for n, line in enumerate(doc.lines, 1)]


def rows_from_csv(doc: DecodedText) -> list[tuple[int, list[str]]]:
    """(first line number, cells) per CSV record; the delimiter is sniffed (, ; tab)."""
    text = "\n".join(doc.lines)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    rows, start = [], 1
    try:
        for cells in reader:
            rows.append((start, [cell_text(c) for c in cells]))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ReadError(doc.file, reader.line_num, f"CSV cannot be parsed: {exc}") from exc
    return rows


def rows_from_xlsx(path: Path) -> list[tuple[int, list[str]]]:
    """(sheet row number, cells) for the first worksheet."""
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for broken files
        raise ReadError(path.name, None, f"not a readable XLSX workbook: {exc}") from exc
    sheet = workbook.worksheets[0]
    rows = []
    for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
        rows.append((number, ["" if v is None else cell_text(str(v)) for v in values]))
    workbook.close()
    return rows


def read_rows(rows: list[tuple[int, list[str]]], list_name: str, default_authority: str) -> TableRead:
    """Turn rows of cells into records. Every non-empty row is used or reported."""
    findings: list[Finding] = []
    records: list[PowerRecord] = []
    summary_lines: list[tuple[int, str]] = []
    header: dict[int, str] | None = None
    header_width = 0
    authority = None
    section_type = None
    for number, cells in rows:
        text = " ".join(c.replace("\n", " ") for c in cells if c.strip()).strip()
        if not text:
            continue
        if is_header(cells):
            header = map_header(cells)
            header_width = len([c for c in cells])
            continue
        if match := SECTION_TITLE.search(text):
            section_type = match.group(1)
            continue
        if header is None:
            summary_lines.append((number, text))
            continue
        if match := AUTHORITY.match(text):
            authority = match.group(1)
            continue
        if all(_SEPARATOR.match(c) for c in cells):
            continue
        first = cells[0].strip()
        if not re.fullmatch(r"\d{1,4}", first):
            filled = sum(1 for c in cells if c.strip())
            looks_like_data = filled >= max(3, header_width // 2)
            findings.append(Finding("error" if looks_like_data else "warning", list_name, number,
                                    "unrecognised-line",
                                    f"row not understood and left out (its first cell {first[:12]!r} is no item "
                                    f"number{'; a cell may be lost' if looks_like_data else ''}): {text[:60]!r}"))
            continue
        values = {field: cells[i] for i, field in header.items() if i < len(cells)}
        present = len(cells)
        while present and not cells[present - 1].strip():
            present -= 1
        if len(cells) < header_width:
            missing = [f for i, f in sorted(header.items()) if i >= len(cells)]
            findings.append(Finding("error", list_name, number, "short-row",
                                    f"item {first}: row has {len(cells)} of {header_width} cells "
                                    f"(missing {', '.join(missing)}): was the file cut or a cell lost?"))
        elif present > header_width:
            findings.append(Finding("warning", list_name, number, "long-row",
                                    f"item {first}: row has {present} cells, header has {header_width}; "
                                    "extra cells left out"))
        if not values.get("power_type") and section_type:
            values["power_type"] = section_type
        record = record_from_fields(values, list_name=list_name,
                                    source=SourceSpan(list_name, number, number),
                                    default_authority=authority or default_authority,
                                    findings=findings)
        records.append(record)
    if header is None:
        raise ReadError(list_name, None, "no header row found: expected columns such as "
                        "权力事项/事项名称 and 实施依据/权力类型")
    return TableRead(records, summary_lines, findings, authority)

