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
from .spreadsheet import csv_text

if TYPE_CHECKING:
    from .build import Built


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


def provisions_ranked(graph: nx.Graph) -> list[tuple[Node, int]]:
    """Basis nodes by the number of powers resting on them (degree), most first."""
    basis = [graph.nodes[n]["data"] for n in graph if graph.nodes[n]["data"].kind != "power"]
    return sorted(((b, graph.degree(b.id)) for b in basis), key=lambda pair: (-pair[1], pair[0].label))


def components(graph: nx.Graph) -> list[set[str]]:
    return sorted((set(c) for c in nx.connected_components(graph)), key=lambda c: (-len(c), min(c)))


RELATED_TOP_K = 10        # related powers kept per power
RELATED_DEGREE_CAP = 200  # basis nodes cited by more powers relate everything to everything: left out


def related_powers(graph: nx.Graph, top_k: int = RELATED_TOP_K,
                   degree_cap: int = RELATED_DEGREE_CAP) -> list[tuple[str, str, int]]:
    """Pairs of powers sharing basis nodes, with how many they share: for each power its
    ``top_k`` partners (most shared first, then by IRI). Basis nodes with more than
    ``degree_cap`` powers are not counted (a provision every county cites says nothing about
    which powers are alike). Cost grows with powers × basis per power × ``degree_cap``, linearly
    in the corpus — unlike the full weighted projection, which grows with the square of the
    powers sharing a provision."""
    pairs: dict[tuple[str, str], int] = {}
    for power in sorted(n for n in graph if graph.nodes[n]["data"].kind == "power"):
        shared: dict[str, int] = {}
        for basis in graph.neighbors(power):
            if graph.degree(basis) > degree_cap:
                continue
            for other in graph.neighbors(basis):
                if other != power:
                    shared[other] = shared.get(other, 0) + 1
        for other, weight in sorted(shared.items(), key=lambda kv: (-kv[1], kv[0]))[:top_k]:
            pairs[tuple(sorted((power, other)))] = weight
    return sorted((a, b, weight) for (a, b), weight in pairs.items())


def write_csv(graph: nx.Graph, out: Path) -> dict[str, int]:
    """provisions_ranked.csv, components.csv and related_powers.csv into ``out``; returns the
    number of components and of related pairs (for the index)."""
    out.mkdir(parents=True, exist_ok=True)
    label = lambda n: graph.nodes[n]["data"].label
    ranked = ([node.label, node.kind, node.group, degree, node.id] for node, degree in provisions_ranked(graph))
    (out / "provisions_ranked.csv").write_text(csv_text(["basis", "kind", "level", "powers", "iri"], ranked),
                                               encoding="utf-8")
    parts = []
    for index, component in enumerate(components(graph), 1):
        powers = [n for n in component if graph.nodes[n]["data"].kind == "power"]
        parts.append([index, len(powers), len(component) - len(powers), "；".join(sorted(label(n) for n in component))])
    (out / "components.csv").write_text(csv_text(["component", "powers", "basis_nodes", "members"], parts),
                                        encoding="utf-8")
    related = related_powers(graph)
    pairs = ([label(a), label(b), weight] for a, b, weight in related)
    (out / "related_powers.csv").write_text(csv_text(["power_a", "power_b", "shared_basis"], pairs), encoding="utf-8")
    return {"components": len(parts), "related_pairs": len(related)}
