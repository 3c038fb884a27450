"""The site's text pages: ``index.html`` and, in ``pages/``, one page per cited article (its
official text and every power resting on it across lists), per instrument and per authority,
with an offline search across powers, instruments and articles (``pages/search-index.js``).

Pages come from the power–basis graph (``analyze.power_graph``: names, types, quoted bases,
official texts) and the registry (titles, numbers, levels, status). Every text from a list is
escaped; links between pages are relative, so the folder works from anywhere.
"""
from __future__ import annotations

import hashlib
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from . import iris
from .analyze import Node, components, provisions_ranked, related_powers
from .assets import asset_text
from .finding_titles import finding_title
from .labels import article_part
from .registry import load_registry
from .reuse import Reuse
from .views import _json_for_script, article_page, authority_page, instrument_page, power_page

if TYPE_CHECKING:
    from .site_db import SiteDB

INDEX_MAX_POWERS = 2000  # above this, index.html lists authorities; their pages list the powers
PAGE_ROWS = 250  # rows of powers on an article's or instrument's page; more go on its further pages (-p2, -p3 …):
# an edit remakes the pages holding its rows, so a page is kept short (at 1,000 rows a one-list
# edit of a 100k corpus remade 59 pages, 59k rows, 1.7 s)


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _link(href: str, text: str) -> str:
    return f'<a href="{escape(href)}">{escape(text)}</a>'


def _page(title: str, body: str, root: str) -> str:
    """A page of the site; ``root`` is the relative path from it to the site's root."""
    return f"""<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><title>{escape(title)}</title>
<link rel="stylesheet" href="{root}pages/site.css"></head>
<body>
<p class="muted"><a href="{root}index.html">首页 index</a> · <a href="{root}views/overview.html">总览图 overview</a> ·
<a href="{root}validation.html">校验报告 validation report</a></p>
<div class="search"><input id="search" data-root="{root}" placeholder="搜索 search：社保法84、第八十四条、事项名称、文件名称" autocomplete="off">
<ul id="search-results"></ul></div>
{body}
<script src="{root}pages/search-index.js"></script><script src="{root}pages/search.js"></script>
</body></html>
"""


def _power_link(node: Node, root: str) -> str:
    view = power_page(node.id) if node.has_page else authority_page(node.authority)
    return _link(f"{root}views/{view}", node.label)


def _registry_facts(instrument_iri: str) -> tuple[str, list[tuple[str, str]]]:
    """(full title, [(fact, value)]) of an instrument the registry knows; ("", []) otherwise."""
    entry = load_registry().instruments.get(instrument_iri.rsplit("/", 1)[-1])
    if entry is None:
        return "", []
    facts = [("效力层级 level", entry.level or "未知"), ("文号 number", entry.doc_number or ""),
             ("制定机关 issuer", entry.issuer or ""), ("状态 status", entry.status or ""),
             ("版本 version", entry.version or entry.date or "")]
    return entry.title, [(k, v) for k, v in facts if v]


def _article_text(node: Node) -> str:
    """The official text of the article a basis node belongs to (its own text when it is the article)."""
    if node.id == node.article:
        return node.detail
    instrument_id = node.instrument.rsplit("/", 1)[-1]
    number = node.article.rsplit("/art_", 1)[-1]
    articles = load_registry().articles_of(instrument_id) if number.isdigit() else None
    article = (articles or {}).get(int(number)) if number.isdigit() else None
    return article.text if article else node.detail


def write_pages(db: SiteDB, out: Path, reuse: Reuse | None = None, page_written=None) -> dict[str, int]:
    """Article, instrument and authority pages and the search index into ``out/pages``, one
    unit at a time from ``db`` (or taken from the previous build: ``reuse``); the search index
    is written as its entries come. ``page_written``: called with each page's path as soon as
    it is there (a screenshot can start)."""
    folder = out / "pages"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "site.css").write_text(asset_text("site.css"), encoding="utf-8")
    (folder / "search.js").write_text(asset_text("search.js"), encoding="utf-8")
    reuse = reuse or Reuse(db, out, keep=False)
    counts = {"article": 0, "instrument": 0, "authority": 0}
    with _SearchIndex(folder / "search-index.js") as search:
        def unit(kind: str, file: str, name: str, members: list[str], powers: list[str], write) -> None:
            digest = reuse.digest(f"{kind} page", name, members, powers)
            written = reuse.take(file, digest)
            if written is None:
                entries = []
                write(entries)
                written = ", ".join(map(_json_for_script, entries))
                reuse.made(file, digest, written)
            search.append(written)
            if page_written is not None:
                page_written(out / file)

        def paged(kind: str, iri: str, name: str, members: list[str], listed: list[str], page_of, write) -> None:
            """The pages of an article or instrument (its basis nodes ``members``) whose powers on
            ``listed`` fill several: each a unit made from its own rows, the count of powers and
            of pages."""
            # in the order _powers_rows lists them; with the lists each power comes from, when
            # units are reused: a page's digest is then its rows' (no second look-up per power)
            rows = sorted(db.citation_keys(listed, with_lists=reuse.enabled))
            chunks = [rows[start:start + PAGE_ROWS] for start in range(0, len(rows), PAGE_ROWS)] or [[]]
            total = len({row[2] for row in rows})
            for number, chunk in enumerate(chunks, 1):
                rows_digest = _rows_digest(chunk) if reuse.enabled else ""
                unit(kind, "pages/" + page_of(iri, number), f"{name} {number}/{len(chunks)} {total} {rows_digest}",
                     members, [] if reuse.enabled else sorted({row[2] for row in chunk}),
                     lambda entries: write(entries, chunk, total, number, len(chunks)))

        for article, members in db.basis_by_article():
            paged("article", article, article, members, members, article_page,
                  lambda entries, *page: _write_article(folder, article, members, db, entries, *page))
            counts["article"] += 1
        for instrument, members in db.basis_by_instrument():
            by_id = db.nodes(members)
            whole = [m for m in members if by_id[m].kind == "instrument"]
            cited = db.powers_per_article(instrument)  # page 1 counts the powers on each article
            paged("instrument", instrument, f"{instrument} {sorted(cited.items())}", members, whole, instrument_page,
                  lambda entries, *page: _write_instrument(folder, instrument, members, db, entries, cited, *page))
            counts["instrument"] += 1
        for authority, members in reuse.powers_by_authority():
            unit("authority", "pages/" + authority_page(authority), authority, members, members,
                 lambda entries: _write_authority(folder, authority, members, db, entries))
            counts["authority"] += 1
    return counts


def _rows_digest(rows: list[tuple]) -> str:
    """The digest of a page's rows (``SiteDB.citation_keys`` with the lists' keys), fields
    joined by a unit separator (no list text holds one)."""
    text = "\n".join([f"{a}\x1f{b}\x1f{c}\x1f{d}\x1f{e}" for a, b, c, d, e in rows])
    return hashlib.sha256(text.encode()).hexdigest()


class _SearchIndex:
    """``pages/search-index.js`` (``window.POWERKG_SEARCH = [...]``) written entry by entry."""

    def __init__(self, path: Path):
        self.path, self.empty = path, True

    def __enter__(self):
        self.file = self.path.open("w", encoding="utf-8")
        self.file.write("window.POWERKG_SEARCH = [")
        return self

    def append(self, entries: str) -> None:
        """Entries as ``_json_for_script`` writes them, joined by ", " ("" for none)."""
        if entries:
            self.file.write(("" if self.empty else ", ") + entries)
            self.empty = False

    def __exit__(self, *exc) -> None:
        self.file.write("];\n")
        self.file.close()


def _powers_rows(pairs: list[tuple[Node, Node, str]], root: str, with_provision: bool) -> list[list[str]]:
    """Table rows of (power, basis node, citation as written), in the order of ``_row_order``."""
    rows = []
    for power, basis, cited in sorted(pairs, key=_row_order):
        row = [escape(power.authority), escape(power.list_id), str(power.item_no), _power_link(power, root),
               escape(power.group)]
        if with_provision:
            row.append(escape(basis.short))
        rows.append(row + [escape(cited)])
    return rows


def _row_order(pair: tuple[Node, Node, str]) -> tuple:
    """Powers listed by list, item number, IRI, then basis node (``SiteDB.citation_keys`` sorts alike)."""
    power, basis, _ = pair
    return power.list_id, power.item_no or 0, power.id, basis.id


def _page_rows(db: SiteDB, member_ids: list[str], by_id: dict, rows: list[tuple]) -> list[tuple[Node, Node, str]]:
    """(power, basis node, citation as written) of a page's ``rows`` (``SiteDB.citation_keys``
    on ``member_ids``), in the order of ``_row_order``: only the powers of these rows are read."""
    pairs = {(row[2], row[3]) for row in rows}  # a power on two of its provisions may span two pages
    return sorted(((power, by_id[basis], text or "") for power, basis, text
                   in db.citations_of(member_ids, sorted({power for power, _ in pairs})) if (power.id, basis) in pairs),
                  key=_row_order)


def _navigation(iri: str, page_of, page: int, pages: int) -> str:
    """Links to the other pages of an article or instrument ("" when it has one page)."""
    return ("" if pages == 1 else "<p class='pages'>" + " ".join(
        f"<b>{n}</b>" if n == page else _link(page_of(iri, n), str(n)) for n in range(1, pages + 1))
        + f"（第 {page}/{pages} 页，每页 {PAGE_ROWS} 行 page {page} of {pages}）</p>")


def _write_article(folder: Path, article: str, member_ids: list[str], db: SiteDB, search: list,
                   rows: list[tuple], total: int, page: int = 1, pages: int = 1) -> None:
    """Page ``page`` of ``pages`` of the article: its text and its ``rows`` (``SiteDB.citation_keys``,
    of ``total`` powers on the article); the first page adds the article to the search index."""
    by_id = db.nodes(member_ids)  # its provisions
    members = [by_id[n] for n in member_ids]
    first = members[0]
    heading = first.label if first.id == article else f"{first.instrument_title} {article_part(members[0].short)}"
    full, facts = _registry_facts(first.instrument)
    shown = _page_rows(db, member_ids, by_id, rows)
    navigation = _navigation(article, article_page, page, pages)
    body = (f"<h1>{escape(heading)}</h1>"
            f"<p>{_link(instrument_page(first.instrument), full or first.instrument_title)} · {escape(first.group)}</p>"
            f"<h2>官方文本 Official text</h2><blockquote class='official'>{escape(_article_text(first))}</blockquote>"
            f"<h2>依据本条的权力事项 Powers resting on it（{total}）</h2>" + navigation
            + _table(["行政主体 authority", "清单 list", "序号 item", "事项 power", "类型 type", "条款 provision",
                      "清单引用 cited as"], _powers_rows(shown, "../", True)) + navigation
            + f"<p>{_link('../views/' + instrument_page(first.instrument), '文件图 instrument graph')}</p>")
    (folder / article_page(article, page)).write_text(_page(heading, body, "../"), encoding="utf-8")
    if page > 1:
        return
    number = article.rsplit("/art_", 1)[-1]
    search.append({"k": "article", "l": heading, "s": f"{total} 个事项 powers", "u": "pages/" + article_page(article),
                   "t": [first.instrument_title] + ([full] if full else []),
                   "n": int(number) if number.isdigit() else None})


def _write_instrument(folder: Path, instrument: str, member_ids: list[str], db: SiteDB, search: list,
                      articles: dict[str, int], rows: list[tuple], total: int, page: int = 1, pages: int = 1) -> None:
    """Page ``page`` of ``pages`` of the instrument: the first lists its cited ``articles`` with
    how many powers rest on each (``SiteDB.powers_per_article``: counted, not gathered — an
    instrument every list cites has every power on it) and adds it to the search index; each
    holds its ``rows`` of the ``total`` powers citing it as a whole (``SiteDB.citation_keys``)."""
    by_id = db.nodes(member_ids)
    members = [by_id[n] for n in member_ids]
    first = members[0]
    full, facts = _registry_facts(instrument)
    title = full or first.instrument_title
    whole = _page_rows(db, [m.id for m in members if m.kind == "instrument"], by_id, rows)
    navigation = _navigation(instrument, instrument_page, page, pages)
    cited = ""
    if page == 1:
        shorts: dict[str, str] = {}
        for node in members:  # an article's label: its first provision's (by IRI)
            if node.kind != "instrument":
                shorts.setdefault(node.article, node.short)
        article_rows = [[_link(article_page(a), article_part(shorts[a])), str(articles[a])]
                        for a in sorted(articles, key=_article_order)]
        cited = (_table(["", ""], [[escape(k), escape(v)] for k, v in facts] or [["效力层级 level", escape(first.group)]])
                 + f"<h2>被引用的条文 Cited articles（{len(articles)}）</h2>"
                 + _table(["条文 article", "事项 powers"], article_rows))
    body = (f"<h1>{escape(title)}</h1>" + cited
            + (f"<h2>整体引用本文件的权力事项 Powers citing it as a whole（{total}）</h2>" + navigation
               + _table(["行政主体 authority", "清单 list", "序号 item", "事项 power", "类型 type", "清单引用 cited as"],
                        _powers_rows(whole, "../", False)) + navigation if whole else "")
            + f"<p>{_link('../views/' + instrument_page(instrument), '文件图 instrument graph')}</p>")
    (folder / instrument_page(instrument, page)).write_text(_page(title, body, "../"), encoding="utf-8")
    if page == 1:
        search.append({"k": "instrument", "l": title, "s": first.group, "u": "pages/" + instrument_page(instrument),
                       "t": sorted({title, first.instrument_title} | {v for k, v in facts if k.startswith("文号")})})


def _article_order(article: str) -> tuple:
    tail = article.rsplit("/", 1)[-1]
    digits = "".join(ch if ch.isdigit() else " " for ch in tail).split()
    return (tail.split("_")[0], [int(d) for d in digits], article)


def _write_authority(folder: Path, authority: str, power_ids: list[str], db: SiteDB, search: list) -> None:
    graph = db.around(power_ids)  # its powers and their basis
    data = {n: graph.nodes[n]["data"] for n in graph}
    powers = [data[n] for n in power_ids]
    rows = []
    for power in sorted(powers, key=lambda p: (p.list_id, p.item_no or 0, p.id)):
        bases = [data[b] for b in sorted(graph.neighbors(power.id))]
        links = "<br>".join(_link(article_page(b.article) if b.kind == "provision" else instrument_page(b.instrument), b.label)
                            for b in bases) or "（无 none）"
        rows.append([escape(power.list_id), str(power.item_no), _power_link(power, "../"), escape(power.group), links])
        search.append({"k": "power", "l": power.label, "s": f"{authority} · 第{power.item_no}项",
                       "u": "pages/" + authority_page(authority), "t": [power.label]})
    body = (f"<h1>{escape(authority)}</h1><p>{len(powers)} 个权力事项 powers · "
            f"{_link('../views/' + authority_page(authority), '权力事项图 graph')}</p>"
            + _table(["清单 list", "序号 item", "事项 power", "类型 type", "依据 basis"], rows))
    (folder / authority_page(authority)).write_text(_page(authority, body, "../"), encoding="utf-8")
    search.append({"k": "authority", "l": authority, "s": f"{len(powers)} 个事项 powers",
                   "u": "pages/" + authority_page(authority), "t": [authority]})


def comparison_file(comparison) -> str:
    return f"compare-{iris.file_slug(comparison.list_a)}-{iris.file_slug(comparison.list_b)}.html"


def comparison_body(comparison) -> str:
    """Side by side: matched items with their bases (shared, only one side's — highlighted),
    type differences, then the items each list holds alone."""
    d = comparison.as_dict()
    rows = []
    for pair, data in zip(comparison.pairs, d["pairs"]):
        flags = []
        if pair.uncertain:
            flags.append("<span class='warning'>不确定 uncertain</span>")
        if pair.via_main_item:
            flags.append("经主项 via main item")
        if pair.a.power_type != pair.b.power_type:
            flags.append("<span class='violation'>类型不同 types differ</span>")
        listing = lambda items, cls: "".join(f"<li class='{cls}'>{escape(i)}</li>" for i in items)
        rows.append(
            f"<tr><td>第{pair.a.item_no}项<br>{escape(pair.a.power)}<br><small>{escape(pair.a.power_type)}</small></td>"
            f"<td>第{pair.b.item_no}项<br>{escape(pair.b.power)}<br><small>{escape(pair.b.power_type)}</small></td>"
            f"<td>{data['score']:.2f}<br>{'<br>'.join(flags)}</td>"
            f"<td><ul>{listing(data['shared_provisions'], 'shared')}</ul></td>"
            f"<td><ul>{listing(data['only_a_provisions'], 'only')}</ul></td>"
            f"<td><ul>{listing(data['only_b_provisions'], 'only')}</ul></td></tr>")
    alone = lambda entries: _table(["序号 item", "事项 power", "类型 type", "依据 basis"],
                                   [[f"第{e.item_no}项", escape(e.power), escape(e.power_type),
                                     "<br>".join(escape(v) for v in e.basis.values())] for e in entries])
    a, b = comparison.list_a, comparison.list_b
    return (f"<h1>清单比对 Comparison：{escape(a)} ↔ {escape(b)}</h1>"
            f"<p>{len(comparison.pairs)} 对相同事项 pairs · 仅 {escape(a)} 有 {len(comparison.only_in_a)} 项 · "
            f"仅 {escape(b)} 有 {len(comparison.only_in_b)} 项 only in one list</p>"
            "<style>li.only{background:#fff1c2}li.shared{color:#1a1a1a}ul{margin:0;padding-left:1.1em}</style>"
            f"<h2>相同事项 Matched items</h2><table><tr><th>{escape(a)}</th><th>{escape(b)}</th><th>得分 score</th>"
            f"<th>共同依据 cited by both</th><th>仅 {escape(a)} 引用 only {escape(a)}</th><th>仅 {escape(b)} 引用 only {escape(b)}</th></tr>"
            + "".join(rows) + "</table>"
            f"<h2>仅 {escape(a)} 有 Only in {escape(a)}（{len(comparison.only_in_a)}）</h2>" + alone(comparison.only_in_a)
            + f"<h2>仅 {escape(b)} 有 Only in {escape(b)}（{len(comparison.only_in_b)}）</h2>" + alone(comparison.only_in_b))


def comparison_page(comparison, root: str = "") -> str:
    """A standalone page (``powerkg compare --format html``) or, with ``root``, a page of the site."""
    title = f"清单比对 {comparison.list_a} ↔ {comparison.list_b}"
    if root:
        return _page(title, comparison_body(comparison), root)
    return (f"<!doctype html><html lang='zh'><head><meta charset='utf-8'><title>{escape(title)}</title>"
            f"<style>{asset_text('site.css')}</style></head><body>{comparison_body(comparison)}</body></html>\n")


def write_comparisons(comparisons, out: Path) -> list[tuple[str, str]]:
    """A page per comparison in ``out/pages``; returns (file, title) for the index."""
    written = []
    for comparison in comparisons:
        name = comparison_file(comparison)
        (out / "pages" / name).write_text(comparison_page(comparison, "../"), encoding="utf-8")
        written.append((name, f"{comparison.list_a} ↔ {comparison.list_b}：{len(comparison.pairs)} 对，"
                              f"仅一方有 {len(comparison.only_in_a)} / {len(comparison.only_in_b)} 项"))
    return written


INDEX_MAX_FINDINGS = 1000  # above: the index counts findings per list (every finding is in findings.csv)


def write_site(db: SiteDB, out: Path, validation=None, comparisons=(), analytics=None) -> Path:
    """``out/index.html``: search, findings and validation first, then lists, instruments,
    provisions ranked and powers, linking to the pages and views; all read from ``db``.
    ``analytics``: the counts ``analyze.write_csv`` returned (computed here when not given)."""
    listed = db.lists()
    lists = [[escape(pl.list_id), _link("pages/" + authority_page(pl.authority), pl.authority), escape(pl.source_file),
              str(pl.rows), str(pl.citations)] for pl in listed]
    finding_counts = db.finding_counts()
    finding_total = sum(sum(counts.values()) for counts in finding_counts.values())
    findings = []
    for list_id, f, item in db.findings() if finding_total <= INDEX_MAX_FINDINGS else ():
        zh, en = finding_title(f.code)
        findings.append([f"<span class='{escape(f.severity)}'>{escape(f.severity)}</span>", escape(list_id),
                         "" if item is None else f"第{item}项", "" if f.line is None else str(f.line),
                         f"{escape(zh)}<br><small>{escape(en)}</small>", escape(f.message)])
    instruments: dict[str, list] = {}
    ranked = provisions_ranked(db)
    for node, degree in ranked:
        entry = instruments.setdefault(node.instrument, [node.instrument_title, node.group, 0])
        entry[2] += degree
    instrument_rows = [[_link("pages/" + instrument_page(k), v[0]), escape(v[1]), str(v[2])]
                       for k, v in sorted(instruments.items(), key=lambda kv: (-kv[1][2], kv[1][0]))]
    ranked_rows = [[_link("pages/" + (article_page(node.article) if node.kind == "provision" else instrument_page(node.instrument)),
                          node.label), escape(node.group), str(degree)]
                   for node, degree in ranked[:20]]
    del ranked
    if analytics is None:
        analytics = {"components": len(components(db)), "related_pairs": len(related_powers(db))}
    total = db.item_count()
    if total <= INDEX_MAX_POWERS:
        power_rows = []
        items = list(db.items())
        nodes = db.nodes({power for _, _, power, _, _ in items})
        for list_id, item_no, power, power_type, department in items:
            power_rows.append([escape(list_id), str(item_no), _power_link(nodes[power], ""),
                               escape(power_type or "未知"), escape(department or "（无）")])
        powers_html = _table(["清单 list", "序号 item", "事项 power", "类型 type", "科室 department"], power_rows)
    else:
        powers_html = f"<p>{total} 个事项 powers：见各行政主体页 see each authority's page (lists above).</p>"
    validation_html = ""
    if validation is not None:
        validation_html = (f"<p><b>SHACL 校验 validation：</b><span class='violation'>{validation.violations} 项违规 violations</span>，"
                           f"共 {validation.result_count} 条结果 results — {_link('validation.html', '校验报告 report')}</p>")
    if finding_total <= INDEX_MAX_FINDINGS:
        findings_html = _table(["级别 severity", "清单 list", "事项 item", "行 line", "问题 finding", "说明 message"], findings)
    else:
        per_list = [[escape(list_id)] + [str(counts.get(level, 0)) for level in ("error", "warning", "info")]
                    for list_id, counts in finding_counts.items()]
        findings_html = (f"<p>{finding_total} 条发现，按清单计数；全部见 every finding is in "
                         f"{_link('findings.csv', 'findings.csv')}</p>"
                         + _table(["清单 list", "错误 error", "警告 warning", "提示 info"], per_list))
    comparisons_html = ("<h2>清单比对 Comparisons</h2><ul>" + "".join(
        f"<li>{_link('pages/' + name, text)}</li>" for name, text in comparisons) + "</ul>") if comparisons else ""
    graph_link = (_link("graph.nq", "graph.nq") if (out / "graph.nq").is_file()
                  else _link("graph/", "graph/ 图文件 graph files"))  # graph.nq only while small (graph_files)
    body = f"""<h1>powerkg 权责清单知识图谱 · power-list knowledge graph</h1>
<p><a href="views/overview.html">总览图 overview graph</a> · <a href="ontology/index.html">本体 ontology</a> ·
<a href="analytics/provisions_ranked.csv">条款排行 CSV</a> · {graph_link}</p>
{validation_html}
<h2>发现 Findings（{finding_total}）</h2>{findings_html}
<h2>清单 Lists</h2>{_table(["清单 list", "行政主体 authority", "源文件 file", "事项 powers", "引用 citations"], lists)}
{comparisons_html}
<h2>法律文件 Instruments</h2>{_table(["文件 instrument", "效力层级 level", "事项×依据 powers"], instrument_rows)}
<h2>承载权力最多的依据 Provisions ranked</h2>
<p>{analytics["components"]} 个连通分量 connected components；{analytics["related_pairs"]} 对事项共享依据 pairs of powers share a basis
(<a href="analytics/components.csv">components.csv</a>, <a href="analytics/related_powers.csv">related_powers.csv</a>)</p>
{_table(["依据 basis", "效力层级 level", "事项 powers"], ranked_rows)}
<h2>权力事项 Powers</h2>{powers_html}
"""
    page = _page("powerkg 权责清单知识图谱", body, "").replace('<p class="muted"><a href="index.html">首页 index</a> · ', '<p class="muted">', 1)
    (out / "index.html").write_text(page, encoding="utf-8")
    return out / "index.html"
