"""Front end for tables flattened to one cell per line, as page copies and search engines give
them: the header names one per line, then the cells of each row in the same order.

Two forms are read. Cells separated by blank lines (a cell may then span several lines); or
rows separated by blank lines with one cell per line. Rows start at a cell that is an item
number when the header has a 序号 column, else every N cells make a row (N header cells).
The cells become a table for the grid, which checks each row against the header.
"""
from __future__ import annotations

import re

from .fields import header_field
from .grid import TableRow
from .text import DecodedText

_NUMBER = re.compile(r"^\d{1,4}$")


def _blocks(doc: DecodedText) -> list[tuple[int, list[str]]]:
    """(first line number, lines) of each run of non-blank lines."""
    blocks, current = [], None
    for number, line in enumerate(doc.lines, 1):
        if line.strip():
            if current is None:
                current = (number, [])
                blocks.append(current)
            current[1].append(line.strip())
        else:
            current = None
    return blocks


def header_run(cells: list[tuple[int, str]]) -> tuple[int, int] | None:
    """(start, length) of the first run of ≥3 consecutive cells that are header names and
    include the item name, or None."""
    start = None
    for index, (_, text) in enumerate(cells + [(0, "")]):
        if text and len(text) <= 14 and header_field(text):
            start = index if start is None else start
            continue
        if start is not None:
            run = [header_field(t) for _, t in cells[start:index]]
            if index - start >= 3 and "power" in run:
                return start, index - start
            start = None
    return None


def _split_header_tails(blocks: list[tuple[int, list[str]]]) -> list[tuple[int, list[str]]]:
    """Split off the last lines of a block when they are a header name and the next block is
    one too: a title with no blank line before the first header cell (``…清单`` then ``序`` ``号``)."""
    result = []
    for index, (number, lines) in enumerate(blocks):
        following = blocks[index + 1][1] if index + 1 < len(blocks) else []
        tail = next((k for k in (1, 2, 3) if k < len(lines) and len("".join(lines[-k:])) <= 8
                     and header_field("".join(lines[-k:]))), None)
        if tail and following and header_field("".join(following)):
            result += [(number, lines[:-tail]), (number + len(lines) - tail, lines[-tail:])]
        else:
            result.append((number, lines))
    return result


def cells_of(doc: DecodedText) -> list[tuple[int, str]]:
    """(line, text) of every cell, in whichever of the two forms the header shows."""
    blocks = _split_header_tails(_blocks(doc))
    per_block = [(n, "\n".join(lines)) for n, lines in blocks]
    if header_run(per_block):
        return per_block
    return [(n + i, line) for n, lines in blocks for i, line in enumerate(lines)]


def rows_from_cell_lines(doc: DecodedText) -> list[TableRow]:
    cells = cells_of(doc)
    found = header_run(cells)
    if not found:
        return [TableRow([text], line) for line, text in cells]
    start, width = found
    header = [text for _, text in cells[start:start + width]]
    has_number = header_field(header[0]) == "number"
    rows = [TableRow([text], line) for line, text in cells[:start]]
    rows.append(TableRow(header, cells[start][0]))
    body = _without_repeated_headers(cells[start + width:])
    index = 0
    while index < len(body):
        end = index + 1
        if has_number:
            while end < len(body) and not (_NUMBER.match(body[end][1]) and end - index >= width - 2):
                end += 1
        else:
            end = min(index + width, len(body))
        line = body[index][0]
        rows.append(TableRow([text for _, text in body[index:end]], line, f"cells from line {line}"))
        index = end
    return rows


def _without_repeated_headers(cells: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The body without the header a page break repeats (three or more header names in a row)."""
    kept, run = [], []
    for cell in cells + [(0, "")]:
        if cell[1] and len(cell[1]) <= 14 and header_field(cell[1]) and not _NUMBER.match(cell[1]):
            run.append(cell)
            continue
        if len(run) < 3:
            kept += run
        run = []
        kept.append(cell)
    return kept[:-1]
