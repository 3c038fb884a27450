"""Variants generated from the real seeds: encodings, line ends, shuffled, cut and broken rows,
and the same lists re-written as CSV and XLSX with other header names."""
from __future__ import annotations

import csv
import random
import re

import pytest

from build_graph.readers import ReadError, read_list
from build_graph.readers.text import decode_file
from conftest import PINGSHAN, YUANSHI, codes, meta_of


def _read(path, source, **kw):
    return read_list(path, meta_of(source), **kw)


def _essence(power_list):
    return [(r.power, r.power_type, r.department, re.sub(r"\s", "", r.basis_text)) for r in power_list.records]


@pytest.mark.parametrize("source", [PINGSHAN, YUANSHI])
def test_crlf_gbk_and_blank_lines_read_the_same(tmp_path, source):
    original = _read(source, source)
    text = source.read_text(encoding="utf-8")
    crlf = tmp_path / source.name
    crlf.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    assert _essence(_read(crlf, source)) == _essence(original)
    gbk = tmp_path / ("gbk-" + source.name)
    gbk.write_bytes(text.encode("gb18030"))
    assert decode_file(gbk).encoding == "gb18030"
    assert _essence(_read(gbk, source)) == _essence(original)
    bom = tmp_path / ("bom-" + source.name)
    bom.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert _essence(_read(bom, source)) == _essence(original)


def test_extra_blank_lines(tmp_path):
    text = PINGSHAN.read_text(encoding="utf-8").replace("\n\n", "\n\n\n\n")
    path = tmp_path / "blank.txt"
    path.write_text(text, encoding="utf-8")
    variant = _read(path, PINGSHAN)
    assert _essence(variant) == _essence(_read(PINGSHAN, PINGSHAN))
    assert codes(variant, "warning") == []


def test_empty_and_undecodable_files(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("\n \n", encoding="utf-8")
    with pytest.raises(ReadError, match="empty.txt: file is empty"):
        read_list(empty)
    broken = tmp_path / "broken.txt"
    broken.write_bytes("第一行\n第二行\n".encode("utf-8") + b"\xff\xfe\xfa\xff\x81\n")
    with pytest.raises(ReadError) as info:
        read_list(broken)
    assert info.value.line == 3 and "neither UTF-8 nor GB18030" in str(info.value)
    prose = tmp_path / "prose.txt"
    prose.write_text("这不是一份权责清单。\n只是一段文字。\n", encoding="utf-8")
    with pytest.raises(ReadError, match="no power rows found"):
        read_list(prose)


def test_shuffled_tsv_rows_reported_and_kept(tmp_path):
    lines = PINGSHAN.read_text(encoding="utf-8").split("\n")
    data = [i for i, line in enumerate(lines) if line.count("\t") == 7 and line.split("\t")[0].isdigit()]
    # swap the first two penalty rows (within their section): same powers, new order
    a, b = data[0], data[1]
    lines[a], lines[b] = lines[b], lines[a]
    path = tmp_path / "shuffled.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    variant = _read(path, PINGSHAN)
    assert sorted(_essence(variant)) == sorted(_essence(_read(PINGSHAN, PINGSHAN)))
    assert "order-mismatch" in codes(variant)
    by_name = {r.power: r.item_no for r in variant.records}
    assert by_name["对用人单位不办理医疗保险登记的处罚"] == 1  # numbered from the summary, not position


def test_shuffled_pdf_rows(tmp_path):
    lines = YUANSHI.read_text(encoding="utf-8").split("\n")
    starts = [i for i, line in enumerate(lines) if re.fullmatch(r"\s*\d{1,2}", line)
              and lines[i + 2].strip() in ("行", "其")]
    blocks = [lines[s:e] for s, e in zip(starts, starts[1:] + [len(lines)])]
    order = list(range(len(blocks)))
    random.Random(7).shuffle(order)
    text = "\n".join(lines[:starts[0]] + [line for i in order for line in blocks[i]])
    path = tmp_path / "shuffled.txt"
    path.write_text(text, encoding="utf-8")
    variant = _read(path, YUANSHI)
    original = _read(YUANSHI, YUANSHI)
    assert sorted(_essence(variant)) == sorted(_essence(original))
    assert sorted(r.item_no for r in variant.records) == list(range(1, 21))
    assert "order-mismatch" in codes(variant)


def test_missing_cell_reported(tmp_path):
    lines = PINGSHAN.read_text(encoding="utf-8").split("\n")
    row = next(i for i, line in enumerate(lines) if line.startswith("2\t行政处罚"))
    lines[row] = "\t".join(lines[row].split("\t")[:-1])  # drop the 备注 (department) cell
    path = tmp_path / "missing.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    variant = _read(path, PINGSHAN)
    assert len(variant.records) == 25
    short = [f for f in variant.findings if f.code == "short-row"]
    assert len(short) == 1 and short[0].line == row + 1 and "7 of 8 cells" in short[0].message
    assert variant.records[1].department is None
    assert any(f.code == "missing-department" and f.line == row + 1 for f in variant.findings)


def test_file_cut_mid_row(tmp_path):
    text = PINGSHAN.read_text(encoding="utf-8")
    cut_at = text.index("对医保定点医药机构协议管理的指导和监督管理工作\t平山县")
    path = tmp_path / "cut.txt"
    path.write_text(text[:cut_at + 40], encoding="utf-8")
    variant = _read(path, PINGSHAN)
    assert len(variant.records) == 10
    assert variant.records[-1].power == "对医保定点医药机构协议管理的指导和监督管理工作"
    assert "short-row" in codes(variant, "error")
    missing = [f for f in variant.findings if f.code == "summary-without-detail"]
    assert len(missing) == 15  # items 11–25 are in the summary but not in the details


def test_pdf_cut_mid_row(tmp_path):
    lines = YUANSHI.read_text(encoding="utf-8").split("\n")
    cut = next(i for i, line in enumerate(lines) if line.startswith("1、立案责任：发现医疗保险经办机构"))
    path = tmp_path / "cut.txt"
    path.write_text("\n".join(lines[:cut + 3]), encoding="utf-8")
    variant = _read(path, YUANSHI)
    assert len(variant.records) == 2
    assert not variant.records[1].accountability
    assert "missing-accountability" in codes(variant)
    assert len([f for f in variant.findings if f.code == "summary-without-detail"]) == 18


def test_detail_row_removed_is_reported(tmp_path):
    lines = PINGSHAN.read_text(encoding="utf-8").split("\n")
    row = next(i for i, line in enumerate(lines) if line.startswith("4\t行政检查"))
    del lines[row]
    path = tmp_path / "removed.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    variant = _read(path, PINGSHAN)
    gone = [f for f in variant.findings if f.code == "summary-without-detail"]
    assert len(gone) == 1 and "市本级医疗保险稽核" in gone[0].message
    assert "category-detail-count-mismatch" in codes(variant)


def _write_template(rows, header, path):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def _template_rows(power_list):
    return [[r.item_no, r.power_type_as_listed, r.power, r.authority, r.basis_text,
             "\n".join(f"{i}、{(x.kind + '：') if x.kind else ''}{x.text}" for i, x in enumerate(r.responsibilities, 1)),
             r.accountability_preamble + "".join(f"{i}、{c}" for i, c in enumerate(r.accountability, 1)),
             r.department or ""] for r in power_list.records]


def test_csv_template_with_header_variants(tmp_path, pingshan):
    path = tmp_path / "template.csv"
    header = ["编号", "事项类型", "事项名称", "实施主体", "设定依据", "责任事项", "追责情形", "责任科室"]
    _write_template(_template_rows(pingshan), header, path)
    variant = read_list(path)
    assert variant.layout == "csv"
    assert [(r.power, r.power_type, r.department) for r in variant.records] == \
           [(r.power, r.power_type, r.department) for r in pingshan.records]
    assert [r.basis_text for r in variant.records] == [r.basis_text for r in pingshan.records]
    assert [len(r.responsibilities) for r in variant.records] == [len(r.responsibilities) for r in pingshan.records]
    assert "no-summary" in codes(variant)


def test_xlsx_template(tmp_path, yuanshi):
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["序号", "职权类型", "职权名称", "行政主体", "法律依据", "责任事项", "追责情形", "承办机构"])
    for row in _template_rows(yuanshi):
        sheet.append(row)
    path = tmp_path / "template.xlsx"
    workbook.save(path)
    variant = read_list(path)
    assert variant.layout == "xlsx"
    assert [(r.power, r.power_type, r.basis_text) for r in variant.records] == \
           [(r.power, r.power_type, r.basis_text) for r in yuanshi.records]
    assert len([f for f in variant.findings if f.code == "missing-department"]) == 16


def test_csv_without_header_is_refused(tmp_path):
    path = tmp_path / "noheader.csv"
    path.write_text("1,行政处罚,某事项\n", encoding="utf-8")
    with pytest.raises(ReadError, match="no header row found"):
        read_list(path)


@pytest.mark.parametrize("column, authority, department", [
    ("水资源科", "某市水利局", "水资源科"),        # the authority's own office: its department
    ("执法大队", "某市水利局", "执法大队"),
    ("某市水务局", "某市水务局", None),           # an authority of its own stays the authority
    ("某市水资源服务中心", "某市水资源服务中心", None),  # a 中心 can be an authority: left as it is
])
def test_an_implementing_office_column_is_the_department(tmp_path, column, authority, department):
    """A web page headed 职权类别/事项名称/法定依据/…/实施机构 under a 实施主体 line, a layout of
    no bundled list: an 实施机构 cell naming an office inside the authority is read as its
    department, and the authority is the list's."""
    page = tmp_path / "某市水利局权责清单.html"
    page.write_text(f"""<html><head><meta charset="utf-8"></head><body><p>实施主体：某市水利局</p>
<table border="1"><tr><td>序号</td><td>职权类别</td><td>事项名称</td><td>法定依据</td><td>责任事项</td>
<td>问责依据</td><td>实施机构</td></tr>
<tr><td>1</td><td>行政许可</td><td>取水许可</td><td>《中华人民共和国水法》第七条</td><td>1.受理责任</td>
<td>《行政许可法》第七十二条</td><td>{column}</td></tr></table></body></html>""", encoding="utf-8")
    record, = read_list(page).records
    assert (record.power, record.authority, record.department) == ("取水许可", authority, department)


def test_item_codes_in_the_number_column_are_rows(tmp_path):
    """A saved page whose 编号 column holds codes (JT-001), not numbers: every row is a power,
    its code kept as listed; a code-like cell on a row that is not data is still left out."""
    page = tmp_path / "某县交通运输局权力清单.html"
    rows = [("JT-001", "对未取得道路运输经营许可擅自从事道路运输经营的处罚", "行政处罚", "《中华人民共和国道路运输条例》第六十三条", "运政股"),
            ("JT-002", "公路超限运输许可", "行政许可", "《中华人民共和国公路法》第五十条第一款；《公路安全保护条例》第三十五条", "路政股"),
            ("330217001000", "对用人单位不办理社会保险登记的处罚", "行政处罚", "《中华人民共和国社会保险法》第八十四条", "办公室"),
            ("A1", "", "", "", "")]
    cells = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    page.write_text("<html><head><meta charset='utf-8'></head><body><h2>某县交通运输局行政权力清单</h2><table>"
                    "<tr><th>编号</th><th>权力名称</th><th>权力类别</th><th>设定依据</th><th>承办机构</th></tr>"
                    f"{cells}</table></body></html>", encoding="utf-8")
    power_list = read_list(page)
    assert [(r.number_as_listed, r.power_type, r.department) for r in power_list.records] == [
        ("JT-001", "行政处罚", "运政股"), ("JT-002", "行政许可", "路政股"), ("330217001000", "行政处罚", "办公室")]
    assert [r.item_no for r in power_list.records] == [1, 2, 3] and power_list.authority == "某县交通运输局"
    assert "unrecognised-line" in codes(power_list)  # the A1 row: no power, no type, no basis


def test_tsv_cell_quoted_across_lines_as_spreadsheets_write_it(tmp_path, pingshan):
    """平山's list as a spreadsheet saves it as tab-separated text: a basis cell with line breaks
    is quoted and runs over several lines. The row keeps its cells, the rows after it their own
    lines."""
    lines = PINGSHAN.read_text(encoding="utf-8").split("\n")
    row = next(i for i, line in enumerate(lines) if line.startswith("2\t行政处罚"))
    cells = lines[row].split("\t")
    basis = next(i for i, cell in enumerate(cells) if "</p> <p>" in cell)
    cells[basis] = '"' + cells[basis].replace("</p> <p>", "</p>\n<p>").replace('"', '""') + '"'
    lines[row] = "\t".join(cells)
    added = cells[basis].count("\n")
    assert added >= 1
    path = tmp_path / "quoted.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    variant = _read(path, PINGSHAN)
    assert len(variant.records) == 25 and "short-row" not in codes(variant)
    assert "unrecognised-line" not in codes(variant, "warning")
    assert [(r.power, r.department, r.basis_text) for r in variant.records] == \
        [(r.power, r.department, r.basis_text) for r in pingshan.records]
    after = variant.records[2].source.first_line
    assert after == pingshan.records[2].source.first_line + added
