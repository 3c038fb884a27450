"""Graph analytics with networkx over the built records: which provisions carry most powers,
connected components, powers related through a shared basis.

The graph is bipartite: power nodes (``power:<IRI>``) and basis nodes (provision or whole
instrument IRIs), one edge per citation. Plain records come out; CSV writing is in ``write_csv``.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from typing import TYPE_CHECKING

from . import iris
from .citations.resolve import target_path
from .labels import path_label, short_power, short_title
from .spreadsheet import csv_text, write_csv_file

if TYPE_CHECKING:
    from .build import Built
    from .site_db import SiteDB


@dataclass
class Node:
    id: str
    kind: str            # power | provision | instrument
    label: str
    group: str           # power type, or legal level
    authority: str = ""
    list_id: str = ""
    item_no: int | None = None
    detail: str = ""     # quoted basis for powers; official text (or the title) for basis nodes
    has_page: bool = True  # a power with a view page of its own (large corpora: its authority's page)
    short: str = ""      # the label drawn on the graph: 第八十四条, 社会保险法, a power's name cut short
    instrument: str = ""  # basis nodes: the instrument's IRI
    instrument_title: str = ""  # basis nodes: the instrument's short title (社会保险法)
    article: str = ""    # basis nodes: the IRI of the article (or chapter, attachment) they belong to
    main_item: str = ""  # powers: the main item's name when the power is a sub-item (主项)
    subitems: tuple[str, ...] = ()  # powers: its sub-item names (子项)


def power_graph(built: Built) -> nx.Graph:
    """Bipartite power–basis graph with a :class:`Node` in each node's ``data`` attribute."""
    graph = nx.Graph()
    for power_list in built.lists:
        for power in built.citations[power_list.list_id]:
            record = power.record
            node_id = iris.power(record.authority or power_list.authority, record.identity)
            graph.add_node(node_id, data=Node(node_id, "power", record.power, record.power_type or "未知",
                                              record.authority, power_list.list_id, record.item_no,
                                              record.basis_text, short=short_power(record.power, record.subitems),
                                              main_item=record.main_item if record.subitems else "",
                                              subitems=tuple(record.subitems)))
            for resolved in power.basis:
                c, instrument = resolved.citation, resolved.instrument
                path = target_path(resolved)
                instrument_iri = iris.instrument(instrument.id)
                target = instrument_iri + (f"/{path}" if path else "")
                level = instrument.level or "未知"
                title = short_title(instrument.title)
                provision = path_label(path)
                if target not in graph:
                    graph.add_node(target, data=Node(
                        target, "provision" if path else "instrument", f"{title} {provision}".strip(), level,
                        detail=resolved.article_text or instrument.title, short=provision or title,
                        instrument=instrument_iri, instrument_title=title,
                        article=instrument_iri + "/" + path.split("__")[0] if path else instrument_iri))
                graph.add_edge(node_id, target, text=c.text)
    return graph


def provisions_ranked(graph: "nx.Graph | SiteDB") -> list[tuple[Node, int]]:
    """Basis nodes by the number of powers resting on them (degree), most first (ties: by label,
    then in the order the nodes were added)."""
    if isinstance(graph, nx.Graph):
        pairs = [(graph.nodes[n]["data"], graph.degree(n)) for n in graph if graph.nodes[n]["data"].kind != "power"]
    else:
        pairs = graph.basis_degrees()
    return sorted(pairs, key=lambda pair: (-pair[1], pair[0].label))


def components(db: SiteDB) -> list[set[str]]:
    """The connected components (sets of node IRIs), largest first, then by their least IRI:
    a union–find (``networkx.utils.UnionFind``) over the edges as they stream from ``db``."""
    parts = nx.utils.UnionFind(node_id for (node_id,) in db.sql.execute("SELECT id FROM nodes"))
    for power, basis in db.edges():
        parts.union(power, basis)
    return sorted((set(part) for part in parts.to_sets()), key=lambda c: (-len(c), min(c)))


RELATED_TOP_K = 10        # related powers kept per power
RELATED_DEGREE_CAP = 200  # basis nodes cited by more powers relate everything to everything: left out


def related_powers(db: SiteDB, top_k: int = RELATED_TOP_K,
                   degree_cap: int = RELATED_DEGREE_CAP) -> list[tuple[str, str, int]]:
    """Pairs of powers sharing basis nodes, with how many they share: for each power its
    ``top_k`` partners (most shared first, then by IRI). Basis nodes with more than
    ``degree_cap`` powers are not counted (a provision every county cites says nothing about
    which powers are alike). Cost grows with powers × basis per power × ``degree_cap``, linearly
    in the corpus — unlike the full weighted projection, which grows with the square of the
    powers sharing a provision. The pairs gather in a table of ``db``, not in memory."""
    _gather_related(db, top_k, degree_cap)
    return list(db.sql.execute("SELECT a, b, weight FROM related ORDER BY a, b"))


def _gather_related(db: SiteDB, top_k: int, degree_cap: int) -> None:
    """Fill the temporary table ``related`` (a < b, weight) of :func:`related_powers`."""
    sql = db.sql
    sql.executescript("DROP TABLE IF EXISTS related; CREATE TEMP TABLE related (a TEXT, b TEXT, weight INTEGER, "
                      "PRIMARY KEY (a, b)) WITHOUT ROWID;")
    shared = sql.execute(
        "WITH small AS (SELECT basis FROM edges GROUP BY basis HAVING COUNT(*) <= ?) "
        "SELECT mine.power, other.power, COUNT(*) FROM edges AS mine JOIN small USING (basis) "
        "JOIN edges AS other ON other.basis = mine.basis AND other.power != mine.power "
        "GROUP BY mine.power, other.power ORDER BY mine.power", (degree_cap,))
    writer = sql.cursor()

    def keep(power, partners):
        best = sorted(partners, key=lambda pair: (-pair[1], pair[0]))[:top_k]
        writer.executemany("INSERT OR IGNORE INTO related VALUES (?, ?, ?)",
                           [(min(power, other), max(power, other), weight) for other, weight in best])

    current, partners = None, []
    for power, other, weight in shared:
        if power != current and partners:
            keep(current, partners)
            partners = []
        current = power
        partners.append((other, weight))
    if partners:
        keep(current, partners)


def write_csv(db: SiteDB, out: Path) -> dict[str, int]:
    """provisions_ranked.csv, components.csv and related_powers.csv into ``out``; returns the
    number of components and of related pairs (for the index)."""
    out.mkdir(parents=True, exist_ok=True)
    ranked = ([node.label, node.kind, node.group, degree, node.id] for node, degree in provisions_ranked(db))
    (out / "provisions_ranked.csv").write_text(csv_text(["basis", "kind", "level", "powers", "iri"], ranked),
                                               encoding="utf-8")
    found = components(db)
    number = {node_id: index for index, component in enumerate(found) for node_id in component}
    labels: list[list[str]] = [[] for _ in found]
    powers = [0] * len(found)
    for node_id, kind, label in db.sql.execute("SELECT id, kind, label FROM nodes"):
        labels[number[node_id]].append(label)
        powers[number[node_id]] += kind == "power"
    parts = [[index + 1, powers[index], len(found[index]) - powers[index], "；".join(sorted(labels[index]))]
             for index in range(len(found))]
    del number, labels
    (out / "components.csv").write_text(csv_text(["component", "powers", "basis_nodes", "members"], parts),
                                        encoding="utf-8")
    _gather_related(db, RELATED_TOP_K, RELATED_DEGREE_CAP)
    pairs = db.sql.execute("SELECT pa.label, pb.label, weight FROM related JOIN nodes AS pa ON pa.id = a "
                           "JOIN nodes AS pb ON pb.id = b ORDER BY a, b")
    related = write_csv_file(out / "related_powers.csv", ["power_a", "power_b", "shared_basis"], pairs)
    return {"components": len(parts), "related_pairs": related}
