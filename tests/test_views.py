"""Views and site: offline, escaped, and drawn by a real browser (Debian's headless Chromium,
network blocked) — including a list whose cells carry <script> and <img onerror> payloads."""
from __future__ import annotations

import copy
import re

import pytest

from build_graph.analyze import components, power_graph, provisions_ranked, related_powers
from build_graph.build import build_graph, write_outputs
from build_graph.views import authority_page, chromium, headless, instrument_page, power_page

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


def html_files(out):
    return sorted(out.rglob("*.html"))


def test_analytics(site):
    out, built = site
    graph = power_graph(built)
    ranked = provisions_ranked(graph)
    assert (ranked[0][0].label, ranked[0][1]) == ("河北省医疗保障基金监管办法", 9)  # cited whole by 9 powers
    top_article, degree = next((node, d) for node, d in ranked if node.kind == "provision")
    assert top_article.id.endswith("shehui-baoxian-fa/art_58") and degree == 5
    assert sum(len(c) for c in components(graph)) == graph.number_of_nodes()
    assert any(w >= 2 for _, _, w in related_powers(graph))
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


def drawn(out, page, profile, attempts=4):
    """The <body> data attributes and DOM after load; more tries if the page had not drawn yet
    (a loaded machine can run out of Chromium's virtual-time budget)."""
    for _ in range(attempts):
        dom = headless(page, "--dump-dom", profile=profile)
        body = re.search(r"<body([^>]*)>", dom)
        assert body, dom[:500]
        attributes = dict(re.findall(r'data-(\w+)="([^"]*)"', body.group(1)))
        if attributes.get("drawn", "1") != "0":
            break
    return attributes, dom


@browser
def test_views_render_offline_in_chromium(site, tmp_path):
    out, built = site
    graph = power_graph(built)
    pingshan = built.lists[0]
    first_power = next(n for n in sorted(graph) if graph.nodes[n]["data"].kind == "power")
    law = "https://w3id.org/powerkg/id/instrument/shehui-baoxian-fa"
    law_basis = [n for n in graph if n == law or n.startswith(law + "/")]  # the law and its cited articles
    expected = {
        "overview.html": graph.number_of_nodes(),
        authority_page(pingshan.authority): None,
        instrument_page(law): len(law_basis) + len({p for n in law_basis for p in graph.neighbors(n)}),
        power_page(first_power): None,
    }
    for page, count in expected.items():
        attributes, _ = drawn(out, out / "views" / page, tmp_path / "profile")
        assert attributes["errors"] == "0" and attributes["resources"] == "0", (page, attributes)
        assert int(attributes["drawn"]) > 0
        if count is not None:
            assert int(attributes["drawn"]) == count, (page, attributes, count)
    _, index = drawn(out, out / "index.html", tmp_path / "profile")
    assert index.count("<tr>") >= 45 and "views/overview.html" in index and "Provisions ranked" in index
    assert (out / "overview.png").stat().st_size > 10_000


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
    assert related_powers(graph, top_k=10**6, degree_cap=10**6) == full
    assert related_powers(graph, degree_cap=1) == []
    one = related_powers(graph, top_k=1)
    assert len(one) <= len(powers) and set(one) <= set(full)


def test_large_corpora_get_a_bounded_overview_and_no_page_per_power(site, tmp_path, monkeypatch):
    import re

    from build_graph import views

    _, built = site
    graph = power_graph(built)
    small = views.overview_graph(graph, 60)
    assert small.number_of_nodes() <= 60 and any(graph.nodes[n]["data"].kind == "power" for n in small)
    monkeypatch.setattr(views, "POWER_PAGES_MAX", 10)
    written = views.write_views(built, graph, tmp_path)
    views.write_site(built, graph, tmp_path)
    assert written["power"] == [] and written["authority"]
    pages = sorted((tmp_path / "views").glob("*.html")) + [tmp_path / "index.html"]
    for page in pages:  # every link and every node's url leads to a page that exists
        text = page.read_text(encoding="utf-8")
        folder = page.parent
        links = {t for t in re.findall(r'href="([^"#]+\.html)"', text) if t.startswith("views/") or page.parent.name == "views"}
        for target in (links - {"../index.html"}) | set(re.findall(r'"url": "([^"]+)"', text)):
            assert (folder / target).exists(), (page.name, target)
