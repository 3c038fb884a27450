"""What each list's build produced, kept by content in SQLite: its row of the index, its
fragment of the power–basis graph, its findings, items and quotes, its rendered records.json
and citations.json rows, the registry lines it needs and its graph's index entry — beside its
sorted N-Quads in a file of their own (``<key>.nq``).

The key is :func:`list_cache.list_key` (tool fingerprint, metadata, layout, path and the
SHA-256 of the file's bytes), so a row can only stand for the build it records; the file's
digest is kept here by its size, times and inode (:meth:`ListStore.file_digest`), so an
unchanged corpus is not read at all. A build adds the lists it had to
read, then fills its site database from here for every list with one SQL statement per table
in list order (:meth:`site_db.SiteDB.fill_from`; a kept one is patched where lists changed,
found by the indexes from a node or edge to its lists): an unchanged list costs no reading, no
unpickling and no Python row. The rows of a list are written in one transaction, its N-Quads file before
them (a transaction every COMMIT_EVERY lists); a list counts as present only when both are
there and the file has its recorded length.
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
import zlib
from array import array
from pathlib import Path
from typing import Iterable

from . import list_cache
from .site_db import NODE_COLUMNS, SiteDB, finding_rows, item_rows, node_and_edge_rows, quote_rows

DATABASE = "lists.sqlite"
RACY_NS = 3_000_000_000  # a file changed more recently than this: its digest is not kept (file_digest)
COMMIT_EVERY = 100  # lists added per transaction (a commit costs the main process ≈ 3 ms)
_NODE_COLUMNS = ", ".join(NODE_COLUMNS)


class ListStore:
    """The lists' rows in ``folder`` (created when missing)."""

    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.path = folder / DATABASE
        try:
            self.sql = self._open()
        except sqlite3.DatabaseError:  # not a database, or damaged: never trusted, started afresh
            for path in folder.glob(DATABASE + "*"):
                path.unlink()
            self.sql = self._open()
        self._line_ids: dict[bytes, int] | None = None
        self._added = 0

    def _open(self) -> sqlite3.Connection:
        sql = sqlite3.connect(str(self.path))
        sql.executescript(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
            "CREATE TABLE IF NOT EXISTS entries (kid INTEGER PRIMARY KEY, key TEXT UNIQUE, list_id TEXT,"
            " authority TEXT, source_file TEXT, layout TEXT, rows INTEGER, citations INTEGER, counts TEXT,"
            " registry BLOB, records BLOB, records_n INTEGER, citation_rows BLOB, citations_n INTEGER);"
            f"CREATE TABLE IF NOT EXISTS l_nodes (kid INTEGER, ord INTEGER, {_NODE_COLUMNS},"
            " PRIMARY KEY (kid, ord)) WITHOUT ROWID;"
            "CREATE TABLE IF NOT EXISTS l_edges (kid INTEGER, ord INTEGER, power TEXT, basis TEXT, text TEXT,"
            " PRIMARY KEY (kid, ord)) WITHOUT ROWID;"
            "CREATE TABLE IF NOT EXISTS l_findings (kid INTEGER, ord INTEGER, severity TEXT, file TEXT, line INTEGER,"
            " item INTEGER, code TEXT, message TEXT, PRIMARY KEY (kid, ord)) WITHOUT ROWID;"
            "CREATE TABLE IF NOT EXISTS l_items (kid INTEGER, ord INTEGER, item_no INTEGER, power TEXT,"
            " power_type TEXT, department TEXT, PRIMARY KEY (kid, ord)) WITHOUT ROWID;"
            "CREATE TABLE IF NOT EXISTS l_quotes (kid INTEGER, ord INTEGER, provision TEXT, normal TEXT, list_id TEXT,"
            " item_no INTEGER, quote TEXT, label TEXT, citation TEXT, PRIMARY KEY (kid, ord)) WITHOUT ROWID;"
            "CREATE TABLE IF NOT EXISTS registry_lines (id INTEGER PRIMARY KEY, line BLOB UNIQUE);"
            "CREATE TABLE IF NOT EXISTS file_digests (path TEXT PRIMARY KEY, stat TEXT, digest TEXT) WITHOUT ROWID;"
            # from a node or an edge to the lists holding it (a kept site database patched: SiteDB.fill_from)
            "CREATE INDEX IF NOT EXISTS l_nodes_by_id ON l_nodes (id);"
            "CREATE INDEX IF NOT EXISTS l_edges_by_pair ON l_edges (power, basis);")
        sql.execute("SELECT kid, key, counts FROM entries LIMIT 1").fetchall()
        return sql

    def file_digest(self, file: Path) -> str:
        """The SHA-256 of ``file``'s bytes, read again only when its size, modification and
        change times (ns) or inode differ from when it was last read (what git trusts of its
        index); not kept for a file changed in the last seconds, whose next change could keep its
        times (the filesystem's clock is coarse)."""
        path = list_cache.real_path(file)
        status = os.stat(path)
        stat = f"{status.st_size} {status.st_mtime_ns} {status.st_ctime_ns} {status.st_ino}"
        row = self.sql.execute("SELECT stat, digest FROM file_digests WHERE path = ?", (path,)).fetchone()
        if row is not None and row[0] == stat:
            return row[1]
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        if time.time_ns() - max(status.st_mtime_ns, status.st_ctime_ns) > RACY_NS:
            self.sql.execute("INSERT OR REPLACE INTO file_digests VALUES (?, ?, ?)", (path, stat, digest))
        return digest

    def nquads_file(self, key: str) -> Path:
        return self.folder / f"{key}.nq"

    def has(self, key: str) -> bool:
        """Whether the list of ``key`` is kept whole (its rows, and its N-Quads at their length)."""
        row = self.sql.execute("SELECT counts FROM entries WHERE key = ?", (key,)).fetchone()
        if row is None:
            return False
        try:
            return self.nquads_file(key).stat().st_size == json.loads(row[0])["graph"]["length"]
        except (OSError, ValueError, KeyError):
            return False

    def add(self, key: str, output) -> None:
        """Keep ``output`` (a ``stream.ListOutput`` whose N-Quads are already in
        :meth:`nquads_file`) under ``key``, replacing what an earlier, damaged copy left."""
        power_list = output.power_list
        self._remove([key])  # committed with the lists around it (COMMIT_EVERY): all of a list's rows or none
        kid = self.sql.execute(
            "INSERT INTO entries (key, list_id, authority, source_file, layout, rows, citations, counts, registry,"
            " records, records_n, citation_rows, citations_n) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (key, power_list.list_id, power_list.authority, power_list.source_file, power_list.layout,
             len(power_list.records), output.counts["citations"], json.dumps(output.counts, sort_keys=True),
             self._registry_ids(output.registry).tobytes(),
             zlib.compress(",\n  ".join(output.records).encode(), 1), len(output.records),
             zlib.compress(",\n  ".join(output.citations).encode(), 1), len(output.citations))).lastrowid
        nodes, edges = node_and_edge_rows(output.fragment)
        self._rows("l_nodes", kid, nodes)
        self._rows("l_edges", kid, edges)
        self._rows("l_findings", kid, finding_rows(power_list))
        self._rows("l_items", kid, item_rows(power_list))
        self._rows("l_quotes", kid, quote_rows(output.quotes))
        self._added += 1
        if self._added % COMMIT_EVERY == 0:
            self.sql.commit()

    def _rows(self, table: str, kid: int, rows: list[tuple]) -> None:
        if rows:
            marks = ", ".join("?" * (len(rows[0]) + 2))
            self.sql.executemany(f"INSERT INTO {table} VALUES ({marks})", ((kid, i, *row) for i, row in enumerate(rows)))

    def _registry_ids(self, lines: Iterable[bytes]) -> array:
        """The ids of registry lines (new lines numbered as they come), sorted."""
        if self._line_ids is None:
            self._line_ids = {line: id_ for id_, line in self.sql.execute("SELECT id, line FROM registry_lines")}
        ids = array("q")
        for line in lines:
            if line not in self._line_ids:
                self._line_ids[line] = self.sql.execute("INSERT INTO registry_lines (line) VALUES (?)", (line,)).lastrowid
            ids.append(self._line_ids[line])
        return array("q", sorted(ids))

    def entries(self, keys: list[str]) -> list[dict]:
        """Of each key (all present): list_id, source_file, layout, rows, the list's counts and how
        many rows of records.json ("records") and citations.json ("citations") it has."""
        found = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            for key, list_id, source_file, layout, rows, counts, records, citations in self.sql.execute(
                    "SELECT key, list_id, source_file, layout, rows, counts, records_n, citations_n FROM entries "
                    f"WHERE key IN ({', '.join('?' * len(chunk))})", chunk):
                found[key] = {"list_id": list_id, "source_file": source_file, "layout": layout, "rows": rows,
                              "counts": json.loads(counts), "records": records, "citations": citations}
        return [found[key] for key in keys]

    def registry_lines(self, keys: list[str]) -> list[bytes]:
        """Every registry line any of ``keys`` needs, sorted."""
        ids: set[int] = set()
        for key in keys:
            (blob,) = self.sql.execute("SELECT registry FROM entries WHERE key = ?", (key,)).fetchone()
            ids.update(array("q", blob))
        return sorted(line for id_, line in self.sql.execute("SELECT id, line FROM registry_lines") if id_ in ids)

    def json_rows(self, key: str, which: str) -> str:
        """The list's rendered rows of records.json (``which`` "records") or citations.json
        ("citations"), joined as ``stream.json_rows`` renders them ("" when none)."""
        column = "records" if which == "records" else "citation_rows"
        (blob,) = self.sql.execute(f"SELECT {column} FROM entries WHERE key = ?", (key,)).fetchone()
        return zlib.decompress(blob).decode()

    def fill(self, db: SiteDB, keys: list[str]) -> int | None:
        """Every list of ``keys`` (in this order) into the site database ``db``; how many were
        patched into a kept one (None: all filled)."""
        self.sql.commit()
        return db.fill_from(self.path, keys)

    def prune(self, keep: set[str], files: Iterable[Path] = ()) -> int:
        """Remove every list not in ``keep`` (rows, N-Quads file), the kept digests of files not
        in ``files`` and stray files of this folder (temporary files, the list pickles of older
        versions); returns how many lists."""
        stale = [key for (key,) in self.sql.execute("SELECT key FROM entries") if key not in keep]
        paths = {list_cache.real_path(file) for file in files}
        with self.sql:
            self._remove(stale)
            self.sql.executemany("DELETE FROM file_digests WHERE path = ?",
                                 [row for row in self.sql.execute("SELECT path FROM file_digests").fetchall()
                                  if row[0] not in paths])
        for path in self.folder.iterdir():
            if path.is_file() and path.suffix in (".nq", ".z", ".tmp") and path.name.split(".", 1)[0] not in keep:
                path.unlink(missing_ok=True)
        return len(stale)

    def _remove(self, keys: list[str]) -> None:
        for key in keys:
            row = self.sql.execute("SELECT kid FROM entries WHERE key = ?", (key,)).fetchone()
            if row is not None:
                for table in ("l_nodes", "l_edges", "l_findings", "l_items", "l_quotes", "entries"):
                    self.sql.execute(f"DELETE FROM {table} WHERE kid = ?", row)

    def close(self) -> None:
        self.sql.commit()
        self.sql.close()


def write_nquads(store_folder: Path, key: str, output) -> None:
    """A worker's part: the list's N-Quads into their file (atomically), dropped from ``output``."""
    list_cache.write_entry(store_folder / f"{key}.nq", output.nquads)
    output.nquads = b""

