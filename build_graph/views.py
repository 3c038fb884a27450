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
import shutil
import subprocess
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING
from importlib import resources
from pathlib import Path

import networkx as nx

from . import iris
from .analyze import Node, components, provisions_ranked, related_powers, write_csv

if TYPE_CHECKING:
    from .build import Built

TYPE_COLORS = {"行政许可": "#1f77b4", "行政处罚": "#d62728", "行政强制": "#8c564b", "行政征收": "#9467bd",
               "行政给付": "#2ca02c", "行政检查": "#ff7f0e", "行政确认": "#17becf", "行政奖励": "#bcbd22",
               "行政裁决": "#e377c2", "其他行政权力": "#7f7f7f", "未知": "#cccccc"}
LEVEL_COLORS = {"法律": "#08306b", "行政法规": "#2171b5", "地方性法规": "#4292c6", "部门规章": "#6baed6",
                "地方政府规章": "#9ecae1", "规范性文件": "#fdd0a2", "未知": "#fc9272"}


def vis_network_js() -> str:
    """vis-network 9.1.2 as shipped inside the pyvis package (no network needed)."""
    return resources.files("pyvis").joinpath("lib/vis-9.1.2/vis-network.min.js").read_text(encoding="utf-8")


VIS_FILE = "vis-network.min.js"


def _json_for_script(data) -> str:
    return (json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("&", "\\u0026"))


def _slug(value: str) -> str:
    return iris.digest(value, length=10)


OVERVIEW_MAX_NODES = 400   # the overview draws the most-cited provisions and their powers up to this
POWER_PAGES_MAX = 3000     # more powers than this: no page per power, a power links to its authority's page
INSTRUMENT_MAX_POWERS = 300  # an instrument's view draws its provisions and at most this many powers


def power_page(node_id: str) -> str:
    return f"power-{_slug(node_id)}.html"


def overview_graph(graph: nx.Graph, limit: int = OVERVIEW_MAX_NODES) -> nx.Graph:
    """The whole graph when it is small; else the most-cited basis nodes and the powers on them,
    added in rank order while the total stays within ``limit`` nodes (a readable overview)."""
    if graph.number_of_nodes() <= limit:
        return graph
    chosen: set[str] = set()
    for node, _ in provisions_ranked(graph):
        members = {node.id, *graph.neighbors(node.id)}
        if len(chosen | members) > limit:
            continue
        chosen |= members
    return graph.subgraph(chosen)


def instrument_page(instrument_iri: str) -> str:
    return f"instrument-{instrument_iri.rsplit('/', 1)[-1]}.html"


def authority_page(authority: str) -> str:
    return f"authority-{_slug(authority)}.html"


def _power_pages(graph: nx.Graph) -> bool:
    """Whether each power gets a page of its own (not for a corpus of more than POWER_PAGES_MAX)."""
    powers = [n for n in graph if graph.nodes[n]["data"].kind == "power"]
    with_pages = len(powers) <= POWER_PAGES_MAX
    for n in powers:
        graph.nodes[n]["data"].has_page = with_pages
    return with_pages


def _instrument_of(node: Node) -> str:
    base = iris.DEFAULT_BASE + "id/instrument/"
    return base + node.id[len(base):].split("/", 1)[0]


def _vis_node(node: Node) -> dict:
    if node.kind == "power":
        color = TYPE_COLORS.get(node.group, "#cccccc")
        tooltip = [node.label, f"{node.group} · {node.authority} · 第{node.item_no}项", "实施依据：" + node.detail[:600]]
        url, shape = (power_page(node.id) if node.has_page else authority_page(node.authority)), "dot"
    else:
        color = LEVEL_COLORS.get(node.group, "#cccccc")
        tooltip = [node.label, f"效力层级：{node.group}", node.detail[:600]]
        url, shape = instrument_page(_instrument_of(node)), "box" if node.kind == "instrument" else "diamond"
    return {"id": node.id, "label": node.label[:24] + ("…" if len(node.label) > 24 else ""), "color": color,
            "shape": shape, "tooltip": tooltip, "url": url, "kind": node.kind, "group": node.group}


@dataclass
class View:
    file: str
    title: str
    nodes: int


PAGE = """<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;margin:0}}header{{padding:8px 12px;border-bottom:1px solid #ddd}}
#net{{height:80vh}}.legend span{{display:inline-block;margin-right:10px;font-size:85%}}
.legend i{{display:inline-block;width:10px;height:10px;margin-right:3px}}
.vis-tooltip{{position:absolute;max-width:420px;background:#fffbe6;border:1px solid #999;padding:6px;font-size:85%;white-space:normal}}
</style></head>
<body data-drawn="0" data-errors="0">
<header><a href="{home}">← 首页 index</a> <strong>{title}</strong>
<input id="filter" placeholder="筛选 filter…" size="24"> <span id="count"></span>
<div class="legend">{legend}</div></header>
<div id="net"></div>
<script type="application/json" id="graph-data">{data}</script>
<script>(function () {{
  const count = () => {{ document.body.dataset.errors = String(Number(document.body.dataset.errors) + 1); }};
  window.addEventListener("error", count, true);
  const original = console.error;
  console.error = function () {{ count(); return original.apply(console, arguments); }};
}})();</script>
<script src="{vis}"></script>
<script>
(function () {{
  const data = JSON.parse(document.getElementById("graph-data").textContent);
  const nodes = new vis.DataSet(data.nodes.map((n) => {{
    const tip = document.createElement("div");
    n.tooltip.forEach((line) => {{ const p = document.createElement("div"); p.textContent = line; tip.appendChild(p); }});
    return {{id: n.id, label: n.label, color: n.color, shape: n.shape, title: tip, url: n.url}};
  }}));
  const edges = new vis.DataSet(data.edges);
  const network = new vis.Network(document.getElementById("net"), {{nodes, edges}},
    {{physics: {{stabilization: {{iterations: 150}}}}, interaction: {{hover: true, tooltipDelay: 120}}, nodes: {{font: {{size: 12}}}}}});
  network.once("afterDrawing", () => {{
    document.body.dataset.drawn = String(network.body.nodeIndices.length);
    document.body.dataset.resources = String(performance.getEntriesByType("resource")
      .filter((entry) => !entry.name.startsWith("file:")).length);
  }});
  network.on("doubleClick", (e) => {{ if (e.nodes.length) {{ const n = nodes.get(e.nodes[0]); if (n.url) location.href = n.url; }} }});
  document.getElementById("count").textContent = data.nodes.length + " nodes";
  document.getElementById("filter").addEventListener("input", (e) => {{
    const q = e.target.value.trim();
    nodes.update(data.nodes.map((n) => ({{id: n.id, hidden: q !== "" && !n.tooltip[0].includes(q)}})));
  }});
}})();
</script></body></html>
"""


def write_view(out: Path, file: str, title: str, graph: nx.Graph, home: str = "../index.html") -> View:
    """One view page in ``out`` (beside the shared vis-network copy)."""
    nodes = [_vis_node(graph.nodes[n]["data"]) for n in sorted(graph)]
    edges = [{"from": a, "to": b} for a, b in sorted(tuple(sorted(e)) for e in graph.edges())]
    groups = sorted({(n["kind"], n["group"], n["color"]) for n in nodes})
    legend = "".join(f'<span><i style="background:{escape(color)}"></i>{escape(group)}'
                     f'{"（条款）" if kind == "provision" else "（文件）" if kind == "instrument" else ""}</span>'
                     for kind, group, color in groups)
    page = PAGE.format(title=escape(title), home=home, legend=legend,
                       data=_json_for_script({"nodes": nodes, "edges": edges}), vis=VIS_FILE)
    (out / file).write_text(page, encoding="utf-8")
    return View(file, title, len(nodes))


def write_views(built: Built, graph: nx.Graph, out: Path) -> dict[str, list[View]]:
    """Write every view of ``graph`` (from ``power_graph``) into ``out/views`` and the analytics
    CSV into ``out/analytics``."""
    views_dir = out / "views"
    views_dir.mkdir(parents=True, exist_ok=True)
    per_power = _power_pages(graph)  # before any view: nodes link to power pages only if they exist
    write_csv(graph, out / "analytics")
    (views_dir / VIS_FILE).write_text(vis_network_js(), encoding="utf-8")  # one copy for every view
    written: dict[str, list[View]] = {"overview": [], "authority": [], "instrument": [], "power": []}
    overview = overview_graph(graph)
    shown = "" if overview is graph else f"（被引最多的条款，{overview.number_of_nodes()}/{graph.number_of_nodes()} 个节点）"
    written["overview"].append(write_view(views_dir, "overview.html", f"总览 overview：权力事项与依据条款{shown}", overview))
    by_authority: dict[str, list[str]] = {}
    by_instrument: dict[str, list[str]] = {}
    for n in sorted(graph):  # one pass: each view below takes its members from these
        node = graph.nodes[n]["data"]
        if node.kind == "power":
            by_authority.setdefault(node.authority, []).append(n)
        else:
            by_instrument.setdefault(_instrument_of(node), []).append(n)
    for authority, powers in sorted(by_authority.items()):
        members = set(powers) | {m for p in powers for m in graph.neighbors(p)}
        written["authority"].append(write_view(views_dir, authority_page(authority), f"{authority} 的权力事项与依据",
                                               graph.subgraph(members)))
    for instrument, basis in sorted(by_instrument.items()):
        powers = sorted({p for b in basis for p in graph.neighbors(b)})
        shown = powers[:INSTRUMENT_MAX_POWERS]
        title = next((graph.nodes[b]["data"].label for b in basis if graph.nodes[b]["data"].kind == "instrument"),
                     graph.nodes[basis[0]]["data"].label.split(" ")[0])
        more = f"（显示 {len(shown)}/{len(powers)} 个权力事项）" if len(shown) < len(powers) else ""
        written["instrument"].append(write_view(views_dir, instrument_page(instrument), f"{title} 的条款与权力事项{more}",
                                                graph.subgraph(basis + shown)))
    siblings_of: dict[str, list[str]] = {}
    mains: dict[tuple[str, str], list[str]] = {}
    for power_list in built.lists:
        for record in power_list.records:
            if record.subitems:
                mains.setdefault((record.authority, record.main_item), []).append(iris.power(record.authority, record.identity))
    for members in mains.values():
        for member in members:
            siblings_of.setdefault(member, members)
    for n in sorted(graph) if per_power else []:
        node = graph.nodes[n]["data"]
        if node.kind != "power":
            continue
        siblings = siblings_of.get(n, [n])
        members = set(siblings) | {m for s in siblings for m in graph.neighbors(s)}
        written["power"].append(write_view(views_dir, power_page(n), f"{node.label}（{node.authority}）",
                                           graph.subgraph(members)))
    return written


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _link(href: str, text: str) -> str:
    return f'<a href="{escape(href)}">{escape(text)}</a>'


def write_site(built: Built, graph: nx.Graph, out: Path, validation=None) -> Path:
    """``out/index.html``: lists, powers, instruments, findings and validation, linking to the views."""
    lists = [[escape(pl.list_id), _link("views/" + authority_page(pl.authority), pl.authority), escape(pl.source_file),
              str(len(pl.records)), str(built.basis_counts[pl.list_id])] for pl in built.lists]
    powers = []
    for power_list in built.lists:
        for record in power_list.records:
            node = iris.power(record.authority or power_list.authority, record.identity)
            page = power_page(node) if graph.nodes[node]["data"].has_page else authority_page(record.authority or power_list.authority)
            powers.append([escape(power_list.list_id), str(record.item_no), _link("views/" + page, record.power),
                           escape(record.power_type or "未知"), escape(record.department or "（无）")])
    instruments = {}
    for node, degree in provisions_ranked(graph):
        key = _instrument_of(node)
        title = node.label if node.kind == "instrument" else node.label.split(" ")[0]
        entry = instruments.setdefault(key, [title, node.group, 0])
        entry[2] += degree
    instrument_rows = [[_link("views/" + instrument_page(k), v[0]), escape(v[1]), str(v[2])]
                       for k, v in sorted(instruments.items(), key=lambda kv: (-kv[1][2], kv[1][0]))]
    ranked_rows = [[_link("views/" + instrument_page(_instrument_of(node)), node.label), escape(node.group), str(degree)]
                   for node, degree in provisions_ranked(graph)[:20]]
    related = related_powers(graph)
    groups = components(graph)
    findings = [[escape(f.severity), escape(pl.list_id), "" if f.line is None else str(f.line), escape(f.code), escape(f.message)]
                for pl in built.lists for f in pl.findings]
    validation_html = ""
    if validation is not None:
        validation_html = (f"<p>SHACL：{validation.violations} violations，{len(validation.results)} results — "
                           f'<a href="validation.html">报告 report</a></p>')
    page = f"""<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><title>powerkg 权责清单知识图谱</title>
<style>body{{font-family:sans-serif;margin:1.5em;max-width:90em}}table{{border-collapse:collapse;margin-bottom:1.5em}}
td,th{{border:1px solid #ccc;padding:3px 6px;font-size:90%;vertical-align:top}}</style></head>
<body><h1>powerkg 权责清单知识图谱</h1>
<p><a href="views/overview.html">总览图 overview graph</a> · <a href="ontology/index.html">本体 ontology</a> ·
<a href="analytics/provisions_ranked.csv">条款排行 CSV</a> · <a href="graph.ttl">graph.ttl</a></p>
{validation_html}
<h2>清单 Lists</h2>{_table(["list", "行政主体 authority", "源文件 file", "事项 powers", "引用 citations"], lists)}
<h2>法律文件 Instruments</h2>{_table(["文件 instrument", "效力层级 level", "事项×依据 powers"], instrument_rows)}
<h2>承载权力最多的依据 Provisions ranked</h2>
<p>{len(groups)} 个连通分量 connected components；{len(related)} 对事项共享依据 pairs of powers share a basis
(<a href="analytics/components.csv">components.csv</a>, <a href="analytics/related_powers.csv">related_powers.csv</a>)</p>
{_table(["依据 basis", "效力层级 level", "事项 powers"], ranked_rows)}
<h2>权力事项 Powers</h2>{_table(["list", "序号 no.", "事项 power", "类型 type", "科室 department"], powers)}
<h2>发现 Findings</h2>{_table(["severity", "list", "line", "code", "message"], findings)}
</body></html>
"""
    (out / "index.html").write_text(page, encoding="utf-8")
    return out / "index.html"


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


def screenshot(page: Path, png: Path, profile: Path) -> bool:
    """A PNG of ``page`` (1280×900) when Chromium is installed; False otherwise."""
    if not chromium():
        return False
    headless(page, "--window-size=1280,900", f"--screenshot={png.resolve()}", profile=profile)
    return png.exists()
