"""Interactive graph views and the browsable site, offline and safe for untrusted list text.

Each view is one HTML file beside one shared copy of vis-network (``views/vis-network.min.js``,
the copy pyvis ships, read from the installed package — pyvis's own templates link Bootstrap and
vis from CDNs; a local file, so the pages work offline from any folder), with the graph data as
JSON inside ``<script type="application/json">`` with ``<``, ``>`` and ``&`` escaped, and
a small script that builds tooltips as DOM elements with ``textContent`` — list text is never
parsed as HTML. Node labels are drawn on the canvas. After drawing, the page records what it
drew in ``<body data-drawn="…">`` (used by the browser tests).

Views: an overview, one per authority, one per cited instrument (its provisions and the powers
on them), one per power (its provisions, sibling sub-items, department). ``index.html`` links
them with tables of lists, powers, instruments and findings; every cell is escaped.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from typing import TYPE_CHECKING
from importlib import resources
from pathlib import Path

import networkx as nx

from . import iris
from .analyze import Node, provisions_ranked
from .assets import asset_text
from .reuse import Reuse

if TYPE_CHECKING:
    from .site_db import SiteDB

# Node fills: every colour has a contrast of at least 4.5:1 with white (WCAG 2.1 AA for text),
# so white text inside a box and the dark labels beside dots on the white page both pass.
TYPE_COLORS = {"行政许可": "#1f6fb4", "行政处罚": "#c62828", "行政强制": "#7b4a3f", "行政征收": "#7e57c2",
               "行政征用": "#5e35b1", "行政给付": "#2e7d32", "行政检查": "#c25400", "行政确认": "#00796b",
               "行政奖励": "#8a6d00", "行政裁决": "#ad1457", "其他行政权力": "#616161", "未知": "#757575"}
LEVEL_COLORS = {"法律": "#0b2e6b", "行政法规": "#1e5a9c", "地方性法规": "#2f6f8f", "自治条例": "#35708a",
                "单行条例": "#35708a", "经济特区法规": "#2f6f8f", "部门规章": "#3b5f8a", "地方政府规章": "#4f6b7d",
                "规范性文件": "#a0522d", "未知": "#8d2f2f"}
OTHER_COLOR = "#616161"
LABEL_ON_PAGE = "#1a1a1a"  # labels drawn beside a node, on the white page
LABEL_IN_BOX = "#ffffff"   # labels drawn inside a filled box


def relative_luminance(color: str) -> float:
    """WCAG 2.1 relative luminance of ``#rrggbb``."""
    channels = [int(color[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    """WCAG 2.1 contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    high, low = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def vis_network_js() -> str:
    """vis-network 9.1.2 as shipped inside the pyvis package (no network needed)."""
    return resources.files("pyvis").joinpath("lib/vis-9.1.2/vis-network.min.js").read_text(encoding="utf-8")


VIS_FILE = "vis-network.min.js"
SCRIPT_FILE = "graph-view.js"


def _json_for_script(data) -> str:
    return (json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("&", "\\u0026"))


def _slug(value: str) -> str:
    return iris.digest(value, length=10)


OVERVIEW_MAX_NODES = 400   # the overview draws the most-cited provisions and their powers up to this
OVERVIEW_SAMPLE = 40       # powers drawn of a provision whose powers do not all fit
POWER_PAGES_MAX = 3000     # more powers than this: no page per power, a power links to its authority's page
INSTRUMENT_MAX_POWERS = 300  # an instrument's view draws its provisions and at most this many powers
POWER_VIEW_NEIGHBOURS = 40   # a power's view: at most this many other powers on the same provisions


def power_page(node_id: str) -> str:
    return f"power-{_slug(node_id)}.html"


def overview_graph(db: SiteDB, limit: int = OVERVIEW_MAX_NODES) -> nx.Graph:
    """The whole graph when it is small; else the most-cited basis nodes and the powers on them,
    added in rank order while the total stays within ``limit`` nodes (a readable overview). A
    basis node whose powers do not all fit comes with as many as there is room for, at most
    OVERVIEW_SAMPLE (those first by IRI): in a national corpus every provision holds thousands."""
    if db.node_count() <= limit:
        return db.whole()
    chosen: set[str] = set()
    for node, _ in provisions_ranked(db):
        if len(chosen) >= limit:
            break
        members = {node.id, *db.neighbours(node.id)}
        if len(chosen | members) <= limit:
            chosen |= members
            continue
        room = min(limit - len(chosen | {node.id}), OVERVIEW_SAMPLE)
        if room > 0:
            chosen |= {node.id, *sorted(members - chosen - {node.id})[:room]}
    return db.graph(chosen)


def instrument_page(instrument_iri: str, number: int = 1) -> str:
    """The view (in ``views/``) and text page (in ``pages/``) of an instrument IRI; ``number``:
    the text page of the powers citing it as a whole when they fill several (``pages.PAGE_ROWS``)."""
    return f"instrument-{instrument_iri.rsplit('/', 1)[-1]}" + (f"-p{number}" if number > 1 else "") + ".html"


@lru_cache(maxsize=4096)
def authority_page(authority: str) -> str:
    return f"authority-{_slug(authority)}.html"


def article_page(article_iri: str, number: int = 1) -> str:
    """The text page of an article (or chapter, attachment item) IRI, in ``pages/``; ``number``:
    its page of powers when they fill several (``pages.PAGE_ROWS``)."""
    instrument, _, path = article_iri.partition("/id/instrument/")[2].partition("/")
    return f"article-{instrument}-{path.replace('/', '-')}" + (f"-p{number}" if number > 1 else "") + ".html"


def power_pages(db: SiteDB) -> bool:
    """Whether each power gets a page of its own (not for a corpus of more than POWER_PAGES_MAX);
    the power records ``db`` hands out from now on say so."""
    db.power_pages = db.power_count() <= POWER_PAGES_MAX
    return db.power_pages


def _instrument_of(node: Node) -> str:
    return node.instrument or iris.DEFAULT_BASE + "id/instrument/" + node.id.split("/id/instrument/")[1].split("/", 1)[0]


def _vis_node(node: Node) -> dict:
    """One node of a view: its drawn label, colours, tooltip lines and side-panel content."""
    if node.kind == "power":
        color = TYPE_COLORS.get(node.group, OTHER_COLOR)
        view = power_page(node.id) if node.has_page else authority_page(node.authority)
        facts = [("类型 type", node.group), ("行政主体 authority", node.authority), ("清单 list", node.list_id),
                 ("序号 item", f"第{node.item_no}项")]
        return {"id": node.id, "short": node.short, "full": node.label, "kind": "power", "group": node.group,
                "color": color, "font": LABEL_ON_PAGE, "shape": "dot",
                "lines": [node.label, f"{node.group} · {node.authority} · 第{node.item_no}项",
                          "实施依据：" + node.detail[:300] + ("…" if len(node.detail) > 300 else "")],
                "facts": facts, "text_title": "清单所列实施依据 quoted basis", "text": node.detail,
                "links": [("权力事项图 power view", view),
                          ("行政主体页 authority page", "../pages/" + authority_page(node.authority))]}
    color = LEVEL_COLORS.get(node.group, OTHER_COLOR)
    shape = "box" if node.kind == "instrument" else "dot"
    page = "../pages/" + (article_page(node.article) if node.kind == "provision" else instrument_page(node.instrument))
    return {"id": node.id, "short": node.short, "full": node.label, "kind": node.kind, "group": node.group,
            "cluster_instrument": node.instrument, "instrument_title": node.instrument_title,
            "color": color, "font": LABEL_IN_BOX if shape == "box" else LABEL_ON_PAGE, "shape": shape,
            "lines": [node.label, f"效力层级 level：{node.group}", node.detail[:300] + ("…" if len(node.detail) > 300 else "")],
            "facts": [("效力层级 level", node.group), ("文件 instrument", node.instrument_title)],
            "text_title": "官方文本 official text" if node.kind == "provision" else "", 
            "text": node.detail if node.kind == "provision" else "",
            "links": [("条文页 article page" if node.kind == "provision" else "文件页 instrument page", page),
                      ("文件图 instrument view", instrument_page(node.instrument))]}


def _instrument_node(instrument: str, title: str, level: str) -> Node:
    """The box of an instrument whose provisions a view draws (not itself cited whole)."""
    return Node(instrument, "instrument", title, level, detail=title, short=title, instrument=instrument,
                instrument_title=title, article=instrument)


@dataclass
class View:
    file: str
    title: str
    nodes: int


PAGE = """<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><title>{title}</title>
<link rel="stylesheet" href="../pages/site.css">
<style>body{{margin:0}}#net{{height:calc(100vh - 96px)}}main{{display:flex}}main>#net{{flex:1}}
#panel{{width:26em;max-height:calc(100vh - 96px);overflow:auto;border-left:1px solid #ccc;padding:0 12px;font-size:90%}}
#panel blockquote{{margin:0;padding:6px;background:#f4f4f4;white-space:pre-wrap}}
.legend span{{display:inline-block;margin-right:10px;font-size:85%}}
.legend i{{display:inline-block;width:11px;height:11px;margin-right:3px;vertical-align:middle}}
.vis-tooltip{{position:absolute;max-width:420px;background:#fffbe6;border:1px solid #999;padding:6px;font-size:85%;white-space:normal}}
header{{padding:6px 12px;border-bottom:1px solid #ddd}}
</style></head>
<body data-drawn="0" data-errors="0" data-settled="0">
<header><a href="{home}">← 首页 index</a> <strong>{title}</strong>
<input id="filter" placeholder="筛选 filter…" size="18"> <span id="count"></span>
<button id="by-instrument">按文件聚类 cluster by instrument</button> <button id="by-type">按类型聚类 cluster by type</button>
<button id="unclustered">展开 expand</button>
<div class="legend">{legend} · 单击节点看条文与依据 click a node for its text · 双击打开 double-click to open</div></header>
<main><div id="net"></div><aside id="panel" hidden></aside></main>
<script type="application/json" id="graph-data">{data}</script>
<script>(function () {{
  const count = () => {{ document.body.dataset.errors = String(Number(document.body.dataset.errors) + 1); }};
  window.addEventListener("error", count, true);
  const original = console.error;
  console.error = function () {{ count(); return original.apply(console, arguments); }};
}})();</script>
<script src="{vis}"></script>
<script src="{script}"></script>
</body></html>
"""

PAGE_HEAD, PAGE_TAIL = PAGE.split("{data}")


def write_view(out: Path, file: str, title: str, graph: nx.Graph, members=None, home: str = "../index.html",
                focus: str | None = None, drawn: dict | None = None, placed: bool = False) -> View:
    """One view page in ``out`` (beside the shared scripts): the ``members`` of the power–basis
    ``graph`` (default: all its nodes), the citations among them and the instruments of its
    provisions (dashed edges: "part of").

    Edges are found from the power end (the graph is bipartite and a power cites a few
    provisions), never by walking a provision's neighbours: one provision of a national corpus
    holds thousands of powers, and every authority's view contains it.

    ``drawn``: the nodes' and edges' script JSON (:func:`_drawn`, :func:`_edge_json`), shared by
    views of one ``graph`` that draw the same nodes many times (the power views). ``placed``: the page carries starting
    positions of its nodes (:func:`starting_positions`)."""
    drawn = {} if drawn is None else drawn
    members = sorted(graph if members is None else members)
    inside = set(members)
    nodes = [_drawn(graph.nodes[n]["data"], drawn) for n in members]
    edges = [(a, b, "basis")
             for a, b in sorted(tuple(sorted((n, m))) for n in members if graph.nodes[n]["data"].kind == "power"
                                for m in graph.adj[n] if m in inside)]
    instruments: dict[str, tuple[str, str]] = {}
    for n in members:
        node = graph.nodes[n]["data"]
        if node.kind == "provision":
            instruments.setdefault(node.instrument, (node.instrument_title, node.group))
            edges.append((n, node.instrument, "part"))
    nodes += [_drawn(_instrument_node(i, title, level), drawn, "part of ")
              for i, (title, level) in sorted(instruments.items()) if i not in inside]
    legend = "".join(f'<span><i style="background:{escape(color)}"></i>{escape(group)}</span>'
                     for _, group, color in sorted({entry for _, entry in nodes}))
    fields = {"title": escape(title), "home": home, "legend": legend, "vis": VIS_FILE, "script": SCRIPT_FILE}
    at = placed and starting_positions(members + [i for i in sorted(instruments) if i not in inside], edges)
    # the data as json.dumps writes it whole, from the nodes' and edges' UTF-8 made once
    data = (b'{"nodes": [' + b", ".join(node_json for node_json, _ in nodes) + b'], "edges": ['
            + b", ".join(_edge_json(edge, drawn) for edge in edges)
            + (f'], "focus": {_json_for_script(focus)}' + (f', "positions": {_json_for_script(at)}' if at else "")
               + "}").encode())
    (out / file).write_bytes(PAGE_HEAD.format(**fields).encode() + data + PAGE_TAIL.format(**fields).encode())
    return View(file, title, len(nodes))


LAYOUT_MIN_NODES = 300   # fewer: vis-network lays the drawing out itself ("improvedLayout", graph-view.js)
LAYOUT_MAX_NODES = 500   # networkx lays out fewer nodes with numpy alone (more need scipy)
LAYOUT_SPACING = 30      # px: a layout of n nodes spans 2 × LAYOUT_SPACING × √n


def starting_positions(ids: list[str], edges: list[tuple[str, str, str]]) -> dict[str, list[int]]:
    """Positions (px, integers) to start a view's drawing from: networkx's spring layout
    (Fruchterman–Reingold, seeded, so the same graph is laid out the same), computed once at build
    time. The browser then settles the drawing in a few dozen physics iterations instead of
    hundreds from random places: the overview of 400 nodes appears in a second, not three, and
    its screenshot costs half the CPU. None below LAYOUT_MIN_NODES or beyond LAYOUT_MAX_NODES."""
    if not LAYOUT_MIN_NODES <= len(ids) <= LAYOUT_MAX_NODES:
        return {}
    graph = nx.Graph()
    graph.add_nodes_from(ids)
    graph.add_edges_from((a, b) for a, b, _ in edges)
    layout = nx.spring_layout(graph, iterations=50, seed=7, scale=LAYOUT_SPACING * len(ids) ** 0.5)
    return {node: [round(float(x)), round(float(y))] for node, (x, y) in layout.items()}


def _edge_json(edge: tuple[str, str, str], drawn: dict) -> bytes:
    """An edge (from, to, kind) as its vis data's JSON for a script element, in UTF-8, made once
    and kept in ``drawn``."""
    if edge not in drawn:
        a, b, kind = edge
        drawn[edge] = _json_for_script({"from": a, "to": b, "kind": kind}).encode()
    return drawn[edge]


def _drawn(node: Node, drawn: dict, key: str = "") -> tuple[bytes, tuple[bool, str, str]]:
    """(the node's vis data as JSON for a script element, in UTF-8; its legend entry: (is a power,
    group, colour)), made once and kept in ``drawn`` under ``key`` + its id."""
    key += node.id
    if key not in drawn:
        vis = _vis_node(node)
        drawn[key] = (_json_for_script(vis).encode(), (vis["kind"] == "power", vis["group"], vis["color"]))
    return drawn[key]


def write_views(db: SiteDB, out: Path, reuse: "Reuse | None" = None, page_written=None,
                beside: bool = False) -> dict[str, list]:
    """Write every view of the power–basis graph in ``db`` into ``out/views``, one unit at a time
    (or take it from the previous build: ``reuse``); returns the views' files (or ``View``
    records: overview, powers) by kind. ``page_written``: called with the overview's path as
    soon as it is written (its screenshot is taken beside the other views). ``beside``: another
    process writes the overview and the power views (:func:`write_overview`,
    :func:`write_power_views`, after :func:`prepare_views`): only the authority and instrument
    views are written here."""
    if beside:
        return write_unit_views(db, out, reuse)
    prepare_views(db, out)
    written = {"overview": [write_overview(db, out)]}
    if page_written is not None:
        page_written(out / "views" / "overview.html")
    return written | write_unit_views(db, out, reuse) | {"power": write_power_views(db, out)}


def prepare_views(db: SiteDB, out: Path) -> None:
    """``out/views`` with the one copy of the scripts every view loads; whether powers get view
    pages set in ``db`` (:func:`power_pages`) — before any view, as nodes link to them only if
    they exist."""
    views_dir = out / "views"
    views_dir.mkdir(parents=True, exist_ok=True)
    power_pages(db)
    (views_dir / VIS_FILE).write_text(vis_network_js(), encoding="utf-8")
    (views_dir / SCRIPT_FILE).write_text(asset_text(SCRIPT_FILE), encoding="utf-8")


def write_overview(db: SiteDB, out: Path) -> View:
    """``views/overview.html``: the overview (:func:`overview_graph`), laid out at build time."""
    overview, total = overview_graph(db), db.node_count()
    shown = "" if overview.number_of_nodes() == total else f"（被引最多的条款，{overview.number_of_nodes()}/{total} 个节点）"
    ranked = provisions_ranked(overview)
    return write_view(out / "views", "overview.html", f"总览 overview：权力事项与依据条款{shown}", overview,
                      focus=ranked[0][0].id if ranked else None, placed=True)


def write_unit_views(db: SiteDB, out: Path, reuse: "Reuse | None" = None) -> dict[str, list[str]]:
    """One view per authority and one per cited instrument in ``out/views`` (each taken from the
    previous build when its content is unchanged: ``reuse``); their files by kind."""
    views_dir = out / "views"
    written: dict[str, list[str]] = {"authority": [], "instrument": []}
    reuse = reuse or Reuse(db, out, keep=False)
    for authority, powers in reuse.powers_by_authority():
        file = authority_page(authority)
        digest = reuse.digest("authority view", authority, powers, powers)
        if reuse.take(f"views/{file}", digest) is None:
            write_view(views_dir, file, f"{authority} 的权力事项与依据", db.around(powers))
            reuse.made(f"views/{file}", digest)
        written["authority"].append(file)
    for instrument, basis in db.basis_by_instrument():
        file = instrument_page(instrument)
        total, shown = db.powers_on(basis, INSTRUMENT_MAX_POWERS)  # the view draws these, and counts the rest
        digest = reuse.digest("instrument view", f"{instrument} {total}", basis, shown)
        if reuse.take(f"views/{file}", digest) is None:
            title = db.node(basis[0]).instrument_title
            more = f"（显示 {len(shown)}/{total} 个权力事项）" if len(shown) < total else ""
            write_view(views_dir, file, f"{title} 的条款与权力事项{more}", db.graph(basis + shown), focus=instrument)
            reuse.made(f"views/{file}", digest)
        written["instrument"].append(file)
    return written


def write_power_views(db: SiteDB, out: Path) -> list[View]:
    """One view per power in ``out/views`` when powers get pages (:func:`power_pages`, set in
    ``db``); none otherwise."""
    if not db.power_pages:
        return []
    graph = db.whole()  # at most POWER_PAGES_MAX powers
    siblings_of = {member: members for members in db.sub_item_groups() for member in members}
    drawn: dict = {}  # a node is drawn in the views of the powers around it
    written = []
    for n in sorted(graph):
        node = graph.nodes[n]["data"]
        if node.kind != "power":
            continue
        written.append(write_view(out / "views", power_page(n), f"{node.label}（{node.authority}）", graph,
                                  power_view_members(graph, n, siblings_of.get(n, [n])), focus=n, drawn=drawn))
    return written


def power_view_members(graph: nx.Graph, power: str, siblings: list[str]) -> set[str]:
    """A power's view: the power and its sibling sub-items, their provisions, and the other powers
    resting on those provisions (at most POWER_VIEW_NEIGHBOURS, those sharing most first)."""
    basis = {b for s in siblings for b in graph.neighbors(s)}
    shared: dict[str, int] = {}
    for b in basis:
        for other in graph.neighbors(b):
            if other not in siblings:
                shared[other] = shared.get(other, 0) + 1
    others = [o for o, _ in sorted(shared.items(), key=lambda kv: (-kv[1], kv[0]))[:POWER_VIEW_NEIGHBOURS]]
    return set(siblings) | basis | set(others)


CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync",
                  "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=http://127.0.0.1:9"]


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def headless(page: Path, *extra: str, profile: Path, timeout: float = 90) -> str:
    """Run Debian's headless Chromium on a local page with the network blocked; returns stdout."""
    command = [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=8000", *extra,
               page.resolve().as_uri()]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout).stdout


IN_MEMORY = Path("/dev/shm")
IN_MEMORY_NEEDED = 256 * 2**20  # bytes free in it for a few profiles (MBs each) beside Chromium's own use


def profiles_folder() -> tempfile.TemporaryDirectory:
    """A temporary folder for browser profiles: in memory (/dev/shm) when there is room, since a
    new profile's databases are synced to disk hundreds of times, and on ext4 each sync makes the
    build's own file creations on that disk wait (it tripled the time to write 1,000 views)."""
    in_memory = (IN_MEMORY.is_dir() and os.access(IN_MEMORY, os.W_OK)
                 and shutil.disk_usage(IN_MEMORY).free >= IN_MEMORY_NEEDED)
    return tempfile.TemporaryDirectory(prefix="powerkg-browser-", dir=IN_MEMORY if in_memory else None)


def screenshot(page: Path, png: Path, profile: Path) -> bool:
    """A PNG of ``page`` (1400×1000) when Chromium is installed; False otherwise."""
    if not chromium():
        return False
    try:
        headless(page, "--window-size=1400,1000", f"--screenshot={png.resolve()}", profile=profile)
    except subprocess.TimeoutExpired:  # a screenshot is a convenience: the build goes on without it
        return False
    return png.exists()
