"""What the site is made from, on disk in SQLite: the power–basis graph (``analyze.power_graph``),
and of each list its row in the index, its findings and its items. The analytics, views, pages,
comparisons and the index read it one unit at a time (an authority, an instrument, an article, a
pair of lists), so the main process of a build never holds the corpus. The validation results
are kept here too, for the reports to read in their order, and the quotes compared across lists.

Nodes are :class:`analyze.Node` records (one row each, ``seq`` = the order they were first
added); edges join a power to a basis node (provision or whole instrument) and carry the citation
as the list wrote it. Merging lists keeps what ``networkx`` merging kept: a node's first record,
an edge's last text. Reads hand back ``Node`` records and small ``networkx`` subgraphs with the
same ``data`` and ``text`` attributes ``power_graph`` gives, so one renderer serves both.

A streaming build fills it from the list store (:meth:`SiteDB.fill_from`: every list in one SQL
statement per table) and then also knows, for :mod:`reuse`, which lists hold each power
(``power_lists``) and whether every list gave each basis node the same record. With the cache,
the database is kept between builds: a rebuild patches the lists that changed (their rows, and
the nodes, edges and power_lists rows they reach) instead of filling it again. A filled list's
rows are numbered by (position, order in the list), so a patched list's rows take their places.
"""
from __future__ import annotations

import json
import sqlite3
from collections import Counter
from itertools import groupby
from operator import attrgetter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import networkx as nx

from . import iris
from .analyze import Node
from .checks.facts import QuoteEntry
from .records import Finding, PowerList
from .validate import SEVERITY_ORDER, ValidationResult

NODE_COLUMNS = ("id", "kind", "label", "grp", "authority", "list_id", "item_no", "detail", "short", "instrument",
                "instrument_title", "article", "main_item", "subitems")
_RESULT_FIELDS = tuple(f'"{name}"' for name in ValidationResult.__dataclass_fields__)  # "list" quoted
_result_fields = attrgetter(*ValidationResult.__dataclass_fields__)  # a result as a row
SUBITEM_SEPARATOR = "\x1f"  # no list text holds a unit separator (readers drop control characters)


@dataclass(frozen=True)
class ListRow:
    """A list as the index shows it."""

    list_id: str
    authority: str
    source_file: str
    layout: str
    rows: int
    citations: int


def item_of_line(power_list: PowerList) -> dict[int, int]:
    """Source line → the list's own item number, for every line of every row."""
    lines = {}
    for record in power_list.records:
        if record.item_no is not None and record.source is not None:
            for line in range(record.source.first_line, record.source.last_line + 1):
                lines.setdefault(line, record.item_no)
    return lines


def node_and_edge_rows(fragment: nx.Graph) -> tuple[list[tuple], list[tuple]]:
    """A fragment of the power–basis graph as rows: its nodes (``NODE_COLUMNS``) and its edges
    (power, basis node, citation text), each in the fragment's order."""
    nodes = []
    for _, data in fragment.nodes(data=True):
        node = data["data"]
        nodes.append((node.id, node.kind, node.label, node.group, node.authority, node.list_id, node.item_no,
                      node.detail, node.short, node.instrument, node.instrument_title, node.article,
                      node.main_item, SUBITEM_SEPARATOR.join(node.subitems)))
    edges = []
    for a, b, data in fragment.edges(data=True):
        power, basis = (a, b) if fragment.nodes[a]["data"].kind == "power" else (b, a)
        edges.append((power, basis, data.get("text", "")))
    return nodes, edges


def finding_rows(power_list: PowerList) -> list[tuple]:
    """The list's findings: (severity, file, line, the item the line is in or None, code, message)."""
    items = item_of_line(power_list)
    return [(f.severity, f.list, f.line, items.get(f.line) if f.line is not None else None, f.code, f.message)
            for f in power_list.findings]


def item_rows(power_list: PowerList) -> list[tuple]:
    """The list's rows: (item number, power IRI, power type, department)."""
    return [(r.item_no, iris.power(r.authority or power_list.authority, r.identity), r.power_type, r.department)
            for r in power_list.records]


def quote_rows(entries: list[QuoteEntry]) -> list[tuple]:
    """Quotes (``checks.facts.quote_entries``) as rows of the quotes table."""
    return [(json.dumps(e.provision, ensure_ascii=False), e.normal, e.list_id, e.item_no, e.quote, e.label, e.citation)
            for e in entries]


LIST_STRIDE = 1 << 24  # a filled list's rows are numbered (position × LIST_STRIDE + their order in the list)
LATE = 1 << 62  # findings added after the lists (``add_findings``) are numbered from here: per build, not per list
PATCH_MAX_SHARE = 0.25  # a kept database is patched while at most this share of the lists changed
_KEPT_LAYOUT = "1"  # the layout of a kept database; another is started afresh

_ALL_NODES = "build_lists AS b JOIN src.l_nodes AS r ON r.kid = b.kid"  # every list's nodes, in list order

BUSY_SECONDS = 3600  # how long a connection waits for another process's lock (a long read: seconds)


def results_file(path: Path) -> str:
    """The file of the validation results beside the working database at ``path`` (when the
    build keeps none between builds)."""
    return str(path) + "-results"


_GROUP_RESULTS_SCHEMA = (
    # summary: what a build needs of a group without its results (JSON: counts by severity,
    # whether a shape selected a node, the shared subjects it owns); quick: a group's key by its
    # quick key (one per group: the latest)
    "CREATE TABLE IF NOT EXISTS {db}groups (key TEXT PRIMARY KEY, summary TEXT) WITHOUT ROWID;"
    f"CREATE TABLE IF NOT EXISTS {{db}}results (key TEXT, pos INTEGER, {', '.join(_RESULT_FIELDS)},"
    " PRIMARY KEY (key, pos)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS {db}quick (quick TEXT PRIMARY KEY, key TEXT UNIQUE) WITHOUT ROWID;")


@dataclass(frozen=True)
class GroupSummary:
    """What a build needs of a validation group's results without reading them."""

    by_severity: dict[str, int]
    selected: bool           # whether any shape targeted a node of the group
    owned_shared: frozenset[str]  # the group's subjects that shared lines describe too

    @classmethod
    def of(cls, results: list[ValidationResult], selected: bool, owned: set[str]) -> "GroupSummary":
        return cls(dict(Counter(r.severity for r in results)), selected, frozenset(owned))

    def to_json(self) -> str:
        return json.dumps([sorted(self.by_severity.items()), self.selected, sorted(self.owned_shared)], ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "GroupSummary":
        counts, selected, owned = json.loads(text)
        return cls(dict(counts), selected, frozenset(owned))


def _results_connection(results_db: str) -> sqlite3.Connection:
    sql = sqlite3.connect(results_db, timeout=BUSY_SECONDS)
    sql.executescript(_GROUP_RESULTS_SCHEMA.format(db=""))
    return sql


def group_summaries(results_db: str, keys: list[str], quick: bool = False) -> dict[str, tuple[str, GroupSummary]]:
    """Of the groups of ``keys`` held in the results database, key → (key, summary);
    ``quick``: ``keys`` are quick keys (:func:`store_group_results`)."""
    sql = _results_connection(results_db)
    try:
        query = ("SELECT q.quick, g.key, g.summary FROM quick AS q JOIN groups AS g ON g.key = q.key "
                 "WHERE q.quick IN (SELECT value FROM json_each(?))" if quick else
                 "SELECT key, key, summary FROM groups WHERE key IN (SELECT value FROM json_each(?))")
        return {asked: (key, GroupSummary.from_json(summary))
                for asked, key, summary in sql.execute(query, (json.dumps(keys),))}
    finally:
        sql.close()


def store_group_results(results_db: str, groups: list[tuple[str, list[ValidationResult], GroupSummary]],
                        quick: list[tuple[str, str]] = ()) -> None:
    """Each validation group's results and summary under its content key (``validate_by_list``)
    in the results database ``results_db``, unless it holds them already, and the groups' keys
    by their ``quick`` keys ((quick key, key)): written by the workers that validate, read by the
    reports through the build's order of groups (:meth:`SiteDB.add_groups`)."""
    sql = _results_connection(results_db)
    try:
        for key, results, summary in groups:
            with sql:  # a group's results are all there, or none and not its key
                if sql.execute("INSERT OR IGNORE INTO groups VALUES (?, ?)", (key, summary.to_json())).rowcount:
                    sql.executemany(f"INSERT INTO results VALUES (?, ?, {', '.join('?' * len(_RESULT_FIELDS))})",
                                    ((key, pos, *_result_fields(r)) for pos, r in enumerate(results)))
        with sql:
            sql.executemany("INSERT OR REPLACE INTO quick VALUES (?, ?)", quick)
    finally:
        sql.close()


class SiteDB:
    """The working database in ``path`` (a new file, or one kept from an earlier build; None:
    in memory): add lists' fragments, rows, quotes and results, then read unit by unit."""

    def __init__(self, path: Path | None = None, results_db: Path | None = None, kept: bool = False):
        """``kept``: the database at ``path`` outlives the build (the cache's): what an earlier
        build left there, when it finished (:meth:`keep`), is patched by :meth:`fill_from`
        instead of being filled again; anything else there is started afresh."""
        self.path = path
        # the validation results of groups in a database of their own (``results_db``, kept
        # between builds; else beside ``path``): adding them locks only that file, never the
        # tables a process beside this one is reading
        self.results_db = str(results_db) if results_db else results_file(path) if path else ":memory:"
        self._open()
        self.kept_keys: list[str] | None = None  # the lists (content keys) of a finished earlier build
        if kept and path is not None:
            self.kept_keys = self._kept_keys()
            if self.kept_keys is None:
                self._start_afresh()
        self.power_pages = True  # whether each power has a view page of its own (views decide)
        self.basis_records_agree = False  # whether every list gave each basis node the same record (fill_from)
        self._indexed = False
        self._power_count: int | None = None
        self._basis_degrees: list[tuple[Node, int]] | None = None  # asked for by the overview and the screenshots

    def _open(self) -> None:
        # a writer waits for a process reading beside it (``beside``), and it for the writer
        self.sql = sqlite3.connect(str(self.path) if self.path else ":memory:", timeout=BUSY_SECONDS)
        self._attach_results()
        self.sql.executescript(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-32000;"
            f"CREATE TABLE IF NOT EXISTS nodes (seq INTEGER PRIMARY KEY, {', '.join(NODE_COLUMNS)}, UNIQUE (id));"
            "CREATE TABLE IF NOT EXISTS edges (power TEXT, basis TEXT, text TEXT, PRIMARY KEY (power, basis))"
            " WITHOUT ROWID;"
            "CREATE TABLE IF NOT EXISTS lists (seq INTEGER PRIMARY KEY, list_id TEXT, authority TEXT, source_file TEXT,"
            " layout TEXT, rows INTEGER, citations INTEGER);"
            "CREATE TABLE IF NOT EXISTS findings (seq INTEGER PRIMARY KEY, list_seq INTEGER, severity TEXT, file TEXT,"
            " line INTEGER, item INTEGER, code TEXT, message TEXT);"
            "CREATE TABLE IF NOT EXISTS items (seq INTEGER PRIMARY KEY, list_seq INTEGER, item_no INTEGER, power TEXT,"
            " power_type TEXT, department TEXT);"
            "CREATE TABLE IF NOT EXISTS build_groups (ord INTEGER PRIMARY KEY, key TEXT);"
            f"CREATE TABLE IF NOT EXISTS loose_results (seq INTEGER PRIMARY KEY, {', '.join(_RESULT_FIELDS)});"
            "CREATE TABLE IF NOT EXISTS quotes (seq INTEGER PRIMARY KEY, provision TEXT, normal TEXT, list_id TEXT,"
            " item_no INTEGER, quote TEXT, label TEXT, citation TEXT);"
            # what a unit of the site is made from (``reuse``): each power's lists, by content key,
            # in list order; with the list and item number of its record (the first list's, as in
            # nodes) for the pages' order of rows without a second look-up per row (fill_from)
            "CREATE TABLE IF NOT EXISTS power_lists (id TEXT PRIMARY KEY, list_id TEXT, item_no INTEGER, keys TEXT)"
            " WITHOUT ROWID;"
            # of a kept database: layout, the lists it holds and whether the build that left it finished
            "CREATE TABLE IF NOT EXISTS kept (name TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;")

    def _kept_keys(self) -> list[str] | None:
        """The lists a kept database holds, if the build that left them finished."""
        try:
            state = dict(self.sql.execute("SELECT name, value FROM kept"))
            if state.get("layout") == _KEPT_LAYOUT and state.get("finished") == "1":
                return json.loads(state["keys"])
        except (sqlite3.DatabaseError, KeyError, ValueError):
            pass
        return None

    def _start_afresh(self) -> None:
        """An empty database in place of what is at ``path``."""
        self.sql.close()
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(str(self.path) + suffix).unlink(missing_ok=True)
        self._open()
        self.kept_keys = None

    def _set_kept(self, state: dict[str, str]) -> None:
        """Record ``state`` in the kept table, on the disk before anything after it (the
        database is written without a journal: a build that dies leaves it unfinished)."""
        self.sql.commit()
        self.sql.execute("PRAGMA synchronous=FULL")
        self.sql.executemany("INSERT OR REPLACE INTO kept VALUES (?, ?)", state.items())
        self.sql.commit()
        self.sql.execute("PRAGMA synchronous=OFF")

    def keep(self, keys: list[str]) -> None:
        """Mark the database as what a finished build of the lists ``keys`` leaves: the next
        build patches it (a kept database)."""
        self._set_kept({"layout": _KEPT_LAYOUT, "keys": json.dumps(keys), "finished": "1"})

    def _attach_results(self) -> None:
        """The results database as ``res``; one that cannot be read (a build killed while
        writing it) is started afresh — it is a cache of what validating gives again."""
        if self.results_db != ":memory:":
            Path(self.results_db).parent.mkdir(parents=True, exist_ok=True)
        for attempt in (1, 2):
            try:
                self.sql.execute("ATTACH DATABASE ? AS res", (self.results_db,))
                self.sql.executescript("PRAGMA res.journal_mode=WAL; PRAGMA res.synchronous=NORMAL;"
                                       + _GROUP_RESULTS_SCHEMA.format(db="res."))
                self.sql.execute("SELECT COUNT(summary) FROM res.groups").fetchone()  # an older layout: afresh
                return
            except sqlite3.DatabaseError:
                if attempt == 2 or self.results_db == ":memory:":
                    raise
                if any(name == "res" for _, name, _ in self.sql.execute("PRAGMA database_list")):
                    self.sql.execute("DETACH DATABASE res")
                for suffix in ("", "-wal", "-shm"):
                    Path(self.results_db + suffix).unlink(missing_ok=True)

    @classmethod
    def beside(cls, path: Path, power_pages: bool = True, basis_records_agree: bool = False,
               results_db: str | None = None) -> "SiteDB":
        """Another connection to the database at ``path``, for a process that reads it beside its
        writer once :meth:`ready_for_readers` has run there (the writer's flags passed on). The
        writer may add validation results meanwhile (:func:`results_file`), read here once it
        has committed them."""
        db = cls.__new__(cls)
        db.sql = sqlite3.connect(str(path), timeout=BUSY_SECONDS)
        db.results_db = results_db or results_file(path)
        db.sql.execute("ATTACH DATABASE ? AS res", (db.results_db,))
        db.power_pages, db.basis_records_agree, db._indexed = power_pages, basis_records_agree, True
        db._power_count, db._basis_degrees = None, None
        return db

    def ready_for_readers(self) -> None:
        """Indexes made and everything committed: other connections read what this one has."""
        self._ready()
        self.sql.commit()

    @classmethod
    def from_graph(cls, graph: nx.Graph, path: Path | None = None) -> "SiteDB":
        """A database holding ``graph`` (from ``power_graph``)."""
        db = cls(path)
        db.add(graph)
        return db

    def add(self, fragment: nx.Graph) -> None:
        """Merge one list's fragment of the power–basis graph (nodes already present keep their
        record; an edge already present takes the fragment's text)."""
        self._power_count, self._basis_degrees = None, None
        nodes, edges = node_and_edge_rows(fragment)
        self.sql.executemany(f"INSERT OR IGNORE INTO nodes ({', '.join(NODE_COLUMNS)}) "
                             f"VALUES ({', '.join('?' * len(NODE_COLUMNS))})", nodes)
        self.sql.executemany("INSERT INTO edges VALUES (?, ?, ?) ON CONFLICT (power, basis) DO UPDATE SET text = excluded.text",
                             edges)

    def add_list(self, power_list: PowerList, citations: int) -> None:
        """One list's row of the index (``citations``: its basis citations), its findings (with
        the item each names) and its items (name and type are in the graph)."""
        seq = self.sql.execute("INSERT INTO lists (list_id, authority, source_file, layout, rows, citations) "
                               "VALUES (?, ?, ?, ?, ?, ?)", (power_list.list_id, power_list.authority,
                                                             power_list.source_file, power_list.layout,
                                                             len(power_list.records), citations)).lastrowid
        self._add_findings(seq, finding_rows(power_list))
        self.sql.executemany("INSERT INTO items (list_seq, item_no, power, power_type, department) VALUES (?, ?, ?, ?, ?)",
                             [(seq, *row) for row in item_rows(power_list)])

    def add_findings(self, list_id: str, findings: list[Finding]) -> None:
        """Findings (naming no line) of list ``list_id`` (already added), after those it has:
        findings of the build as a whole (numbered from ``LATE``, made again in a patched database)."""
        (seq,) = self.sql.execute("SELECT seq FROM lists WHERE list_id = ? ORDER BY seq DESC", (list_id,)).fetchone()
        (last,) = self.sql.execute("SELECT MAX(seq) FROM findings").fetchone()
        self._add_findings(seq, [(f.severity, f.list, f.line, None, f.code, f.message) for f in findings],
                           max(LATE, (last or 0) + 1))

    def _add_findings(self, seq: int, rows: list[tuple], first: int | None = None) -> None:
        """Findings of the list numbered ``seq``, numbered from ``first`` (None: after the last)."""
        numbered = [(None if first is None else first + n, seq, *row) for n, row in enumerate(rows)]
        self.sql.executemany(
            "INSERT INTO findings (seq, list_seq, severity, file, line, item, code, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            numbered)

    def fill_from(self, store: Path, keys: list[str]) -> int | None:
        """The lists of ``keys``, in this order, from the database of a ``list_store.ListStore``
        (``store``): the same rows, in the same order, as :meth:`add`, :meth:`add_list` and
        :meth:`add_quotes` list by list would leave — each table in one statement. A kept
        database whose lists differ from ``keys`` at a few positions only (the same number of
        lists) is patched there instead: the rows of those lists replaced, and the nodes, edges
        and power_lists rows they reach made again from every list holding them. Returns how
        many lists were patched (None: filled whole)."""
        sql = self.sql
        self._power_count, self._basis_degrees = None, None
        sql.execute("ATTACH DATABASE ? AS src", (str(store),))
        sql.execute("CREATE TEMP TABLE build_lists (pos INTEGER PRIMARY KEY, kid INTEGER)")
        kids = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            kids.update(sql.execute(f"SELECT key, kid FROM src.entries WHERE key IN ({', '.join('?' * len(chunk))})", chunk))
        sql.executemany("INSERT INTO build_lists VALUES (?, ?)", [(pos, kids[key]) for pos, key in enumerate(keys, 1)])
        patched = self._patchable(keys)
        if patched is None and self.kept_keys is not None:  # kept, but too different: filled afresh
            self._start_afresh()  # a new connection: without src and build_lists
            return self.fill_from(store, keys)
        if patched is None:
            self._fill_whole()
        else:
            self._patch(patched)
        sql.execute("DROP TABLE build_lists")
        sql.commit()
        sql.execute("DETACH DATABASE src")
        return None if patched is None else len(patched)

    def _patchable(self, keys: list[str]) -> list[tuple[int, int]] | None:
        """(position, the store's id of the list the kept database holds there) of each list of
        ``keys`` that differs from the kept database's, if it can be patched; else None."""
        kept = self.kept_keys
        if kept is None or len(kept) != len(keys):
            return None
        changed = [(pos, old) for pos, (old, new) in enumerate(zip(kept, keys), 1) if old != new]
        if len(changed) > max(1, PATCH_MAX_SHARE * len(keys)):
            return None
        old_kids = []
        for pos, old in changed:
            row = self.sql.execute("SELECT kid FROM src.entries WHERE key = ?", (old,)).fetchone()
            if row is None:  # its rows are gone from the store: what it reached is unknown
                return None
            old_kids.append((pos, row[0]))
        return old_kids

    def _insert_list_rows(self, where: str) -> None:
        """The rows of lists, findings, items and quotes of the lists of build_lists that
        ``where`` (on ``b``, build_lists) selects."""
        sql, stride = self.sql, LIST_STRIDE
        ordered = "FROM build_lists AS b JOIN src.{} AS r ON r.kid = b.kid WHERE " + where + " ORDER BY b.pos, r.ord"
        sql.execute("INSERT INTO lists (seq, list_id, authority, source_file, layout, rows, citations) "
                    "SELECT b.pos, r.list_id, r.authority, r.source_file, r.layout, r.rows, r.citations "
                    f"FROM build_lists AS b JOIN src.entries AS r ON r.kid = b.kid WHERE {where} ORDER BY b.pos")
        sql.execute("INSERT INTO findings (seq, list_seq, severity, file, line, item, code, message) SELECT "
                    f"b.pos * {stride} + r.ord, b.pos, r.severity, r.file, r.line, r.item, r.code, r.message "
                    + ordered.format("l_findings"))
        sql.execute("INSERT INTO items (seq, list_seq, item_no, power, power_type, department) SELECT "
                    f"b.pos * {stride} + r.ord, b.pos, r.item_no, r.power, r.power_type, r.department "
                    + ordered.format("l_items"))
        sql.execute("INSERT INTO quotes (seq, provision, normal, list_id, item_no, quote, label, citation) SELECT "
                    f"b.pos * {stride} + r.ord, r.provision, r.normal, r.list_id, r.item_no, r.quote, r.label, r.citation "
                    + ordered.format("l_quotes"))

    def _insert_nodes_and_edges(self, nodes: str, edges: str) -> None:
        """Nodes (the first record of each, by list position) and edges (the last text) from the
        rows ``r`` of src.l_nodes and src.l_edges that the FROM clauses ``nodes`` and ``edges``
        give, with the build's lists ``b`` holding them."""
        sql = self.sql
        sql.execute(f"INSERT OR IGNORE INTO nodes (seq, {', '.join(NODE_COLUMNS)}) SELECT b.pos * {LIST_STRIDE} + r.ord, "
                    + ", ".join(f"r.{c}" for c in NODE_COLUMNS) + f" FROM {nodes} ORDER BY b.pos, r.ord")
        sql.execute(f"INSERT INTO edges (power, basis, text) SELECT r.power, r.basis, r.text FROM {edges} "
                    "WHERE true ORDER BY b.pos, r.ord ON CONFLICT (power, basis) DO UPDATE SET text = excluded.text")

    def _insert_power_lists(self, nodes: str) -> None:
        """The power_lists rows of the powers among the rows ``r`` of src.l_nodes (with their
        lists ``b``) that the FROM clause ``nodes`` gives."""
        rows = self.sql.execute(f"SELECT r.id, r.list_id, r.item_no, e.key FROM {nodes} JOIN src.entries AS e "
                                "ON e.kid = b.kid WHERE r.kind = 'power' ORDER BY r.id, b.pos")
        grouped = [list(group) for _, group in groupby(rows, key=lambda r: r[0])]
        self.sql.executemany("INSERT INTO power_lists VALUES (?, ?, ?, ?)",
                             [(*group[0][:3], " ".join(row[3] for row in group)) for group in grouped])

    def _disagreeing_basis(self, nodes: str = _ALL_NODES) -> bool:
        """Whether one of the rows ``r`` of src.l_nodes (with their lists ``b``) that the FROM
        clause ``nodes`` gives is a basis node with another record than the nodes table's."""
        columns = [c for c in NODE_COLUMNS if c != "id"]
        return self.sql.execute(
            f"SELECT 1 FROM {nodes} JOIN nodes AS m ON m.id = r.id "
            "WHERE r.kind != 'power' AND (" + " OR ".join(f"r.{c} IS NOT m.{c}" for c in columns) + ") LIMIT 1"
        ).fetchone() is not None

    def _fill_whole(self) -> None:
        self._insert_list_rows("true")
        self._insert_nodes_and_edges(_ALL_NODES, "build_lists AS b JOIN src.l_edges AS r ON r.kid = b.kid")
        self._insert_power_lists(_ALL_NODES)
        self.basis_records_agree = not self._disagreeing_basis()
        self._set_kept({"layout": _KEPT_LAYOUT, "finished": "0", "agree": "1" if self.basis_records_agree else "0"})

    def _patch(self, patched: list[tuple[int, int]]) -> None:
        """Replace the lists at the positions of ``patched`` ((position, the store's id of the
        list held there before)) by the build's lists there."""
        sql, stride = self.sql, LIST_STRIDE
        agreed = sql.execute("SELECT value FROM kept WHERE name = 'agree'").fetchone() == ("1",)
        self._set_kept({"finished": "0"})
        sql.executescript(
            "CREATE TEMP TABLE patched (pos INTEGER PRIMARY KEY, old INTEGER);"
            "CREATE TEMP TABLE touched_nodes (id TEXT PRIMARY KEY) WITHOUT ROWID;"
            "CREATE TEMP TABLE touched_powers (id TEXT PRIMARY KEY) WITHOUT ROWID;"
            "CREATE TEMP TABLE touched_edges (power TEXT, basis TEXT, PRIMARY KEY (power, basis)) WITHOUT ROWID;"
            # rows of the build as a whole, made again after the lists
            f"DELETE FROM build_groups; DELETE FROM loose_results; DELETE FROM findings WHERE seq >= {LATE};")
        sql.executemany("INSERT INTO patched VALUES (?, ?)", patched)
        sql.execute("CREATE INDEX temp.build_lists_by_kid ON build_lists (kid)")  # from a node to its lists
        for pos, old in patched:
            low, high = pos * stride, (pos + 1) * stride - 1
            (new,) = sql.execute("SELECT kid FROM build_lists WHERE pos = ?", (pos,)).fetchone()
            # the nodes a list at ``pos`` may own: those it owned, and its new ones that no earlier list owns
            sql.execute("INSERT OR IGNORE INTO touched_nodes SELECT id FROM nodes WHERE seq BETWEEN ? AND ?", (low, high))
            sql.execute("INSERT OR IGNORE INTO touched_nodes SELECT r.id FROM src.l_nodes AS r LEFT JOIN nodes AS m "
                        "ON m.id = r.id WHERE r.kid = ? AND (m.seq IS NULL OR m.seq >= ?)", (new, low))
            for kid in (old, new):
                sql.execute("INSERT OR IGNORE INTO touched_powers SELECT id FROM src.l_nodes WHERE kid = ? AND kind = 'power'",
                            (kid,))
                sql.execute("INSERT OR IGNORE INTO touched_edges SELECT power, basis FROM src.l_edges WHERE kid = ?", (kid,))
            for table in ("findings", "items"):
                sql.execute(f"DELETE FROM {table} WHERE list_seq = ?", (pos,))
            sql.execute("DELETE FROM quotes WHERE seq BETWEEN ? AND ?", (low, high))
            sql.execute("DELETE FROM lists WHERE seq = ?", (pos,))
        sql.executescript(
            "DELETE FROM nodes WHERE id IN (SELECT id FROM touched_nodes);"
            "DELETE FROM edges WHERE (power, basis) IN (SELECT power, basis FROM touched_edges);"
            "DELETE FROM power_lists WHERE id IN (SELECT id FROM touched_powers);")
        self._insert_list_rows("b.pos IN (SELECT pos FROM patched)")
        # CROSS JOIN: from the few rows touched to the lists holding them (SQLite keeps that order)
        touched_nodes = ("touched_nodes AS t CROSS JOIN src.l_nodes AS r ON r.id = t.id "
                         "CROSS JOIN build_lists AS b ON b.kid = r.kid")
        self._insert_nodes_and_edges(touched_nodes, "touched_edges AS t CROSS JOIN src.l_edges AS r ON r.power = t.power "
                                     "AND r.basis = t.basis CROSS JOIN build_lists AS b ON b.kid = r.kid")
        self._insert_power_lists("touched_powers AS t CROSS JOIN src.l_nodes AS r ON r.id = t.id "
                                 "CROSS JOIN build_lists AS b ON b.kid = r.kid")
        if agreed:  # a list and a node agree still unless the list was patched or the node owned anew
            self.basis_records_agree = not (
                self._disagreeing_basis("patched AS p CROSS JOIN build_lists AS b ON b.pos = p.pos "
                                        "CROSS JOIN src.l_nodes AS r ON r.kid = b.kid")
                or self._disagreeing_basis(touched_nodes))
        else:
            self.basis_records_agree = not self._disagreeing_basis()
        sql.execute("INSERT OR REPLACE INTO kept VALUES ('agree', ?)", ("1" if self.basis_records_agree else "0",))
        sql.executescript("DROP TABLE patched; DROP TABLE touched_nodes; DROP TABLE touched_powers; DROP TABLE touched_edges;")

    def _rows_in(self, query: str, ids: list[str]) -> Iterator[tuple]:
        """The rows of ``query`` (whose ``{marks}`` stands for the placeholders of an ``IN (…)``)
        for ``ids``, 500 ids a statement (SQLite bounds the placeholders of one)."""
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            yield from self._ready().execute(query.format(marks=", ".join("?" * len(chunk))), chunk)

    def power_lists(self, powers: list[str]) -> list[tuple[str, str]]:
        """(power, the content keys of the lists holding it, in list order) of each of ``powers``
        (sorted by power); only for a database filled by :meth:`fill_from`."""
        return sorted(self._ready().execute("SELECT id, keys FROM power_lists WHERE id IN (SELECT value FROM json_each(?))",
                                            (json.dumps(powers),)))

    def lists(self) -> list[ListRow]:
        """Every list, in the order added."""
        return [ListRow(*row) for row in self.sql.execute(
            "SELECT list_id, authority, source_file, layout, rows, citations FROM lists ORDER BY seq")]

    def findings(self) -> Iterator[tuple[str, Finding, int | None]]:
        """(list id, finding, the item it names or None), list by list in the order added."""
        for list_id, severity, file, line, item, code, message in self.sql.execute(
                "SELECT lists.list_id, severity, file, line, item, code, message FROM findings "
                "JOIN lists ON lists.seq = findings.list_seq ORDER BY list_seq, findings.seq"):
            yield list_id, Finding(severity, file, line, code, message), item

    def finding_counts(self) -> dict[str, dict[str, int]]:
        """List id → {severity: findings}, severities in the order first met."""
        counts: dict[str, dict[str, int]] = {}
        for list_id, severity, count in self.sql.execute(
                "SELECT lists.list_id, f.severity, f.n FROM (SELECT list_seq, severity, COUNT(*) AS n, MIN(seq) AS first "
                "FROM findings GROUP BY list_seq, severity) AS f JOIN lists ON lists.seq = f.list_seq "
                "ORDER BY f.list_seq, f.first"):
            counts.setdefault(list_id, {})[severity] = count
        return counts

    def items(self) -> Iterator[tuple[str, int | None, str, str | None, str | None]]:
        """(list id, item number, power IRI, power type, department) of every row, list by list."""
        yield from self.sql.execute("SELECT lists.list_id, item_no, power, power_type, department FROM items "
                                    "JOIN lists ON lists.seq = items.list_seq ORDER BY list_seq, items.seq")

    def power_authorities(self) -> dict[str, set[str]]:
        """Each list's authorities of its powers (IRIs: a power's IRI is its authority's, then
        ``/power/``), by list id."""
        found: dict[str, set[str]] = {}
        for list_id, authority in self.sql.execute(
                "SELECT DISTINCT lists.list_id, substr(power, 1, instr(power, '/power/') - 1) FROM items "
                "JOIN lists ON lists.seq = items.list_seq WHERE instr(power, '/power/') > 0"):
            found.setdefault(list_id, set()).add(authority)
        return found

    def item_count(self) -> int:
        return self.sql.execute("SELECT COUNT(*) FROM items").fetchone()[0]

    def add_quotes(self, entries: list[QuoteEntry]) -> None:
        """Quotes to compare across lists (``checks.facts.quote_entries``)."""
        self.sql.executemany(
            "INSERT INTO quotes (provision, normal, list_id, item_no, quote, label, citation) VALUES (?, ?, ?, ?, ?, ?, ?)",
            quote_rows(entries))

    def quote_variants(self) -> Iterator[dict[str, list[QuoteEntry]]]:
        """Per provision quoted in more than one normal form (only they can conflict), in the
        order first quoted: normal form → its quotes, in the order added (what
        ``checks.facts.conflicts_by_provision`` compares)."""
        rows = self.sql.execute(
            "SELECT provision, normal, list_id, item_no, quote, label, citation FROM quotes JOIN "
            "(SELECT provision AS quoted, MIN(seq) AS first FROM quotes GROUP BY provision "
            " HAVING COUNT(DISTINCT normal) > 1) ON quoted = provision ORDER BY first, seq")
        for provision, grouped in groupby(rows, key=lambda row: row[0]):
            key = tuple(json.loads(provision))
            variants: dict[str, list[QuoteEntry]] = {}
            for _, normal, list_id, item_no, quote, label, citation in grouped:
                variants.setdefault(normal, []).append(QuoteEntry(key, list_id, item_no, quote, label, citation, normal))
            yield variants

    def add_results(self, results: list[ValidationResult]) -> None:
        """Validation results (in any order: :meth:`results` sorts them); they come after those
        of every group added (:meth:`add_groups`). Committed by :meth:`ready_for_readers`: a
        commit waits for the statement a process beside this one is running."""
        self.sql.executemany(f"INSERT INTO loose_results ({', '.join(_RESULT_FIELDS)}) "
                             f"VALUES ({', '.join('?' * len(_RESULT_FIELDS))})", map(_result_fields, results))

    def add_groups(self, keys: list[str]) -> None:
        """Validation groups whose results are in the results database under these keys
        (:func:`store_group_results`), in the order their results come, after those added;
        committed by :meth:`ready_for_readers`."""
        self.sql.executemany("INSERT INTO build_groups (key) VALUES (?)", ((key,) for key in keys))

    def prune_results(self) -> None:
        """Drop from the results database every group this build did not use."""
        stale = [key for (key,) in self.sql.execute(
            "SELECT key FROM res.groups WHERE key NOT IN (SELECT key FROM build_groups)").fetchall()]
        with self.sql:
            self.sql.executemany("DELETE FROM res.results WHERE key = ?", ((key,) for key in stale))
            self.sql.executemany("DELETE FROM res.groups WHERE key = ?", ((key,) for key in stale))
            self.sql.executemany("DELETE FROM res.quick WHERE key = ?", ((key,) for key in stale))

    def results(self) -> Iterator[ValidationResult]:
        """The validation results in the report's order (``validate.sorted_results``; results
        equal in all it compares stay in the order added: group by group, then the loose ones)."""
        severity = " ".join(f"WHEN '{name}' THEN {rank}" for name, rank in SEVERITY_ORDER.items())
        fields = ", ".join(_RESULT_FIELDS)
        query = (f"SELECT {fields} FROM (SELECT {', '.join('r.' + f for f in _RESULT_FIELDS)}, g.ord AS o, r.pos AS p "
                 "FROM build_groups AS g JOIN res.results AS r ON r.key = g.key "
                 f"UNION ALL SELECT {fields}, 9223372036854775807, seq FROM loose_results) "
                 f"ORDER BY list, COALESCE(item_no, 1000000000), COALESCE(line, 0), CASE severity {severity} ELSE 3 END, "
                 "shape, focus, value, o, p")
        yield from (ValidationResult(*row) for row in self.sql.execute(query))

    def _ready(self) -> sqlite3.Connection:
        if not self._indexed:
            self.sql.executescript("CREATE INDEX IF NOT EXISTS edges_by_basis ON edges (basis, power);"
                                   "CREATE INDEX IF NOT EXISTS nodes_by_kind ON nodes (kind, authority, id);"
                                   "CREATE INDEX IF NOT EXISTS nodes_by_instrument ON nodes (instrument, id);"
                                   "CREATE INDEX IF NOT EXISTS nodes_by_list ON nodes (list_id, kind, id);")
            self.sql.commit()
            self._indexed = True
        return self.sql

    def close(self) -> None:
        self.sql.close()

    # --- counts and single nodes ---------------------------------------------------------------

    def power_count(self) -> int:
        """The powers in the database (counted once: asked for before every view and page)."""
        if self._power_count is None:
            self._power_count = self._ready().execute("SELECT COUNT(*) FROM nodes WHERE kind = 'power'").fetchone()[0]
        return self._power_count

    def node_count(self) -> int:
        return self._ready().execute("SELECT COUNT(*) FROM nodes").fetchone()[0]

    def _node(self, row) -> Node:
        (id_, kind, label, group, authority, list_id, item_no, detail, short, instrument, instrument_title, article,
         main_item, subitems) = row
        return Node(id_, kind, label, group, authority, list_id, item_no, detail,
                    self.power_pages if kind == "power" else True, short, instrument, instrument_title, article,
                    main_item, tuple(subitems.split(SUBITEM_SEPARATOR)) if subitems else ())

    def nodes(self, ids: Iterable[str]) -> dict[str, Node]:
        """The records of ``ids`` (those present)."""
        return {node.id: node for _, node in self._records(ids)}

    def _records(self, ids: Iterable[str]) -> list[tuple[int, Node]]:
        """(seq, record) of ``ids``, in the order the nodes were first added."""
        found = [(row[0], self._node(row[1:])) for row in self._rows_in(
            f"SELECT seq, {', '.join(NODE_COLUMNS)} FROM nodes WHERE id IN ({{marks}})", list(ids))]
        return sorted(found, key=lambda pair: pair[0])

    def node(self, node_id: str) -> Node:
        return self.nodes([node_id])[node_id]

    def neighbours(self, node_id: str) -> list[str]:
        """The nodes joined to ``node_id``, sorted (a power's basis nodes, or a basis node's powers)."""
        sql = self._ready()
        return sorted(r[0] for r in sql.execute("SELECT basis FROM edges WHERE power = ? UNION "
                                                "SELECT power FROM edges WHERE basis = ?", (node_id, node_id)))

    # --- units -----------------------------------------------------------------------------------

    def powers_with_basis(self, list_id: str) -> Iterator[tuple[Node, list[Node]]]:
        """The powers first added by list ``list_id`` (by IRI), each with its basis nodes (by IRI),
        in one query rather than a subgraph (what a comparison reads of each list)."""
        columns = ", ".join(f"p.{c}" for c in NODE_COLUMNS) + ", " + ", ".join(f"b.{c}" for c in NODE_COLUMNS)
        rows = self._ready().execute(
            f"SELECT {columns} FROM nodes AS p LEFT JOIN edges ON edges.power = p.id LEFT JOIN nodes AS b "
            "ON b.id = edges.basis WHERE p.list_id = ? AND p.kind = 'power' ORDER BY p.id, b.id", (list_id,))
        width = len(NODE_COLUMNS)
        for _, grouped in groupby(rows, key=lambda row: row[0]):
            grouped = list(grouped)
            yield (self._node(grouped[0][:width]),
                   [self._node(row[width:]) for row in grouped if row[width] is not None])

    def powers_of(self, list_id: str) -> list[str]:
        """The powers first added by list ``list_id``, sorted."""
        return [r[0] for r in self._ready().execute(
            "SELECT id FROM nodes WHERE list_id = ? AND kind = 'power' ORDER BY id", (list_id,))]

    def powers_by_authority(self) -> Iterator[tuple[str, list[str]]]:
        """(authority, its powers sorted), authorities sorted."""
        yield from self._grouped("SELECT authority, id FROM nodes WHERE kind = 'power' ORDER BY authority, id")

    def power_lists_by_authority(self) -> Iterator[tuple[str, list[tuple[str, str | None]]]]:
        """(authority, (power, :meth:`power_lists` keys or None) of its powers sorted),
        authorities sorted: every authority's in one query."""
        rows = self._ready().execute("SELECT n.authority, n.id, k.keys FROM nodes AS n LEFT JOIN power_lists AS k "
                                     "ON k.id = n.id WHERE n.kind = 'power' ORDER BY n.authority, n.id")
        for authority, grouped in groupby(rows, key=lambda row: row[0]):
            yield authority, [(power, keys) for _, power, keys in grouped]

    def basis_by_instrument(self) -> Iterator[tuple[str, list[str]]]:
        """(instrument IRI, its basis nodes sorted), instruments sorted."""
        yield from self._grouped("SELECT instrument, id FROM nodes WHERE kind != 'power' ORDER BY instrument, id")

    def basis_by_article(self) -> Iterator[tuple[str, list[str]]]:
        """(article IRI, the provisions in it sorted), articles sorted."""
        yield from self._grouped("SELECT article, id FROM nodes WHERE kind = 'provision' ORDER BY article, id")

    def _grouped(self, query: str) -> Iterator[tuple[str, list[str]]]:
        key, members = None, []
        for group, node_id in self._ready().execute(query):
            if group != key and members:
                yield key, members
                members = []
            key = group
            members.append(node_id)
        if members:
            yield key, members

    def powers_on(self, basis: list[str], limit: int) -> tuple[int, list[str]]:
        """How many powers rest on any of ``basis``, and the first ``limit`` of them (sorted):
        counted and cut here, never all gathered (at 10⁵ powers one instrument holds most)."""
        ids = json.dumps(basis)
        within = "FROM edges WHERE basis IN (SELECT value FROM json_each(?))"  # any number of ids in one statement
        (count,) = self._ready().execute(f"SELECT COUNT(DISTINCT power) {within}", (ids,)).fetchone()
        return count, [power for (power,) in self.sql.execute(f"SELECT DISTINCT power {within} ORDER BY power LIMIT ?",
                                                              (ids, limit))]

    def citations_of(self, basis: list[str], powers: list[str] | None = None) -> list[tuple[Node, str, str]]:
        """(power record, basis node, the citation as the list wrote it) of every power on one of
        ``basis`` (of ``powers`` only, when given: fewer rows read than every power on ``basis``):
        what a page listing the powers on a provision needs, without a subgraph."""
        query = (f"SELECT {', '.join('p.' + c for c in NODE_COLUMNS)}, e.basis, e.text FROM edges AS e "
                 "JOIN nodes AS p ON p.id = e.power WHERE e.basis IN (SELECT value FROM json_each(?))")
        if powers is None:
            rows = self._ready().execute(query, (json.dumps(basis),))
        else:
            rows = self._ready().execute(query + " AND e.power IN (SELECT value FROM json_each(?))",
                                         (json.dumps(basis), json.dumps(powers)))
        return [(self._node(row[:-2]), *row[-2:]) for row in rows]

    def citation_keys(self, basis: list[str], with_lists: bool = False) -> list[tuple]:
        """(list id, item number or 0, power, basis node) of every power on one of ``basis``: the
        order a page lists them in, without their records; ``with_lists``: and the content keys of
        the lists holding the power (``power_lists``: a database filled by :meth:`fill_from`)."""
        # power_lists holds what nodes would give: one look-up per row instead of two
        lists, table = (", p.keys", "power_lists") if with_lists else ("", "nodes")
        return self._ready().execute(f"SELECT p.list_id, COALESCE(p.item_no, 0), e.power, e.basis{lists} FROM edges AS e "
                                     f"JOIN {table} AS p ON p.id = e.power "
                                     "WHERE e.basis IN (SELECT value FROM json_each(?))", (json.dumps(basis),)).fetchall()

    def powers_per_article(self, instrument: str) -> dict[str, int]:
        """Article IRI → how many powers rest on a provision of instrument ``instrument`` (IRI)
        in it (each power once), counted here rather than gathered."""
        return dict(self._ready().execute(
            "SELECT b.article, COUNT(DISTINCT e.power) FROM nodes AS b JOIN edges AS e ON e.basis = b.id "
            "WHERE b.instrument = ? AND b.kind = 'provision' GROUP BY b.article", (instrument,)))

    def basis_degrees(self) -> list[tuple[Node, int]]:
        """Every basis node with the number of powers on it, in the order they were added."""
        if self._basis_degrees is None:
            degrees = dict(self._ready().execute("SELECT basis, COUNT(*) FROM edges GROUP BY basis"))
            rows = self.sql.execute(f"SELECT {', '.join(NODE_COLUMNS)} FROM nodes WHERE kind != 'power' ORDER BY seq")
            self._basis_degrees = [(node, degrees.get(node.id, 0)) for node in map(self._node, rows)]
        return list(self._basis_degrees)

    def edges(self) -> Iterator[tuple[str, str]]:
        """Every (power, basis) edge."""
        yield from self._ready().execute("SELECT power, basis FROM edges")

    def sub_item_groups(self) -> Iterator[list[str]]:
        """The powers that are sub-items of one main item (of one authority), each group sorted."""
        query = ("SELECT authority || char(31) || main_item, id FROM nodes WHERE kind = 'power' AND main_item != '' "
                 "ORDER BY authority, main_item, id")
        yield from (members for _, members in self._grouped(query))

    # --- subgraphs -------------------------------------------------------------------------------

    def graph(self, ids: Iterable[str]) -> nx.Graph:
        """The subgraph on ``ids``: their records (in the order the nodes were added, as a
        ``networkx`` subgraph keeps them), and the edges between them with their texts."""
        graph = nx.Graph()
        for _, node in self._records(set(ids)):
            graph.add_node(node.id, data=node)
        nodes = {n: graph.nodes[n]["data"] for n in graph}
        powers = [node_id for node_id, node in nodes.items() if node.kind == "power"]
        edges: dict[str, list[tuple[str, str]]] = {}
        for power, basis, text in self._rows_in(  # a query per 500 powers, not per power
                "SELECT power, basis, text FROM edges WHERE power IN ({marks}) ORDER BY power, basis", powers):
            edges.setdefault(power, []).append((basis, text))
        for power in powers:  # in the nodes' order, each power's edges by basis: as networkx keeps them
            for basis, text in edges.get(power, ()):
                if basis in nodes:
                    graph.add_edge(power, basis, text=text)
        return graph

    def around(self, ids: Iterable[str]) -> nx.Graph:
        """The subgraph on ``ids`` and every node joined to one of them."""
        ids = set(ids)
        return self.graph(ids | {m for n in ids for m in self.neighbours(n)})

    def whole(self) -> nx.Graph:
        """The whole graph (for small corpora only: it is all in memory)."""
        return self.graph(r[0] for r in self._ready().execute("SELECT id FROM nodes"))
