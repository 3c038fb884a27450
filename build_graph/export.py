"""Records and findings as JSON-ready rows and CSV text (``powerkg export``)."""
from __future__ import annotations

import json
from dataclasses import asdict

from .records import Finding, PowerList
from .spreadsheet import csv_text

RECORD_COLUMNS = ("list", "authority", "item_no", "category_no", "power_type", "power_type_as_listed",
                  "power", "main_item", "subitems", "basis_text", "responsibilities", "accountability",
                  "department", "source")
FINDING_COLUMNS = ("severity", "list", "line", "code", "message")


def record_rows(lists: list[PowerList]) -> list[dict]:
    """One dict per record; ``source`` is {file, first_line, last_line}."""
    rows = []
    for power_list in lists:
        for record in power_list.records:
            rows.append({
                "list": power_list.list_id,
                "authority": record.authority,
                "item_no": record.item_no,
                "category_no": record.category_no,
                "number_as_listed": record.number_as_listed,
                "power_type": record.power_type,
                "power_type_as_listed": record.power_type_as_listed,
                "power": record.power,
                "main_item": record.main_item,
                "subitems": record.subitems,
                "basis_text": record.basis_text,
                "responsibilities": [asdict(r) for r in record.responsibilities],
                "accountability": record.accountability,
                "accountability_preamble": record.accountability_preamble,
                "department": record.department,
                "remarks": record.remarks,
                "item_code": record.item_code,
                "exercise_level": record.exercise_level,
                "source": asdict(record.source),
            })
    return rows


def finding_rows(lists: list[PowerList]) -> list[dict]:
    return [finding_row(pl.list_id, f) for pl in lists for f in pl.findings]


def finding_row(list_id: str, finding: Finding) -> dict:
    """A finding as findings.csv holds it: its fields, the list's id, the file it was read from."""
    return asdict(finding) | {"list": list_id, "file": finding.list}


def to_json(rows: list[dict]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"


def to_csv(rows: list[dict], columns: tuple[str, ...]) -> str:
    """CSV with the given columns first; lists and dicts are written as JSON in their cell;
    cells a spreadsheet would run as formulas are neutralised."""
    if rows:
        columns = columns + tuple(k for k in rows[0] if k not in columns)
    cell = lambda v: json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v
    return csv_text(columns, ([cell(row.get(c)) for c in columns] for row in rows))
