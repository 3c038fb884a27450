"""The index behind ``powers-by-article``: the library query's answer for every article, kept in
a small SQLite file beside the store (``articles.sqlite``), so the question legal researchers ask
most is a B-tree lookup (milliseconds) instead of thousands of lookups in the union of every
list's graph (0.4 s for the 4,445 powers on one article of a 100k-power corpus).

Made at the end of a build from the site database (:mod:`site_db`): each edge from a power to a
provision inside an article gives one row per list holding the power, with what the query
selects (power, item name, sub-item names, power type, authority, list id, provision). The rows
are what the SPARQL query answers — the tests compare them article by article — where each power
is held by one list and typed: a power two lists hold can join facts of both in the union graph
(two names, two types), so an article one of whose powers is held by several lists is marked
and answered by SPARQL (:func:`lookup` gives None). Written in one order, so the same build
gives the same bytes.
"""
from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from .emit import TYPE_CLASSES
from .site_db import SUBITEM_SEPARATOR, SiteDB

INDEX_FILE = "articles.sqlite"
QUERY_NAME = "powers-by-article"
COLUMNS = ("power", "name", "subitem", "type", "authority", "list", "provision")  # the query's, in its order
_ARTICLE = re.compile(r"(?:^|/)art_(\d+)$")


def write_article_index(db: SiteDB, path: Path) -> int:
    """``path`` (a new file): every (instrument IRI, article number) with its rows, in the
    query's order (list id, item name; then power and provision); returns the rows written.
    Made in SQL from ``db``, row by row: nothing of the corpus is held in memory."""
    sql, types = db.sql, sorted(TYPE_CLASSES)
    path.unlink(missing_ok=True)
    sql.create_function("article_number", 1, _article_number, deterministic=True)
    sql.execute("ATTACH DATABASE ? AS ix", (str(path),))
    try:
        # each provision inside an article with the article's number, looked up once per
        # provision rather than once per edge; sub-item names joined in SQL as the query joins them
        sql.executescript(
            "CREATE TABLE ix.rows (instrument TEXT, article INTEGER, list TEXT, name TEXT, power TEXT, provision TEXT,"
            " subitem TEXT, type TEXT, authority TEXT, PRIMARY KEY (instrument, article, list, name, power, provision))"
            " WITHOUT ROWID;"
            "CREATE TABLE ix.inexact (instrument TEXT, article INTEGER, PRIMARY KEY (instrument, article)) WITHOUT ROWID;"
            "CREATE TEMP TABLE shared AS SELECT power FROM items GROUP BY power HAVING COUNT(DISTINCT list_seq) > 1;"
            "CREATE TEMP TABLE numbered (id TEXT PRIMARY KEY, instrument TEXT, number INTEGER) WITHOUT ROWID;"
            "INSERT INTO numbered SELECT id, instrument, article_number(article) FROM nodes "
            " WHERE kind = 'provision' AND article_number(article) IS NOT NULL;")
        on_articles = "FROM edges AS e JOIN numbered AS b ON b.id = e.basis "
        sql.execute(
            "INSERT OR IGNORE INTO ix.rows SELECT b.instrument, b.number, l.list_id, p.label, e.power, e.basis, "
            "NULLIF(replace(p.subitems, ?, '、'), ''), i.power_type, COALESCE(NULLIF(p.authority, ''), l.authority) "
            + on_articles + "JOIN nodes AS p ON p.id = e.power JOIN items AS i ON i.power = e.power "
            f"JOIN lists AS l ON l.seq = i.list_seq WHERE i.power_type IN ({', '.join('?' * len(types))}) "
            "ORDER BY 1, 2, 3, 4, 5, 6", (SUBITEM_SEPARATOR, *types))
        sql.execute("INSERT OR IGNORE INTO ix.inexact SELECT DISTINCT b.instrument, b.number "
                    + on_articles + "WHERE e.power IN (SELECT power FROM shared) ORDER BY 1, 2")
        count = sql.execute("SELECT COUNT(*) FROM ix.rows").fetchone()[0]
        sql.executescript("DROP TABLE shared; DROP TABLE numbered;")
        sql.commit()
    finally:
        sql.execute("DETACH DATABASE ix")
    return count


def _article_number(article: str) -> int | None:
    """The number of the article an article IRI names (``…/art_84``, ``…/att_2/art_4``); None for
    a chapter or an attachment as a whole."""
    match = _ARTICLE.search(article)
    return int(match.group(1)) if match else None


def lookup(out: Path, instrument: str, article: int) -> list[tuple] | None:
    """The rows (``COLUMNS``) of ``powers-by-article`` for ``instrument`` (IRI) and article
    number ``article`` in the build in ``out``, in the query's order; None when the build has no
    index or the article is one SPARQL must answer (a power on it held by several lists)."""
    path = out / INDEX_FILE
    if not path.is_file():
        return None
    index = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        if index.execute("SELECT 1 FROM inexact WHERE instrument = ? AND article = ?", (instrument, article)).fetchone():
            return None
        return index.execute("SELECT power, name, subitem, type, authority, list, provision FROM rows "
                             "WHERE instrument = ? AND article = ? ORDER BY list, name, power, provision",
                             (instrument, article)).fetchall()
    finally:
        index.close()
