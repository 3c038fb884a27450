"""Citation grammar and resolution: a table of real citation strings (from the seeds and the
statutes, and their variants), property-based checks, and the seeds end to end."""
from __future__ import annotations

import json
import subprocess
import sys

import cn2an
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from build_graph.citations.export import cite_rows, citation_rows
from build_graph.citations.grammar import find_citations, parse_chain
from build_graph.citations.normalize import to_int
from build_graph.citations.resolve import cite_list
from build_graph.registry import load_registry, parse_statute, statutes_dir

LAW = "shehui-baoxian-fa"
RULES_2019 = "shijiazhuang-zhigong-yibao-shishi-banfa-2019"


def basis(text):
    """(instrument id, chapter, article, paragraph, item, attachment, whole) of basis citations."""
    return [(r["instrument"]["id"], r["chapter"], r["article"], r["paragraph"], r["item"], r["attachment"], r["whole"])
            for r in cite_rows(text) if r["role"] == "basis"]


CASES = [
    # 《title》 with and without 中华人民共和国, level tags, quoted article text after the citation
    ("【法律】《中华人民共和国社会保险法》第八十四条：用人单位不办理社会保险登记的，由社会保险行政部门责令限期改正",
     [(LAW, None, 84, None, None, None, False)]),
    ("1、《社会保险法》第五十八条 用人单位应当自用工之日起三十日内为其职工向社会保险经办机构申请办理社会保险登记。",
     [(LAW, None, 58, None, None, None, False)]),
    # document numbers in every bracket style, chapter + article, number split by wrapping
    ("石政规〔2019〕7号第三章第七条新建用人单位应于取得营业执照", [(RULES_2019, 3, 7, None, None, None, False)]),
    ("石政规（2019）7号第三章第七条新建用人单位", [(RULES_2019, 3, 7, None, None, None, False)]),
    ("石政规(2019)7号第三章第七条", [(RULES_2019, 3, 7, None, None, None, False)]),
    ("关于印发《河北省医疗保障定点医疗机构协议管理办法（试行）》的通知（冀医保规〔2019〕1\n号） 第七条 医疗保障行政部门负责",
     [("hebei-dingdian-yiliao-jigou-xieyi-banfa", None, 7, None, None, None, False)]),
    ("石家庄市医疗保障局等四部门关于印发《石家庄市生育保险和职工基本医疗保险合并实施细则》的通知（石医保规【2019】1号）",
     [("shijiazhuang-shengyu-hebing-xize", None, None, None, None, None, True)]),
    # orders as document numbers
    ("【部门规章】《社会保险稽核办法》（劳动部令第16号）第二条：本办法所称稽核是指社会保险经办机构依法对社会保险费缴纳情况"
     "进行的核查。第三条：县级以上社会保险经办机构负责社会保险稽核工作。",
     [("shebao-jihe-banfa", None, 2, None, None, None, False), ("shebao-jihe-banfa", None, 3, None, None, None, False)]),
    ("2. 《社会保险费征缴暂行条例》（中华人民共和国国务院令259号）第七条 缴费单位必须向当地社会保险经办机构办理社会保险登记",
     [("shebao-fei-zhengjiao-tiaoli", None, 7, None, None, None, False)]),
    ("《河北省基本医疗保险服务监督管理办法》（河北省人民政府令〔2015〕第12号）第十六条",
     [("hebei-jiben-yibao-fuwu-jiandu-banfa", None, 16, None, None, None, False)]),
    # lists and ranges of articles, 条 without 第
    ("1.《河北省医疗保险服务监督管理办法》第十六、十七、十八、二十条 2.《河北省医疗保障基金监管办法》",
     [("hebei-jiben-yibao-fuwu-jiandu-banfa", None, a, None, None, None, False) for a in (16, 17, 18, 20)]
     + [("hebei-yibao-jijin-jianguan-banfa", None, None, None, None, None, True)]),
    ("1.《中华人民共和国社会保险法》第八\n条、第三十条", [(LAW, None, 8, None, None, None, False), (LAW, None, 30, None, None, None, False)]),
    ("《社会保险法》第八十四条至第八十六条", [(LAW, None, a, None, None, None, False) for a in (84, 85, 86)]),
    ("石政规（2019）7号文中第三十七条基本医保统筹基金支付范围；三十八条基本医保统筹基金支付门诊医疗费",
     [(RULES_2019, None, 37, None, None, None, False), (RULES_2019, None, 38, None, None, None, False)]),
    # paragraphs and items
    ("《社会保险法》第五十七条第一款", [(LAW, None, 57, 1, None, None, False)]),
    ("《社会保险法》第十一条 第二款", [(LAW, None, 11, 2, None, None, False)]),
    ("《社会保险法》第八十六条第(一)项", [(LAW, None, 86, None, 1, None, False)]),
    # attachments, and an article of an attachment
    ("《关于城镇职工基本医疗保险有关问题的通知》(石人社字〔2017〕8 号)附件 1、附件 2",
     [("shi-renshe-zi-2017-8", None, None, None, None, 1, True), ("shi-renshe-zi-2017-8", None, None, None, None, 2, True)]),
    ("石家庄市人民政府《关于印发石家庄市城镇职工基本医疗保险实施办法的通知》（石政规〔2019〕7号）附件2《石家庄城镇职工大病保险实施办法》第四条",
     [("shijiazhuang-zhigong-dabing-baoxian-banfa", None, 4, None, None, 2, False)]),
    # whole documents: 全文, or a title with no provision
    ("《中华人民共和国价格法》", [("jiage-fa", None, None, None, None, None, True)]),
    ("石家庄市医疗保障局《关于进一步加强特殊规定药品管理的通知》(石医保函〔2020〕44号)全文。",
     [("shi-yibao-han-2020-44", None, None, None, None, None, True)]),
    # nested titles: the inner rules are cited
    ("河北省物价局《关于印发〈河北省定价目录〉的通知》（冀价政调〔2018〕42号）", [("hebei-dingjia-mulu", None, None, None, None, None, True)]),
    ("《国家卫生计生委印发<关于建立医药购销领域商业贿赂不良记录的规定>的通知》（国卫法制发〔2013〕50 号）",
     [("shangye-huilu-buliang-jilu-guiding", None, None, None, None, None, True)]),
    # enactment parentheticals and promulgation orders belong to the law
    ("《中华人民共和国社会保险法》（2010年10月28日第十一届全国人民代表大会常务委员会第十七次会议通过，2018年12月29日修正）第八十四条",
     [(LAW, None, 84, None, None, None, False)]),
    ("《中华人民共和国社会保险法》（主席令第35号）第五十八条", [(LAW, None, 58, None, None, None, False)]),
    # Traditional script and full-width punctuation
    ("《中華人民共和國社會保險法》第八十四條", [(LAW, None, 84, None, None, None, False)]),
    ("《社会保险法》第５８条", [(LAW, None, 58, None, None, None, False)]),
]


@pytest.mark.parametrize("text,expected", CASES, ids=[c[0][:24] for c in CASES])
def test_citation_table(text, expected):
    found = basis(text)
    found = [("provisional",) + f[1:] if f[0].startswith("provisional-") else f for f in found]
    assert found == expected


def test_quoted_references_are_not_basis():
    text = ("2. 《河北省基本医疗保险服务监督管理办法》第二十六条： 违反本办法第十条第二项规定的，由社会保险行政部门依照"
            "《中华人民共和国社会保险法》等有关法律、法规的规定处理")
    rows = cite_rows(text)
    assert [(r["article"], r["role"]) for r in rows] == [(26, "basis"), (10, "quoted"), (None, "quoted")]
    assert rows[1]["item"] == 2 and rows[1]["quoted_in"] == 0
    assert rows[2]["instrument"]["id"] == LAW


def test_new_clause_in_a_quote_is_basis_again():
    text = ("《河北省基本医疗保险服务监督管理办法》第十六条社会保险行政部门应当加强监督检查；"
            "《河北省基本医疗保险服务监督管理办法》第十七条，社会保险行政部门进行监督检查时，可以采取下列措施")
    assert [a for _, _, a, *_ in basis(text)] == [16, 17]


def test_bare_article_refers_back_to_last_instrument():
    text = ("石家庄市人民政府《关于印发石家庄市城镇职工基本医疗保险实施办法的通知》（石政规〔2019〕7号）第三章第八条"
            "市区的灵活就业人员可参照执行；第九条用人单位新增在职职工")
    assert basis(text) == [(RULES_2019, 3, 8, None, None, None, False), (RULES_2019, None, 9, None, None, None, False)]


def test_a_basis_text_met_again_is_parsed_once_and_resolved_afresh(seed_lists):
    """Lists repeat basis texts: each text is parsed once per process, and each row still gets
    resolutions of its own (what one row's checks note cannot show up in another's)."""
    from build_graph.citations.resolve import _citations_in, cite_text

    registry = load_registry()
    text = seed_lists["pingshan-ybj"].records[0].basis_text
    _citations_in.cache_clear()
    first, again = cite_text(text, registry), cite_text(text, registry)
    assert _citations_in.cache_info().hits == 1 and _citations_in.cache_info().misses == 1
    assert first == again and [r.citation for r in first] == find_citations(text)
    assert all(a is not b and a.problems is not b.problems for a, b in zip(first, again))


def test_spans_point_at_text_of_seed_citations(seed_lists):
    for power_list in seed_lists.values():
        for record in power_list.records:
            for citation in find_citations(record.basis_text):
                start, end = citation.span
                assert record.basis_text[start:end] == citation.text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("《》〈〉〔〕【】()（）第条款项章附件全文号令、，；。:：0123456789一二三十百法办法规定通知关于印发石政规 \n")),
               max_size=120))
def test_parser_never_crashes_and_spans_hold(text):
    for citation in find_citations(text):
        start, end = citation.span
        assert 0 <= start <= end <= len(text)
        assert text[start:end] == citation.text


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_parser_never_crashes_on_any_text(text):
    for citation in find_citations(text):
        assert text[citation.span[0]:citation.span[1]] == citation.text


def test_numerals_round_trip_1_to_999():
    for number in range(1, 1000):
        chinese = cn2an.an2cn(number)
        assert to_int(chinese) == number
        assert parse_chain(f"第{chinese}条")["articles"] == [number]


def test_statute_texts_attach_to_articles():
    title, articles = parse_statute(statutes_dir() / "statute_shehui_baoxian_fa_2018.md")
    assert title == "中华人民共和国社会保险法" and len(articles) == 98
    assert articles[84].text.startswith("用人单位不办理社会保险登记的")
    assert articles[8].chapter == 1 and articles[58].chapter == 7
    rows = cite_rows("《社会保险法》第二章第八条")
    assert rows[0]["article"] == 8
    registry = load_registry()
    from build_graph.citations.resolve import cite_text
    resolved = cite_text("《社会保险法》第二章第八条", registry)[0]
    assert "chapter 1" in resolved.problems[0]
    assert cite_text("《社会保险法》第九百条", registry)[0].problems


def test_seed_citations_resolve_or_say_why(seed_lists):
    registry = load_registry()
    rows = citation_rows(list(seed_lists.values()), registry)
    unresolved = {r["instrument"]["title"] for r in rows if not r["instrument"]["resolved"]}
    assert unresolved == {"河北省城市公立医院医疗服务价格手册"}  # 冀政字〔2019〕28号 is registered (issue 13)
    assert all(r["instrument"]["level"] for r in rows if r["instrument"]["resolved"])
    law_articles = {r["article"] for r in rows if r["instrument"]["id"] == LAW}
    assert law_articles == {4, 8, 28, 30, 32, 57, 58, 77, 79, 84, 87, 88}


def test_unresolved_citations_become_findings(seed_lists):
    registry = load_registry()
    _, findings = cite_list(seed_lists["yuanshi-ybj"], registry)
    assert any(f.code == "unresolved-citation" and "价格手册" in f.message and f.line == 1783 for f in findings)
    assert not any(f.code == "provision-mismatch" for f in findings)


def test_cli_cite_and_export_citations():
    result = subprocess.run([sys.executable, "-m", "build_graph.cli", "cite", "-"], input="依据《社会保险法》第八十四条。",
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert rows[0]["span"] == [2, 14] and rows[0]["instrument"]["level"] == "法律"
    result = subprocess.run([sys.executable, "-m", "build_graph.cli", "export", "citations", "--format", "json"],
                            capture_output=True, text=True)
    rows = json.loads(result.stdout)
    keys = {"list", "authority", "item_no", "power", "subitem", "power_type", "instrument", "article",
            "paragraph", "item", "attachment", "whole", "text"}
    assert keys <= set(rows[0])
    on_84 = [(r["list"], r["power"]) for r in rows if r["instrument"]["id"] == LAW and r["article"] == 84]
    assert on_84 == [("pingshan-ybj", "对用人单位不办理医疗保险登记的处罚"), ("yuanshi-ybj", "对用人单位不办理医疗保险登记")]


def test_provision_exists_against_the_official_text():
    """社会保险法 has 98 articles; 第八十四条 has one paragraph; 行政处罚法 第九条 six items."""
    from build_graph.citations.export import cite_rows
    rows = {r["text"].split("》")[-1]: r["provision_exists"] for r in cite_rows(
        "《社会保险法》第九百条。《社会保险法》第八十四条。《社会保险法》第八十四条第二款。"
        "《行政处罚法》第九条第（六）项。《行政处罚法》第九条第（七）项。"
        "《社会保险法》。《某某县不存在的办法》第三条。")}
    assert rows == {"第九百条": False, "第八十四条": True, "第八十四条第二款": False, "第九条第（六）项": True,
                    "第九条第（七）项": False, "": True, "第三条": None}


def test_a_query_on_an_article_the_law_lacks_says_so(bundled_build):
    import subprocess
    import sys
    result = subprocess.run([sys.executable, "-m", "build_graph.cli", "query", "powers-by-article", "-o",
                             str(bundled_build), "--param", "instrument=社会保险法", "--param", "article=第九百条"],
                            capture_output=True, text=True)
    assert result.returncode == 2 and "no such article" in result.stderr and "1–98" in result.stderr
    assert result.stdout == ""


# --- other provinces' forms: a hand-made gold standard (tests/samples/citations-provinces.txt) ---

from citation_gold import load_cases, score, found_citations  # noqa: E402

GOLD = load_cases()


@pytest.mark.parametrize("case", GOLD, ids=[c.name for c in GOLD])
def test_gold_citation_case(case):
    assert found_citations(case.text) == case.expected


def test_precision_and_recall_on_other_provinces_forms():
    precision, recall, misses = score(GOLD)
    assert len(GOLD) >= 45 and sum(len(c.expected) for c in GOLD) >= 70
    assert precision >= 0.95 and recall >= 0.95, misses


@pytest.mark.parametrize("tag,claimed", [
    ("【行政规章】", "规章"), ("【规章】", "规章"), ("【法规】", "法规"), ("[法律]", "法律"), ("〔部门规章〕", "部门规章"),
    ("【政府规章】", "地方政府规章"), ("【其他规范性文件】", "规范性文件"), ("法律：", "法律"), ("（行政法规）", "行政法规")])
def test_level_tag_variants_are_tags(tag, claimed):
    rows = [r for r in cite_rows(f"{tag}《工伤保险条例》第六十二条") if r["role"] == "basis"]
    assert [(r["cited_as"]["level_tag"], r["article"]) for r in rows] == [(claimed, 62)]
    assert rows[0]["instrument"]["level"] == "行政法规"  # the registry's level, not the tag's


def test_level_families_follow_the_legislation_law():
    from build_graph.registry import tag_fits_level

    assert tag_fits_level("规章", "部门规章") and tag_fits_level("规章", "地方政府规章")
    assert tag_fits_level("法规", "行政法规") and tag_fits_level("法规", "单行条例")
    assert tag_fits_level("法规", "经济特区法规") and not tag_fits_level("法规", "部门规章")
    assert not tag_fits_level("法律", "行政法规") and tag_fits_level("法律", None) is None


def test_promulgation_orders_in_notes_are_the_instruments_own():
    rows = cite_rows("《工伤保险条例》（2003年4月27日中华人民共和国国务院令第375号公布）第六十二条")
    assert rows[0]["cited_as"]["doc_number"] == "国务院令第375号" and rows[0]["role"] == "basis"
    # 主席令 numbers restart with every NPC term: a number alone does not pick a law
    rows = cite_rows("《中华人民共和国城乡规划法》（主席令第七十四号）第六十四条")
    assert rows[0]["instrument"]["title"] == "中华人民共和国城乡规划法" and rows[0]["article"] == 64


def test_an_edition_is_recorded_as_written():
    rows = cite_rows("《中华人民共和国行政处罚法》（2021年修订版）第九条")
    assert rows[0]["cited_as"]["edition"] == "2021年修订版" and rows[0]["instrument"]["title"] == "中华人民共和国行政处罚法"


def test_an_ambiguous_masked_title_stays_unresolved():
    rows = cite_rows("《中华人民共和国××法》第十条")
    assert not rows[0]["instrument"]["resolved"] and rows[0]["article"] == 10


def test_cite_points_at_the_version_in_force_on_a_date():
    old = cite_rows("《野生动物保护法》第四十六条", on="2020-01-01")[0]
    new = cite_rows("《野生动物保护法》第四十六条")[0]
    assert old["instrument"]["version"] < new["instrument"]["version"]
    assert old["official_text"] != new["official_text"] and old["official_text"] and new["official_text"]
