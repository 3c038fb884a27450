"""Front end for saved government web pages: the tables of powers, rowspan and colspan filled.

Page chrome (menus, footers, layout tables) is left out: only tables that hold no other table
are read, and a table counts when one of its first rows is a header of power-list columns; title lines before the first such table (the list's
title, ``单位：…``) and any table before it (a summary table) are kept for the summary and the
authority. A heading or caption right before a table is its section (it may name the type).
"""
from __future__ import annotations

import re

from .fields import is_header
from .grid import TableRow
from .html_cells import cell_text
from .text import DecodedText, ReadError

_KEEP_TEXT = re.compile(r"权责清单|权力清单|责任清单|单位[:：]|实施主体[:：]|总表|共\s*\S+\s*项|^[一二三四五六七八九十]+[、.]")


def _cell(element) -> str:
    import lxml.html

    return cell_text(lxml.html.tostring(element, encoding="unicode", with_tail=False))


def table_cells(table) -> list[list[str]]:
    """The table as a grid of cell texts, each rowspan/colspan cell repeated over what it spans."""
    grid: list[list[str]] = []
    carried: dict[int, tuple[str, int]] = {}  # column → (text, rows it still covers)
    for tr in table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr"):
        row: list[str] = []
        cells = iter(tr.xpath("./td|./th"))
        column = 0
        while True:
            if column in carried:
                text, left = carried[column]
                row.append(text)
                if left > 1:
                    carried[column] = (text, left - 1)
                else:
                    del carried[column]
                column += 1
                continue
            cell = next(cells, None)
            if cell is None:
                if any(c > column for c in carried):
                    row.append("")
                    column += 1
                    continue
                break
            text = _cell(cell)
            span = _span(cell.get("colspan"))
            down = _span(cell.get("rowspan"))
            for _ in range(span):
                row.append(text)
                if down > 1:
                    carried[column] = (text, down - 1)
                column += 1
        grid.append(row)
    return grid


def _span(value: str | None) -> int:
    return max(1, min(int(value), 1000)) if value and value.strip().isdigit() else 1


def rows_from_html(doc: DecodedText) -> list[TableRow]:
    """Title lines, then the rows of every table of powers (and of any table before them)."""
    import lxml.html

    text = "\n".join(doc.lines)
    try:
        root = lxml.html.document_fromstring(text)
    except Exception as exc:  # lxml raises ParserError and ValueError for unusable documents
        raise ReadError(doc.file, None, f"not a readable HTML page: {exc}") from exc
    rows: list[TableRow] = []
    running = 0
    seen_power_table = False
    heading = ""
    tables = 0
    for element in root.iter("table", "h1", "h2", "h3", "h4", "h5", "p", "div", "caption", "span", "strong"):
        if element.tag != "table":
            if element.xpath("ancestor::table[not(.//table)]") or element.xpath(".//table|.//p|.//div"):
                continue  # text of a table of cells is read with its table
            line = " ".join(element.text_content().split())
            if line and len(line) < 80 and _KEEP_TEXT.search(line):
                running += 1
                rows.append(TableRow([line], running, f"page text {running}"))
            if line and len(line) < 40:
                heading = line
            continue
        if element.xpath(".//table"):
            continue  # a layout table: the tables inside it are read
        grid = table_cells(element)
        is_power_table = any(is_header(r) for r in grid[:4])
        if not is_power_table and seen_power_table:
            continue
        seen_power_table = seen_power_table or is_power_table
        caption = element.find("caption")
        section = " ".join(caption.text_content().split()) if caption is not None else heading
        tables += 1
        for index, cells in enumerate(grid, 1):
            running += 1
            rows.append(TableRow(cells, running, f"table {tables} row {index}", section=section))
    return rows
