"""The summary table (事项总表) that opens a list: categories, declared counts, item names.

Layout-neutral: it takes the summary's lines as plain text (cells of a tab-separated row joined
by single spaces) so the tab-separated and the PDF-text readers share it.
"""
from __future__ import annotations

import re

import cn2an

from ..power_types import normalize_power_type
from ..records import Finding, Summary, SummaryCategory, SummaryItem
from .text import squash_spaces

_NUMERAL = r"[0-9零〇一二两三四五六七八九十百]+"
TOTALS = re.compile(rf"共\s*({_NUMERAL})\s*类\s*[、,，]?\s*({_NUMERAL})\s*项")
CATEGORY = re.compile(r"^([一二三四五六七八九十]+)\s*[、.．]\s*(\S+?)\s*(?:共\s*(\d+)\s*项)?$")
ITEM = re.compile(r"^(\d+)\s+(\d+)(?:\s+(.*))?$")
HEADER = re.compile(r"总序号|类别及序号|项目名称")
AUTHORITY = re.compile(r"^(?:填报单位|编制单位|责任单位|单位|实施主体|部门)[:：]\s*(.+?)(?:[（(]公章[)）])?$")
SUMMARY_TITLE = re.compile(r"总表|事项汇总|目录")
_LIST_TITLE = re.compile(r"^[#\s]*(?:[^\s>＞|/]*?[:：])?([\u4e00-\u9fff（）()]{2,40}?(?:局|委员会|委|厅|办公室|办|政府|院|中心|所|站|队|部|署|会|馆|处|社|室))"
                         r"(?:行政)?(?:权责|权力|职权|责任|权力和责任)(?:事项)?(?:清单|目录|详情|一览表)")


def authority_from_title(text: str) -> str | None:
    """``平山县医疗保障局权责清单（2021年版）`` → 平山县医疗保障局 (a title that starts with a body)."""
    match = _LIST_TITLE.match(squash_spaces(text))
    return match.group(1) if match else None


_STATED_DATE = re.compile(r"(?:发布|公布|更新|调整|印发|编制|生效|实施)(?:日期|时间)?\s*[:：]?\s*((?:19|20)\d\d)\s*[年\-/.]\s*"
                          r"(\d{1,2})\s*[月\-/.]\s*(\d{1,2})")
_EDITION_YEAR = re.compile(r"[（(]\s*((?:19|20)\d\d)\s*年\s*(?:版|本|度)\s*[)）]")


def list_date(lines: list[str]) -> str | None:
    """The date a list states for itself (ISO), from its first lines: a 发布/更新/调整 date
    (``更新时间：2022-03-01``), else the year of its edition (``权责清单（2021年版）`` → 2021-01-01,
    the start of the year: which wording of a law it used is judged by the year it was made)."""
    for line in lines:
        if match := _STATED_DATE.search(line):
            year, month, day = match.groups()
            if 1 <= int(month) <= 12 and 1 <= int(day) <= 31:
                return f"{year}-{int(month):02d}-{int(day):02d}"
    for line in lines:
        if (match := _EDITION_YEAR.search(line)) and (authority_from_title(line) or "清单" in line):
            return f"{match.group(1)}-01-01"
    return None


def to_int(numeral: str) -> int | None:
    """``二十五`` or ``25`` → 25; None when it is not a numeral."""
    try:
        return int(cn2an.cn2an(numeral, "smart"))
    except (ValueError, KeyError, TypeError):
        return None


def parse_summary(lines: list[tuple[int, str]], list_name: str) -> tuple[Summary, list[Finding], str | None]:
    """Parse summary-section lines ``(line number, text)``.

    Returns the summary, findings for lines that fit no part of it, and the authority named
    in a ``单位：…`` line (None if there is none). An item row with no name takes the text of
    the following unrecognised lines (names wrapped over several lines).
    """
    summary = Summary(None, None, None)
    findings: list[Finding] = []
    authority = None
    last_item: SummaryItem | None = None
    for number, raw in lines:
        text = re.sub(r"\s+", " ", raw).strip()
        if not text:
            continue
        totals = TOTALS.search(text)
        if totals and summary.declared_items is None and not ITEM.match(text):
            summary.declared_categories = to_int(totals.group(1))
            summary.declared_items = to_int(totals.group(2))
            summary.line = number
            continue
        if SUMMARY_TITLE.search(text) and len(text) < 60 and not ITEM.match(text):
            summary.line = summary.line or number
            authority = authority or authority_from_title(text)
            continue
        if len(text) < 60 and (title_authority := authority_from_title(text)):
            authority = authority or title_authority
            continue
        if HEADER.search(text):
            continue
        if match := AUTHORITY.match(text):
            authority = squash_spaces(match.group(1))
            continue
        if match := CATEGORY.match(text):
            label = match.group(2)
            summary.categories.append(SummaryCategory(
                match.group(1), label, normalize_power_type(label) or label,
                int(match.group(3)) if match.group(3) else None, number))
            last_item = None
            continue
        if (match := ITEM.match(text)) and summary.categories:
            last_item = SummaryItem(int(match.group(1)), int(match.group(2)),
                                    squash_spaces(match.group(3) or ""), number)
            summary.categories[-1].items.append(last_item)
            continue
        if last_item is not None:
            last_item.name = squash_spaces(last_item.name + " " + text)
            continue
        findings.append(Finding("warning", list_name, number, "unrecognised-line",
                                f"summary line not understood and left out: {text[:60]!r}"))
    return summary, findings, authority
