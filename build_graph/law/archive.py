"""The bundled law archive (``corpus/laws.zip``, written by :mod:`.importer`), read lazily.

Opening costs nothing; the index (≈1,000 instruments, titles, levels, versions) is read on the
first look-up, and the articles of a version only when a citation needs them — one of 32
compressed shards at a time, kept once read.
"""
from __future__ import annotations

import json
import lzma
import zipfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from ..registry import Article, number_key, title_key
from .importer import shard_of

STATUS_LABELS = {"in-force": "现行有效", "amended": "现行有效（已修改）", "no-current-version": "已被取代或失效",
                 "repealed": "已废止"}


@dataclass(frozen=True)
class Version:
    """One version of an instrument: ``date`` published (ISO), ``in_force`` (ISO or None),
    ``superseded`` by a later version, ``history`` (date, event) lines, ``text`` its shard key."""

    date: str | None
    in_force: str | None
    superseded: bool
    history: tuple[tuple[str, str], ...]
    text: str
    articles: int


@dataclass(frozen=True)
class LawEntry:
    """An instrument of the archive; ``level`` is a level slug (law, administrative-regulation …),
    ``status`` one of :data:`STATUS_LABELS`'s keys; versions oldest first."""

    id: str
    title: str
    level: str
    aliases: tuple[str, ...]
    issuer: str | None
    orders: tuple[str, ...]
    status: str
    versions: tuple[Version, ...]

    def version_on(self, date: str | None) -> Version:
        """The version in force on ``date`` (ISO; the latest when None or before the first)."""
        if date:
            earlier = [v for v in self.versions if (v.in_force or v.date or "") <= date]
            if earlier:
                return earlier[-1]
        current = [v for v in self.versions if not v.superseded]
        return (current or list(self.versions))[-1]


class LawArchive:
    """Look-ups by title, alias and order number; article texts per version."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._shards: dict[int, dict] = {}
        self._articles: dict[str, dict[int, Article]] = {}

    @cached_property
    def entries(self) -> dict[str, LawEntry]:
        with zipfile.ZipFile(self.path) as archive:
            index = json.loads(archive.read("index.json"))
        return {item["id"]: LawEntry(
            item["id"], item["title"], item["level"], tuple(item["aliases"]), item["issuer"], tuple(item["orders"]),
            item["status"], tuple(Version(v["date"], v["in_force"], v["superseded"],
                                          tuple(map(tuple, v["history"])), v["text"], v["articles"])
                                  for v in item["versions"]))
            for item in index["instruments"]}

    @cached_property
    def by_title(self) -> dict[str, str]:
        """title key → id, for titles and aliases (a title shared by two levels: the higher)."""
        found: dict[str, str] = {}
        for entry in self.entries.values():
            for name in (entry.title, *entry.aliases):
                found.setdefault(title_key(name), entry.id)
        return found

    @cached_property
    def by_number(self) -> dict[str, str]:
        """order number → id, for numbers that name one instrument only (主席令 numbers restart
        with every 全国人大 term, so 主席令第七号 names several laws and is left out)."""
        owners: dict[str, set[str]] = {}
        for entry in self.entries.values():
            for order in entry.orders:
                owners.setdefault(number_key(order), set()).add(entry.id)
        return {number: next(iter(ids)) for number, ids in owners.items() if len(ids) == 1}

    def find(self, title: str | None = None, number: str | None = None) -> LawEntry | None:
        """The entry a title (or alias) names, else the one an order number names."""
        ident = (self.by_title.get(title_key(title)) if title else None) or \
                (self.by_number.get(number_key(number)) if number else None)
        return self.entries.get(ident) if ident else None

    def articles(self, version: Version) -> dict[int, Article]:
        """The articles of one version (built once per version: citations ask again and again)."""
        if version.text in self._articles:
            return self._articles[version.text]
        ident = version.text.rsplit("/", 1)[0]
        shard = shard_of(ident)
        if shard not in self._shards:
            with zipfile.ZipFile(self.path) as archive:
                self._shards[shard] = json.loads(lzma.decompress(archive.read(f"texts/{shard:02d}.json.xz")))
        articles = {number: Article(number, chapter, chapter_title, paragraphs)
                    for number, chapter, chapter_title, paragraphs in self._shards[shard].get(version.text, [])}
        self._articles[version.text] = articles
        return articles
