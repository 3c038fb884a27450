"""Files of the site a rebuild takes from the previous build instead of making them again.

A *unit* is one file of the site made from one part of the power–basis graph: an authority's
view or page, an instrument's view or page, an article's page, a comparison of two lists
(:mod:`alignments`). Its digest covers all it is
made from: the tool (fingerprint: code, registry, shapes), the unit's kind and name, its members
and, for every power in it, the content keys of the lists holding that power, in list order
(``SiteDB.power_lists``) — a power's record, its citations' texts and the basis nodes it rests on
all come from those lists. A basis node's record comes from the first list citing it, so units
are reused only when every list gave each basis node the same record
(``SiteDB.basis_records_agree``). Whether powers have pages of their own (a small corpus) is in
every digest: a power's node links to its page or to its authority's. The power pages are not
units: they are made every time.

The previous build's manifest (:data:`MANIFEST`) maps each unit's file to its digest and the
search-index entries it added; a file whose digest is unchanged is hard-linked from the previous
build (copied where links cannot be made) and its entries are taken from the manifest. A new
manifest is written with every build, so the output is the same bytes whether a unit was made
or taken.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from typing import TYPE_CHECKING

from . import list_cache
from .splice import SplicedFile

if TYPE_CHECKING:
    from .site_db import SiteDB

MANIFEST = ".units.json"


class Reuse:
    """The units of a build into ``out``, with those of ``previous`` (a complete earlier build,
    or None) to take from."""

    def __init__(self, db: SiteDB | None, out: Path, previous: Path | None = None):
        self.db, self.out, self.previous = db, out, previous
        self.enabled = db is not None and db.basis_records_agree
        self.old: dict[str, dict] = {}
        self.old_segments: dict[str, list] = {}
        if previous is not None:
            try:
                manifest = json.loads((previous / MANIFEST).read_text(encoding="utf-8"))
                self.old, self.old_segments = manifest["units"] if self.enabled else {}, manifest["segments"]
            except (OSError, ValueError, KeyError, TypeError):
                self.old, self.old_segments = {}, {}
        self.units: dict[str, dict] = {}
        self.segments: dict[str, list] = {}
        self.taken = 0
        self.segments_taken = 0
        self._signatures: dict[bytes, bytes] = {}

    def digest(self, kind: str, name: str, members: list[str], powers: list[str]) -> str | None:
        """The digest of a unit (None when units are not reused in this build)."""
        if not self.enabled:
            return None
        digest = hashlib.sha256(json.dumps([list_cache.fingerprint(), self.db.power_pages, kind, name, sorted(members)],
                                           ensure_ascii=False).encode())
        digest.update(self._signature(powers))
        return digest.hexdigest()

    def _signature(self, powers: list[str]) -> bytes:
        """The powers with the lists holding them, digested (kept: an authority's view and page,
        an instrument's view and page ask for the same powers)."""
        ask = hashlib.sha256("\n".join(powers).encode()).digest()
        if ask not in self._signatures:
            digest = hashlib.sha256()
            for power, keys in self.db.power_lists(powers):
                digest.update(f"\n{power}\t{keys}".encode())
            self._signatures[ask] = digest.digest()
        return self._signatures[ask]

    @staticmethod
    def content_digest(*parts) -> str:
        """The digest of a unit or segment made from ``parts`` alone (their ``repr``) by this tool."""
        return hashlib.sha256(repr((list_cache.fingerprint(), *parts)).encode()).hexdigest()

    def take(self, file: str, digest: str | None) -> list | None:
        """The search entries of ``file`` (relative to the output) when it was linked from the
        previous build; None: it must be made."""
        old = self.old.get(file)
        if digest is None or old is None or old.get("digest") != digest:
            return None
        source, target = self.previous / file, self.out / file
        try:
            try:
                os.link(source, target)
            except OSError:
                shutil.copyfile(source, target)
        except OSError:  # gone since: made again
            return None
        self.units[file] = old
        self.taken += 1
        return old.get("search", [])

    def made(self, file: str, digest: str | None, search: list) -> None:
        """``file`` was made from a unit of ``digest``, adding ``search`` entries."""
        if digest is not None:
            self.units[file] = {"digest": digest, "search": search}

    def spliced(self, file: str) -> SplicedFile:
        """``file`` (relative to the output) to write segment by segment, unchanged segments
        copied from the previous build's; finish it with :meth:`finish`."""
        old = self.old_segments.get(file)
        previous = None
        if old and self.previous is not None:
            previous = (self.previous / file, {name: (digest, offset, length) for name, digest, offset, length in old})
        return SplicedFile(self.out / file, previous)

    def finish(self, file: str, spliced: SplicedFile) -> None:
        self.segments[file] = spliced.close()
        self.segments_taken += spliced.taken

    def save(self) -> None:
        """The manifest of this build."""
        # not sort_keys: the search entries keep their keys' order, which the search index shows
        text = json.dumps({"units": dict(sorted(self.units.items())), "segments": dict(sorted(self.segments.items()))},
                          ensure_ascii=False)
        (self.out / MANIFEST).write_text(text + "\n", encoding="utf-8")
