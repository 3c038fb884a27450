"""Every front end on real files: the two seeds written the ways offices publish lists (by
python-docx, openpyxl and reportlab — tests/list_formats.py) must read back to the bundled
records; hand-written samples in other provinces' styles read item by item; files that are no
power list, or that a forced reader cannot read, are refused with file and reason."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from build_graph.iris import name_key
from build_graph.readers import ListMeta, ReadError, read_list
from tests.list_formats import FORMATS

SAMPLES = Path(__file__).parent / "samples"


def essence(record) -> tuple:
    """What a reading must get right, blind to line wrapping and spacing."""
    return (name_key(record.power), name_key(record.main_item), [name_key(s) for s in record.subitems],
            record.power_type, record.department, re.sub(r"\s+", "", record.basis_text))


@pytest.fixture(scope="module")
def written(tmp_path_factory, seed_lists):
    """(list id, format) → the file written for it."""
    folder = tmp_path_factory.mktemp("formats")
    files = {}
    for list_id, power_list in seed_lists.items():
        for kind, (name, write) in FORMATS.items():
            files[list_id, kind] = write(power_list, folder / f"{list_id}-{name}")
    return files


@pytest.mark.parametrize("kind", sorted(FORMATS))
@pytest.mark.parametrize("list_id", ["pingshan-ybj", "yuanshi-ybj"])
def test_every_office_format_reads_back_to_the_bundled_records(written, seed_lists, list_id, kind):
    bundled = seed_lists[list_id]
    read = read_list(written[list_id, kind])
    assert len(read.records) == len(bundled.records)
    for mine, theirs in zip(read.records, bundled.records):
        assert essence(mine) == essence(theirs), f"{kind}: item {theirs.number_as_listed}"
    assert read.authority == bundled.authority  # from the title or 单位 line, no metadata given
    assert not [f for f in read.findings if f.severity == "error"]


def test_readers_are_chosen_by_content_not_by_name(written, tmp_path):
    expected = {"html": "html-table", "docx": "docx", "pdf": "pdf", "office-xlsx": "xlsx",
                "xlsx-per-type": "xlsx", "gbk-csv": "csv", "pipe": "pipe-table", "key-value": "key-value"}
    for kind, layout in expected.items():
        renamed = tmp_path / f"{kind}.dat"
        renamed.write_bytes(written["yuanshi-ybj", kind].read_bytes())
        assert read_list(renamed).layout == layout, kind


def test_cells_keep_their_source_position(written):
    docx_list = read_list(written["pingshan-ybj", "docx"])
    assert all(re.fullmatch(r"table \d+ row \d+", r.source.where) for r in docx_list.records)
    xlsx_list = read_list(written["pingshan-ybj", "xlsx-per-type"])
    assert {r.source.where.split(" row ")[0] for r in xlsx_list.records} >= {"sheet 行政处罚", "sheet 行政确认"}
    pdf_list = read_list(written["yuanshi-ybj", "pdf"])
    assert all(r.source.where.startswith("page ") for r in pdf_list.records)
    continued = [f for f in pdf_list.findings if f.code == "continued-row"]
    assert continued, "the row broken over a page is joined and said so"


def test_a_row_broken_over_a_pdf_page_is_one_record(written, yuanshi):
    pdf_list = read_list(written["yuanshi-ybj", "pdf"])
    joined = next(f for f in pdf_list.findings if f.code == "continued-row")
    record = next(r for r in pdf_list.records if r.source.first_line <= joined.line <= r.source.last_line)
    theirs = next(r for r in yuanshi.records if r.number_as_listed == record.number_as_listed)
    assert essence(record) == essence(theirs)
    assert record.source.first_line < record.source.last_line


# --- hand-written samples in the styles of other provinces ------------------------------------

def names_and_types(path: Path, **options):
    power_list = read_list(path, **options)
    return power_list, [(r.power, r.power_type) for r in power_list.records]


def test_pipe_table_with_a_wrapped_row_subitem_column_and_remarks():
    power_list, items = names_and_types(SAMPLES / "zhejiang-pipes.txt")
    assert power_list.layout == "pipe-table"
    assert len(items) == 5 and {t for _, t in items} == {"行政处罚", "行政强制"}
    first = power_list.records[0]
    assert first.basis_text.replace("\n", "").endswith("没收违法生产、销售的产品。")  # the wrapped line joined
    assert first.item_code == "330217001000" and first.exercise_level == "市级、县级"
    food = [r for r in power_list.records if r.main_item == "对食品生产经营者违法行为的行政处罚"]
    assert [r.subitems for r in food] == [["对用非食品原料生产食品的行政处罚"],
                                          ["对经营病死、毒死或者死因不明的禽、畜、兽、水产动物肉类的行政处罚"]]
    assert food[0].identity != food[1].identity  # one code, two sub-items: two powers
    seizure = power_list.records[-1]
    assert seizure.remarks == "含物品" and seizure.department is None  # a remark is no office
    assert power_list.authority == "某某市市场监督管理局"


def test_key_value_detail_pages():
    power_list, items = names_and_types(SAMPLES / "guangdong-details.txt")
    assert power_list.layout == "key-value"
    assert items == [("对用人单位未按时足额缴纳社会保险费的行政处罚", "行政处罚"), ("社会保险登记", "行政确认"),
                     ("对社会保险经办机构违法行为的行政检查", "行政检查")]
    assert power_list.records[1].basis_text.splitlines() == ["1.《中华人民共和国社会保险法》第五十七条",
                                                             "2.《社会保险费征缴暂行条例》第七条"]
    assert [r.item_code for r in power_list.records] == ["440117001000", "440107002000", "440116003000"]
    assert {r.authority for r in power_list.records} == {"某某市人力资源和社会保障局"}


@pytest.mark.parametrize("sample", ["sichuan-cells.txt", "hunan-cell-rows.txt"])
def test_flattened_one_cell_per_line_text(sample):
    power_list, items = names_and_types(SAMPLES / sample)
    assert power_list.layout == "cell-lines"
    assert [r.number_as_listed for r in power_list.records] == [str(i) for i in range(1, len(items) + 1)]
    assert all(t in ("行政处罚", "行政检查", "行政给付") for _, t in items)
    assert all("《" in r.basis_text and "第" in r.basis_text for r in power_list.records)


def test_a_file_without_any_authority_is_filed_under_a_placeholder_and_said_so():
    power_list = read_list(SAMPLES / "sichuan-cells.txt")
    assert power_list.authority.startswith("未知主体")
    assert "no-authority" in [f.code for f in power_list.findings if f.severity == "error"]
    assert power_list.records[0].basis_text.count("《") == 2  # a cell of two lines stays one cell
    named = read_list(SAMPLES / "sichuan-cells.txt", meta=ListMeta("sichuan", authority="某某市医疗保障局"))
    assert named.authority == "某某市医疗保障局" and "no-authority" not in [f.code for f in named.findings]


def test_traditional_script_headers_types_and_citations():
    power_list, items = names_and_types(SAMPLES / "taiwan-style-traditional.tsv")
    assert [t for _, t in items] == ["行政处罚", "行政检查", "行政给付"]
    assert items[0][0] == "對定點醫藥機構騙取醫療保障基金支出的處罰"  # names as listed
    from build_graph.citations.export import cite_rows
    cited = cite_rows(power_list.records[1].basis_text)
    assert [(c["instrument"]["id"], c["article"], c["provision_exists"]) for c in cited] == [
        ("shehui-baoxian-fa", 79, True)]


# --- refusals --------------------------------------------------------------------------------

def test_a_web_page_that_is_no_power_list_is_refused():
    with pytest.raises(ReadError) as caught:
        read_list(SAMPLES / "news-article.html")
    assert "news-article.html" in str(caught.value)


def test_a_spreadsheet_of_another_kind_is_refused(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["项目名称", "预算金额（万元）", "类型"])
    book.active.append(["办公设备购置", "12.5", "货物"])
    book.active.append(["物业服务", "30", "服务"])
    book.save(tmp_path / "budget.xlsx")
    with pytest.raises(ReadError, match="budget.xlsx"):
        read_list(tmp_path / "budget.xlsx")


@pytest.mark.parametrize("kind,forced,message", [
    ("pdf", "tsv-html", "this is a PDF file; use --layout pdf"),
    ("docx", "pdf", "this is a DOCX file; use --layout docx"),
    ("office-xlsx", "csv", "this is a XLSX file; use --layout xlsx"),
    ("pipe", "docx", "this is not a DOCX file"),
])
def test_a_forced_reader_that_cannot_read_the_file_says_which_can(written, kind, forced, message):
    with pytest.raises(ReadError, match=re.escape(message)):
        read_list(written["yuanshi-ybj", kind], layout=forced)


@pytest.mark.parametrize("head,message", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504, "old binary Word or Excel"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "image (PNG)"),
    ("{\\rtf1\\ansi 权责清单}".encode(), "RTF"),
])
def test_formats_no_reader_handles_are_named(tmp_path, head, message):
    path = tmp_path / "list.doc"
    path.write_bytes(head)
    with pytest.raises(ReadError, match=re.escape(message)):
        read_list(path)


def test_a_zip_that_is_no_office_file_is_refused(tmp_path):
    path = tmp_path / "list.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "权责清单")
    with pytest.raises(ReadError, match="neither a Word"):
        read_list(path)


def test_a_scanned_pdf_without_text_is_refused(tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    path = tmp_path / "scan.pdf"
    page = canvas.Canvas(str(path), pagesize=A4)
    for y in range(100, 700, 20):  # ruled lines as a scan shows them, and no text layer
        page.line(50, y, 550, y)
    page.showPage()
    page.save()
    with pytest.raises(ReadError, match="no text layer"):
        read_list(path)


# --- end to end ------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["docx", "pdf"])
def test_build_on_a_word_or_pdf_list_writes_graph_report_and_views(written, tmp_path, kind):
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "build_graph.cli", "build", str(written["pingshan-ybj", kind]),
                          "-o", str(out)], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    assert f"25 powers ({kind})" in run.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert [(entry["powers"], entry["layout"]) for entry in summary["lists"]] == [(25, kind)]
    assert (out / "graph.nq").stat().st_size > 0 and (out / "validation.csv").exists()
    assert (out / "views" / "overview.html").exists()
    assert len(list((out / "views").glob("power-*.html"))) == 25


def test_web_page_of_detail_tables_in_gb2312():
    power_list, items = names_and_types(SAMPLES / "beijing-detail-tables.html")
    assert power_list.layout == "html-table"
    assert items == [("对在城市道路上擅自设置摊点的行政处罚", "行政处罚"), ("对城市道路设施的监督检查", "行政检查")]
    assert power_list.records[0].basis_text.splitlines() == ["《城市道路管理条例》第二十七条第七项",
                                                             "《城市道路管理条例》第四十二条"]
    assert [r.item_code for r in power_list.records] == ["BJ0101001", "BJ0102001"]
    assert power_list.authority == "某某区城市管理委员会"


def test_word_document_of_detail_tables(tmp_path, pingshan):
    import docx

    document = docx.Document()
    document.add_paragraph(f"{pingshan.authority}权责事项详情")
    for record in pingshan.records[:4]:
        table = document.add_table(rows=0, cols=2)
        for key, value in (("事项名称", record.power), ("职权类型", record.power_type_as_listed),
                           ("设定依据", record.basis_text), ("承办机构", record.department)):
            cells = table.add_row().cells
            cells[0].text, cells[1].text = key, value
        document.add_paragraph("")
    document.save(tmp_path / "details.docx")
    read = read_list(tmp_path / "details.docx")
    assert [essence(r) for r in read.records] == [essence(r) for r in pingshan.records[:4]]
    assert read.authority == pingshan.authority


def test_table_inside_a_layout_table_with_merged_type_and_name_cells():
    power_list, items = names_and_types(SAMPLES / "jiangsu-nested.html")
    assert [r.number_as_listed for r in power_list.records] == ["1", "2", "3", "4"]
    assert [t for _, t in items] == ["行政许可"] * 3 + ["行政处罚"]
    assert [r.main_item for r in power_list.records[:2]] == ["公路建设项目施工许可"] * 2
    assert power_list.records[1].subitems == ["公路建设项目竣工验收"]
    assert power_list.records[2].subitems == []  # an &nbsp; sub-item cell is empty
    assert power_list.authority == "某某县交通运输局"


def test_csv_saved_from_a_sheet_with_merged_type_cells():
    power_list, items = names_and_types(SAMPLES / "excel-export-merged.csv")
    assert [t for _, t in items] == ["行政许可", "行政许可", "行政处罚", "行政处罚"]
    carried = [f.line for f in power_list.findings if f.code == "carried-down"]
    assert carried == [r.source.first_line for r in power_list.records if r.number_as_listed in ("2", "4")]
    assert power_list.authority == "某某县林业局"


@pytest.mark.parametrize("layout", [True, False])
def test_text_copied_out_of_a_pdf_page_is_refused_at_its_header(written, tmp_path, layout):
    """Lines where cells sit side by side separated by spaces cannot be cut into cells: refuse,
    naming the header line, rather than return spliced records."""
    import pdfplumber

    with pdfplumber.open(written["yuanshi-ybj", "pdf"]) as pdf:
        text = "\n".join(page.extract_text(layout=layout) for page in pdf.pages)
    path = tmp_path / "copied.txt"
    path.write_text(text, encoding="utf-8")
    header_line = next(i for i, line in enumerate(text.split("\n"), 1) if "权力事项" in line)
    with pytest.raises(ReadError, match=rf"copied.txt:{header_line}: .*separated only by spaces"):
        read_list(path)


def test_a_reading_whose_rows_mostly_miss_cells_is_refused(written, tmp_path):
    """One cell per line where most rows lost their last cell: refused, not returned."""
    from tests.list_formats import cells as row_cells

    power_list = read_list(written["yuanshi-ybj", "gbk-csv"])
    blocks = ["序号", "权力类型", "权力事项", "行政主体", "实施依据", "责任事项", "追责情形", "承办科室"]
    for record in power_list.records:
        blocks += row_cells(record)[:-1 if int(record.number_as_listed) % 3 else 8]
    path = tmp_path / "cells.txt"
    path.write_text("\n\n".join(b.replace("\n\n", "\n") for b in blocks), encoding="utf-8")
    with pytest.raises(ReadError, match="do not fit their columns"):
        read_list(path)


def test_heading_rows_inside_a_table_give_the_type_and_a_main_item_row_heads_its_subitems():
    power_list, items = names_and_types(SAMPLES / "shandong-sections.csv")
    assert [r.number_as_listed for r in power_list.records] == ["1", "2", "3-1", "3-2"]
    assert [t for _, t in items] == ["行政许可", "行政许可", "行政处罚", "行政处罚"]
    assert {r.main_item for r in power_list.records[2:]} == {"对医疗机构违法行为的处罚"}
    assert power_list.records[2].subitems == ["对未取得《医疗机构执业许可证》擅自执业的处罚"]
    heads = [f for f in power_list.findings if f.code == "main-item-row"]
    assert len(heads) == 1 and "3" in heads[0].message
    assert "unrecognised-line" not in [f.code for f in power_list.findings]


def test_word_document_of_key_value_paragraphs(tmp_path, yuanshi):
    import docx

    document = docx.Document()
    document.add_heading(f"{yuanshi.authority}权责清单", level=1)
    for record in yuanshi.records:
        document.add_paragraph(f"事项名称：{record.power}")
        document.add_paragraph(f"权力类型：{record.power_type_as_listed}")
        document.add_paragraph("实施依据：")
        for line in record.basis_text.split("\n"):
            document.add_paragraph(line)
        if record.department:
            document.add_paragraph(f"承办科室：{record.department}")
    document.save(tmp_path / "paragraphs.docx")
    read = read_list(tmp_path / "paragraphs.docx")
    assert [essence(r) for r in read.records] == [essence(r) for r in yuanshi.records]


def test_a_heading_row_wins_over_the_type_of_the_row_above():
    """Merged type cells are carried down, but never across a heading row that names a type."""
    power_list, items = names_and_types(SAMPLES / "heading-rows.xlsx")
    assert [t for _, t in items] == ["行政许可", "行政许可", "行政处罚"]
    assert power_list.authority == "某某县自然资源局"


def test_markdown_catalogue_with_实施机构_and_a_markdown_title():
    power_list, items = names_and_types(SAMPLES / "markdown-catalogue.md")
    assert power_list.layout == "pipe-table"
    assert [r.number_as_listed for r in power_list.records] == ["(1)", "(2)", "(3)"]
    assert [t for _, t in items] == ["行政处罚", "行政许可", "行政检查"]
    assert power_list.authority == "某某县市场监督管理局"
    assert {r.authority for r in power_list.records} == {"某某县市场监督管理局"}
