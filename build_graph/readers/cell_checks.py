"""Does each cell hold what its column says? Plausibility of cell contents against the header.

When a cell is lost or a column is misread, the cells of a row shift: the 实施依据 column then
holds responsibilities, the department column a citation. Linking such a row would state a
wrong legal basis, so every reader's row passes through :func:`misplaced_cells`, and a row it
objects to keeps its text but is not linked (see ``PowerRecord.unlinked_reason``).
"""
from __future__ import annotations

import re

from ..power_types import normalize_power_type

CITATION = re.compile(r"《[^》]{2,}》|第[零〇一二三四五六七八九十百千0-9]+条|〔(19|20)\d{2}〕\d+号"
                      r"|【(法律|行政法规|地方性法规|法规|规章|部门规章|政府规章|规范性文件)】")
RESPONSIBILITY = re.compile(r"^\s*(\d{1,2}\s*[、.．]\s*)?\S{1,6}责任\s*[:：]")
ACCOUNTABILITY = re.compile(r"^\s*因(不履行|不正确履行|违反)|^\s*有下列情形之一的")
DEPARTMENT = re.compile(r"^[^\s。；;，,、《》]{2,20}(科|股|室|处|中心|大队|中队|站|所|办公室)$")
# an office inside an authority, never an authority of its own (a 中心, 站 or 所 can be one)
INTERNAL_OFFICE = re.compile(r"^[^\s。；;，,、《》局委府厅部]{1,20}(科|股|室|处|大队|中队|办公室)$")


def misplaced_cells(values: dict[str, str]) -> list[str]:
    """Reasons why the cells of one row do not fit their columns ([] when they do).

    ``values`` maps canonical field (power, power_type, basis, responsibilities,
    accountability, department) to cell text.
    """
    get = lambda field: (values.get(field) or "").strip()
    name, basis, duties, cases, unit = (get(f) for f in ("power", "basis", "responsibilities",
                                                         "accountability", "department"))
    problems = []
    if RESPONSIBILITY.match(basis) or ACCOUNTABILITY.match(basis):
        problems.append(f"the 实施依据 cell holds responsibilities or accountability text ({basis[:20]!r}…)")
    elif basis and not CITATION.search(basis):
        for field, text in (("权力事项", name), ("承办科室", unit), ("权力类型", get("power_type"))):
            if CITATION.search(text):
                problems.append(f"the 实施依据 cell cites nothing while the {field} cell does ({text[:20]!r})")
    if name and (CITATION.match(name) or name.startswith("【")):
        problems.append(f"the 权力事项 cell is a citation ({name[:20]!r})")
    if name and DEPARTMENT.match(name) and not name.startswith("对"):
        problems.append(f"the 权力事项 cell looks like a department ({name!r})")
    if ACCOUNTABILITY.match(duties) and not RESPONSIBILITY.search(duties):
        problems.append(f"the 责任事项 cell holds accountability text ({duties[:20]!r}…)")
    if cases and DEPARTMENT.match(cases):
        problems.append(f"the 追责情形 cell holds a department name ({cases!r})")
    if unit and (CITATION.search(unit) or RESPONSIBILITY.match(unit) or ACCOUNTABILITY.match(unit)):
        problems.append(f"the 承办科室 cell holds a citation or responsibilities ({unit[:20]!r}…)")
    label = get("power_type")
    if label and normalize_power_type(label) is None and len(label) > 8:
        problems.append(f"the 权力类型 cell holds running text ({label[:20]!r}…)")
    return problems
