"""Import a LawRefBook/Laws snapshot into the bundled law archive (``powerkg registry import``).

Input: a checkout or snapshot of the corpus — ``db.sqlite3`` (table ``law``: one row per
version, with level, name, publish date, date in force and an ``expired`` flag for superseded
versions; table ``category``: the folder of each branch of law) and one Markdown text per
version; local regulations under ``DLC/<province>地方法规/`` with a sqlite of their own.

Output: a ZIP archive with ``index.json`` (LZMA) — one entry per instrument: id, title, short
title and aliases, level, issuer, order numbers, status and versions (publish date, date in
force, superseded or not, history lines) — and 32 shards ``texts/NN.json.xz`` holding the
articles of every version (solid xz compresses the texts three times better than one member
per version; a look-up decompresses one shard).
Versions of one instrument are the rows that share a name; a version with a later one is
superseded even where the corpus does not flag it. Nothing is guessed: what the corpus
does not say (issuer, status of an instrument it dropped) is left out.
"""
from __future__ import annotations

import hashlib
import json
import lzma
import re
import sqlite3
import sys
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from ..registry import parse_statute_text, title_key

LEVEL_SLUGS = {"法律": "law", "行政法规": "administrative-regulation",
               "部门规章": "departmental-rule", "地方性法规": "local-regulation"}
_PREFIX = {"law": "law", "administrative-regulation": "reg", "departmental-rule": "rule",
           "local-regulation": "local", "autonomous-regulation": "local", "separate-regulation": "local",
           "sez-regulation": "local"}


def local_level(name: str) -> str:
    """The 立法法 level of a regulation the corpus files as 地方性法规: 自治条例 (an autonomous
    area's 自治条例), 单行条例 (other 条例 of an 自治县/自治旗, which make no 地方性法规),
    经济特区法规 (a 经济特区 regulation), else 地方性法规."""
    if re.search(r"自治(?:区|州|县|旗)自治条例$", name):
        return "autonomous-regulation"
    if re.match(r"^[^省市]{2,20}自治(?:县|旗)", name):
        return "separate-regulation"
    if "经济特区" in name:
        return "sez-regulation"
    return "local-regulation"
_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日\s*(.*)$")
_ORDER = re.compile(r"(国务院令|主席令|[^\s，。]{2,20}令)\s*第\s*(\d+)\s*号")


@dataclass
class VersionRow:
    """One row of a corpus database: one version of one instrument."""

    name: str
    level: str
    publish: str
    valid_from: str
    expired: bool
    path: Path
    folder: str


class CorpusError(Exception):
    """The corpus cannot be imported: a missing database, or nothing to import."""


def _rows(root: Path, database: Path, levels: set[str]) -> tuple[list[VersionRow], list[str]]:
    """The version rows of one corpus database whose level is wanted, and the rows whose text
    file is missing (reported, not silently dropped)."""
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        folders = {ident: folder for ident, folder in connection.execute("select id, folder from category")}
        rows, missing = [], []
        query = "select name, level, filename, publish, valid_from, expired, category_id from law"
        for name, level, filename, publish, valid_from, expired, category in connection.execute(query):
            if level not in levels:
                continue
            folder = folders.get(category, "")
            candidates = [root / folder / f"{filename or f'{name}({publish})'}.md", root / folder / f"{name}.md"]
            path = next((p for p in candidates if p.is_file()), None)
            if path is None:
                missing.append(f"{name} ({publish}): no text file under {folder or '.'}/")
                continue
            rows.append(VersionRow(name, level, publish or "", valid_from or "", bool(expired), path, folder))
        return rows, missing
    finally:
        connection.close()


def instrument_id(level_slug: str, name: str) -> str:
    """Stable id from level and the corpus name: the same name gives the same IRI in every snapshot."""
    digest = hashlib.sha1(title_key(name).encode("utf-8")).hexdigest()[:10]
    return f"{_PREFIX[level_slug]}-{digest}"


def _history(text: str) -> list[tuple[str, str]]:
    """(ISO date, event) of the history lines above ``<!-- INFO END -->``."""
    events = []
    for line in text.split("<!-- INFO END -->", 1)[0].splitlines():
        if match := _DATE.match(line.strip()):
            year, month, day, event = match.groups()
            events.append((f"{year}-{int(month):02d}-{int(day):02d}", event.strip()))
    return events


def _issuer(level_slug: str, events: list[tuple[str, str]], folder: str) -> str | None:
    first = events[0][1] if events else ""
    if level_slug == "law":
        return "全国人民代表大会常务委员会" if "常务委员会" in first else ("全国人民代表大会" if "全国人民代表大会" in first else None)
    if level_slug == "administrative-regulation":
        return "国务院"
    if level_slug == "departmental-rule":
        return folder.rsplit("/", 1)[-1] or None
    if match := re.match(r"^(\S+?(?:省|市|自治区|自治州|自治县|自治旗))第\S+?届人民代表大会(常务委员会)?", first):
        return f"{match.group(1)}人民代表大会{match.group(2) or ''}"
    return None


def _status(versions: list[dict]) -> str:
    """in-force (one version, never amended), amended (in force, amended at least once) or
    no-current-version (every version the corpus has is superseded)."""
    if all(v["superseded"] for v in versions):
        return "no-current-version"
    amended = len(versions) > 1 or any(re.search(r"修正|修订|修改", e) for v in versions for _, e in v["history"][1:])
    return "amended" if amended else "in-force"


SHARDS = 32


def shard_of(ident: str) -> int:
    """The text shard an instrument's versions are stored in (read one shard, not all)."""
    return int(ident.rsplit("-", 1)[1][:6], 16) % SHARDS


def _json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def _write(archive: zipfile.ZipFile, name: str, data: bytes, compression: int) -> None:
    info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))  # same input, same bytes
    info.compress_type = compression
    archive.writestr(info, data)


def import_corpus(root: Path, output: Path, *, local: bool = False, progress=None) -> dict:
    """Import the corpus at ``root`` into the archive ``output`` (written atomically).
    Returns counts: instruments by level, versions, articles, rows without text."""
    root = Path(root)
    say = progress or (lambda message: print(message, file=sys.stderr))
    database = root / "db.sqlite3"
    if not database.is_file():
        raise CorpusError(f"{root}: no db.sqlite3 — not a LawRefBook/Laws snapshot")
    rows, missing = _rows(root, database, {"法律", "行政法规", "部门规章"})
    if local:
        for province_db in sorted(root.glob("DLC/*/db.sqlite3")):
            more, lost = _rows(province_db.parent, province_db, {"地方性法规"})
            rows += more
            missing += lost
    if not rows:
        raise CorpusError(f"{root}: no laws, regulations or rules with a text file")
    say(f"reading {len(rows)} versions…")
    grouped: dict[tuple[str, str], list[VersionRow]] = defaultdict(list)
    for row in rows:  # versions share the corpus's name (their titles may vary)
        slug = LEVEL_SLUGS[row.level]
        grouped[local_level(row.name) if slug == "local-regulation" else slug, row.name].append(row)
    index, counts, articles_total = [], defaultdict(int), 0
    shards: dict[int, dict[str, list]] = defaultdict(dict)
    for number, ((slug, name), versions) in enumerate(sorted(grouped.items()), 1):
        if number % 500 == 0:
            say(f"  {number} of {len(grouped)} instruments")
        versions = sorted(versions, key=lambda r: (r.publish, str(r.path)))
        ident = instrument_id(slug, name)
        entries, orders = [], set()
        for position, row in enumerate(versions):
            text = row.path.read_text(encoding="utf-8")
            history = _history(text)
            title, articles = parse_statute_text(text)  # the latest version's title stays
            title = title or name
            key = f"{ident}/{position}"
            shards[shard_of(ident)][key] = [[a.number, a.chapter, a.chapter_title, a.paragraphs]
                                            for a in articles.values()]
            articles_total += len(articles)
            orders |= {f"{m.group(1).removeprefix('中华人民共和国')}第{m.group(2)}号"
                       for _, event in history for m in _ORDER.finditer(event)}
            later = position + 1 < len(versions) and versions[-1].publish > row.publish
            entries.append({"date": row.publish or None, "in_force": row.valid_from or None,
                            "superseded": row.expired or later, "history": history, "text": key,
                            "articles": len(articles)})
        short = re.sub(r"^中华人民共和国", "", title)
        index.append({"id": ident, "title": title, "level": slug, "aliases": sorted({name, short} - {title}),
                      "issuer": _issuer(slug, entries[0]["history"], versions[0].folder),
                      "orders": sorted(orders), "status": _status(entries), "versions": entries})
        counts[slug] += 1
    temporary = output.with_name(f".{output.name}.partial")
    with zipfile.ZipFile(temporary, "w") as archive:
        _write(archive, "index.json", _json({"source": root.name, "instruments": index}), zipfile.ZIP_LZMA)
        for shard, members in sorted(shards.items()):
            _write(archive, f"texts/{shard:02d}.json.xz", lzma.compress(_json(members), preset=9 | lzma.PRESET_EXTREME),
                   zipfile.ZIP_STORED)
    temporary.replace(output)
    return {"instruments": dict(counts), "versions": len(rows), "articles": articles_total,
            "without_text": missing}
