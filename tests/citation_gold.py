"""The hand-made gold standard of citations in other provinces' styles
(tests/samples/citations-provinces.txt): parsing it, and scoring the grammar against it."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from build_graph.citations.export import cite_rows
from build_graph.registry import title_key, without_edition

GOLD_FILE = Path(__file__).parent / "samples" / "citations-provinces.txt"


@dataclass
class Case:
    name: str
    text: str
    expected: set[tuple]


def _provision(spec: str) -> tuple:
    """'122.1.3' → ('art', 122, 1, 3); '*' → ('whole',); 'chp6'; 'att2.item10'."""
    spec = spec.strip()
    if spec == "*":
        return ("whole",)
    if match := re.fullmatch(r"chp(\d+)", spec):
        return ("chapter", int(match.group(1)))
    if match := re.fullmatch(r"att(\d+)(?:\.item(\d+))?", spec):
        return ("attachment", int(match.group(1)), int(match.group(2)) if match.group(2) else None)
    parts = [int(p) if p else None for p in spec.split(".")] + [None, None]
    return ("article", parts[0], parts[1], parts[2])


def _key(title: str) -> str:
    return title_key(without_edition(title))


def load_cases() -> list[Case]:
    cases, name, lines = [], None, []
    for line in GOLD_FILE.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            name, lines = line[3:], []
        elif line.startswith("=> "):
            expected = set()
            for piece in line[3:].split(" ; "):
                title, provision = piece.split(" | ")
                expected.add((_key(title), _provision(provision)))
            cases.append(Case(name, "\n".join(lines), expected))
        elif name is not None and not line.startswith("#"):
            lines.append(line)
    return cases


def found_citations(text: str, registry=None) -> set[tuple]:
    """The basis citations powerkg finds, in the gold standard's terms."""
    found = set()
    for row in cite_rows(text, registry):
        if row["role"] != "basis":
            continue
        instrument = row["instrument"]
        title = instrument["title"] if instrument["resolved"] else (row["cited_as"]["title"] or instrument["title"])
        if row["attachment"] is not None and row["article"] is None:
            provision = ("attachment", row["attachment"], row["item"])
        elif row["article"] is not None:
            provision = ("article", row["article"], row["paragraph"], row["item"])
        elif row["chapter"] is not None:
            provision = ("chapter", row["chapter"])
        else:
            provision = ("whole",)
        found.add((_key(title), provision))
    return found


def score(cases: list[Case], registry=None) -> tuple[float, float, list[str]]:
    """(precision, recall, what differs per case)."""
    true_positive = found_total = expected_total = 0
    misses = []
    for case in cases:
        found = found_citations(case.text, registry)
        true_positive += len(found & case.expected)
        found_total += len(found)
        expected_total += len(case.expected)
        if found != case.expected:
            misses.append(f"{case.name}: missing {sorted(case.expected - found)}, extra {sorted(found - case.expected)}")
    return true_positive / max(found_total, 1), true_positive / max(expected_total, 1), misses
