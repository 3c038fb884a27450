"""The comparisons of a build: each pair of lists' page and its lines of the alignment graph,
kept between builds so that a rebuild aligns only the pairs an edit reaches.

Which pairs: ``compare.list_pairs``. Each pair is a unit of :mod:`reuse` (its digest: the tool,
both lists' powers and the lists holding them); its lines of the alignment graph are kept in
SQLite (``alignment.sqlite`` in the cache folder, or in the staging folder of a build without
the cache) with the digest they were made for. A pair whose digest is unchanged keeps its lines
and takes its page from the previous build; any other pair is aligned again
(``compare.compare_lists``), its page written and its lines replaced. The graph is the union
of the pairs' lines, sorted (byte order: the order of a graph's quads by their text): the
previous build's file with the lines that left it cut out and those that came in put in their
places (:func:`splice_sorted`) when that file is the one the kept lines last gave, else read
back sorted from the database whole.
"""
from __future__ import annotations

import hashlib
import mmap
import sqlite3
from collections import Counter
from functools import lru_cache
from pathlib import Path

from . import iris
from .compare import compare_lists, list_pairs
from .emit_checks import alignment_quads
from .pages import comparison_file, write_comparisons
from .reuse import Reuse
from .site_db import SiteDB

DATABASE = "alignment.sqlite"
SPLICE_MAX_SHARE = 0.25  # changed lines per line of the previous file up to which it is spliced


def write_alignments(db: SiteDB, out: Path, folder: Path, reuse: Reuse, chunk: Path, workers: int = 1,
                     cache: Path | None = None) -> tuple[list[tuple[str, str]], tuple[Path, dict] | None, int]:
    """Every comparison's page (in ``out/pages``) and the alignment graph's sorted N-Quads in
    ``chunk``; returns the pages' (file, title) in pair order, the chunk with its graph index
    entry (but for the file; None without a quad) and how many pairs were aligned anew.
    ``folder``: where the pairs' lines are kept; ``cache``: the alignments by content
    (``compare_lists``)."""
    from .graph_files import read_index, size_of, sorted_nquads

    sql = _open(folder / DATABASE)
    lists = db.lists()
    kept = {(a, b): (digest, title) for a, b, digest, title in sql.execute("SELECT a, b, digest, title FROM pairs")}
    pages: dict[tuple[str, str], tuple[str, str]] = {}
    to_align: dict[tuple[str, str], str | None] = {}
    order = []
    powers_of = lru_cache(maxsize=16)(db.powers_of)  # a kind's first list is in every pair of it
    for a, b in list_pairs([(pl.list_id, pl.authority) for pl in lists]):
        powers_a, powers_b = powers_of(a), powers_of(b)
        if not powers_a or not powers_b:
            continue
        order.append((a, b))
        digest = reuse.digest("comparison", f"{a}\t{b}", powers_a, powers_a + powers_b)
        old = kept.get((a, b))
        file = "pages/" + comparison_file_of(a, b)
        if digest is not None and old is not None and old[0] == digest and reuse.take(file, digest) is not None:
            pages[a, b] = (file.removeprefix("pages/"), old[1])
        else:
            to_align[a, b] = digest
    # the previous build's file, when it is what the kept lines gave (a build that failed after
    # changing them leaves a file they no longer give: the graph is then read whole from here)
    written = sql.execute("SELECT value FROM meta WHERE name = 'written'").fetchone()
    entry = (read_index(reuse.previous) or {}).get(iris.alignment_graph()) if reuse.previous else None
    base = (reuse.previous / entry["file"], entry) if entry and "file" in entry and written \
        and written[0] == entry["sha256"] and size_of(reuse.previous / entry["file"]) == entry["length"] else None
    # the lines each pair taken out or aligned anew had and has, while few enough to splice (a
    # splice when few lines changed: after a new version of the tool every pair is new, and the
    # lines of every pair would be held here)
    changes = _Changes(base[1]["quads"] * SPLICE_MAX_SHARE if base is not None else 0)
    with sql:  # one transaction: the lines and the file they give change together
        for pair in [*(kept.keys() - set(order)), *(pair for pair in to_align if pair in kept)]:
            changes.removed(line for (line,) in sql.execute("SELECT line FROM pair_lines WHERE a = ? AND b = ?", pair))
            sql.execute("DELETE FROM pair_lines WHERE a = ? AND b = ?", pair)
            sql.execute("DELETE FROM pairs WHERE a = ? AND b = ?", pair)
        for comparison in compare_lists(db, lists, workers, cache, pairs=list(to_align)):
            pair = (comparison.list_a, comparison.list_b)
            ((file, title),) = write_comparisons([comparison], out)
            reuse.made("pages/" + file, to_align[pair])
            pages[pair] = (file, title)
            lines = sorted_nquads(alignment_quads([comparison])).splitlines(keepends=True)
            changes.added(lines)
            sql.executemany("INSERT INTO pair_lines VALUES (?, ?, ?, ?)", ((*pair, _hash(line), line) for line in lines))
            sql.execute("INSERT INTO pairs VALUES (?, ?, ?, ?)", (*pair, to_align[pair], title))
        if changes.few:
            try:
                result = splice_sorted(base[0], base[1], *changes.net(sql), chunk)
            except ValueError:  # the previous file is not what the kept lines say: made whole
                result = _write_whole(sql, chunk)
        else:
            result = _write_whole(sql, chunk)
        sql.execute("INSERT OR REPLACE INTO meta VALUES ('written', ?)", (result["sha256"] if result["quads"] else "",))
    sql.close()
    return [pages[pair] for pair in order], (chunk, result) if result["quads"] else None, len(to_align)


def _open(path: Path) -> sqlite3.Connection:
    sql = sqlite3.connect(str(path))
    columns = [row[1] for row in sql.execute("PRAGMA table_info(pair_lines)")]
    if columns and "hash" not in columns:  # kept by an earlier version: aligned again
        sql.executescript("DROP TABLE pair_lines; DROP TABLE IF EXISTS pairs;")
    sql.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                      "CREATE TABLE IF NOT EXISTS pairs (a TEXT, b TEXT, digest TEXT, title TEXT, PRIMARY KEY (a, b));"
                      # appended; sorted when read; found by line through the line's hash
                      "CREATE TABLE IF NOT EXISTS pair_lines (a TEXT, b TEXT, hash INTEGER, line BLOB);"
                      "CREATE INDEX IF NOT EXISTS pair_lines_by_pair ON pair_lines (a, b);"
                      "CREATE INDEX IF NOT EXISTS pair_lines_by_hash ON pair_lines (hash);"
                      "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT);")
    return sql


def _hash(line: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(line, digest_size=8).digest(), "big", signed=True)


class _Changes:
    """The lines the changed pairs had and have, counted while there are at most ``limit``."""

    def __init__(self, limit: float):
        self.limit, self.count = limit, 0
        self.few = limit > 0
        self._removed, self._added = Counter(), Counter()

    def removed(self, lines) -> None:
        self._take(self._removed, lines)

    def added(self, lines) -> None:
        self._take(self._added, lines)

    def _take(self, counter: Counter, lines) -> None:
        if self.few:
            lines = list(lines)
            self.count += len(lines)
            counter.update(lines)
            if self.count > self.limit:
                self.few = False
                self._removed, self._added = Counter(), Counter()

    def net(self, sql: sqlite3.Connection) -> tuple[list[bytes], list[bytes]]:
        """(lines the graph lost, lines it gained), each sorted: of the lines the changed pairs
        had and have, those no pair has any more and those no pair had."""
        gone, came = [], []
        for line in self._removed.keys() | self._added.keys():
            now = sql.execute("SELECT COUNT(*) FROM pair_lines WHERE hash = ? AND line = ?", (_hash(line), line)).fetchone()[0]
            before = now - self._added[line] + self._removed[line]
            if before and not now:
                gone.append(line)
            elif now and not before:
                came.append(line)
        return sorted(gone), sorted(came)


def _write_whole(sql: sqlite3.Connection, chunk: Path) -> dict:
    digest, length, quads = hashlib.sha256(), 0, 0
    with chunk.open("wb") as handle:
        for (line,) in sql.execute("SELECT DISTINCT line FROM pair_lines ORDER BY line"):
            handle.write(line)
            digest.update(line)
            length, quads = length + len(line), quads + 1
    return {"length": length, "quads": quads, "sha256": digest.hexdigest()}


def splice_sorted(source: Path, entry: dict, gone: list[bytes], came: list[bytes], target: Path) -> dict:
    """``target``: the sorted lines of ``source`` (its index ``entry``: length, quads) without
    ``gone`` (each in it) and with ``came`` (none in it), in byte order — the unchanged runs
    copied by the kernel; returns ``target``'s index entry (but for the file). Raises
    ValueError when a line of ``gone`` is not in ``source`` or one of ``came`` is."""
    from .splice import copy_bytes

    with source.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        cuts = []  # (offset, 0 put in | 1 cut out, line): a line put in goes before the line at its offset
        for line in gone:
            at = _first_at_least(data, line)
            if data[at:at + len(line)] != line:
                raise ValueError(f"{source}: a line to take out is not in it")
            cuts.append((at, 1, line))
        for line in came:
            at = _first_at_least(data, line)
            if data[at:at + len(line)] == line:
                raise ValueError(f"{source}: a line to put in is already in it")
            cuts.append((at, 0, line))
        digest = hashlib.sha256()
        with target.open("wb") as out:
            position = 0
            for at, kind, line in sorted(cuts):
                if at > position:
                    out.flush()
                    copy_bytes(handle, out, position, at - position)
                    out.seek(0, 2)
                    digest.update(data[position:at])
                    position = at
                if kind == 0:
                    out.write(line)
                    digest.update(line)
                else:
                    position = at + len(line)
            if entry["length"] > position:
                out.flush()
                copy_bytes(handle, out, position, entry["length"] - position)
                digest.update(data[position:entry["length"]])
    length = entry["length"] - sum(map(len, gone)) + sum(map(len, came))
    return {"length": length, "quads": entry["quads"] - len(gone) + len(came), "sha256": digest.hexdigest()}


def _first_at_least(data, line: bytes) -> int:
    """The offset of the first line of the sorted ``data`` that is not below ``line`` (its end
    when none is): a binary search over byte offsets, each probe moved to its line's start."""
    low, high = 0, len(data)  # the answer is a line start in [low, high]
    while low < high:
        middle = (low + high) // 2
        start = data.rfind(b"\n", low, middle) + 1 if middle > low else low
        if start < low:
            start = low
        end = data.find(b"\n", start) + 1 or len(data)
        if data[start:end] < line:
            low = end
        else:
            high = start
    return low


def comparison_file_of(list_a: str, list_b: str) -> str:
    """The page of the comparison of two lists (``pages.comparison_file``)."""
    from .compare import Comparison

    return comparison_file(Comparison(list_a, list_b, [], [], []))
