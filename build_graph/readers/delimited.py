"""Front ends for tables written as text: tab-separated rows (cells may carry HTML), CSV, and
pipe tables (``| a | b |``). Each gives :class:`~.grid.TableRow` s with physical line numbers."""
from __future__ import annotations

import csv
import io
import re

from .grid import TableRow
from .html_cells import cell_text
from .text import DecodedText, ReadError


def rows_from_tsv(doc: DecodedText) -> list[TableRow]:
    """One row per line, numbered by its first physical line; HTML in cells becomes text. A cell
    that opens with a double quote runs to its closing quote, across line breaks (``""`` inside
    is one quote), as spreadsheets write tab-separated text; a quote elsewhere is plain text."""
    reader = csv.reader(io.StringIO("\n".join(doc.lines)), delimiter="\t", quotechar='"')
    rows, start = [], 1
    try:
        for cells in reader:
            rows.append(TableRow([cell_text(c) for c in cells] or [""], start))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ReadError(doc.file, reader.line_num, f"tab-separated text cannot be parsed: {exc}") from exc
    return rows


def rows_from_csv(doc: DecodedText) -> list[TableRow]:
    """One row per CSV record (its first line); the delimiter is sniffed (, ; tab); line breaks
    inside quoted cells are kept."""
    text = "\n".join(doc.lines)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    rows, start = [], 1
    try:
        for cells in reader:
            rows.append(TableRow([cell_text(c) for c in cells], start))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ReadError(doc.file, reader.line_num, f"CSV cannot be parsed: {exc}") from exc
    return rows


PIPE_ROW = re.compile(r"^\s*[|｜].*[|｜]\s*$")
_PIPE_RULE = re.compile(r"^[\s|｜:：\-—=+]*$")


def rows_from_pipes(doc: DecodedText) -> list[TableRow]:
    """Rows of a pipe table (``| 序号 | 权力类型 | … |``); rule lines (``|---|``) are skipped and
    other lines (titles, 单位：…) pass as one-cell rows. A wrapped row continues on lines whose
    number and type cells are empty; the grid joins those."""
    rows = []
    for number, line in enumerate(doc.lines, 1):
        if PIPE_ROW.match(line):
            if _PIPE_RULE.match(line):
                continue
            cells = re.split(r"[|｜]", line.strip())[1:-1]
            rows.append(TableRow([cell_text(c.replace("<br>", "\n").replace("<br/>", "\n")) for c in cells], number))
        elif line.strip():
            rows.append(TableRow([line.strip()], number))
    return rows
