"""Front end for office spreadsheets (XLSX): every sheet, merged cells filled in.

Offices put a title row or two above the header, merge the type cell over all rows of a type,
merge header cells over two rows, break lines inside cells and often keep one sheet per power
type; all of that is read. The sheet name is the rows' section (it may name their type).
"""
from __future__ import annotations

import io
from pathlib import Path

from .grid import TableRow
from .html_cells import cell_text
from .text import ReadError


def rows_from_xlsx(path: Path) -> list[TableRow]:
    """Rows of every sheet in order; a merged range's value stands in each of its cells."""
    import openpyxl

    try:  # from an open file: openpyxl refuses a path by its extension, and detection is by content
        with open(path, "rb") as handle:
            workbook = openpyxl.load_workbook(io.BytesIO(handle.read()), data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for broken files
        raise ReadError(path.name, None, f"not a readable XLSX workbook: {exc}") from exc
    rows: list[TableRow] = []
    running = 0
    for sheet in workbook.worksheets:
        values = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        for merged in sheet.merged_cells.ranges:
            top = values[merged.min_row - 1][merged.min_col - 1] if merged.min_row <= len(values) else ""
            for r in range(merged.min_row, min(merged.max_row, len(values)) + 1):
                for c in range(merged.min_col, merged.max_col + 1):
                    if c - 1 < len(values[r - 1]):
                        values[r - 1][c - 1] = top
        for number, cells in enumerate(values, 1):
            running += 1
            rows.append(TableRow([cell_text(c) for c in cells], running, f"sheet {sheet.title} row {number}",
                                 section=sheet.title))
    workbook.close()
    return rows
