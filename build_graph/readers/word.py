"""Front end for Word documents (DOCX, python-docx): every table in document order, with
horizontally merged cells (gridSpan) repeated and vertically merged cells (vMerge) carrying
the text of the cell above. Paragraphs between tables (the title, ``单位：…``, a heading such
as ``一、行政处罚``) become one-cell rows; a heading is also the section of the table after it."""
from __future__ import annotations

from pathlib import Path

from .grid import TableRow
from .text import ReadError


def rows_from_docx(path: Path) -> list[TableRow]:
    import docx
    from docx.table import Table, _Cell

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises several types for files that are not DOCX
        raise ReadError(path.name, None, f"not a readable Word (DOCX) document: {exc}") from exc
    rows: list[TableRow] = []
    running, tables, heading = 0, 0, ""
    for block in document.iter_inner_content():
        if not isinstance(block, Table):
            text = " ".join(block.text.split())
            if text:
                running += 1
                rows.append(TableRow([text], running, f"paragraph {running}"))
                heading = text if len(text) < 40 else heading
            continue
        tables += 1
        above: dict[int, str] = {}
        for index, tr in enumerate(block._tbl.tr_lst, 1):
            cells: list[str] = []
            for tc in tr.tc_lst:
                column = len(cells)
                if tc.vMerge == "continue":
                    text = above.get(column, "")
                else:
                    text = "\n".join(p.text.strip() for p in _Cell(tc, block).paragraphs if p.text.strip())
                for offset in range(tc.grid_span):
                    above[column + offset] = text
                    cells.append(text)
            running += 1
            rows.append(TableRow(cells, running, f"table {tables} row {index}", section=heading))
    return rows
