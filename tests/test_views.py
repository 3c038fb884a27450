"""Views and site: offline, escaped, and drawn by a real browser (Debian's headless Chromium,
network blocked) — including a list whose cells carry <script> and <img onerror> payloads."""
from __future__ import annotations

import copy
import csv
import io
import json
import os
import re
import struct
import subprocess
import urllib.parse

import networkx as nx
import pytest

from build_graph.analyze import components, power_graph, provisions_ranked, related_powers
from build_graph.build import build_graph, write_outputs
from build_graph.pages import write_pages, write_site
from build_graph.site_db import SiteDB
from build_graph.views import (CHROMIUM_FLAGS, article_page, authority_page, chromium, headless, instrument_page,
                               power_page)

SCRIPT_PAYLOAD = '<script>document.body.dataset.pwned="script"</script>'
IMG_PAYLOAD = '<img src=x onerror="document.body.dataset.pwned=\'img\'">'


@pytest.fixture(scope="module")
def site(tmp_path_factory, seed_lists):
    out = tmp_path_factory.mktemp("site")
    built = build_graph(copy.deepcopy(list(seed_lists.values())))
    write_outputs(built, out)
    return out, built


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory, seed_lists):
    lists = copy.deepcopy(list(seed_lists.values()))
    record = lists[0].records[0]
    record.power = "对用人单位不办理医疗保险登记的处罚" + SCRIPT_PAYLOAD
    record.basis_text = IMG_PAYLOAD + record.basis_text
    record.department = IMG_PAYLOAD
    out = tmp_path_factory.mktemp("hostile")
    built = build_graph(lists)
    write_outputs(built, out)
    return out, built, record


def site_db(built):
    """The site database of an in-memory build (as ``write_outputs`` fills it)."""
    db = SiteDB.from_graph(power_graph(built))
    for power_list in built.lists:
        db.add_list(power_list, built.basis_counts[power_list.list_id])
    return db


def html_files(out):
    return sorted(out.rglob("*.html"))


def test_analytics(site):
    out, built = site
    graph = power_graph(built)
    db = SiteDB.from_graph(graph)
    ranked = provisions_ranked(db)
    assert ranked == provisions_ranked(graph)  # the database ranks as the graph in memory does
    assert (ranked[0][0].label, ranked[0][1]) == ("河北省医疗保障基金监管办法", 9)  # cited whole by 9 powers
    top_article, degree = next((node, d) for node, d in ranked if node.kind == "provision")
    assert top_article.id.endswith("shehui-baoxian-fa/art_58") and degree == 5
    assert components(db) == sorted((set(c) for c in nx.connected_components(graph)), key=lambda c: (-len(c), min(c)))
    assert sum(len(c) for c in components(db)) == graph.number_of_nodes()
    assert any(w >= 2 for _, _, w in related_powers(db))
    assert (out / "analytics" / "provisions_ranked.csv").read_text(encoding="utf-8").splitlines()[1].startswith("河北省医疗保障基金监管办法")


def test_every_page_is_offline(site):
    out, _ = site
    files = html_files(out)
    assert len(files) > 50
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"<(script|link|img)[^>]+(src|href)=[\"']?https?://", text), path
        assert "cdn" not in text.lower(), path


def test_payloads_are_escaped_in_every_file(hostile_site):
    out, _, _ = hostile_site
    for path in html_files(out):
        text = path.read_text(encoding="utf-8")
        assert SCRIPT_PAYLOAD not in text and IMG_PAYLOAD not in text, path
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;document.body.dataset.pwned" in index and "&lt;img src=x onerror" in index


browser = pytest.mark.skipif(chromium() is None, reason="Debian's chromium is not installed")


def headless_url(url, profile):
    """The DOM of a page at ``url`` (a file URL with a query string) after load, in a 1400×1000 window."""
    command = [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=8000",
               "--window-size=1400,1000", "--dump-dom", url]
    return subprocess.run(command, capture_output=True, text=True, timeout=90).stdout


def drawn(out, page, profile, attempts=4):
    """The <body> data attributes and DOM after load; more tries if the page had not drawn yet
    (a loaded machine can run out of Chromium's virtual-time budget)."""
    for _ in range(attempts):
        dom = headless(page, "--dump-dom", "--window-size=1400,1000", profile=profile)
        body = re.search(r"<body([^>]*)>", dom)
        assert body, dom[:500]
        attributes = dict(re.findall(r'data-(\w+)="([^"]*)"', body.group(1)))
        if attributes.get("drawn", "1") != "0" and attributes.get("settled", "1") != "0":
            break
    return attributes, dom


def view_data(page):
    """The graph data a view page draws (its JSON script)."""
    text = page.read_text(encoding="utf-8")
    return json.loads(re.search(r'<script type="application/json" id="graph-data">(.*?)</script>', text, re.S).group(1))


@browser
def test_views_render_offline_in_chromium(site, tmp_path):
    out, built = site
    graph = power_graph(built)
    pingshan = built.lists[0]
    first_power = next(n for n in sorted(graph) if graph.nodes[n]["data"].kind == "power")
    law = "https://w3id.org/powerkg/id/instrument/shehui-baoxian-fa"
    law_basis = [n for n in graph if n == law or n.startswith(law + "/")]  # the law and its cited articles
    cited_whole = {n for n in graph if graph.nodes[n]["data"].kind == "instrument"}
    instruments_drawn = {graph.nodes[n]["data"].instrument for n in graph if graph.nodes[n]["data"].kind == "provision"}
    expected = {
        # every node of the graph, and a box for each instrument whose provisions are drawn
        "overview.html": graph.number_of_nodes() + len(instruments_drawn - cited_whole),
        authority_page(pingshan.authority): None,
        instrument_page(law): len(law_basis) + len({p for n in law_basis for p in graph.neighbors(n)}) + 1,
        power_page(first_power): None,
    }
    for page, count in expected.items():
        attributes, _ = drawn(out, out / "views" / page, tmp_path / "profile")
        assert attributes["errors"] == "0" and attributes["resources"] == "0", (page, attributes)
        assert attributes["settled"] == "1", (page, attributes)  # physics stabilised, then frozen
        assert int(attributes["drawn"]) > 0
        if count is not None:
            assert int(attributes["drawn"]) == count, (page, attributes, count)
    overview, _ = drawn(out, out / "views" / "overview.html", tmp_path / "profile")
    # labels drawn at ≥ 11 px inside the 1400×1000 window at the default zoom (distinct texts)
    assert int(overview["labels"]) >= 40, overview
    law_view, _ = drawn(out, out / "views" / instrument_page(law), tmp_path / "profile")
    assert int(law_view["labels"]) >= 0.8 * int(law_view["drawn"]), law_view
    _, index = drawn(out, out / "index.html", tmp_path / "profile")
    assert index.count("<tr>") >= 45 and "views/overview.html" in index and "Provisions ranked" in index
    for name in ("overview.png", "article.png", "validation.png"):  # screenshots at 1400×1000
        png = (out / name).read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24]) == (1400, 1000), name
        assert len(png) > 30_000, name


def test_labels_are_short_chinese_and_colours_pass_wcag_aa(site):
    from build_graph.views import contrast

    out, _ = site
    overview = view_data(out / "views" / "overview.html")
    by_id = {n["id"]: n for n in overview["nodes"]}
    article = by_id["https://w3id.org/powerkg/id/instrument/shehui-baoxian-fa/art_84"]
    assert article["short"] == "第八十四条" and article["full"] == "社会保险法 第八十四条"
    assert article["text"].startswith("用人单位不办理社会保险登记的")  # the official text, in the side panel
    assert by_id["https://w3id.org/powerkg/id/instrument/shehui-baoxian-fa"]["short"] == "社会保险法"
    powers = [n for n in overview["nodes"] if n["kind"] == "power"]
    assert all(len(n["short"]) <= 14 for n in powers) and any(n["short"] == "单位参保" for n in powers)
    assert any("骗取医保待遇" in n["short"] for n in powers) and any("医保基金支出" in n["short"] for n in powers)
    assert all(n["text"] for n in powers)  # the item's quoted basis, in the side panel
    for page in sorted((out / "views").glob("*.html")):
        for node in view_data(page)["nodes"]:
            if node["shape"] == "box":  # the label is drawn inside the box
                assert contrast(node["font"], node["color"]) >= 4.5, (page.name, node["full"])
            else:  # the label is drawn beside the node, on the white page
                assert contrast(node["font"], "#ffffff") >= 4.5, (page.name, node["full"])
            assert contrast(node["color"], "#ffffff") >= 3, (page.name, node["full"])  # the node itself


def test_a_power_view_shows_its_provisions_their_instruments_and_the_powers_sharing_them(site):
    out, built = site
    graph = power_graph(built)
    power = next(n for n in graph if graph.nodes[n]["data"].label == "对用人单位不办理医疗保险登记的处罚")
    data = view_data(out / "views" / power_page(power))
    names = {n["full"] for n in data["nodes"]}
    assert {"社会保险法 第八十四条", "社会保险法", "对用人单位不办理医疗保险登记"} <= names  # 元氏's penalty too
    assert data["focus"] == power


@browser
def test_article_page_lists_the_powers_resting_on_it(site, tmp_path):
    out, _ = site
    page = out / "pages" / article_page("https://w3id.org/powerkg/id/instrument/shehui-baoxian-fa/art_84")
    _, dom = drawn(out, page, tmp_path / "profile")
    assert re.search(r"<title>社会保险法 第八十四条</title>", dom)
    rows = re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td><td>(\d+)</td><td><a [^>]*>([^<]*)</a></td><td>([^<]*)</td>", dom)
    assert sorted(rows) == [("元氏县医疗保障局", "yuanshi-ybj", "1", "对用人单位不办理医疗保险登记", "行政处罚"),
                            ("平山县医疗保障局", "pingshan-ybj", "1", "对用人单位不办理医疗保险登记的处罚", "行政处罚")]
    assert "对用人单位处应缴社会保险费数额一倍以上三倍以下的罚款" in dom  # the official text


@browser
@pytest.mark.parametrize("query", ["社保法84", "第八十四条", "社会保险法 第84条"])
def test_search_finds_an_article(site, tmp_path, query):
    out, _ = site
    url = (out / "index.html").resolve().as_uri() + "?q=" + urllib.parse.quote(query)
    dom = headless_url(url, tmp_path / "profile")
    results = re.findall(r'<li><span class="kind">([^<]*)</span><a href="([^"]*)">([^<]*)</a>', dom)
    assert ("条文 article", "pages/" + article_page("https://w3id.org/powerkg/id/instrument/shehui-baoxian-fa/art_84"),
            "社会保险法 第八十四条") in results, results
    assert all(kind == "条文 article" and "八十四条" in label for kind, _, label in results), results


@browser
def test_search_finds_powers_and_nothing_for_a_missing_article(site, tmp_path):
    out, _ = site
    base = (out / "index.html").resolve().as_uri() + "?q="
    dom = headless_url(base + urllib.parse.quote("骗取医保待遇"), tmp_path / "profile")
    assert len(re.findall(r"对以欺诈、伪造证明材料或者其他手段骗取医保待遇", dom)) >= 2  # both counties' items
    dom = headless_url(base + urllib.parse.quote("社保法999"), tmp_path / "profile")
    assert 'data-search-results="0"' in dom


def test_findings_and_validation_use_the_lists_item_numbers(site):
    from build_graph.site_db import item_of_line

    out, built = site
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.index("Findings") < index.index("Lists") < index.index("Powers")  # findings near the top
    assert "总表与明细的事项名称不同" in index and "item name differs between summary and detail" in index
    pingshan = built.lists[0]
    items = item_of_line(pingshan)
    finding = next(f for f in pingshan.findings if f.code == "name-mismatch")
    # the row numbered 9 within its category is the list's item 23: findings say 23 like every report
    assert items[finding.line] == 23 and finding.message.startswith("item 23 (numbered 9 in its row)")
    assert re.search(r"<td>pingshan-ybj</td><td>第23项</td><td>119</td>", index)
    rows = list(csv.DictReader(io.StringIO((out / "validation.csv").read_text(encoding="utf-8"))))
    for row in rows:  # a row has one number everywhere: the validation report's equals the findings'
        if row["list"] == pingshan.list_id and row["line"] and int(row["line"]) in items and row["item_no"]:
            assert int(row["item_no"]) == items[int(row["line"])], row


@browser
def test_payloads_do_not_execute_in_chromium(hostile_site, tmp_path):
    out, built, record = hostile_site
    from build_graph import iris
    pages = [out / "index.html", out / "validation.html", out / "views" / "overview.html",
             out / "views" / power_page(iris.power(record.authority, record.identity)),
             out / "views" / authority_page(record.authority)]
    for page in pages:
        attributes, dom = drawn(out, page, tmp_path / "profile")
        assert "pwned" not in attributes, page
        assert attributes.get("errors", "0") == "0", (page, attributes)


def test_related_powers_are_the_projection_cut_to_top_k(site):
    import networkx as nx

    _, built = site
    graph = power_graph(built)
    powers = [n for n in graph if graph.nodes[n]["data"].kind == "power"]
    full = sorted((a, b, d["weight"]) for a, b, d in nx.bipartite.weighted_projected_graph(graph, powers).edges(data=True))
    full = sorted((min(a, b), max(a, b), w) for a, b, w in full)
    db = SiteDB.from_graph(graph)
    assert related_powers(db, top_k=10**6, degree_cap=10**6) == full
    assert related_powers(db, degree_cap=1) == []
    one = related_powers(db, top_k=1)
    assert len(one) <= len(powers) and set(one) <= set(full)


def test_large_corpora_get_a_bounded_overview_and_no_page_per_power(site, tmp_path, monkeypatch):
    import re

    from build_graph import views

    _, built = site
    db = site_db(built)
    small = views.overview_graph(db, 60)
    assert small.number_of_nodes() <= 60 and any(small.nodes[n]["data"].kind == "power" for n in small)
    top, degree = provisions_ranked(db)[0]
    tiny = views.overview_graph(db, 5)  # even the most-cited provision's powers do not fit: a sample of them
    assert degree > 4 and top.id in tiny and tiny.number_of_nodes() == 5 and tiny.degree(top.id) == 4
    monkeypatch.setattr(views, "POWER_PAGES_MAX", 10)
    written = views.write_views(db, tmp_path)
    write_pages(db, tmp_path)
    write_site(db, tmp_path)
    assert written["power"] == [] and written["authority"]
    pages = sorted((tmp_path / "views").glob("*.html")) + sorted((tmp_path / "pages").glob("*.html")) + [tmp_path / "index.html"]
    for page in pages:  # every link and every node's url leads to a page that exists
        text = page.read_text(encoding="utf-8")
        folder = page.parent
        links = set(re.findall(r'href="([^"#]+\.html)"', text))
        urls = {url for node in (view_data(page)["nodes"] if folder.name == "views" else []) for _, url in node["links"]}
        for target in (links - {"../validation.html", "validation.html", "ontology/index.html"}) | urls:
            assert (folder / target).exists(), (page.name, target)


def test_large_reports_split_by_list_and_the_index_counts_findings(site, tmp_path, monkeypatch):
    """A report above REPORT_PAGE_MAX_RESULTS: validation.html is a table of lists linking a page
    per list holding exactly that list's results; above INDEX_MAX_FINDINGS the index counts
    findings per list and sends to findings.csv."""
    import re

    from build_graph import pages, validate
    from build_graph.validate import ValidationReport, load_shapes, validate_store, write_html_reports
    import pyoxigraph as ox

    out, built = site
    report = validate_store(ox.Store.read_only(str(out / "store")), load_shapes())
    monkeypatch.setattr(validate, "REPORT_PAGE_MAX_RESULTS", 10)
    write_html_reports(report, tmp_path)
    summary = (tmp_path / "validation.html").read_text(encoding="utf-8")
    linked = re.findall(r"href='(validation/[^']+\.html)'", summary)
    lists = sorted({r.list for r in report.results})
    assert sorted(linked) == sorted(validate.report_page_of(name) for name in lists) and len(lists) >= 2
    for name in lists:
        page = (tmp_path / validate.report_page_of(name)).read_text(encoding="utf-8")
        mine = [r for r in report.results if r.list == name]
        assert page == validate.as_html(ValidationReport(not any(r.severity == "Violation" for r in mine), mine, None),
                                        home="../index.html", title=f" · {name}")
        assert f"{sum(r.severity == 'Violation' for r in mine)}</td>" in summary
    monkeypatch.setattr(pages, "INDEX_MAX_FINDINGS", 5)
    write_site(site_db(built), tmp_path)
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    total = sum(len(pl.findings) for pl in built.lists)
    assert f"发现 Findings（{total}）" in index and "findings.csv" in index
    assert all(f"<td>{pl.list_id}</td>" in index for pl in built.lists if pl.findings)


def test_a_screenshot_that_times_out_is_skipped_not_fatal(tmp_path, monkeypatch):
    import subprocess

    from build_graph import views

    def slow(*args, **kwargs):
        raise subprocess.TimeoutExpired("chromium", 90)

    monkeypatch.setattr(views, "chromium", lambda: "/usr/bin/chromium")
    monkeypatch.setattr(views, "headless", slow)
    page = tmp_path / "p.html"
    page.write_text("<p>x</p>", encoding="utf-8")
    assert views.screenshot(page, tmp_path / "p.png", tmp_path) is False


def test_lists_with_chinese_ids_get_report_pages_of_their_own(site, tmp_path, monkeypatch):
    """List ids come from file names, often Chinese: two of them must not share (and overwrite)
    one report page or comparison page."""
    import dataclasses

    import pyoxigraph as ox

    from build_graph import iris, validate
    from build_graph.validate import ValidationReport, load_shapes, validate_store, write_html_reports

    out, _ = site
    report = validate_store(ox.Store.read_only(str(out / "store")), load_shapes())
    names = {"pingshan-ybj": "平山县医疗保障局权责清单", "yuanshi-ybj": "元氏县医疗保障局权责清单"}
    renamed = [dataclasses.replace(r, list=names.get(r.list, r.list)) for r in report.results]
    monkeypatch.setattr(validate, "REPORT_PAGE_MAX_RESULTS", 10)
    write_html_reports(ValidationReport(report.conforms, renamed, None), tmp_path)
    pages = {validate.report_page_of(name) for name in names.values()}
    assert len(pages) == 2 and all((tmp_path / page).exists() for page in pages)
    for name in names.values():
        assert f"· {name}</title>" in (tmp_path / validate.report_page_of(name)).read_text(encoding="utf-8")
    assert iris.file_slug("pingshan-ybj") == "pingshan-ybj"


@pytest.mark.parametrize("size", [1, 2])  # 1: the two rows of a power on two provisions are on two pages
def test_an_article_with_more_rows_than_a_page_continues_on_numbered_pages(tmp_path, monkeypatch, size):
    """build_graph/pages.py PAGE_ROWS: every row (a power on a provision of the article)
    on exactly one page, in order, each page linking the others, one search entry for the article."""
    import shutil
    import sqlite3

    from build_graph import pages
    from build_graph.article_index import INDEX_FILE
    from build_graph.corpus import bundled_lists
    from build_graph.stream import stream_build

    jobs = []
    for file, meta in bundled_lists():  # a power of pingshan's on two paragraphs of art. 58 as well
        copy = tmp_path / file.name
        shutil.copy(file, copy)
        if "pingshan" in file.name:
            text = copy.read_text(encoding="utf-8")
            assert "第五十八条 用人单位" in text
            copy.write_text(text.replace("第五十八条 用人单位", "第五十八条第一款、第二款 用人单位", 1), encoding="utf-8")
        jobs.append((copy, meta))
    monkeypatch.setattr(pages, "PAGE_ROWS", size)
    out = tmp_path / "out"
    stream_build(jobs, None, out, workers=1, cache=False)
    article = "https://w3id.org/powerkg/id/instrument/shehui-baoxian-fa/art_58"
    with sqlite3.connect(out / INDEX_FILE) as index:
        pairs = index.execute("SELECT power, provision FROM rows WHERE article = 58 AND instrument = ?",
                              (article.rsplit("/", 1)[0],)).fetchall()
        powers = len({power for power, _ in pairs})
    assert len(pairs) > powers  # some power rests on two provisions of the article
    count = -(-len(pairs) // size)
    files = [out / "pages" / article_page(article, n) for n in range(1, count + 1)]
    assert all(f.is_file() for f in files) and not (out / "pages" / article_page(article, count + 1)).exists()
    rows = [re.findall(r"<tr><td>[^<]*</td><td>([^<]*)</td><td>(\d+)</td><td><a [^>]*>([^<]*)</a></td><td>[^<]*</td>"
                       r"<td>([^<]*)</td>", f.read_text("utf-8")) for f in files]
    flat = [row for page in rows for row in page]
    assert [len(r) for r in rows] == [size] * (len(pairs) // size) + [len(pairs) % size] * (len(pairs) % size > 0)
    assert len(set(flat)) == len(flat) == len(pairs)
    assert flat == sorted(flat, key=lambda r: (r[0], int(r[1])))  # by list and item, page after page
    for number, file in enumerate(files, 1):
        text = file.read_text("utf-8")
        assert f"（{powers}）" in text and f"第 {number}/{count} 页" in text
        assert all(f'href="{article_page(article, other)}"' in text for other in range(1, count + 1) if other != number)
    search = (out / "pages" / "search-index.js").read_text("utf-8")
    assert search.count(article_page(article)) == 1 and article_page(article, 2) not in search


def test_an_instrument_cited_as_a_whole_by_more_powers_than_a_page_continues_on_numbered_pages(tmp_path, monkeypatch):
    """An instrument's page of powers citing it as a whole is paged like an article's: one row a
    page here, the cited articles and the search entry on the first page only."""
    from build_graph import pages
    from build_graph.corpus import bundled_lists
    from build_graph.stream import stream_build

    monkeypatch.setattr(pages, "PAGE_ROWS", 1)
    out = tmp_path / "out"
    stream_build(list(bundled_lists()), None, out, workers=1, cache=False)
    folder = out / "pages"
    counted = {}
    for first in folder.glob("instrument-*.html"):
        if "-p" not in first.stem.rsplit("-", 1)[-1]:
            found = re.search(r"Powers citing it as a whole（(\d+)）", first.read_text("utf-8"))
            counted[first] = int(found.group(1)) if found else 0
    first, total = max(counted.items(), key=lambda item: item[1])
    assert total >= 2
    files = [first] + [first.with_name(f"{first.stem}-p{n}.html") for n in range(2, total + 1)]
    assert all(f.is_file() for f in files) and not first.with_name(f"{first.stem}-p{total + 1}.html").exists()
    names = []
    for number, file in enumerate(files, 1):
        text = file.read_text("utf-8")
        rows = re.findall(r"<tr><td>[^<]*</td><td>([^<]*)</td><td>(\d+)</td><td><a [^>]*>([^<]*)</a>", text)
        assert len(rows) == 1 and f"第 {number}/{total} 页" in text and f"（{total}）" in text
        assert ("Cited articles" in text) == (number == 1)
        assert all(f'href="{f.name}"' in text for f in files if f != file)
        names += rows
    assert len(set(names)) == total and names == sorted(names, key=lambda r: (r[0], int(r[1])))
    search = (folder / "search-index.js").read_text("utf-8")
    assert search.count(f"pages/{first.name}") == 1 and f"{first.stem}-p2.html" not in search


def test_an_instrument_view_draws_its_first_powers_and_counts_them_all(site, tmp_path, monkeypatch):
    """views.INSTRUMENT_MAX_POWERS: the view of an instrument with more powers draws the first
    (by IRI) and says how many there are — counted in the database, as the graph has them."""
    from build_graph import views

    _, built = site
    graph = power_graph(built)
    monkeypatch.setattr(views, "INSTRUMENT_MAX_POWERS", 3)
    views.write_views(site_db(built), tmp_path)
    checked = 0
    for instrument, basis in site_db(built).basis_by_instrument():
        powers = sorted({p for b in basis for p in graph.neighbors(b)})
        text = (tmp_path / "views" / instrument_page(instrument)).read_text("utf-8")
        drawn = {p for p in powers if json.dumps(p) in text}
        if len(powers) > 3:
            assert f"（显示 3/{len(powers)} 个权力事项）" in text and drawn == set(powers[:3])
            checked += 1
        else:
            assert "显示" not in text and drawn == set(powers)
    assert checked >= 2


@browser
def test_a_large_view_starts_from_a_layout_made_at_build_time(site, tmp_path, monkeypatch):
    """From LAYOUT_MIN_NODES nodes (where vis-network's own layout would start from random places)
    a view carries a starting position for every node it draws, the same in every build, and the
    browser settles the drawing from there; below it, none."""
    from build_graph import views

    _, built = site
    db = site_db(built)
    nodes = int(views.write_views(db, tmp_path / "default")["overview"][0].nodes)
    assert "positions" not in view_data(tmp_path / "default" / "views" / "overview.html")
    monkeypatch.setattr(views, "LAYOUT_MIN_NODES", nodes)  # the bundled overview is the smallest laid out
    for build in ("a", "b"):
        views.write_views(db, tmp_path / build)
    page = tmp_path / "a" / "views" / "overview.html"
    assert page.read_bytes() == (tmp_path / "b" / "views" / "overview.html").read_bytes()
    data = view_data(page)
    positions = data["positions"]
    assert set(positions) == {node["id"] for node in data["nodes"]} and len(positions) == nodes
    span = views.LAYOUT_SPACING * nodes ** 0.5
    assert all(isinstance(c, int) and abs(c) <= span + 1 for xy in positions.values() for c in xy)
    assert len({tuple(xy) for xy in positions.values()}) > 0.9 * nodes  # spread out, not piled up
    attributes, _ = drawn(tmp_path / "a", page, tmp_path / "profile")  # (no site.css here: not counted as an error)
    assert attributes["settled"] == "1", attributes
    assert attributes["placed"] == attributes["drawn"] == str(nodes), attributes
    assert float(attributes["kept"]) > 0.8, attributes  # relaxed from there, not laid out anew
    assert int(attributes["labels"]) >= 40, attributes
    unplaced, _ = drawn(tmp_path / "default", tmp_path / "default" / "views" / "overview.html", tmp_path / "profile")
    assert unplaced["placed"] == "0" and unplaced["drawn"] == str(nodes), unplaced


@browser
def test_one_browser_shoots_several_pages_at_once(site, tmp_path):
    """The build's screenshots are pages of one Chromium (build_graph.browser), taken from several
    threads at once: each PNG is its own page at 1400×1000, and the browser is gone after close."""
    from concurrent.futures import ThreadPoolExecutor

    from build_graph.browser import Browser

    out, _ = site
    pages = [out / "views" / "overview.html", out / "validation.html", out / "index.html"]
    pngs = [tmp_path / f"{n}.png" for n in range(len(pages))]
    with Browser(tmp_path / "profile") as chromium_browser, ThreadPoolExecutor(3) as pool:
        list(pool.map(chromium_browser.screenshot, pages, pngs))
        pid = chromium_browser.pid
    shots = [png.read_bytes() for png in pngs]
    for png in shots:
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24]) == (1400, 1000)
        assert len(png) > 30_000
    assert len(set(shots)) == 3 and not list(tmp_path.glob(".*.partial"))
    with pytest.raises(ChildProcessError):  # reaped
        os.waitpid(pid, os.WNOHANG)


def test_a_browser_that_exits_fails_its_calls_and_the_build_shoots_without_it(tmp_path, monkeypatch):
    from build_graph import browser as browser_module
    from build_graph import build as build_module

    monkeypatch.setattr(browser_module, "chromium", lambda: "/bin/true")  # exits at once
    dead = browser_module.Browser(tmp_path / "profile", timeout=20)
    with pytest.raises(browser_module.BrowserError):
        dead.screenshot(tmp_path / "p.html", tmp_path / "p.png")
    dead.close()
    taken = []

    def own_browser(page, png, profile):  # the fallback: a Chromium of the page's own
        taken.append(page.name)
        png.write_bytes(b"PNG")
        return True

    monkeypatch.setattr(build_module, "chromium", lambda: "/bin/true")
    monkeypatch.setattr(build_module, "screenshot", own_browser)
    page = tmp_path / "views" / "overview.html"
    page.parent.mkdir()
    page.write_text("<p>x</p>", encoding="utf-8")
    shots = build_module.Screenshots(tmp_path)
    shots.page_written(page)
    shots._started["overview.png"].result()
    assert taken == ["overview.html"] and (tmp_path / "overview.png").read_bytes() == b"PNG"


def test_the_article_screenshot_starts_as_soon_as_its_page_is_written(site, tmp_path, monkeypatch):
    """write_pages reports each page it writes; the screenshots start article.png on the most-cited
    article's page then (not after every page), and no other page is shot."""
    from build_graph import build as build_module

    _, built = site
    db = site_db(built)
    shots = build_module.Screenshots(tmp_path, db)
    top = next(node for node, _ in provisions_ranked(db) if node.kind == "provision")
    assert shots.pages["article.png"] == tmp_path / "pages" / article_page(top.article)
    started_with = []  # pages written when the screenshot was started
    take = shots.take

    def counted_take(page, png_name):
        started_with.append(sum(1 for _ in (tmp_path / "pages").glob("*.html")))
        take(page, png_name)

    monkeypatch.setattr(shots, "take", counted_take)
    monkeypatch.setattr(shots, "_shoot", lambda page, png: png.write_bytes(b"PNG") > 0)
    counts = write_pages(db, tmp_path, page_written=shots.page_written)
    shots._started["article.png"].result()
    assert list(shots._started) == ["article.png"] and (tmp_path / "article.png").read_bytes() == b"PNG"
    assert len(started_with) == 1 and started_with[0] < sum(counts.values())  # before the last page
