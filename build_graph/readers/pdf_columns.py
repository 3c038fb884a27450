"""Text extracted from a PDF table, where every cell is wrapped into short lines.

What the extraction gives: for each row, the lines of column 1, then column 2, … ; when a row
crosses a page break, the rest of its cells follow *after* the first part, again column by
column. Narrow columns (number, type, name, authority, department) wrap at 1–3 characters;
the wide ones (basis, responsibilities, accountability) at their own widths.

How the cells are rebuilt, without any row-specific rule:
1. a row starts where digit-only lines are followed by one-character lines spelling a power
   type (``行/政/处/罚``);
2. after the type come the 2–3 character lines of name and authority, split where the tail
   spells the authority;
3. the remaining lines are assigned to name, basis, responsibilities, accountability and
   department by a Viterbi decoder. A line scores well in a column whose wrap width it fills
   (widths are measured from the document itself), switching to a later column costs a little,
   going back to an earlier one (a page break) costs more, and cues such as ``1、立案责任`` or
   ``因不履行`` pull a line toward its column.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from ..power_types import TYPE_LABELS, looks_like_power_type, normalize_power_type
from ..records import Finding, PowerRecord, SourceSpan
from .fields import record_from_fields
from .summary import authority_from_title
from .text import DecodedText, display_width, join_wrapped, squash_spaces

DETAIL_TITLE = re.compile(r"权责清单.*(分表|明细|[类项][)）])")
_DIGITS = re.compile(r"\d{1,3}")
_CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")

NAME, BASIS, RESP, ACC, DEPT = range(5)
COLUMN_FIELDS = ("power", "basis", "responsibilities", "accountability", "department")
WIDE = (BASIS, RESP, ACC)
DEFAULT_WIDTHS = {BASIS: 18.0, RESP: 27.0, ACC: 21.0}  # CJK cells; used when a list is too short to measure
NARROW_MAX = 3.0

_CUES = (
    (RESP, re.compile(r"^\d{1,2}\s*[、.．]\s*\S{1,6}责任"), 3.0),
    (ACC, re.compile(r"^因不履行|^因不正确履行"), 4.0),
    (BASIS, re.compile(r"^(\d{1,2}\s*[、.．]+\s*)?(【[^】]{2,8}】)?[《<〈]|^(\d{1,2}\s*[、.．]+\s*)?\S{2,30}?(人民政府|局|部|委|厅|办公室)[《<〈]"), 2.0),
)
_SENTENCE_END = tuple("。；;！？”)）")


@dataclass
class _Line:
    number: int
    text: str
    width: float


def _type_of_fragment(fragment: str) -> str | None:
    """The power type whose label is ``fragment`` with one character lost (one line of a
    type spelt one character per line), when exactly one type's labels fit."""
    types = {normalize_power_type(label) for label in TYPE_LABELS
             if any(label[:i] + label[i + 1:] == fragment for i in range(len(label)))}
    return types.pop() if len(types) == 1 else None


def _row_starts(lines: list[_Line]) -> list[tuple[int, str, str, int, str | None]]:
    """(index, number, type label, index after the type, damage) for every row start.

    A row starts where digit lines are followed by one-character lines spelling a power type.
    A start with a line lost is still recognised — digits followed by a type's label with one
    character lost (``5`` ``政`` ``给`` ``付``), or a whole label without its number — so one
    lost line cannot merge two rows; ``damage`` then says what is missing.
    """
    starts = []
    i = 0
    while i < len(lines):
        j = i
        digits = ""
        while j < len(lines) and j - i < 3 and _DIGITS.fullmatch(lines[j].text):
            digits += lines[j].text
            j += 1
        k = j
        label = ""
        while k < len(lines) and k - j < 6 and len(lines[k].text) == 1 and _CJK_CHAR.match(lines[k].text):
            label += lines[k].text
            k += 1
        damage = None
        if k >= len(lines) or len(digits) > 3:
            ok = False
        elif digits and 2 <= len(label) <= 6 and looks_like_power_type(label):
            ok = True
        elif digits and len(label) >= 2 and (fragment_type := _type_of_fragment(label)):
            ok, damage = True, f"its type is spelt {label!r} (a character of {fragment_type!r} is missing)"
            label = fragment_type
        elif not digits and len(label) >= 4 and normalize_power_type(label):
            ok, damage = True, f"its type {label!r} has no row number before it (a line is missing)"
        else:
            ok = False
        if ok:
            starts.append((i, digits, label, k, damage))
            i = k
        else:
            i += 1
    return starts


def _measure_widths(tails: list[list[_Line]]) -> dict[int, float]:
    """Wrap width of each wide column, measured from the tails of all rows.

    The three most frequent line widths (peaks of the width histogram) are the columns' wrap
    widths; which peak is which column follows from where its lines sit in the rows on
    average (basis first, then responsibilities, then accountability).
    """
    histogram: Counter[int] = Counter()
    positions: dict[int, list[float]] = {}
    for tail in tails:
        for index, line in enumerate(tail):
            if line.width >= 6:
                key = int(line.width)
                histogram[key] += 1
                positions.setdefault(key, []).append(index / max(1, len(tail) - 1))
    smoothed = {w: histogram[w - 1] * 0.5 + histogram[w] + histogram[w + 1] * 0.5 for w in histogram}
    peaks: list[int] = []
    for width, count in sorted(smoothed.items(), key=lambda kv: (-kv[1], kv[0])):
        if len(peaks) == len(WIDE):
            break
        if count >= 8 and all(abs(width - p) > 2 for p in peaks):
            peaks.append(width)
    if len(peaks) < len(WIDE):
        return dict(DEFAULT_WIDTHS)

    def mean_position(peak: int) -> float:
        values = [v for w in (peak - 1, peak, peak + 1) for v in positions.get(w, [])]
        return sum(values) / len(values)

    ordered = sorted(peaks, key=mean_position)
    # A line of width w wraps at about the peak; mixed half-width characters make it slightly wider.
    return {column: float(peak) for column, peak in zip(WIDE, ordered)}


def _emission(line: _Line, column: int, widths: dict[int, float]) -> float:
    if column in WIDE:
        cap = widths[column]
        if line.width > cap + 2.0:
            return -math.inf
        score = 0.0 if line.width >= cap - 2.0 else -1.5
    else:
        cap = NARROW_MAX if column == NAME else 1.0
        score = 0.0 if line.width <= cap else -math.inf
    for cue_column, pattern, bonus in _CUES:
        if pattern.search(line.text):
            score += bonus if cue_column == column else -bonus / 2
    return score


def _is_full(line: _Line, column: int, widths: dict[int, float]) -> bool:
    return column in WIDE and line.width >= widths[column] - 2.0


_ENTRY_START = re.compile(r"^(\d{1,2}\s*[、.．]|[（(][一二三四五六七八九十]+[)）]|第[一二三四五六七八九十百]+条|[①-⑳])")
_ENUMERATOR = re.compile(r"^(\d{1,2})\s*[、.．]")


def _transition(prev: int, cur: int, prev_full: bool, prev_ends_sentence: bool, full: bool, starts_entry: bool) -> float:
    """Log-score of moving from column ``prev`` on one line to ``cur`` on the next; ``prev_full``
    and ``full`` say whether each line fills its column's width."""
    if cur == prev:
        if prev in WIDE and not prev_full and not full and not starts_entry:
            return -3.5  # two short lines in a row: a new cell, more likely
        return 0.0
    cost = -3.1 - (cur - prev - 1) if cur > prev else -6.0
    if prev_full:
        # a cell rarely ends on a full line, and almost never mid-sentence
        cost -= 1.0 if prev_ends_sentence else 2.0
    return cost


def _viterbi(tail: list[_Line], widths: dict[int, float], bonus: list[dict[int, float]]) -> list[int]:
    columns = range(DEPT + 1)
    start = {NAME: -3.0, BASIS: 0.0, RESP: -3.0, ACC: -4.0, DEPT: -5.0}
    full = [[_is_full(line, c, widths) for c in columns] for line in tail]
    emissions = [[_emission(line, c, widths) + bonus[index].get(c, 0.0) for c in columns]
                 for index, line in enumerate(tail)]

    score = [start[c] + emissions[0][c] for c in columns]
    back: list[list[int]] = []
    for index in range(1, len(tail)):
        line, prev_line = tail[index], tail[index - 1]
        starts_entry, ends_sentence = bool(_ENTRY_START.match(line.text)), prev_line.text.endswith(_SENTENCE_END)
        new_score, pointers = [], []
        prev_full, cur_full = full[index - 1], full[index]
        for cur in columns:
            # the best previous column; on a tie the later one (as max over (score, column) pairs)
            best, best_prev = None, 0
            for prev in columns:
                value = score[prev] + _transition(prev, cur, prev_full[prev], ends_sentence, cur_full[cur], starts_entry)
                if best is None or value >= best:
                    best, best_prev = value, prev
            new_score.append(best + emissions[index][cur])
            pointers.append(best_prev)
        score = new_score
        back.append(pointers)
    state = max(columns, key=lambda c: score[c])
    path = [state]
    for pointers in reversed(back):
        state = pointers[state]
        path.append(state)
    return path[::-1]


def assign_columns(tail: list[_Line], widths: dict[int, float]) -> list[int]:
    """Most likely column for each line of a row's tail (Viterbi over NAME…DEPT).

    Two passes: the second rewards a line opening entry ``n、`` in the column whose last entry
    (in the first pass) was n−1, which places continuations after a page break.
    """
    if not tail:
        return []
    no_bonus: list[dict[int, float]] = [{} for _ in tail]
    first = _viterbi(tail, widths, no_bonus)
    bonus: list[dict[int, float]] = [{} for _ in tail]
    last_entry: dict[int, int] = {}
    for index, (line, column) in enumerate(zip(tail, first)):
        if match := _ENUMERATOR.match(line.text):
            number = int(match.group(1))
            for candidate, previous in last_entry.items():
                if previous == number - 1 and number > 1:
                    bonus[index][candidate] = 3.0
            last_entry[column] = number
    return _viterbi(tail, widths, bonus)


def _split_name_authority(head: list[_Line], authority: str) -> tuple[list[_Line], list[_Line]]:
    target = squash_spaces(authority)
    for k in range(1, len(head)):
        if target and squash_spaces("".join(l.text for l in head[k:])) == target:
            return head[:k], head[k:]
    return head, []


def _lines(doc: DecodedText) -> list[_Line]:
    """The non-blank lines of ``doc`` with their widths; made once for the last text asked about
    (the layout's detection reads them, then the reader)."""
    global _last_lines
    if _last_lines[0] is not doc:
        _last_lines = (doc, [_Line(n, t.strip(), display_width(t.strip())) for n, t in enumerate(doc.lines, 1)
                             if t.strip()])
    return _last_lines[1]


_last_lines: tuple[DecodedText | None, list[_Line]] = (None, [])


def looks_like_pdf_columns(doc: DecodedText) -> bool:
    """At least two row starts (digit lines, then a type spelt one character per line)."""
    return len(_row_starts(_lines(doc))) >= 2


def read_pdf_columns(doc: DecodedText, list_name: str, authority: str) -> tuple[list[PowerRecord], list[tuple[int, str]], list[Finding], str]:
    """Records, summary-section lines, findings and the authority seen in the title."""
    findings: list[Finding] = []
    lines = _lines(doc)
    if not authority:
        authority = next((a for line in lines[:5] if (a := authority_from_title(line.text))), "")
    starts = _row_starts(lines)
    if not starts:
        return [], [(l.number, l.text) for l in lines], findings, authority
    detail_from = starts[0][0]
    for index in range(starts[0][0] - 1, -1, -1):
        if DETAIL_TITLE.search(lines[index].text) and "总表" not in lines[index].text:
            detail_from = index
            break
    summary_lines = [(l.number, l.text) for l in lines[:detail_from]]
    for line in lines[detail_from:starts[0][0]]:
        if not (DETAIL_TITLE.search(line.text) or re.fullmatch(r"[（(]共.*[)）]", line.text)):
            findings.append(Finding("info", list_name, line.number, "unrecognised-line",
                                    f"stray text before the first row left out: {line.text!r}"))

    blocks = []
    for s, (index, digits, label, after_type, damage) in enumerate(starts):
        end = starts[s + 1][0] if s + 1 < len(starts) else len(lines)
        if damage:
            findings.append(Finding("warning", list_name, lines[index].number, "damaged-row-start",
                                    f"row at lines {lines[index].number}–{lines[after_type - 1].number}: {damage}; "
                                    "read as the start of a row"))
        body = lines[after_type:end]
        cut = 0
        while cut < len(body) and body[cut].width <= NARROW_MAX:
            cut += 1
        name_lines, authority_lines = _split_name_authority(body[:cut], authority)
        if not authority_lines:
            findings.append(Finding("warning", list_name, lines[index].number, "authority-not-found",
                                    f"item {digits}: could not find the authority {authority!r} after the name"))
        blocks.append((index, end, digits, label, name_lines, authority_lines, body[cut:]))

    widths = _measure_widths([b[6] for b in blocks])
    records = []
    for index, end, digits, label, name_lines, authority_lines, tail in blocks:
        cells: dict[int, list[str]] = {c: [] for c in range(DEPT + 1)}
        cells[NAME] = [l.text for l in name_lines]
        for line, column in zip(tail, assign_columns(tail, widths)):
            cells[column].append(line.text)
        values = {COLUMN_FIELDS[c]: join_wrapped(texts) for c, texts in cells.items()}
        values["number"] = digits
        values["power_type"] = label
        values["authority"] = "".join(l.text for l in authority_lines)
        span = SourceSpan(list_name, lines[index].number, lines[end - 1].number)
        records.append(record_from_fields(values, list_name=list_name, source=span,
                                          default_authority=authority, findings=findings))
    return records, summary_lines, findings, authority
