"""Each library query on the bundled graph, with its expected answer, through `powerkg query`."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from build_graph.queries import library


@pytest.fixture(scope="module")
def out(bundled_build):
    return bundled_build


def query(out, name, *params, fmt="json"):
    args = [sys.executable, "-m", "build_graph.cli", "query", name, "-o", str(out), "--format", fmt]
    for p in params:
        args += [p] if p.startswith("--") else ["--param", p]
    result = subprocess.run(args, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout) if fmt == "json" else result.stdout


def test_library_is_documented():
    queries = library()
    assert len(queries) >= 12
    for q in queries.values():
        assert q.title and q.question_zh and q.question_en and q.example.startswith(f"powerkg query {q.name}")
        for p in q.params:
            assert f"--param {p.name}=" in q.example


def test_powers_on_article_84_are_the_two_registration_penalties(out):
    for instrument in ("社会保险法", "中华人民共和国社会保险法"):
        for article in ("84", "第八十四条"):
            rows = query(out, "powers-by-article", f"instrument={instrument}", f"article={article}")
            assert [(r["list"], r["name"], r["authority"]) for r in rows] == [
                ("pingshan-ybj", "对用人单位不办理医疗保险登记的处罚", "平山县医疗保障局"),
                ("yuanshi-ybj", "对用人单位不办理医疗保险登记", "元氏县医疗保障局")]


def test_article_58_one_row_per_power_with_subitem_and_authority(out):
    rows = query(out, "powers-by-article", "instrument=社会保险法", "article=58")
    assert len(rows) == len({r["power"] for r in rows}) == 5
    assert {(r["list"], r["subitem"]) for r in rows} == {
        ("pingshan-ybj", "单位参保"), ("pingshan-ybj", "职工参保"), ("pingshan-ybj", "职工参保信息变更登记"),
        ("yuanshi-ybj", None)} and all(r["authority"] for r in rows)


@pytest.mark.parametrize("number", ["石政规〔2019〕7号", "石政规(2019)7号", "石政规（2019）7号"])
def test_powers_by_instrument_number(out, number):
    rows = query(out, "powers-by-instrument", f"instrument={number}")
    assert len(rows) == 7 and sum(r["list"] == "yuanshi-ybj" for r in rows) == 1


def test_other_library_queries(out):
    rows = query(out, "provisions-of-power", "power=不办理医疗保险登记")
    assert {r["provision"] for r in rows} == {"中华人民共和国社会保险法第八十四条"} and rows[0]["text"].startswith("用人单位")
    ranked = query(out, "provisions-ranked")
    assert ranked[0]["provision"] == "中华人民共和国社会保险法第五十八条" and ranked[0]["powers"] == 5
    inspections = query(out, "powers-by-type", "type=行政监督")
    assert len(inspections) == 9  # 平山 5 + 元氏 4 (行政监督 read as 行政检查)
    assert query(out, "penalties-on-normative-documents-only") == []
    assert len(query(out, "whole-document-only")) == 13
    levels = query(out, "instruments-by-level")
    assert levels[0]["level"] == "法律" and {"未知", "规范性文件"} <= {r["level"] for r in levels}
    absent = query(out, "powers-absent-from", "authority=平山县医疗保障局", "other=元氏县医疗保障局")
    names = {r["name"] for r in absent}
    assert "商业保险公司承办部分医保业务" not in names  # both lists have it under the same name
    assert "对用人单位不办理医疗保险登记的处罚" in names and len(names) == 22  # compared by name, 的处罚 differs
    differing = query(out, "instruments-cited-differently")
    assert {r["instrument"] for r in differing} >= {"中华人民共和国社会保险法"}
    workload = query(out, "department-workload")
    assert (workload[0]["authority"], workload[0]["department"], workload[0]["powers"]) == ("元氏县医疗保障局", "基金监管", 4)
    assert sum(r["powers"] for r in workload) == 25 + 4  # every 平山 row and the four 元氏 rows that name a department
    unresolved = query(out, "unresolved-citations")
    assert len(unresolved) == 1 and all(r["reason"] for r in unresolved)
    quoted = query(out, "quoted-references")
    assert {r["to"] for r in quoted} >= {"河北省基本医疗保险服务监督管理办法第十条第二项"}


def test_live_runs_the_sparql_and_answers_the_same(out):
    """--live runs the query on the store where the build answered it (answers.sqlite): the same
    rows, and the provisions of a GROUP_CONCAT cell in article order either way."""
    for name, *params in (("instruments-cited-differently",), ("powers-by-type", "type=行政检查"),
                          ("department-workload",)):
        assert query(out, name, *params) == query(out, name, *params, "--live")
    cells = [r["provisions"] for r in query(out, "instruments-cited-differently")
             if r["instrument"] == "中华人民共和国社会保险法"]
    assert cells and all("第七十九条、中华人民共和国社会保险法第八十四条" in c for c in cells)  # not code-point order


def test_table_and_csv_formats(out):
    table = query(out, "powers-by-article", "instrument=社会保险法", "article=84", fmt="table")
    assert "(2 rows)" in table
    csv_text = query(out, "powers-by-article", "instrument=社会保险法", "article=84", fmt="csv")
    assert csv_text.splitlines()[0] == "power,name,subitem,type,authority,list,provision"


def test_unknown_names_get_suggestions(out):
    run = lambda *a: subprocess.run([sys.executable, "-m", "build_graph.cli", "query", *a, "-o", str(out)],
                                    capture_output=True, text=True)
    bad = run("powers-by-article", "--param", "instrument=社保法", "--param", "article=84")
    assert bad.returncode == 2 and "did you mean 社会保险法" in bad.stderr
    assert "did you mean powers-by-article" in run("powers-by-artcle").stderr
    assert "needs --param" in run("powers-by-article").stderr
    assert "元氏县医疗保障局" in run("powers-absent-from", "--param", "authority=元氏县医保局",
                                     "--param", "other=平山县医疗保障局").stderr
    listing = run("--list").stdout
    assert all(name in listing for name in library())


def test_an_instrument_parameter_names_a_law_of_the_archive_as_a_citation_does():
    """A law known only from the bundled archive (not the curated registry) binds a query's
    instrument parameter by its full title, short title or 《》 form — to the IRI a list's
    citation of it gets; an unknown name is still an error."""
    from build_graph.citations.resolve import cite_text
    from build_graph.queries import QueryError, instrument_id
    from build_graph.registry import load_registry, title_key

    registry = load_registry()
    assert title_key("中华人民共和国道路运输条例") not in registry.by_title  # not curated
    cited = cite_text("依据《中华人民共和国道路运输条例》第六十三条", registry)[0].instrument.id
    for name in ("中华人民共和国道路运输条例", "道路运输条例", "《道路运输条例》"):
        assert instrument_id(name, registry) == cited, name
    with pytest.raises(QueryError):
        instrument_id("不存在的条例", registry)
