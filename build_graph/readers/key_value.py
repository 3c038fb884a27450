"""Detail pages: one item per block of keys and values, in text or in tables.

Keys are the header names of the columns (事项名称, 职权类型, 设定依据 …, in any variant the
header mapper knows). In text the separator is a colon or a bar (``职权类型 | 行政处罚``), or
the key stands alone on its line and its value follows on the next lines. In a Word, web or
spreadsheet page each item is a small table whose rows are ``key | value`` (or
``key | value | key | value``), or a run of ``key：value`` paragraphs. :func:`pivot_keyed_rows` turns such rows, from any front end,
into a table — a header of the keys seen and one row per block — so nothing here builds
records. A block ends where a key it already has comes again.
"""
from __future__ import annotations

import re

from .fields import FIELDS, header_field, is_header
from .grid import TableRow
from .text import DecodedText

KEY_LINE = re.compile(r"^\s*[|｜]?\s*([^\s:：|｜]{2,14})\s*(?:[:：]|[|｜])\s*(.*?)\s*[|｜]?\s*$")
_RULE = re.compile(r"^[\s\-—=_*|｜+]*$")
HEADER_NAMES = {"number": "序号", "power_type": "权力类型", "power": "权力事项", "subitem": "子项",
                "authority": "实施主体", "basis": "实施依据", "responsibilities": "责任事项",
                "accountability": "追责情形", "department": "承办科室", "remarks": "备注", "code": "事项编码",
                "level": "行使层级"}


def split_key(line: str) -> tuple[str, str] | None:
    """(field, value) of a ``key：value`` line, (field, "") of a line that is only a key, else None."""
    if match := KEY_LINE.match(line):
        field = header_field(match.group(1))
        if field:
            return field, match.group(2)
    stripped = line.strip().strip("|｜").strip()
    if len(stripped) <= 14 and (field := header_field(stripped)):
        return field, ""
    return None


def keyed_lines(doc: DecodedText) -> int:
    """How many lines look like ``key：value`` (for layout detection)."""
    return sum(1 for line in doc.lines if KEY_LINE.match(line) and split_key(line))


def rows_from_key_values(doc: DecodedText) -> list[TableRow]:
    """Front end for text detail pages: one one-cell row per line; the pivot does the rest."""
    return [TableRow([line.strip()], number) for number, line in enumerate(doc.lines, 1)
            if line.strip() and not _RULE.match(line)]


def _pairs(cells: list[str]) -> list[tuple[str, str]] | None:
    """The (field, value) pairs of a ``key | value [| key | value]`` row or of a one-cell
    ``key：value`` line, or None. Cells a colspan repeated are counted once."""
    distinct = [c for i, c in enumerate(cells) if c.strip() and (i == 0 or c != cells[i - 1])]
    if len(distinct) == 1:
        keyed = split_key(distinct[0])
        return [keyed] if keyed else None
    if not distinct or len(distinct) > 6:
        return None
    keys, values = distinct[0::2], distinct[1::2] + [""] * (len(distinct) % 2)
    fields = [header_field(k) if len(k) <= 16 else None for k in keys]
    if not all(fields):
        return None
    return list(zip(fields, values))


def pivot_keyed_rows(rows: list[TableRow]) -> list[TableRow]:
    """Rows of a detail page → a header row and one row per item. Returned unchanged when
    the rows hold a header of columns, or fewer than three keyed rows naming an item."""
    if any(is_header(row.cells) for row in rows):
        return rows
    keyed = [(row, _pairs(row.cells)) for row in rows]
    fields_seen = {field for _, pairs in keyed if pairs for field, _ in pairs}
    if sum(1 for _, pairs in keyed if pairs) < 3 or "power" not in fields_seen:
        return rows
    titles: list[TableRow] = []
    blocks: list[tuple[TableRow, dict[str, list[str]]]] = []
    current: dict[str, list[str]] | None = None
    field = None
    for row, pairs in keyed:
        if pairs:
            for field, value in pairs:
                if current is None or field in current:
                    current = {}
                    blocks.append((row, current))
                current[field] = [value] if value.strip() else []
        elif current is not None and field is not None:  # the value of a key on a line of its own
            current[field].extend(c.strip() for c in row.cells if c.strip())
        else:
            titles.append(row)
    columns = [f for f in FIELDS if f in fields_seen]
    first = blocks[0][0]
    header = TableRow([HEADER_NAMES[f] for f in columns], first.line, first.where, first.section)
    items = [TableRow(["\n".join(block.get(f, [])) for f in columns], row.line,
                      row.where or f"block at line {row.line}", row.section)
             for row, block in blocks]
    return titles + [header] + items
