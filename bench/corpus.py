"""Make a corpus of N powers for the scale benchmarks: the bundled lists copied under other
authority names (平山's tab-separated layout and 元氏's PDF-text layout, alternating), each copy
a list of its own with its own 单位/title line.

Run: python bench/corpus.py POWERS FOLDER   (writes FOLDER/list-00001.txt …)
"""
from __future__ import annotations

import sys
from pathlib import Path

from build_graph.corpus import bundled_lists

COUNTIES = "东西南北中上下新老大小"


def authority_name(index: int, original: str) -> str:
    """A distinct county name for copy ``index`` keeping the department (…医疗保障局)."""
    department = original.split("县", 1)[1] if "县" in original else original
    digits = "".join(COUNTIES[int(d)] for d in f"{index:05d}")
    return f"测试{digits}县{department}"


def make_corpus(powers: int, folder: Path) -> list[Path]:
    """Write copies of the bundled lists into ``folder`` until they hold ≥ ``powers`` items.
    Returns the files, in order."""
    folder.mkdir(parents=True, exist_ok=True)
    sources = []
    for file, meta in bundled_lists():
        text = file.read_text(encoding="utf-8")
        items = 25 if "pingshan" in meta.list_id else 20
        sources.append((text, meta.authority, items))
    files, total, index = [], 0, 0
    while total < powers:
        text, authority, items = sources[index % len(sources)]
        index += 1
        path = folder / f"list-{index:05d}.txt"
        path.write_text(text.replace(authority, authority_name(index, authority)), encoding="utf-8")
        files.append(path)
        total += items
    return files


if __name__ == "__main__":
    made = make_corpus(int(sys.argv[1]), Path(sys.argv[2]))
    print(f"{len(made)} lists in {sys.argv[2]}")
