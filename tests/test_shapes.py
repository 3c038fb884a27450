"""Every SHACL shape fires on a variation of the real seeds built to break it, and not on the
seeds themselves where they are right; on each graph, pyshacl, the shapes compiled to SPARQL
(the build's engine) and pyrudof agree."""
from __future__ import annotations

import copy
import subprocess
import sys
import tempfile
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from build_graph.build import build_graph
from build_graph.graph_files import sorted_nquads
from build_graph.validate import data_graph, load_shapes, validate_store, validate_with_rudof
from build_graph.validate_by_list import validation_groups, validate_by_list
from build_graph.validate import validate as validate_with_pyshacl

PKG = rdflib.Namespace("https://w3id.org/powerkg/ontology#")
ELI = rdflib.Namespace("http://data.europa.eu/eli/ontology#")
M8G = rdflib.Namespace("http://data.europa.eu/m8g/")
ART_84 = rdflib.URIRef("https://w3id.org/powerkg/id/instrument/shehui-baoxian-fa/art_84")
SHAPES = load_shapes()


def validate(graph: rdflib.Graph, shapes: rdflib.Graph):
    """pyshacl's report on ``graph``, after checking the compiled engine gives the same results
    — on the whole graph and, for a built graph, list by list (each group its own batch)."""
    report = validate_with_pyshacl(graph, shapes)
    store = ox.Store()
    store.bulk_load(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    compiled = validate_store(store, shapes)
    assert compiled.results == report.results and compiled.conforms == report.conforms
    if BUILT and BUILT[0] is graph and shapes is SHAPES:
        _, nquads, lists = BUILT
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "graph.nq"
            path.write_bytes(nquads)
            by_list = validate_by_list(path, validation_groups(lists), batch_bytes=1)
        assert by_list.results == report.results and by_list.conforms == report.conforms
    return report


BUILT: list = []  # graph_of's last graph, its sorted N-Quads and its lists, for validate_by_list


def graph_of(lists) -> rdflib.Graph:
    built = build_graph(lists)
    graph = data_graph(ox.serialize(built.quads, format=ox.RdfFormat.N_QUADS))
    BUILT[:] = [graph, sorted_nquads(built.quads), built.lists]
    return graph


@pytest.fixture(scope="module")
def seeds(seed_lists):
    return seed_lists


@pytest.fixture(scope="module")
def baseline(seeds):
    graph = graph_of(copy.deepcopy(list(seeds.values())))
    return graph, validate(graph, SHAPES)


def fired(report, shape, list_id=None, item_no=None):
    return [r for r in report.results if r.shape == shape and (list_id is None or r.list == list_id)
            and (item_no is None or r.item_no == item_no)]


def variant(seeds, change):
    lists = copy.deepcopy(list(seeds.values()))
    by_id = {pl.list_id: pl for pl in lists}
    change(by_id["pingshan-ybj"], by_id["yuanshi-ybj"])
    return lists


def agree(graph, report):
    conforms, counts = validate_with_rudof(graph, SHAPES)
    assert conforms == report.conforms
    assert counts == report.counts_by_shape()


def test_bundled_report_names_the_real_defects_and_nothing_false(baseline):
    graph, report = baseline
    assert {r.item_no for r in fired(report, "PowerHasDepartment")} == set(range(5, 21))
    assert all(r.list == "yuanshi-ybj" for r in fired(report, "PowerHasDepartment"))
    assert {r.item_no for r in fired(report, "TypeLabelMatches")} == {10, 11, 12, 13}
    whole_only = {(r.list, r.item_no) for r in fired(report, "PowerCitesAProvision")}
    assert ("pingshan-ybj", 6) in whole_only and ("yuanshi-ybj", 15) in whole_only
    assert ("pingshan-ybj", 1) not in whole_only
    for shape in ("PowerHasType", "PowerHasAuthority", "PowerHasName", "PowerHasBasis", "PowerHasResponsibilities",
                  "PowerHasAccountability", "MainItemHasSubItems", "PenaltyRestsOnLawOrRule",
                  "CoercionRestsOnLawOrRegulation", "ProvisionOfOneInstrument", "InstrumentNumberWellFormed",
                  "CitationPointsAtInstrument", "DeclaredCountMatches", "SummaryEntryHasDetail", "DetailHasSummaryEntry"):
        assert fired(report, shape) == [], shape
    assert not fired(report, "NumberMatches", "pingshan-ybj") and fired(report, "NumberMatches", "yuanshi-ybj")
    assert [r.item_no for r in fired(report, "NameMatches")] == [23, 23]
    assert {r.item for r in fired(report, "InstrumentHasLevel")} == {"河北省城市公立医院医疗服务价格手册"}
    # issue 14's legal review of the two lists: the cut quote of 第七十九条, the repealed
    # registration rules, the mis-cited 稽核办法 order number
    def where(shape):
        return {(r.list, r.item_no) for r in fired(report, shape)}
    assert where("Misquote") == {("yuanshi-ybj", 4)}
    assert "删去" in fired(report, "Misquote")[0].value and "封存" not in fired(report, "Misquote")[0].value.split("删去")[0]
    assert where("RepealedInstrument") == {("pingshan-ybj", 12), ("yuanshi-ybj", 7)}
    assert all("人力资源和社会保障部令第39号" in r.value for r in fired(report, "RepealedInstrument"))
    assert {("pingshan-ybj", 9), ("yuanshi-ybj", 11)} <= where("CitationDetails")
    assert any("劳动部令第16号" in r.value for r in fired(report, "CitationDetails"))
    for shape in ("PenaltyBeyondLevel", "CoercionBeyondLevel", "BasisWithoutSanction", "UnknownLevelNoCredit",
                  "LevelTagMismatch", "OutdatedVersion", "NoSuchProvision"):
        assert fired(report, shape) == [], shape
    assert report.violations == 19  # 16 missing 承办科室 + 1 misquote + 2 repealed bases
    agree(graph, report)


def _set(attr, value, list_name="p", index=0):
    def change(pingshan, yuanshi):
        setattr((pingshan if list_name == "p" else yuanshi).records[index], attr, value)
    return change


RECORD_MUTATIONS = [
    ("PowerHasType", _set("power_type", None)),
    ("PowerHasBasis", _set("basis_text", "")),
    ("PowerHasResponsibilities", _set("responsibilities", [])),
    ("PowerHasAccountability", _set("accountability", [])),
    ("PowerHasDepartment", _set("department", None)),
    ("PenaltyRestsOnLawOrRule", _set("basis_text", "石家庄市人民政府《关于印发石家庄市城镇职工基本医疗保险实施办法的通知》"
                                                    "（石政规〔2019〕7号）第三章第七条")),
    ("CoercionRestsOnLawOrRegulation", _set("basis_text", "【部门规章】《社会保险稽核办法》（劳动部令第16号）第五条", index=3)),
    ("PowerCitesAProvision", _set("basis_text", "《中华人民共和国社会保险法》全文。")),
]


@pytest.mark.parametrize("shape,change", RECORD_MUTATIONS, ids=[m[0] for m in RECORD_MUTATIONS])
def test_record_mutation_fires_its_shape(seeds, baseline, shape, change):
    item_no = 4 if shape.startswith("Coercion") else 1
    assert not fired(baseline[1], shape, "pingshan-ybj", item_no)
    graph = graph_of(variant(seeds, change))
    report = validate(graph, SHAPES)
    hits = fired(report, shape, "pingshan-ybj", item_no)
    assert len(hits) == 1 and hits[0].line and hits[0].message_zh and hits[0].message_en and hits[0].rule
    agree(graph, report)


def test_penalty_rule_is_a_node_of_the_graph(baseline):
    graph, report = baseline
    rule = rdflib.URIRef("https://w3id.org/powerkg/id/instrument/xingzheng-chufa-fa/art_16")
    assert (rule, rdflib.RDF.type, PKG.Article) in graph
    assert "规范性文件不得设定行政处罚" in str(graph.value(rule, PKG.text))
    from build_graph.validate import rule_provisions
    rules = set(rule_provisions(SHAPES))
    base = "https://w3id.org/powerkg/id/instrument/"
    for law, articles in (("xingzheng-chufa-fa", (4, 9, 10, 11, 12, 13, 14, 28)), ("xingzheng-qiangzhi-fa", (4, 9, 10, 11, 12, 13))):
        for number in articles:
            node = rdflib.URIRef(f"{base}{law}/art_{number}")
            assert str(node) in rules and graph.value(node, PKG.text), node


def test_summary_mutations(seeds):
    def drop_inspection(pingshan, yuanshi):
        del pingshan.records[8]  # 市本级医疗保险稽核: in the summary, gone from the details
        from build_graph.reconcile import reconcile
        for item in [i for _, i in pingshan.summary.items()]:
            item.detail = None
        for record in pingshan.records:
            record.summary_name = None
        pingshan.findings.clear()
        reconcile(pingshan)

    graph = graph_of(variant(seeds, drop_inspection))
    report = validate(graph, SHAPES)
    counts = fired(report, "DeclaredCountMatches")
    assert {r.list for r in counts} == {"pingshan-ybj"} and {r.value for r in counts} == {"5", "4"}
    assert len(fired(report, "SummaryEntryHasDetail", "pingshan-ybj")) == 1
    agree(graph, report)

    def add_unlisted(pingshan, yuanshi):
        extra = copy.deepcopy(pingshan.records[0])
        extra.power, extra.summary_name, extra.summary_type_label, extra.summary_item_no = "对某项未列入总表事项的处罚", None, None, None
        extra.identity = extra.power
        pingshan.records.append(extra)

    graph = graph_of(variant(seeds, add_unlisted))
    report = validate(graph, SHAPES)
    assert [r.item for r in fired(report, "DetailHasSummaryEntry")] == ["对某项未列入总表事项的处罚"]
    agree(graph, report)


def _graph_mutation(graph: rdflib.Graph, kind: str) -> None:
    if kind == "ProvisionOfOneInstrument":
        graph.add((ART_84, PKG.ofInstrument, rdflib.URIRef("https://w3id.org/powerkg/id/instrument/jiage-fa")))
    elif kind == "InstrumentNumberWellFormed":
        graph.add((rdflib.URIRef("https://w3id.org/powerkg/id/instrument/jiage-fa"), ELI.id_local, rdflib.Literal("价格法2019-7")))
    elif kind == "CitationPointsAtInstrument":
        citation = next(graph.subjects(PKG.cites, ART_84))
        graph.remove((citation, PKG.cites, None))
    elif kind == "PowerHasAuthority":
        power = next(graph.subjects(PKG.restsOn, ART_84))
        graph.remove((power, M8G.hasCompetentAuthority, None))
    elif kind == "PowerHasName":
        power = next(graph.subjects(PKG.restsOn, ART_84))
        graph.remove((power, PKG.itemName, None))
    elif kind == "MainItemHasSubItems":
        graph.remove((None, PKG.isSubItemOf, None))


@pytest.mark.parametrize("shape", ["ProvisionOfOneInstrument", "InstrumentNumberWellFormed", "CitationPointsAtInstrument",
                                   "PowerHasAuthority", "PowerHasName", "MainItemHasSubItems"])
def test_graph_mutation_fires_its_shape(baseline, shape):
    graph = copy.deepcopy(baseline[0])
    _graph_mutation(graph, shape)
    report = validate(graph, SHAPES)
    assert fired(report, shape) and not fired(baseline[1], shape)
    agree(graph, report)


def test_validate_command_exit_codes_and_formats(tmp_path):
    run = lambda *a: subprocess.run([sys.executable, "-m", "build_graph.cli", *a], capture_output=True, text=True)
    assert run("build", "-o", str(tmp_path)).returncode == 0
    for name in ("validation.html", "validation.csv", "validation.ttl", "validation.txt"):
        assert (tmp_path / name).stat().st_size > 0
    result = run("validate", "--data", str(tmp_path / "graph.nq"))
    assert result.returncode == 1 and "[yuanshi-ybj] item 5 医疗保险先行支付 (line 704)" in result.stdout
    csv_out = run("validate", "--data", str(tmp_path / "graph.nq"), "--format", "csv").stdout
    assert csv_out.splitlines()[0].startswith("severity,shape,message_zh")
    ttl = run("validate", "--data", str(tmp_path / "graph.nq"), "--format", "ttl").stdout
    assert rdflib.Graph().parse(data=ttl, format="turtle").value(predicate=rdflib.RDF.type,
                                                                  object=rdflib.URIRef("http://www.w3.org/ns/shacl#ValidationReport"))
    only_legality = run("validate", "--data", str(tmp_path / "graph.nq"), "--shapes", "shapes/legality.ttl")
    assert only_legality.returncode == 0, only_legality.stdout
    assert run("validate", "--data", str(tmp_path / "missing.nq")).returncode == 2
    broken = tmp_path / "broken.ttl"
    broken.write_text("this is not turtle", encoding="utf-8")
    assert run("validate", "--data", str(broken)).returncode == 2


def test_nothing_to_check_is_an_error_never_a_pass(tmp_path, bundled_build):
    """No shape files, files without shapes, shapes that select no node, an empty graph: exit 2."""
    def validate_cli(*args):
        return subprocess.run([sys.executable, "-m", "build_graph.cli", "validate", "-o", str(bundled_build), *args],
                              capture_output=True, text=True)

    empty_dir = tmp_path / "no-shapes"
    empty_dir.mkdir()
    not_shapes = tmp_path / "not-shapes.ttl"
    not_shapes.write_text("@prefix ex: <http://ex/> . ex:a ex:b ex:c .\n", encoding="utf-8")
    elsewhere = tmp_path / "other.ttl"
    elsewhere.write_text("@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://ex/> .\n"
                         "ex:S a sh:NodeShape ; sh:targetClass ex:Invoice ; sh:property [ sh:path ex:total ; sh:minCount 1 ] .\n",
                         encoding="utf-8")
    empty_graph = tmp_path / "empty.nt"
    empty_graph.write_text("", encoding="utf-8")
    cases = {"no shape files": validate_cli("--shapes", str(empty_dir)),
             "no sh:NodeShape": validate_cli("--shapes", str(not_shapes)),
             "select no node": validate_cli("--shapes", str(elsewhere)),
             "is empty": validate_cli("--data", str(empty_graph)),
             "no such shapes file": validate_cli("--shapes", str(tmp_path / "missing.ttl"))}
    for reason, result in cases.items():
        assert result.returncode == 2 and reason in result.stderr and result.stdout == "", (reason, result.stderr)
    assert validate_cli().returncode == 1  # the bundled shapes on the bundled graph: 19 violations


# --- issue 14: legal checks. Each has a firing variant and a lawful control built from the seeds'
# 平山 rows and real statute texts; pyshacl and pyrudof agree on every graph.

LAW_84 = ("用人单位不办理社会保险登记的，由社会保险行政部门责令限期改正；逾期不改正的，对用人单位处应缴社会保险费"
          "数额一倍以上三倍以下的罚款，对其直接负责的主管人员和其他直接责任人员处五百元以上三千元以下的罚款。")


def _row(index, **values):
    """Set fields of 平山's row ``index`` (0: item 1, a 行政处罚; 3: item 4, a 行政强制)."""
    def change(pingshan, yuanshi):
        for attr, value in values.items():
            setattr(pingshan.records[index], attr, value)
    return change


def _dated(date, change):
    def both(pingshan, yuanshi):
        change(pingshan, yuanshi)
        pingshan.date = date
    return both


def _old_wildlife_text():
    from build_graph.registry import load_registry
    archive = load_registry().archive
    entry = archive.find("野生动物保护法")
    return archive.articles(entry.versions[0])[46].text


LEGAL_CHECKS = [
    # (shape, change that must fire it on 平山 item N, a lawful control that must not, item N)
    ("Misquote",
     _row(0, basis_text="《中华人民共和国社会保险法》第八十四条：" + LAW_84.replace("一倍以上三倍", "二倍以上三倍")),
     _row(0, basis_text="《中華人民共和國社會保險法》第八十四條：" + LAW_84.replace("，", ",").replace("一倍", "1倍")), 1),
    ("Misquote",  # a quote of another article than the one cited
     _row(0, basis_text="《中华人民共和国社会保险法》第八十六条：" + LAW_84),
     _row(0, basis_text="《中华人民共和国社会保险法》第八十四条：" + LAW_84[:40] + "……"), 1),
    ("OutdatedVersion",
     _row(0, basis_text="《中华人民共和国野生动物保护法》第四十六条：" + "{old}"),
     _dated("2019-01-01", _row(0, basis_text="《中华人民共和国野生动物保护法》第四十六条：" + "{old}")), 1),
    ("RepealedInstrument",
     _row(8, basis_text="《社会保险基金行政监督办法》（劳动和社会保障部令第12号）第十条"),
     _dated("2015-06-01", _row(8, basis_text="《社会保险基金行政监督办法》（劳动和社会保障部令第12号）第十条")), 9),
    ("NoSuchProvision",
     _row(0, basis_text="《中华人民共和国社会保险法》第一百八十八条"),
     _row(0, basis_text="《中华人民共和国社会保险法》第八十四条"), 1),
    ("LevelTagMismatch",
     _row(0, basis_text="【法律】《医疗保障基金使用监督管理条例》第三十八条"),
     _row(0, basis_text="【法规】《医疗保障基金使用监督管理条例》第三十八条"), 1),
    ("UnknownLevelNoCredit",
     _row(0, basis_text="【法律】《某某县医疗保障违法行为处理规定》第三条"),
     _row(0, basis_text="【法律】《某某县医疗保障违法行为处理规定》第三条；《中华人民共和国社会保险法》第八十四条"), 1),
    ("PenaltyBeyondLevel",  # a revocation resting on a departmental rule only (行政处罚法 第十三条)
     _row(0, power="对定点医疗机构吊销其医疗保障服务资格证书的处罚", basis_text="【部门规章】《社会保险稽核办法》第十条"),
     _row(0, power="对定点医疗机构吊销其医疗保障服务资格证书的处罚",
          basis_text="【部门规章】《社会保险稽核办法》第十条；《中华人民共和国社会保险法》第八十七条"), 1),
    ("PenaltyBeyondLevel",  # detention resting on an administrative regulation (第十条)
     _row(0, power="对骗取医疗保障基金的行政拘留", basis_text="《医疗保障基金使用监督管理条例》第四十一条"),
     _row(0, power="对骗取医疗保障基金的罚款", basis_text="《医疗保障基金使用监督管理条例》第四十一条"), 1),
    ("CoercionBeyondLevel",  # enforcement resting on an administrative regulation (行政强制法 第十三条)
     _row(3, power="对欠缴社会保险费的强制执行", basis_text="《社会保险费征缴暂行条例》第十三条"),
     _row(3, power="对欠缴社会保险费的强制执行", basis_text="《中华人民共和国社会保险法》第六十三条"), 4),
    ("CompetenceHint",  # a city-level item on a county list
     _row(0, power="市本级对用人单位不办理医疗保险登记的处罚"), _row(0, power="对用人单位不办理医疗保险登记的处罚"), 1),
    ("CitationDetails",  # the known mis-citation of the 稽核办法's order, and the right number
     _row(8, basis_text="【部门规章】《社会保险稽核办法》（劳动部令第16号）第二条"),
     _row(8, basis_text="【部门规章】《社会保险稽核办法》（劳动和社会保障部令第16号）第二条"), 9),
    ("ConflictingQuotes",  # 平山 7 and 8 quote the Hebei rules' 第十六条 as 有关活动 / 相关活动
     lambda pingshan, yuanshi: None,
     lambda pingshan, yuanshi: setattr(pingshan.records[7], "basis_text", pingshan.records[6].basis_text), 7),
    ("BasisWithoutSanction",  # a penalty on a supervision duty
     _row(0, basis_text="《中华人民共和国社会保险法》第七十七条"),
     _row(0, basis_text="《中华人民共和国社会保险法》第八十四条"), 1),
]


@pytest.mark.parametrize("shape,fires,control,item_no", LEGAL_CHECKS, ids=[f"{c[0]}-{n}" for n, c in enumerate(LEGAL_CHECKS)])
def test_legal_check_fires_on_a_planted_defect_and_not_on_its_control(seeds, shape, fires, control, item_no):
    old = _old_wildlife_text()

    def with_text(change):
        def apply(pingshan, yuanshi):
            change(pingshan, yuanshi)
            for record in pingshan.records:
                record.basis_text = record.basis_text.replace("{old}", old)
        return apply

    graph = graph_of(variant(seeds, with_text(fires)))
    report = validate(graph, SHAPES)
    hits = fired(report, shape, "pingshan-ybj", item_no)
    assert hits and all(h.message_zh and h.message_en and h.rule and h.line for h in hits), shape
    agree(graph, report)
    graph = graph_of(variant(seeds, with_text(control)))
    report = validate(graph, SHAPES)
    assert not fired(report, shape, "pingshan-ybj", item_no), shape
    agree(graph, report)


def test_the_report_says_what_differs_and_what_replaced_what(seeds):
    change = _row(0, basis_text="《中华人民共和国社会保险法》第八十四条：" + LAW_84.replace("一倍以上三倍", "二倍以上三倍"))
    report = validate(graph_of(variant(seeds, change)), SHAPES)
    assert "数字「数额一倍以」改为「数额二倍以」" in fired(report, "Misquote", "pingshan-ybj", 1)[0].value
    from build_graph.validate import as_html
    page = as_html(report)
    section = page[page.index("pingshan-ybj · 第1项"):]
    assert "改为「数额二倍以」" in section[:section.index("</section>")] and "Misquote" in section[:section.index("</section>")]
    change = _row(8, basis_text="《社会保险基金行政监督办法》（劳动和社会保障部令第12号）第十条")
    report = validate(graph_of(variant(seeds, change)), SHAPES)
    value = fired(report, "RepealedInstrument", "pingshan-ybj", 9)[0].value
    assert "人力资源社会保障部令第48号" in value and "2022-03-18" in value


def test_a_lawful_list_quoted_exactly_gets_no_legal_check_result(seeds):
    """Every row of 平山 rewritten to rest on the law's penalty, coercion or duty articles, quoted
    word for word (in other punctuation, width, script and enumeration styles)."""
    from build_graph.registry import load_registry
    law = load_registry().articles_of("shehui-baoxian-fa")
    texts = {84: law[84].text, 86: law[86].text, 79: law[79].text, 58: law[58].text}

    def lawful(pingshan, yuanshi):
        for record in pingshan.records:
            number = {"行政处罚": 84, "行政强制": 79}.get(record.power_type, 58)
            quote = texts[number].replace("（一）", "一、").replace("（二）", "二、").replace("（三）", "三、").replace("，", ",")
            record.basis_text = f"【法律】《中华人民共和国社会保险法》第{number}条：{quote}"
    report = validate(graph_of(variant(seeds, lawful)), SHAPES)
    for shape in ("Misquote", "OutdatedVersion", "RepealedInstrument", "NoSuchProvision", "LevelTagMismatch",
                  "UnknownLevelNoCredit", "PenaltyBeyondLevel", "CoercionBeyondLevel", "BasisWithoutSanction",
                  "CitationDetails", "ConflictingQuotes"):
        assert not fired(report, shape, "pingshan-ybj"), shape


def test_the_build_validates_on_its_store_with_pyshacls_results(seeds, tmp_path):
    from build_graph.build import write_outputs
    from build_graph.validate import as_turtle

    lists = copy.deepcopy(list(seeds.values()))
    built = build_graph(lists)
    whole = validate_with_pyshacl(data_graph(ox.serialize(built.quads, format=ox.RdfFormat.N_QUADS)), SHAPES)
    summary = write_outputs(built, tmp_path / "out")
    assert summary["validation"] == {"conforms": whole.conforms, "violations": whole.violations,
                                     "results": len(whole.results)}
    compiled = validate_store(ox.Store.read_only(str(tmp_path / "out" / "store")), SHAPES)
    assert compiled.results == whole.results
    report = rdflib.Graph().parse(data=as_turtle(compiled), format="turtle")
    SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    assert len(set(report.subjects(rdflib.RDF.type, SH.ValidationResult))) == len(whole.results)
    assert {str(o) for o in report.objects(None, SH.focusNode)} == {r.focus for r in whole.results}