"""The two real seed lists read into complete records (names, types, departments, bases)."""
from __future__ import annotations

import re

from conftest import codes

# Facts read by hand from the lists' own text (detail tables).
PINGSHAN_DEPARTMENTS = (["参保登记科"] + ["基金监管科"] * 3 + ["待遇审核科", "药品价格采购科"] + ["基金监管科"] * 3
                        + ["医药服务管理科"] + ["参保登记科"] * 4 + ["待遇审核科"] + ["参保登记科"] * 3
                        + ["待遇审核科", "参保登记科", "医药服务管理科", "待遇审核科", "药品价格采购科",
                           "综合业务科", "医药服务科"])
PINGSHAN_TYPES = ["行政处罚"] * 3 + ["行政强制", "行政给付"] + ["行政检查"] * 5 + ["行政确认"] * 4 + ["其他行政权力"] * 11
YUANSHI_TYPES_AS_LISTED = (["行政处罚"] * 3 + ["行政强制"] + ["行政给付"] * 2 + ["行政确认"] * 3
                           + ["行政监督"] * 4 + ["其他类"] * 7)


def test_record_counts(pingshan, yuanshi):
    assert len(pingshan.records) == 25
    assert len(yuanshi.records) == 20
    assert pingshan.layout == "tsv-html" and yuanshi.layout == "pdf-columns"


def test_pingshan_types_departments_numbers(pingshan):
    assert [r.power_type for r in pingshan.records] == PINGSHAN_TYPES
    assert [r.department for r in pingshan.records] == PINGSHAN_DEPARTMENTS
    assert [r.item_no for r in pingshan.records] == list(range(1, 26))
    assert [r.category_no for r in pingshan.records][:6] == [1, 2, 3, 1, 1, 1]
    assert {r.power_type_as_listed for r in pingshan.records[14:]} == {"其他权利"}
    assert all(r.authority == "平山县医疗保障局" for r in pingshan.records)


def test_pingshan_names_match_summary(pingshan):
    """Every detail name equals its summary name but for the one the list itself changes."""
    summary_names = [item.name for _, item in pingshan.summary.items()]
    differing = [(r.power, s) for r, s in zip(pingshan.records, summary_names)
                 if re.sub(r"[（(][主子]项[)）]|[-—\s]", "", r.power) != re.sub(r"[（(][主子]项[)）]|[-—\s]", "", s)]
    assert differing == [("制定和调整公立医疗机构医疗服务项目政府指导价", "制定和调整公立医疗机构医疗服务项目政府指导价格")]


def test_main_and_subitems(pingshan):
    birth = pingshan.records[4]
    assert birth.main_item == "生育保险待遇核准支付"
    assert birth.subitems == ["生育医疗费支付", "计划生育医疗费支付", "生育津贴支付"]
    registration = pingshan.records[10:14]
    assert {r.main_item for r in registration} == {"基本医疗保险参保和变更登记"}
    assert [r.subitems for r in registration] == [["单位参保"], ["职工参保"], ["单位参保信息变更登记"], ["职工参保信息变更登记"]]


def test_html_cells_become_entries(pingshan):
    first = pingshan.records[0]
    assert "<p>" not in first.basis_text and first.basis_text.startswith("【法律】《中华人民共和国社会保险法》第八十四条")
    assert [r.kind for r in first.responsibilities] == ["立案责任", "调查责任", "审查责任", "告知责任", "决定责任",
                                                       "送达责任", "执行责任", None]
    assert first.accountability_preamble.startswith("因不履行或不正确履行行政职责")
    assert len(first.accountability) == 10 and first.accountability[0] == "没有法律和事实依据实施行政处罚的；"
    # <ol> cells: numbered entries of the basis stay in the text, HTML gone
    assert pingshan.records[19].basis_text.startswith("1. 《社会保险法》第三十二条")
    assert "<" not in "".join(r.basis_text for r in pingshan.records)


def test_yuanshi_types_and_names(yuanshi):
    assert [r.power_type_as_listed for r in yuanshi.records] == YUANSHI_TYPES_AS_LISTED
    assert [r.power_type for r in yuanshi.records][9:13] == ["行政检查"] * 4
    assert [r.item_no for r in yuanshi.records] == list(range(1, 21))
    names = [r.power for r in yuanshi.records]
    assert names[0] == "对用人单位不办理医疗保险登记"
    assert names[3] == "对可能被转移、隐匿或者灭失的医疗保险基金收支、管理相关的资料予以封存"
    # the name continues after a page break, below the other columns
    assert names[7] == "市本级医疗保险门诊慢性病、丙肝门诊抗病毒治疗、门诊特殊病病人资格认定、急诊抢救认定、转诊转院备案"
    assert names[19] == "商业保险公司承办部分医保业务"
    summary_names = {item.name for _, item in yuanshi.summary.items()}
    assert set(names) == summary_names


def test_yuanshi_departments(yuanshi):
    assert [r.department for r in yuanshi.records[:4]] == ["基金监管"] * 4
    assert all(r.department is None for r in yuanshi.records[4:])


def test_yuanshi_cells_continue_after_page_breaks(yuanshi):
    records = yuanshi.records
    # item 1: responsibilities 6–8 follow the accountability column and department
    assert [r.kind for r in records[0].responsibilities][:7] == ["立案责任", "调查责任", "审查责任", "告知责任",
                                                                 "决定责任", "送达责任", "执行责任"]
    assert records[0].responsibilities[4].text == "制作行政处罚决定书，载明行政处罚种类、依据、履行方式、期限、救济途径等内容。"
    assert len(records[0].accountability) == 10
    # item 11: the basis quote continues after the accountability column
    assert records[10].basis_text.endswith("社会保险经办机构应当立即停止待遇的支付并责令退还。")
    assert "资料。第十二条" in records[10].basis_text
    assert len(records[10].accountability) == 5
    # item 19 and 20: later basis documents sit below the other columns
    assert "冀人社发〔2018〕51 号" in records[18].basis_text
    assert records[19].basis_text.endswith("（石政办函〔2018〕211 号）全文 。")
    assert "其他违反" not in records[19].basis_text


def test_yuanshi_basis_texts_complete(yuanshi):
    bases = [r.basis_text for r in yuanshi.records]
    assert bases[4] == "1.《中华人民共和国社会保险法》第八条、第三十条 2.《社会保险基金先行支付暂行办法》第三条"
    assert bases[12] == "1.《河北省医疗保险服务监督管理办法》第十六、十七、十八、二十条 2.《河北省医疗保障基金监管办法》"
    assert bases[1].endswith("3、《河北省医疗保障基金监管办法》：全文。")
    assert "冀医保规〔2019〕1号）2.河北省医疗保障局" in bases[8]
    for basis in bases:  # no responsibilities or accountability text leaked into a basis
        assert "责任：" not in basis and "因不履行" not in basis


def test_yuanshi_findings(yuanshi):
    missing = [f for f in yuanshi.findings if f.code == "missing-department"]
    assert len(missing) == 16
    label = [f for f in yuanshi.findings if f.code == "type-label-mismatch"]
    assert len(label) == 4 and all("行政监督" in f.message and "行政检查" in f.message for f in label)
    numbers = [f.message for f in yuanshi.findings if f.code == "number-mismatch"]
    assert any("numbered 7 in the summary" in m and "10 in the details" in m for m in numbers)
    assert "order-mismatch" in codes(yuanshi)
    assert "summary-without-detail" not in codes(yuanshi) and "detail-without-summary" not in codes(yuanshi)


def test_pingshan_findings(pingshan):
    assert "summary-without-detail" not in codes(pingshan)
    assert codes(pingshan, "warning") == []
    assert "name-mismatch" in codes(pingshan)
    assert "nonstatutory-type-label" in codes(pingshan)


def test_summary_tables(pingshan, yuanshi):
    assert (pingshan.summary.declared_categories, pingshan.summary.declared_items) == (6, 25)
    assert (yuanshi.summary.declared_categories, yuanshi.summary.declared_items) == (6, 20)
    assert [c.declared_count for c in pingshan.summary.categories] == [0, 3, 1, 0, 1, 5, 4, 0, 0, 11]
    assert [(c.power_type_as_listed, len(c.items)) for c in yuanshi.summary.categories] == [
        ("行政处罚", 3), ("行政强制", 1), ("行政给付", 2), ("行政检查", 4), ("行政确认", 3), ("其他类", 7)]
