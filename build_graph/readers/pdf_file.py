"""Front end for PDF files: the ruled tables, found and cut into cells by pdfplumber.

pdfplumber was chosen over camelot because it needs no Ghostscript or OpenCV, reads the
ruling lines and character positions that offices' PDF exports carry, and keeps the lines of
a wrapped cell together in one cell. Lines a cell wraps into are joined; text outside the
tables (the title, ``单位：…``) becomes one-cell rows before them. A row a page break cut in two
continues at the top of the next page without number and type; the first rows of each page
are marked so the grid joins them. A PDF without a text layer (a scan) is refused.
"""
from __future__ import annotations

import re
from pathlib import Path

from .grid import TableRow
from .text import ReadError, join_wrapped

_ENTRY = re.compile(r"^\s*(\d{1,2}\s*[、.．]|[（(][一二三四五六七八九十]+[)）]|【)")


def _cell(text: str | None) -> str:
    """A cell's wrapped lines joined (entries such as ``2、…`` keep their own line)."""
    if not text:
        return ""
    lines, out = text.split("\n"), []
    for line in lines:
        if out and not _starts_entry(line):
            out[-1] = join_wrapped([out[-1], line])
        else:
            out.append(line.strip())
    return "\n".join(out)


def _starts_entry(line: str) -> bool:
    return bool(_ENTRY.match(line))


def rows_from_pdf(path: Path) -> list[TableRow]:
    import pdfplumber

    try:
        pdf = pdfplumber.open(str(path))
    except Exception as exc:  # pdfminer raises several types for damaged files
        raise ReadError(path.name, None, f"not a readable PDF file: {exc}") from exc
    rows: list[TableRow] = []
    running = 0
    with pdf:
        if not any(page.chars for page in pdf.pages):
            raise ReadError(path.name, None, "this PDF has no text layer (a scanned image?): run OCR on it first "
                            "(e.g. ocrmypdf) or give the list in another format")
        for page_number, page in enumerate(pdf.pages, 1):
            tables = page.find_tables()
            outside = page
            for table in tables:
                outside = outside.outside_bbox(table.bbox)
            for line in (outside.extract_text() or "").split("\n"):
                if line.strip():
                    running += 1
                    rows.append(TableRow([line.strip()], running, f"page {page_number}"))
            for table_index, table in enumerate(tables):
                for row_index, cells in enumerate(table.extract(), 1):
                    running += 1
                    rows.append(TableRow([_cell(c) for c in cells], running, f"page {page_number} row {row_index}",
                                         continues=page_number > 1 and table_index == 0 and row_index <= 2))
    return rows
