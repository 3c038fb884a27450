"""Comparing two lists item by item: the bundled lists against a hand alignment, and variants
of them (renamed, removed and split items); the CLI's formats, the graph and the site."""
from __future__ import annotations

import copy
import csv
import io
import json
import re
import subprocess
import sys

import pytest

from build_graph.analyze import power_graph
from build_graph.build import build_graph
from build_graph.site_db import SiteDB
from build_graph.compare import align, authority_kind, entries_of, normal_name
from build_graph.queries import bind, library, run
from build_graph.registry import load_registry

# An alignment made by reading both lists (平山 item, 元氏 item), independent of the scoring: the
# same administrative power under the two counties' wording.
HAND = {(1, 1), (2, 2), (3, 3), (4, 4), (5, 6), (6, 17), (7, 12), (8, 13), (9, 11), (10, 10), (19, 8), (21, 9),
        (22, 19), (23, 15), (24, 20), (25, 14)}


def comparison_of(lists):
    db = SiteDB.from_graph(power_graph(build_graph(lists)))
    return align(entries_of(db, lists[0].list_id), entries_of(db, lists[1].list_id))


def item_pairs(comparison):
    return {(p.a.item_no, p.b.item_no) for p in comparison.pairs}


@pytest.fixture(scope="module")
def bundled(pingshan, yuanshi):
    return comparison_of([copy.deepcopy(pingshan), copy.deepcopy(yuanshi)])


def test_bundled_lists_against_the_hand_alignment(bundled):
    found = item_pairs(bundled)
    precision = len(found & HAND) / len(found)
    recall = len(found & HAND) / len(HAND)
    assert precision >= 0.9 and recall >= 0.9, (sorted(found - HAND), sorted(HAND - found))
    certain = {(p.a.item_no, p.b.item_no) for p in bundled.pairs if not p.uncertain}
    assert certain <= HAND and {(1, 1), (9, 11), (25, 14), (23, 15)} <= certain
    # what neither holds a counterpart for
    assert {11, 12, 13, 14, 15, 16, 17, 18, 20} <= {e.item_no for e in bundled.only_in_a}
    assert {7, 16, 18} <= {e.item_no for e in bundled.only_in_b}


def test_a_pair_reports_the_provisions_both_and_one_cite(bundled):
    penalty = next(p.as_dict() for p in bundled.pairs if (p.a.item_no, p.b.item_no) == (1, 1))
    assert penalty["shared_provisions"] == ["社会保险法 第八十四条"] and not penalty["only_a_provisions"]
    payment = next(p.as_dict() for p in bundled.pairs if (p.a.item_no, p.b.item_no) == (5, 6))
    assert payment["uncertain"] and "社会保险法 第二十八条" in payment["only_b_provisions"]


def test_names_are_read_alike():
    assert normal_name("对用人单位不办理医疗保险登记的处罚") == normal_name("对用人单位不办理医保登记")
    assert normal_name("市本级医疗保险稽核") == normal_name("县本级医疗保障稽核")
    assert normal_name("基本医疗保险参保和变更登记（主项）—单位参保（子项）") == "基本医保参保和变更登记单位参保"
    assert authority_kind("平山县医疗保障局") == authority_kind("北京市朝阳区医疗保障局") == "医疗保障局"
    assert authority_kind("元氏县市场监督管理局") == "市场监督管理局"


def test_the_letters_two_names_share_are_their_multiset_intersection(pingshan, yuanshi):
    """The scorer's bound on difflib's ratio counts shared letters with repeats, without building
    the intersection: the same count, for every pair of the bundled lists' names."""
    from collections import Counter

    from build_graph.compare import _common

    names = [normal_name(r.power) for r in pingshan.records + yuanshi.records]
    for x in names:
        for y in names:
            assert _common(Counter(x), Counter(y)) == sum((Counter(x) & Counter(y)).values())


def test_renamed_items_still_pair(pingshan, yuanshi):
    b = copy.deepcopy(yuanshi)
    renamed = {1: "对用人单位未依法办理医保登记的行政处罚", 13: "对定点医药机构违反社会保险法律法规行为的监督检查",
               15: "公立医疗机构医疗服务项目政府指导价格的制定与调整"}
    for record in b.records:
        if record.item_no in renamed:
            record.power = record.main_item = renamed[record.item_no]
    found = item_pairs(comparison_of([copy.deepcopy(pingshan), b]))
    assert {(1, 1), (8, 13), (23, 15)} <= found
    assert len(found & HAND) / len(found) >= 0.9


def test_removed_items_are_left_over_and_nothing_else_moves(pingshan, yuanshi, bundled):
    b = copy.deepcopy(yuanshi)
    b.records = [r for r in b.records if r.item_no not in (2, 12)]
    comparison = comparison_of([copy.deepcopy(pingshan), b])
    assert item_pairs(comparison) == item_pairs(bundled) - {(2, 2), (7, 12)}
    assert {2, 7} <= {e.item_no for e in comparison.only_in_a}


def test_split_sub_items_align_to_the_main_item(pingshan, yuanshi):
    """元氏 holds 商业保险公司承办部分医保业务 as one item; a variant of 平山 splits its item 24
    into two sub-items: both align to it, one by the assignment, the other through its main item."""
    a = copy.deepcopy(pingshan)
    index = next(i for i, r in enumerate(a.records) if r.item_no == 24)
    first = a.records[index]
    second = copy.deepcopy(first)
    main = "商业保险公司承办部分医保业务"
    for record, sub, number in ((first, "承办城乡居民大病保险", 24), (second, "承办职工长期护理保险", 26)):
        record.main_item, record.subitems, record.item_no = main, [sub], number
        record.power = record.identity = f"{main}（主项）—{sub}（子项）"
    a.records.insert(index + 1, second)
    comparison = comparison_of([a, copy.deepcopy(yuanshi)])
    to_twenty = [p for p in comparison.pairs if p.b.item_no == 20]
    assert sorted(p.a.item_no for p in to_twenty) == [24, 26]
    assert sum(p.via_main_item for p in to_twenty) == 1
    assert 26 not in {e.item_no for e in comparison.only_in_a}


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "build_graph.cli", *args], capture_output=True, text=True, timeout=300)


def test_cli_formats(tmp_path):
    result = run_cli("compare")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) >= {"pairs", "only_in_a", "only_in_b"}
    pair = data["pairs"][0]
    assert set(pair) >= {"a", "b", "score", "shared_provisions", "only_a_provisions", "only_b_provisions"}
    assert set(pair["a"]) == {"list", "item_no", "power"}
    assert {(p["a"]["item_no"], p["b"]["item_no"]) for p in data["pairs"]} >= {(1, 1), (9, 11)}
    rows = list(csv.DictReader(io.StringIO(run_cli("compare", "--format", "csv").stdout)))
    assert len(rows) == len(data["pairs"]) + len(data["only_in_a"]) + len(data["only_in_b"])
    page = tmp_path / "compare.html"
    result = run_cli("compare", "--format", "html", "-o", str(page))
    assert result.returncode == 0 and page.exists()
    html = page.read_text(encoding="utf-8")
    assert "社会保险法 第八十四条" in html and "class='only'" in html and "<script" not in html
    assert run_cli("compare", "only-one-file.txt").returncode == 2


def test_graph_and_queries_use_the_alignment(bundled_build, bundled):
    import pyoxigraph as ox

    store = ox.Store.read_only(str(bundled_build / "store"))
    authorities = ["平山县医疗保障局", "元氏县医疗保障局"]
    values = {"authority": authorities[0], "other": authorities[1]}
    names, rows = run(store, bind(library()["powers-lacking-in"], values, load_registry(), authorities))
    assert sorted(int(r[names.index("item")].value) for r in rows) == sorted(e.item_no for e in bundled.only_in_a)
    names, rows = run(store, bind(library()["aligned-bases-differ"], values, load_registry(), authorities))
    expected = sum(len(p.as_dict()["only_a_provisions"]) + len(p.as_dict()["only_b_provisions"]) for p in bundled.pairs)
    assert len(rows) == expected > 0


def test_build_links_a_comparison_page(bundled_build):
    index = (bundled_build / "index.html").read_text(encoding="utf-8")
    link = re.search(r'href="(pages/compare-[^"]+\.html)"', index)
    assert link, "no comparison linked from the index"
    page = (bundled_build / link.group(1)).read_text(encoding="utf-8")
    assert "对用人单位不办理医疗保险登记的处罚" in page and "仅 yuanshi-ybj 引用" in page


@pytest.mark.skipif(__import__("shutil").which("chromium") is None, reason="Debian's chromium is not installed")
def test_html_comparison_opens_offline_in_chromium(tmp_path, bundled):
    from build_graph.pages import comparison_page
    from build_graph.views import headless

    page = tmp_path / "compare.html"
    page.write_text(comparison_page(bundled), encoding="utf-8")
    dom = headless(page, "--dump-dom", profile=tmp_path / "profile")
    matched = dom.split("Matched items", 1)[1].split("</table>", 1)[0]
    assert matched.count("<tr>") == len(bundled.pairs) + 1  # a row per pair under the header
    penalty = next(row for row in matched.split("<tr>") if "对用人单位不办理医疗保险登记的处罚" in row)
    assert '<li class="shared">社会保险法 第八十四条</li>' in penalty
    payment = next(row for row in matched.split("<tr>") if "生育保险待遇核准支付" in row)
    assert '<li class="only">社会保险法 第二十八条</li>' in payment


def test_the_alignment_does_not_depend_on_the_process(tmp_path):
    """Equal pairs (copies of one list, a name listed twice) are broken the same way in every
    process: the alignment graph of two builds under different hash seeds is byte-identical."""
    from build_graph.corpus import bundled_lists

    file, meta = next((f, m) for f, m in bundled_lists() if "pingshan" in m.list_id)
    text = file.read_text(encoding="utf-8")
    copies = []
    for county in ("甲县", "乙县", "丙县"):
        path = tmp_path / f"{county}.txt"
        path.write_text(text.replace(meta.authority, meta.authority.replace("平山县", county)), encoding="utf-8")
        copies.append(str(path))
    script = ("import sys, pyoxigraph as ox; from pathlib import Path; from build_graph.build import build_graph; "
              "from build_graph.corpus import unique_metas; from build_graph.readers import read_list; "
              "paths = [Path(p) for p in sys.argv[1:]]; "
              "built = build_graph([read_list(p, m, None) for p, m in zip(paths, unique_metas(paths))]); "
              "quads = sorted((q for q in built.quads if q.graph_name.value.endswith('/graph/alignment')), key=str); "
              "sys.stdout.write(str(len(quads)) + ' ' + ox.serialize(quads, format=ox.RdfFormat.N_QUADS).decode())")
    outputs = {subprocess.run([sys.executable, "-c", script, *copies], capture_output=True, text=True, check=True,
                              env={**__import__("os").environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2", "3", "4")}
    assert len(outputs) == 1
    count, nquads = outputs.pop().split(" ", 1)
    assert int(count) >= 3 * 25 * 6  # three pairs of lists, each item aligned: six quads an item
    partners: dict[str, set[str]] = {}
    for line in nquads.splitlines():
        subject, predicate, obj = line.split(" ")[:3]
        if predicate.endswith("#alignedPower>"):
            partners.setdefault(subject, set()).add(obj.rsplit("/", 1)[-1])
    assert len(partners) >= 3 * 25 and all(len(digests) == 1 for digests in partners.values()), \
        [d for d in partners.values() if len(d) > 1]  # each item with its own copy
