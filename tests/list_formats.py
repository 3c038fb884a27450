"""Write a list, as read from a bundled seed, the ways offices publish lists: a saved web page,
a Word document, a PDF file, an office spreadsheet, a spreadsheet with one sheet per type, a
GBK CSV, a pipe table and key/value detail pages. Real tools write them (python-docx, openpyxl,
reportlab); each file carries what makes its format hard — page chrome, rowspan/colspan and a
two-row header; vertically merged cells and several tables; a row broken over a page and a
repeated header; title rows, merged type cells, a separate 子项 column and line breaks in
cells; wrapped rows and a header split over two lines; keys with values on the next lines.
"""
from __future__ import annotations

import csv
import io
from html import escape
from itertools import groupby
from pathlib import Path

from build_graph.records import PowerList, PowerRecord

COLUMNS = ["序号", "权力类型", "权力事项", "行政主体", "实施依据", "责任事项", "追责情形", "承办科室"]


def responsibilities(record: PowerRecord) -> str:
    lines, number = [], 0
    for entry in record.responsibilities:
        if entry.kind is None and not lines and number == 0 and len(record.responsibilities) > 1:
            lines.append(entry.text)
            continue
        number += 1
        lines.append(f"{number}、{entry.kind + '：' if entry.kind else ''}{entry.text}")
    return "\n".join(lines)


def accountability(record: PowerRecord) -> str:
    cases = [f"{i}、{case}" for i, case in enumerate(record.accountability, 1)] if len(record.accountability) > 1 \
        else list(record.accountability)
    return "\n".join(([record.accountability_preamble] if record.accountability_preamble else []) + cases)


def cells(record: PowerRecord) -> list[str]:
    return [record.number_as_listed, record.power_type_as_listed, record.power, record.authority,
            record.basis_text, responsibilities(record), accountability(record), record.department or ""]


def html_page(power_list: PowerList, path: Path) -> Path:
    """A saved government page: menus, a layout table, a two-row header (colspan/rowspan), type
    cells merged over each run of one type, <br> and <p> inside cells, a footer."""
    def cell(text: str) -> str:
        parts = text.split("\n")
        return "".join(f"<p>{escape(p)}</p>" for p in parts) if len(parts) > 2 else "<br>".join(map(escape, parts))

    body = []
    for _, group in groupby(power_list.records, key=lambda r: r.power_type_as_listed):
        group = list(group)
        for index, record in enumerate(group):
            values = cells(record)
            tds = [f"<td>{cell(values[0])}</td>"]
            if index == 0:
                tds.append(f'<td rowspan="{len(group)}">{escape(values[1])}</td>')
            tds += [f"<td>{cell(v)}</td>" for v in values[2:]]
            body.append("<tr>" + "".join(tds) + "</tr>")
    page = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>政务公开_{escape(power_list.authority)}</title></head>
<body><div class="nav"><a href="/">首页</a> &gt; <a href="/zwgk">政务公开</a> &gt; 权责清单</div>
<table class="layout"><tr><td><a href="/a">机构概况</a></td><td><a href="/b">政策文件</a></td></tr></table>
<h1>{escape(power_list.authority)}权责清单</h1><p>单位：{escape(power_list.authority)}</p>
<table border="1"><thead>
<tr><th rowspan="2">序号</th><th rowspan="2">权力类型</th><th rowspan="2">权力事项</th><th rowspan="2">行政主体</th>
<th colspan="3">依据与责任</th><th rowspan="2">承办科室</th></tr>
<tr><th>实施依据</th><th>责任事项</th><th>追责情形</th></tr></thead>
<tbody>{''.join(body)}</tbody></table>
<div class="footer">主办单位：某某县人民政府办公室 网站标识码 1301000000</div></body></html>"""
    path.write_text(page, encoding="utf-8")
    return path


def docx_file(power_list: PowerList, path: Path) -> Path:
    """A title and 单位 line, then one table per power type under its heading, each with its own
    header row and the type cell merged vertically over the table's rows."""
    import docx

    document = docx.Document()
    document.add_paragraph(f"{power_list.authority}权责清单")
    document.add_paragraph(f"单位：{power_list.authority}")
    for ordinal, (label, group) in enumerate(groupby(power_list.records, key=lambda r: r.power_type_as_listed), 1):
        group = list(group)
        document.add_paragraph(f"{ordinal}、{label}")
        table = document.add_table(rows=1 + len(group), cols=len(COLUMNS))
        for column, name in enumerate(COLUMNS):
            table.cell(0, column).text = name
        for row, record in enumerate(group, 1):
            for column, value in enumerate(cells(record)):
                if column != 1:
                    table.cell(row, column).text = value
        merged = table.cell(1, 1).merge(table.cell(len(group), 1)) if len(group) > 1 else table.cell(1, 1)
        merged.text = label
    document.save(str(path))
    return path


def pdf_file(power_list: PowerList, path: Path) -> Path:
    """A ruled table over several landscape pages, the header repeated on each, and one long row
    broken over a page break (its rest at the top of the next page, without number and type)."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("cell", fontName="STSong-Light", fontSize=5.5, leading=6.6, wordWrap="CJK")

    def para(text: str) -> Paragraph:
        return Paragraph(escape(text).replace("\n", "<br/>"), style)

    widths = [18, 34, 90, 58, 210, 200, 140, 48]
    grid = TableStyle([("GRID", (0, 0), (-1, -1), 0.4, "black"), ("VALIGN", (0, 0), (-1, -1), "TOP")])
    header = [para(c) for c in COLUMNS]
    rows = [[para(v) for v in cells(r)] for r in power_list.records]
    broken = len(rows) // 2  # this record's row is cut in two by a page break
    values = cells(power_list.records[broken])
    cut = [v[: len(v) // 2] if i >= 4 else v for i, v in enumerate(values)]
    rest = ["", ""] + [v[len(v) // 2:] if i >= 4 else "" for i, v in enumerate(values)][2:]
    first = Table([header] + rows[:broken] + [[para(v) for v in cut]], colWidths=widths, repeatRows=1)
    second = Table([header, [para(v) for v in rest]] + rows[broken + 1:], colWidths=widths, repeatRows=1)
    first.setStyle(grid)
    second.setStyle(grid)
    title = ParagraphStyle("title", fontName="STSong-Light", fontSize=12, leading=16)
    SimpleDocTemplate(str(path), pagesize=landscape(A4), leftMargin=20, rightMargin=20, topMargin=20,
                      bottomMargin=20).build([Paragraph(f"{power_list.authority}权责清单", title),
                                              Paragraph(f"单位：{power_list.authority}", title),
                                              first, PageBreak(), second])
    return path


def office_xlsx(power_list: PowerList, path: Path) -> Path:
    """Title rows, a two-row header merged over 主项/子项, the type merged over each run of one
    type, a separate 子项 column and line breaks inside cells."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "权责清单"
    sheet.append([f"{power_list.authority}权责清单"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=9)
    sheet.append([f"填报单位：{power_list.authority}"])
    sheet.append(["序号", "权力类型", "权力事项", None, "实施主体", "实施依据", "责任事项", "追责情形", "承办科室"])
    sheet.append([None, None, "主项", "子项", None, None, None, None, None])
    for column in (1, 2, 5, 6, 7, 8, 9):
        sheet.merge_cells(start_row=3, start_column=column, end_row=4, end_column=column)
    sheet.merge_cells(start_row=3, start_column=3, end_row=3, end_column=4)
    row = 5
    for _, group in groupby(power_list.records, key=lambda r: r.power_type_as_listed):
        group = list(group)
        for index, record in enumerate(group):
            values = cells(record)
            main, sub = (record.main_item, "\n".join(record.subitems)) if record.subitems else (record.power, "")
            sheet.append([values[0], values[1] if index == 0 else None, main, sub, *values[3:]])
        if len(group) > 1:
            sheet.merge_cells(start_row=row, start_column=2, end_row=row + len(group) - 1, end_column=2)
        row += len(group)
    book.save(path)
    return path


def xlsx_per_type(power_list: PowerList, path: Path) -> Path:
    """One sheet per power type, named by it, with no type column."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for label, group in groupby(power_list.records, key=lambda r: r.power_type_as_listed):
        sheet = book.create_sheet(label[:31] if label not in book.sheetnames else f"{label}2")
        sheet.append([f"{power_list.authority}{label}事项"])
        sheet.append([c for c in COLUMNS if c != "权力类型"])
        for record in group:
            values = cells(record)
            sheet.append(values[:1] + values[2:])
    book.save(path)
    return path


def gbk_csv(power_list: PowerList, path: Path) -> Path:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows(cells(r) for r in power_list.records)
    try:
        path.write_bytes(out.getvalue().encode("gbk"))
    except UnicodeEncodeError:  # a character outside GBK: GB18030, its superset
        path.write_bytes(out.getvalue().encode("gb18030"))
    return path


def pipe_table(power_list: PowerList, path: Path, wrap: int = 40) -> Path:
    """A text table: its header words split over two lines, long cells wrapped onto a line
    whose number and type cells are empty."""
    lines = [f"{power_list.authority}权责清单", "",
             "| 序号 | 权力 | 权力事项 | 行政 | 实施 | 责任事项 | 追责 | 承办 |",
             "|      | 类型 |          | 主体 | 依据 |          | 情形 | 科室 |",
             "|---|---|---|---|---|---|---|---|"]
    for record in power_list.records:
        values = [v.replace("\n", " ").replace("|", "｜") for v in cells(record)]
        heads = [v[:wrap] for v in values]
        tails = ["" if i < 2 else v[wrap:] for i, v in enumerate(values)]
        lines.append("| " + " | ".join(heads) + " |")
        while any(tails):
            lines.append("| " + " | ".join(t[:wrap] for t in tails) + " |")
            tails = [t[wrap:] for t in tails]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def key_value_pages(power_list: PowerList, path: Path) -> Path:
    """One block per item: ``key：value`` lines, ``key | value`` lines and keys whose values
    follow on the next lines."""
    blocks = [f"{power_list.authority}权责清单事项详情"]
    for record in power_list.records:
        values = cells(record)
        blocks.append("\n".join([
            f"序号：{values[0]}", f"事项名称：{values[2]}", f"职权类型 | {values[1]}", f"实施主体：{values[3]}",
            "设定依据", values[4], "责任事项", values[5], "追责情形", values[6], f"承办科室：{values[7]}",
            "------------------------------"]))
    path.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    return path


FORMATS = {"html": ("page.html", html_page), "docx": ("list.docx", docx_file), "pdf": ("list.pdf", pdf_file),
           "office-xlsx": ("office.xlsx", office_xlsx), "xlsx-per-type": ("per-type.xlsx", xlsx_per_type),
           "gbk-csv": ("gbk.csv", gbk_csv), "pipe": ("pipes.txt", pipe_table), "key-value": ("details.txt", key_value_pages)}
