"""The comparisons of a build: each pair of lists' page and its lines of the alignment graph,
kept between builds so that a rebuild aligns only the pairs an edit reaches.

Which pairs: ``compare.list_pairs``. Each pair is a unit of :mod:`reuse` (its digest: the tool,
both lists' powers and the lists holding them); its lines of the alignment graph are kept in
SQLite (``alignment.sqlite`` in the cache folder, or in the staging folder of a build without
the cache) with the digest they were made for. A pair whose digest is unchanged keeps its lines
and takes its page from the previous build; any other pair is aligned again
(``compare.compare_lists``), its page written and its lines replaced. The graph is the union
of the pairs' lines, read back sorted (byte order: the order of a graph's quads by their text).
"""
from __future__ import annotations

import hashlib
import sqlite3
from functools import lru_cache
from pathlib import Path

from .compare import compare_lists, list_pairs
from .emit_checks import alignment_quads
from .pages import comparison_file, write_comparisons
from .reuse import Reuse
from .site_db import SiteDB

DATABASE = "alignment.sqlite"


def write_alignments(db: SiteDB, out: Path, folder: Path, reuse: Reuse, chunk: Path, workers: int = 1,
                     cache: Path | None = None) -> tuple[list[tuple[str, str]], tuple[Path, dict] | None, int]:
    """Every comparison's page (in ``out/pages``) and the alignment graph's sorted N-Quads in
    ``chunk``; returns the pages' (file, title) in pair order, the chunk with its graph index
    entry (but for the file; None without a quad) and how many pairs were aligned anew.
    ``folder``: where the pairs' lines are kept; ``cache``: the alignments by content
    (``compare_lists``)."""
    from .graph_files import sorted_nquads

    sql = sqlite3.connect(str(folder / DATABASE))
    sql.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                      "CREATE TABLE IF NOT EXISTS pairs (a TEXT, b TEXT, digest TEXT, title TEXT, PRIMARY KEY (a, b));"
                      "CREATE TABLE IF NOT EXISTS pair_lines (a TEXT, b TEXT, line BLOB);"  # appended; sorted when read
                      "CREATE INDEX IF NOT EXISTS pair_lines_by_pair ON pair_lines (a, b);")
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
    with sql:
        for pair in kept.keys() - set(order):
            sql.execute("DELETE FROM pairs WHERE a = ? AND b = ?", pair)
            sql.execute("DELETE FROM pair_lines WHERE a = ? AND b = ?", pair)
        for comparison in compare_lists(db, lists, workers, cache, pairs=list(to_align)):
            pair = (comparison.list_a, comparison.list_b)
            ((file, title),) = write_comparisons([comparison], out)
            reuse.made("pages/" + file, to_align[pair])
            pages[pair] = (file, title)
            sql.execute("DELETE FROM pair_lines WHERE a = ? AND b = ?", pair)
            lines = sorted_nquads(alignment_quads([comparison])).splitlines(keepends=True)
            sql.executemany("INSERT INTO pair_lines VALUES (?, ?, ?)", ((*pair, line) for line in lines))
            sql.execute("INSERT OR REPLACE INTO pairs VALUES (?, ?, ?, ?)", (*pair, to_align[pair], title))
    digest, length, quads = hashlib.sha256(), 0, 0
    with chunk.open("wb") as handle:
        for (line,) in sql.execute("SELECT DISTINCT line FROM pair_lines ORDER BY line"):
            handle.write(line)
            digest.update(line)
            length, quads = length + len(line), quads + 1
    sql.close()
    entry = (chunk, {"length": length, "quads": quads, "sha256": digest.hexdigest()}) if quads else None
    return [pages[pair] for pair in order], entry, len(to_align)


def comparison_file_of(list_a: str, list_b: str) -> str:
    """The page of the comparison of two lists (``pages.comparison_file``)."""
    from .compare import Comparison

    return comparison_file(Comparison(list_a, list_b, [], [], []))
