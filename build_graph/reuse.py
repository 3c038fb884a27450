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
search-index entries it added, as written (and each large file's segments, :mod:`splice`); a file whose
digest is unchanged is hard-linked from the previous build (copied where links cannot be made)
and its entries are taken from the manifest. A new
manifest is written with every build, so the output is the same bytes whether a unit was made
or taken.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
from pathlib import Path

from typing import TYPE_CHECKING

from . import list_cache
from .splice import SplicedFile

if TYPE_CHECKING:
    from .site_db import SiteDB

MANIFEST = ".units.sqlite"


class Reuse:
    """The units of a build into ``out``, with those of ``previous`` (a complete earlier build,
    or None) to take from. The manifests are SQLite files, read and written a row at a time:
    at 10⁵ powers they hold 10⁵ search entries, which as Python objects would double the build's
    memory. ``keep`` False: this build's manifest stays in memory and is not written."""

    def __init__(self, db: SiteDB | None, out: Path, previous: Path | None = None, keep: bool = True):
        self.db, self.out, self.previous = db, out, previous
        self.enabled = db is not None and db.basis_records_agree
        self.old = None
        if previous is not None and (previous / MANIFEST).is_file():
            try:
                self.old = sqlite3.connect(f"file:{previous / MANIFEST}?mode=ro", uri=True)
                self.old.execute("SELECT file, digest, search FROM units LIMIT 1").fetchall()
            except sqlite3.DatabaseError:  # not a manifest this version wrote: nothing is taken
                self.old = None
        self.new = sqlite3.connect(str(out / MANIFEST) if keep else ":memory:")
        # rows gather in temporary tables and are written by file at the end, in one transaction:
        # the same rows give the same bytes, in whatever order units were taken or made
        self.new.executescript("CREATE TEMP TABLE units (file TEXT, digest TEXT, search TEXT);"
                               "CREATE TEMP TABLE segments (file TEXT, name TEXT, digest TEXT, offset INTEGER, length INTEGER);")
        self.taken = 0
        self.segments_taken = 0
        self._signatures: dict[bytes, bytes] = {}

    def digest(self, kind: str, name: str, members: list[str], powers: list[str]) -> str | None:
        """The digest of a unit (None when units are not reused in this build)."""
        if not self.enabled:
            return None
        # fields joined by a unit separator, which no list text holds (readers drop control characters)
        digest = hashlib.sha256("\x1f".join([list_cache.fingerprint(), str(self.db.power_pages), kind, name,
                                              *sorted(members)]).encode())
        digest.update(self._signature(powers))
        return digest.hexdigest()

    def _signature(self, powers: list[str]) -> bytes:
        """The powers with the lists holding them, digested (kept: an authority's view and page,
        an instrument's view and page ask for the same powers)."""
        ask = _asked(powers)
        if ask not in self._signatures:
            self._signatures[ask] = _signature_of(self.db.power_lists(powers))
        return self._signatures[ask]

    def powers_by_authority(self):
        """``SiteDB.powers_by_authority``, with the signatures of the authorities' powers read
        in the same pass when units are reused (one query, not one per authority)."""
        if not self.enabled:
            yield from self.db.powers_by_authority()
            return
        for authority, pairs in self.db.power_lists_by_authority():
            powers = [power for power, _ in pairs]
            self._signatures[_asked(powers)] = _signature_of(
                (power, keys) for power, keys in pairs if keys is not None)
            yield authority, powers

    @staticmethod
    def content_digest(*parts) -> str:
        """The digest of a unit or segment made from ``parts`` alone (their ``repr``) by this tool."""
        return hashlib.sha256(repr((list_cache.fingerprint(), *parts)).encode()).hexdigest()

    def take(self, file: str, digest: str | None) -> str | None:
        """The search-index entries ``file`` (relative to the output) adds, as the index writes
        them ("" for none), when it was linked from the previous build; None: it must be made."""
        if digest is None or self.old is None or not self.enabled:
            return None
        old = self.old.execute("SELECT digest, search FROM units WHERE file = ?", (file,)).fetchone()
        if old is None or old[0] != digest or not self._link(file):
            return None
        self.new.execute("INSERT INTO units VALUES (?, ?, ?)", (file, digest, old[1]))
        self.taken += 1
        return old[1]

    def take_all(self, files: list[str], digest: str) -> bool:
        """Whether all of ``files`` (made together from what ``digest`` covers, adding no
        search-index entries) were linked from the previous build: all or none."""
        if self.old is None:
            return False
        olds = [self.old.execute("SELECT digest FROM units WHERE file = ?", (file,)).fetchone() for file in files]
        if any(old != (digest,) for old in olds):
            return False
        for number, file in enumerate(files):
            if not self._link(file):  # gone since: all made again, none of them a link into the previous build
                for linked in files[:number]:
                    os.unlink(os.path.join(self.out, linked))
                return False
        self.new.executemany("INSERT INTO units VALUES (?, ?, '')", ((file, digest) for file in files))
        return True

    def _link(self, file: str) -> bool:
        """``file`` of the previous build hard-linked (or copied) into this one; False when it is gone."""
        source, target = os.path.join(self.previous, file), os.path.join(self.out, file)  # 10⁴ of them: no Path
        try:
            try:
                os.link(source, target)
            except OSError:
                shutil.copyfile(source, target)
        except OSError:
            return False
        return True

    def made(self, file: str, digest: str | None, search: str = "") -> None:
        """``file`` was made from a unit of ``digest``, adding ``search``: its search-index
        entries as the index writes them (kept as text: the next build copies them as they are)."""
        if digest is not None:
            self.new.execute("INSERT INTO units VALUES (?, ?, ?)", (file, digest, search))

    def spliced(self, file: str) -> SplicedFile:
        """``file`` (relative to the output) to write segment by segment, unchanged segments
        copied from the previous build's; finish it with :meth:`finish`."""
        previous = None
        if self.old is not None:
            old = {name: (digest, offset, length) for name, digest, offset, length in self.old.execute(
                "SELECT name, digest, offset, length FROM segments WHERE file = ?", (file,))}
            previous = (self.previous / file, old) if old else None
        return SplicedFile(self.out / file, previous)

    def finish(self, file: str, spliced: SplicedFile) -> None:
        self.new.executemany("INSERT INTO segments VALUES (?, ?, ?, ?, ?)",
                             ((file, *segment) for segment in spliced.close()))
        self.segments_taken += spliced.taken

    def rows(self) -> tuple[list, list, int, int]:
        """This build's manifest rows so far (units, segments) and how many units and segments
        were taken: what a process writing part of the build sends back (:meth:`add_rows`)."""
        return (self.new.execute("SELECT file, digest, search FROM temp.units").fetchall(),
                self.new.execute("SELECT file, name, digest, offset, length FROM temp.segments").fetchall(),
                self.taken, self.segments_taken)

    def add_rows(self, rows: tuple[list, list, int, int]) -> None:
        """The :meth:`rows` of another process's part of this build."""
        units, segments, taken, segments_taken = rows
        self.new.executemany("INSERT INTO units VALUES (?, ?, ?)", units)
        self.new.executemany("INSERT INTO segments VALUES (?, ?, ?, ?, ?)", segments)
        self.taken += taken
        self.segments_taken += segments_taken

    def save(self) -> None:
        """Write this build's manifest (keyed by file, for the next build's lookups)."""
        self.new.executescript(
            "CREATE TABLE main.units (file TEXT PRIMARY KEY, digest TEXT, search TEXT) WITHOUT ROWID;"
            "CREATE TABLE main.segments (file TEXT, offset INTEGER, name TEXT, digest TEXT, length INTEGER,"
            " PRIMARY KEY (file, offset)) WITHOUT ROWID;"
            "INSERT INTO main.units SELECT file, digest, search FROM temp.units ORDER BY file;"
            "INSERT INTO main.segments SELECT file, offset, name, digest, length FROM temp.segments ORDER BY file, offset;")
        self.new.commit()
        self.new.close()
        if self.old is not None:
            self.old.close()


def _signature_of(power_lists) -> bytes:
    """The digest of (power, the content keys of its lists) pairs, sorted by power."""
    digest = hashlib.sha256()
    for power, keys in power_lists:
        digest.update(f"\n{power}\t{keys}".encode())
    return digest.digest()


def _asked(powers: list[str]) -> bytes:
    """The key of a set of powers (sorted) in the memo of signatures."""
    return hashlib.sha256("\n".join(powers).encode()).digest()
