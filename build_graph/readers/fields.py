"""Column headers → canonical fields, and cell values → a PowerRecord.

Every reader ends here, so the way a name is split into main and sub-items, or a
responsibility cell into numbered entries, is the same whatever the layout.
"""
from __future__ import annotations

import re
from functools import lru_cache

from ..power_types import normalize_power_type
from ..records import Finding, PowerRecord, Responsibility, SourceSpan
from .cell_checks import DEPARTMENT, INTERNAL_OFFICE, misplaced_cells
from .text import simplified, split_enumerated, squash_spaces

FIELDS = ("number", "power_type", "power", "subitem", "authority", "basis", "responsibilities",
          "accountability", "department", "remarks", "code", "level")

# Header variants seen in real lists, per canonical field (compared without spaces/brackets,
# in Simplified script).
HEADER_VARIANTS = {
    "number": ("序号", "总序号", "编号", "事项编号"),
    "power_type": ("权力类型", "事项类型", "职权类型", "项目类型", "权力类别", "类别", "类型", "职权类别"),
    "power": ("权力事项", "事项名称", "职权名称", "执法事项名称", "权力事项名称", "项目名称",
              "权力名称", "名称", "主项名称", "主项", "职权事项", "行政职权名称", "执法事项",
              "行政权力事项"),
    "subitem": ("子项", "子项名称", "子项目名称", "子项事项名称"),
    "authority": ("行政主体", "实施主体", "责任主体", "实施机关", "执法主体", "实施部门", "行使主体", "实施机构"),
    "basis": ("实施依据", "设定依据", "法律依据", "执法依据", "设定和实施依据", "依据", "法律法规规章依据",
              "审核依据", "法定依据", "设定依据及实施依据"),
    "responsibilities": ("责任事项", "责任事项内容", "责任内容"),
    "accountability": ("追责情形", "问责情形", "追责事项", "追责情形及依据", "问责依据"),
    "department": ("承办机构", "责任科室", "承办科室", "内设机构", "责任处室", "承办处室",
                   "实施科室", "承办部门", "责任股室", "承办股室"),
    "remarks": ("备注",),
    "code": ("事项编码", "职权编码", "地方权力编码", "权力编码", "事项代码", "基本编码", "编码"),
    "level": ("行使层级", "层级"),
}
_LOOKUP = {variant: field for field, variants in HEADER_VARIANTS.items() for variant in variants}
# a qualifier inside a longer header decides its field: 权力事项（子项） is a sub-item, 事项编码 a code
_QUALIFIERS = (("子项", "subitem"), ("编码", "code"), ("代码", "code"), ("层级", "level"), ("主项", "power"))


# the last word of a header no variant names: 行使依据 is a basis, 执法类别 a type, 办理科室 an office
_ENDINGS = (("依据", "basis"), ("类型", "power_type"), ("类别", "power_type"), ("事项名称", "power"),
            ("权力名称", "power"), ("职权名称", "power"), ("主体", "authority"), ("实施机关", "authority"),
            ("科室", "department"), ("处室", "department"), ("股室", "department"))


def _header_key(text: str) -> str:
    text = re.sub(r"[\s*：:]", "", simplified(text))
    return re.sub(r"[（(](?!主项|子项)[^)）]*[)）]", "", text).replace("（", "").replace("）", "").replace("(", "").replace(")", "")


@lru_cache(maxsize=1 << 16)
def header_field(cell: str) -> str | None:
    """The canonical field of one header cell, or None (cached: every row of a table asks)."""
    key = _header_key(cell)
    if not key or len(key) > 16:
        return None
    if key in _LOOKUP:
        return _LOOKUP[key]
    for qualifier, field in _QUALIFIERS:
        if qualifier in key:
            return field
    matches = [variant for variant in _LOOKUP if len(variant) >= 4 and variant in key]
    if matches:
        return _LOOKUP[max(matches, key=len)]
    return next((field for ending, field in _ENDINGS if key.endswith(ending) and not key.startswith(("问责", "追责"))),
                None)


def map_header(cells: list[str]) -> dict[int, str]:
    """Column index → canonical field for a header row; unknown headers are left out."""
    mapping: dict[int, str] = {}
    for index, cell in enumerate(cells):
        field = header_field(cell)
        if field and field not in mapping.values():
            mapping[index] = field
    return mapping


_DETAIL_FIELDS = {"authority", "responsibilities", "accountability", "subitem", "code", "level"}


def is_header(cells: list[str]) -> bool:
    """A header of power-list columns: the item name with its basis, or with its type and at
    least one more column only power lists have (a table of 名称 | 类型 alone is not one)."""
    fields = set(map_header(cells).values())
    if "power" not in fields:
        return False
    return "basis" in fields or ("power_type" in fields and bool(fields & _DETAIL_FIELDS))


_MAIN = re.compile(r"[（(]\s*主项\s*[)）]")
_SUB = re.compile(r"[（(]\s*子项\s*[)）]")
_DASHES = re.compile(r"^[\s\-—–─－:：]+")


def split_main_and_subitems(name: str) -> tuple[str, list[str]]:
    """``主项名（主项）——子项A（子项）、子项B（子项）`` → (主项名, [子项A, 子项B])."""
    parts = _MAIN.split(name, maxsplit=1)
    if len(parts) == 1:
        return name, []
    main, rest = parts[0].strip(), _DASHES.sub("", parts[1]).strip()
    if not rest:
        return main, []
    pieces = [_DASHES.sub("", p).strip(" 、，,；;") for p in _SUB.split(rest)]
    return main, [p for p in pieces if p]


_RESP_KIND = re.compile(r"^(\S{1,8}?责任)\s*[:：]?\s*(?=\S)")


def split_responsibilities(text: str) -> list[Responsibility]:
    """Numbered responsibility entries with their kind (``立案责任``) where one is named."""
    preamble, entries = split_enumerated(text)
    if not entries:
        entries, preamble = ([text.strip()] if text.strip() else []), ""
    result = [Responsibility(None, preamble)] if preamble else []
    for entry in entries:
        match = _RESP_KIND.match(entry)
        if match and not match.group(1).startswith(("其他", "法律")):
            result.append(Responsibility(match.group(1), entry[match.end():].strip()))
        else:
            result.append(Responsibility(None, entry))
    return result


def split_accountability(text: str) -> tuple[str, list[str]]:
    """(preamble ``因不履行…承担相应责任：``, numbered cases); unnumbered text is one case."""
    preamble, entries = split_enumerated(text)
    if not entries and preamble:
        return "", [preamble]
    return preamble, entries


def record_from_fields(values: dict[str, str], *, list_name: str, source: SourceSpan,
                       default_authority: str, findings: list[Finding]) -> PowerRecord:
    """Build a record from canonical field → cell text. Missing required cells become
    findings at the record's first line; the record is still returned."""
    def get(field: str) -> str:
        return (values.get(field) or "").strip()

    at = f"{source.where}: " if source.where else ""

    name = squash_spaces(get("power").replace("\n", " "))
    if sub := get("subitem"):  # a 子项 column: sub-items one per line (a name may hold 、)
        parts = [squash_spaces(p) for p in re.split(r"[；;\n]+", _SUB.sub("", sub)) if p.strip()]
        name = f"{_MAIN.sub('', name).strip()}（主项）——" + "、".join(f"{p}（子项）" for p in parts)
    label = squash_spaces(get("power_type"))
    power_type = normalize_power_type(label)
    if label and power_type is None:
        findings.append(Finding("warning", list_name, source.first_line, "unknown-power-type",
                                f"{at}item {get('number') or '?'}: power type {label!r} is none of the statutory types"))
    if not get("department") and DEPARTMENT.match(get("remarks")):  # the office filed under 备注
        values = {**values, "department": get("remarks"), "remarks": ""}
    if not get("department") and INTERNAL_OFFICE.match(get("authority")):
        # an 实施机构 column naming the authority's own office (水资源科, 执法大队): that is the
        # department; the authority is the list's (its title, 单位 or 实施主体 line)
        values = {**values, "department": get("authority"), "authority": ""}
    for field, label_zh in (("power", "权力事项"), ("power_type", "权力类型"), ("basis", "实施依据"),
                            ("responsibilities", "责任事项"), ("accountability", "追责情形"),
                            ("department", "承办科室")):
        if not get(field):
            findings.append(Finding("warning", list_name, source.first_line, f"missing-{field.replace('_', '-')}",
                                    f"{at}item {get('number') or '?'} ({name[:30] or 'unnamed'}): no {label_zh} ({field})"))
    misplaced = misplaced_cells(values)
    if misplaced:
        findings.append(Finding("error", list_name, source.first_line, "misplaced-cells",
                                f"{at}item {get('number') or '?'} ({name[:30] or 'unnamed'}): cells do not fit the "
                                f"header — {'; '.join(misplaced)}; its basis is not linked"))
    main, subitems = split_main_and_subitems(name)
    preamble, cases = split_accountability(get("accountability"))
    number = squash_spaces(get("number"))
    return PowerRecord(
        item_no=None, category_no=None, number_as_listed=number,
        power_type=power_type, power_type_as_listed=label,
        power=name, main_item=main, subitems=subitems,
        authority=squash_spaces(get("authority")) or default_authority,
        basis_text=get("basis"),
        responsibilities=split_responsibilities(get("responsibilities")),
        accountability=cases, accountability_preamble=preamble,
        department=squash_spaces(get("department")) or None,
        source=source, remarks=get("remarks"), item_code=squash_spaces(get("code")),
        exercise_level=squash_spaces(get("level")),
        unlinked_reason="; ".join(misplaced) or None,
    )
