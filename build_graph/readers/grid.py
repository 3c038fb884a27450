"""The one table model every front end produces, and the one mapper from it to records.

A front end (tab-separated text, CSV, pipe tables, XLSX, HTML, Word, PDF, flattened text)
turns its file into :class:`TableRow` s: cells of text, in reading order, each row with its
position in the source (a line number, and where that is for a person: ``sheet 行政处罚 row
7``, ``page 3``, ``table 2 row 5``). Merged cells are already filled in by the front end.

:func:`read_grid` then finds the header rows (one, or two merged ones: 权力事项 over 主项 /
子项), maps header variants to fields, reads section titles and sheet names as the power type
of the rows under them, joins a row that continues over a page break or a wrapped line, and
builds the records through :func:`~.fields.record_from_fields`. Rows before the first header
are the summary table and title lines. Every non-empty row is used or reported.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..power_types import normalize_power_type
from ..records import Finding, PowerRecord, SourceSpan
from .fields import is_header, map_header, record_from_fields
from .summary import AUTHORITY, authority_from_title
from .text import ReadError, join_wrapped

SECTION_TITLE = re.compile(r"权责清单.*[（(](.+?)类?[、,，]\s*共?\s*([0-9一二三四五六七八九十]+)\s*项[)）]")
_SEPARATOR = re.compile(r"^[\s\-—=|:]*$")
_NUMBER = re.compile(r"\d{1,4}")
# an item number as lists write it: 12, 3-1, 2.1, （4）, 5、 — or 一 … 十二 on a row of data
ITEM_NUMBER = re.compile(r"[（(]?\d{1,4}(?:[-－—.．]\d{1,3}){0,2}[)）]?[、.．]?")
CHINESE_NUMBER = re.compile(r"[一二三四五六七八九十百]{1,4}[、.．]?")
# an item code in the number column (编号: JT-001, XK0012, 330217001000) on a row of data
ITEM_CODE = re.compile(r"(?:[A-Za-z]{1,8}[-_－]?\d{1,12}|\d{5,20})(?:[-_－.]\d{1,6}){0,3}")


@dataclass
class TableRow:
    """One row of a table as a front end read it.

    ``line`` orders the rows and is what findings cite as the line (the physical line of a
    text file, else a running row number); ``where`` says where the row is for a person
    (empty for plain text, where the line says it all). ``section`` is a sheet name or table
    caption that may name the power type of its rows; ``continues`` marks a row that a front
    end knows opens a new page (it may continue the row before)."""

    cells: list[str]
    line: int
    where: str = ""
    section: str = ""
    continues: bool = False


@dataclass
class TableRead:
    """What the mapper found: records, the summary's lines, findings, authority seen."""

    records: list[PowerRecord]
    summary_lines: list[tuple[int, str]]
    findings: list[Finding]
    authority: str | None


def _row_text(cells: list[str]) -> str:
    return " ".join(c.replace("\n", " ") for c in cells if c.strip()).strip()


_SUBHEADER = re.compile(r"^(主项|子项|.{0,6}(名称|编码|代码|依据|内容|类型|层级|情形|事项))$")


def _merge_header(first: list[str], second: list[str]) -> list[str] | None:
    """The header of two rows (a first row whose cells span the second's, e.g. 权力事项 over
    主项 | 子项), or None when the second row is not part of the header."""
    if not second or not any(c.strip() for c in second) or _NUMBER.fullmatch(second[0].strip()):
        return None
    width = max(len(first), len(second))
    first, second = first + [""] * (width - len(first)), second + [""] * (width - len(second))
    if not all(not b.strip() or b == a or _SUBHEADER.match(re.sub(r"\s", "", b)) for a, b in zip(first, second)):
        return None
    if all(not b.strip() or b == a for a, b in zip(first, second)):
        return None
    return [a if (not b.strip() or b == a) else (a + b if a.strip() else b) for a, b in zip(first, second)]


def _header_fragments(cells: list[str]) -> bool:
    """Short words only, several of them: what a header wrapped over two lines leaves per line."""
    filled = [c.strip() for c in cells if c.strip()]
    return len(filled) >= 2 and all(len(c) <= 6 for c in filled) and not _NUMBER.fullmatch(filled[0])


def _wrapped_header(first: list[str], second: list[str]) -> list[str]:
    """Two rows joined cell by cell (header words a text table wrapped onto a second line)."""
    width = max(len(first), len(second))
    return [(a.strip() + b.strip()) for a, b in zip(first + [""] * (width - len(first)),
                                                   second + [""] * (width - len(second)))]


def _section_type(text: str) -> str | None:
    """The power type a section title or sheet name names (``行政处罚``, ``权责清单（行政处罚类、共3项）``)."""
    if match := SECTION_TITLE.search(text):
        return match.group(1)
    core = re.sub(r"^[一二三四五六七八九十\d]+[、.．]\s*|[（(][^)）]*[)）]$|清单$|事项$|类$|\s+", "", text)
    return core if normalize_power_type(core) else None


def read_grid(rows: list[TableRow], list_name: str, default_authority: str) -> TableRead:
    """Turn a front end's rows into records. Raises ReadError when no header row is found."""
    findings: list[Finding] = []
    records: list[PowerRecord] = []
    pending: list[_Pending] = []
    summary_lines: list[tuple[int, str]] = []
    header: dict[int, str] | None = None
    header_width = 0
    authority = None
    section, section_type = None, None
    index = 0
    while index < len(rows):
        row = rows[index]
        index += 1
        cells = row.cells
        text = _row_text(cells)
        if row.section != section:
            section, section_type = row.section, _section_type(row.section or "")
        if not text:
            continue
        following = rows[index].cells if index < len(rows) else []
        if (_header_fragments(cells) and _header_fragments(following) and not is_header(cells)
                and is_header(wrapped := _wrapped_header(cells, following))):
            cells, index = wrapped, index + 1  # header words wrapped over two lines (权力 / 类型)
        elif is_header(cells) and (merged := _merge_header(cells, following)) is not None:
            cells, index = merged, index + 1  # a second header row under spanning cells (主项 | 子项)
        if is_header(cells):
            header, header_width = map_header(cells), len(cells)
            continue
        if match := SECTION_TITLE.search(text):
            section_type = match.group(1)
            continue
        if header is None:
            summary_lines.append((row.line, text))
            continue
        if match := AUTHORITY.match(text):
            authority = match.group(1)
            continue
        if all(_SEPARATOR.match(c) for c in cells):
            continue
        number_column = next((i for i, f in header.items() if f == "number"), None)
        first = cells[number_column].strip() if number_column is not None and number_column < len(cells) else ""
        filled = sum(1 for c in cells if c.strip())
        distinct = {c.strip() for c in cells if c.strip()}
        if len(distinct) == 1 and (heading := _section_type(distinct.pop())):
            section_type = heading  # a heading row inside the table (一、行政许可), often merged across
            continue
        if (pending and _continues(cells, header) and (row.continues or row.where == "")
                and _carries_text(cells, header)):
            _join(pending[-1], cells, header, row.line)
            findings.append(Finding("info", list_name, row.line, "continued-row",
                                    f"{_at(row)}row continues item {pending[-1].values.get('number', '?')} "
                                    "from the row before (a page break or a wrapped line)"))
            continue
        if number_column is not None and not (ITEM_NUMBER.fullmatch(first) or (
                (CHINESE_NUMBER.fullmatch(first) or ITEM_CODE.fullmatch(first)) and filled >= max(3, header_width // 2))):
            if len(text) < 60 and (title := authority_from_title(text)):
                authority = authority or title
                continue
            looks_like_data = filled >= max(3, header_width // 2)
            findings.append(Finding("error" if looks_like_data else "warning", list_name, row.line,
                                    "unrecognised-line",
                                    f"{_at(row)}row not understood and left out (its number cell {first[:12]!r} is no "
                                    f"item number{'; a cell may be lost' if looks_like_data else ''}): {text[:60]!r}"))
            continue
        values = {field: cells[i] for i, field in header.items() if i < len(cells)}
        present = len(cells)
        while present and not cells[present - 1].strip():
            present -= 1
        if len(cells) < header_width:
            missing = [f for i, f in sorted(header.items()) if i >= len(cells)]
            findings.append(Finding("error", list_name, row.line, "short-row",
                                    f"{_at(row)}item {first}: row has {len(cells)} of {header_width} cells "
                                    f"(missing {', '.join(missing)}): was the file cut or a cell lost?"))
        elif present > header_width:
            findings.append(Finding("warning", list_name, row.line, "long-row",
                                    f"{_at(row)}item {first}: row has {present} cells, header has {header_width}; "
                                    "extra cells left out"))
        if not values.get("power_type") and section_type:  # a heading or sheet names the type: it wins
            values["power_type"] = section_type
        _carry_down(values, pending[-1] if pending else None, header, row, list_name, findings)
        pending.append(_Pending(values, row, row.line, authority or default_authority))
    for index, entry in enumerate(pending):
        if _heads_its_subitems(entry, pending[index + 1:]):
            findings.append(Finding("info", list_name, entry.row.line, "main-item-row",
                                    f"{_at(entry.row)}item {entry.values.get('number', '?')} "
                                    f"({entry.values.get('power', '')[:30]}) only heads the sub-items below it "
                                    "(no basis of its own): they are the powers"))
            continue
        records.append(record_from_fields(entry.values, list_name=list_name,
                                          source=SourceSpan(list_name, entry.row.line, entry.last_line, entry.row.where),
                                          default_authority=entry.authority, findings=findings))
    if header is None:
        raise ReadError(list_name, None, "no header row found: expected columns such as "
                        "权力事项/事项名称 and 实施依据/权力类型")
    return TableRead(records, summary_lines, findings, authority)


def _at(row: TableRow) -> str:
    return f"{row.where}: " if row.where else ""


@dataclass
class _Pending:
    """A data row's cells by field, kept until continuation rows have been joined to it."""

    values: dict[str, str]
    row: TableRow
    last_line: int
    authority: str


_KEY_FIELDS = ("number", "power_type", "code")


def _carry_down(values: dict[str, str], before: _Pending | None, header: dict[int, str], row: TableRow,
                list_name: str, findings: list[Finding]) -> None:
    """Fill an empty type cell (and the main item's name of a sub-item row) from the row
    above: a spreadsheet saved as CSV or text keeps a merged cell's text in its first row only."""
    if before is None or before.row.section != row.section:
        return
    carried = [f for f in ("power_type", "power") if f in header.values() and not values.get(f, "").strip()
               and before.values.get(f, "").strip() and (f == "power_type" or values.get("subitem", "").strip())]
    for field in carried:
        values[field] = before.values[field]
    if carried:
        findings.append(Finding("info", list_name, row.line, "carried-down",
                                f"{_at(row)}item {values.get('number', '?')}: empty "
                                f"{' and '.join(_LABELS[f] for f in carried)} cell takes the value of the row above "
                                "(a merged cell)"))


_LABELS = {"power_type": "权力类型", "power": "权力事项"}


def _continues(cells: list[str], header: dict[int, str]) -> bool:
    """A row whose key cells (number, type, code — or the name when the table has none of
    them) are all empty: the rest of the row before, not an item of its own."""
    keys = [i for i, f in header.items() if f in _KEY_FIELDS] or [i for i, f in header.items() if f == "power"]
    return bool(keys) and not any(cells[i].strip() for i in keys if i < len(cells))


def _heads_its_subitems(entry: _Pending, after: list[_Pending]) -> bool:
    """A main item's own row, above the rows of its sub-items, with no basis and no sub-item."""
    name = entry.values.get("power", "").strip()
    if not name or entry.values.get("basis", "").strip() or entry.values.get("subitem", "").strip():
        return False
    return bool(after) and after[0].values.get("power", "").strip() == name and bool(
        after[0].values.get("subitem", "").strip())


def _carries_text(cells: list[str], header: dict[int, str]) -> bool:
    return any(cells[i].strip() for i, f in header.items() if i < len(cells) and f not in ("number", "power_type"))


def _join(entry: _Pending, cells: list[str], header: dict[int, str], line: int) -> None:
    """Append a continuation row's cells (a row without number and type that carries text:
    the rest of a row broken over a page, or a wrapped line of a text table)."""
    for i, field in header.items():
        if i < len(cells) and cells[i].strip():
            entry.values[field] = join_wrapped([entry.values.get(field, ""), cells[i]])
    entry.last_line = line
