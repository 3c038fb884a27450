"""Front end for detail pages: one item per block of ``key：value`` lines.

Keys are the header names of the columns (事项名称, 职权类型, 设定依据 …, in any variant the
header mapper knows); the separator is a colon or a bar (``职权类型 | 行政处罚``), or the key
stands alone on its line and its value follows on the next lines (``设定依据`` then the text).
A block ends where a key it already has comes again. The blocks become a table — a header of
the keys seen, one row per block — for the grid, so nothing here builds records.
"""
from __future__ import annotations

import re

from .fields import header_field
from .grid import TableRow
from .text import DecodedText

KEY_LINE = re.compile(r"^\s*[|｜]?\s*([^\s:：|｜]{2,14})\s*(?:[:：]|[|｜])\s*(.*?)\s*[|｜]?\s*$")
_RULE = re.compile(r"^[\s\-—=_*|｜+]*$")


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
    blocks: list[tuple[int, dict[str, list[str]]]] = []
    titles: list[TableRow] = []
    current: dict[str, list[str]] | None = None
    field = None
    for number, line in enumerate(doc.lines, 1):
        if not line.strip() or _RULE.match(line):
            continue
        keyed = split_key(line)
        if keyed:
            field, value = keyed
            if current is None or field in current:
                current = {}
                blocks.append((number, current))
            current[field] = [value] if value else []
        elif current is not None and field is not None:
            current[field].append(line.strip())
        else:
            titles.append(TableRow([line.strip()], number))
    fields = [f for f in ("number", "power_type", "power", "subitem", "authority", "basis", "responsibilities",
                          "accountability", "department", "remarks", "code", "level")
              if any(f in block for _, block in blocks)]
    header = TableRow([HEADER_NAMES[f] for f in fields], blocks[0][0] if blocks else 1)
    rows = [TableRow(["\n".join(block.get(f, [])) for f in fields], number, f"block at line {number}")
            for number, block in blocks]
    return titles + [header] + rows


HEADER_NAMES = {"number": "序号", "power_type": "权力类型", "power": "权力事项", "subitem": "子项",
                "authority": "实施主体", "basis": "实施依据", "responsibilities": "责任事项",
                "accountability": "追责情形", "department": "承办科室", "remarks": "备注", "code": "事项编码",
                "level": "行使层级"}
