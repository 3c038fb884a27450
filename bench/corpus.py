"""Make a corpus of N powers for the scale benchmarks: the bundled lists copied under other
authority names, each copy a list of its own with its own 单位/title line.

By default every copy is in its seed's own layout (平山's tab-separated rows with HTML in the
cells and 元氏's PDF text, alternating). With ``--formats all`` (or a comma-separated choice)
the copies cycle through the seeds' own layouts and the office formats the readers take, as
tests/list_formats.py writes them with python-docx, openpyxl and reportlab (the test extra): a
saved web page, a Word document, a PDF file, two spreadsheets, a GBK CSV, a pipe table and
key/value detail pages. Each format holds both seeds in turn.

Run: python bench/corpus.py POWERS FOLDER [--formats all|seed,html,docx,…]
     (writes FOLDER/list-00001.txt, FOLDER/list-00003-list.docx, …)
"""
from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from build_graph.corpus import bundled_lists
from build_graph.readers import read_list

ROOT = Path(__file__).resolve().parent.parent
COUNTIES = "东西南北中上下新老大小"
SEED = "seed"  # the bundled file's own layout, its text with the authority renamed


def office_formats() -> dict:
    """Format name → (file name, writer) of tests/list_formats.py."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests.list_formats import FORMATS

    return FORMATS


def format_names(choice: str) -> tuple[str, ...]:
    """The formats ``choice`` names ("all", or names joined by commas), checked."""
    if choice == SEED:
        return (SEED,)
    known = (SEED, *sorted(office_formats()))
    names = known if choice == "all" else tuple(name.strip() for name in choice.split(","))
    unknown = [name for name in names if name not in known]
    if unknown or not names:
        raise SystemExit(f"unknown format {', '.join(unknown) or '(none)'}; formats: all, {', '.join(known)}")
    return names


def authority_name(index: int, original: str) -> str:
    """A distinct county name for copy ``index`` keeping the department (…医疗保障局)."""
    department = original.split("县", 1)[1] if "县" in original else original
    digits = "".join(COUNTIES[int(d)] for d in f"{index:05d}")
    return f"测试{digits}县{department}"


def make_corpus(powers: int, folder: Path, formats: tuple[str, ...] = (SEED,)) -> list[Path]:
    """Write copies of the bundled lists into ``folder`` until they hold ≥ ``powers`` items,
    copy ``i`` (from 1) of seed ``i`` mod 2 in format ``formats[(i - 1) // 2 mod len(formats)]``.
    Returns the files, in order."""
    folder.mkdir(parents=True, exist_ok=True)
    writers = office_formats() if set(formats) - {SEED} else {}
    sources = [(file.read_text(encoding="utf-8"), read_list(file, meta=meta)) for file, meta in bundled_lists()]
    files, total, index = [], 0, 0
    while total < powers:
        text, power_list = sources[index % len(sources)]
        kind = formats[index // len(sources) % len(formats)]
        index += 1
        original, renamed = power_list.authority, authority_name(index, power_list.authority)
        if kind == SEED:
            path = folder / f"list-{index:05d}.txt"
            path.write_text(text.replace(original, renamed), encoding="utf-8")
        else:
            name, write = writers[kind]
            copy = replace(power_list, authority=renamed, records=[
                replace(record, authority=renamed if record.authority == original else record.authority)
                for record in power_list.records])
            path = write(copy, folder / f"list-{index:05d}-{name}")
        files.append(path)
        total += len(power_list.records)
    return files


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Make a corpus of copies of the bundled lists.")
    parser.add_argument("powers", type=int)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--formats", default=SEED, help="all, or formats joined by commas (default: seed)")
    args = parser.parse_args()
    made = make_corpus(args.powers, args.folder, format_names(args.formats))
    print(f"{len(made)} lists in {args.folder}")
