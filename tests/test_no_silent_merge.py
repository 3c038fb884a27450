"""Bad rows never become wrong legal links: every lost cell, lost line, repeated or same-named
row and colliding file name in variants of the real seeds is caught, kept apart or refused —
and the summary counts what the graph holds."""
from __future__ import annotations

import subprocess
import sys

import pytest

from build_graph.build import build_graph, summary
from build_graph.citations.resolve import cite_list
from build_graph.corpus import load_lists
from build_graph.readers import ReadError, read_list
from build_graph.readers.cell_checks import misplaced_cells
from build_graph.registry import load_registry
from conftest import PINGSHAN, YUANSHI, meta_of

REGISTRY = load_registry()


def links(power_list) -> dict[int, set]:
    """Source line → the (instrument, article) pairs its row is linked to."""
    return {p.record.source.first_line: {(r.instrument.id, r.citation.article) for r in p.basis}
            for p in cite_list(power_list, REGISTRY)[0]}


def data_rows(lines: list[str]) -> list[int]:
    return [n for n, line in enumerate(lines) if line.count("\t") >= 5 and line.split("\t")[0].strip().isdigit()]


def test_a_lost_cell_never_links_a_wrong_basis(tmp_path):
    """Every cell of every row of the tab-separated seed, removed in turn: the row is left out
    with an error, not linked (misplaced cells) or, when the last cell goes, linked as before."""
    lines = PINGSHAN.read_text(encoding="utf-8").split("\n")
    base = links(read_list(PINGSHAN, meta_of(PINGSHAN)))
    outcomes = {"left out": 0, "not linked": 0, "same links": 0}
    for n in data_rows(lines):
        cells = lines[n].split("\t")
        for k in range(len(cells)):
            path = tmp_path / "variant.txt"
            path.write_text("\n".join(lines[:n] + ["\t".join(cells[:k] + cells[k + 1:])] + lines[n + 1:]), encoding="utf-8")
            variant = read_list(path, meta_of(PINGSHAN))
            row = [r for r in variant.records if r.source.first_line == n + 1]
            if not row:
                assert any(f.severity == "error" and f.line == n + 1 for f in variant.findings)
                outcomes["left out"] += 1
            elif row[0].unlinked_reason:
                assert links(variant)[n + 1] == set()
                assert any(f.code == "misplaced-cells" and f.line == n + 1 for f in variant.findings)
                outcomes["not linked"] += 1
            else:
                assert links(variant)[n + 1] == base[n + 1], (n + 1, k)
                outcomes["same links"] += 1
    rows = len(data_rows(lines))
    assert outcomes == {"left out": rows, "not linked": rows * 6, "same links": rows}


def test_a_lost_line_never_merges_two_pdf_column_rows(tmp_path):
    """Lines of the PDF-column seed removed one at a time (every third line of the detail
    tables): the list still has its 20 rows."""
    lines = YUANSHI.read_text(encoding="utf-8").split("\n")
    first_row = next(n for n, line in enumerate(lines) if line.strip() == "1" and n > 60)
    checked = 0
    for n in range(first_row, len(lines), 3):
        if not lines[n].strip():
            continue
        path = tmp_path / "variant.txt"
        path.write_text("\n".join(lines[:n] + lines[n + 1:]), encoding="utf-8")
        assert len(read_list(path, meta_of(YUANSHI)).records) == 20, (n + 1, lines[n])
        checked += 1
    assert checked > 300


def test_a_lost_row_number_or_type_character_is_reported(tmp_path):
    lines = YUANSHI.read_text(encoding="utf-8").split("\n")
    row5 = next(n for n, line in enumerate(lines) if line.strip() == "5" and lines[n + 2].strip() == "行")
    # (line lost, 0-based; 1-based line of the variant where the damaged row is reported to start)
    for lost, start in ((row5, row5 + 2), (row5 + 2, row5 + 1)):  # its number; the 行 of its type
        path = tmp_path / "variant.txt"
        path.write_text("\n".join(lines[:lost] + lines[lost + 1:]), encoding="utf-8")
        variant = read_list(path, meta_of(YUANSHI))
        assert [r.power for r in variant.records][3:6] == ["对可能被转移、隐匿或者灭失的医疗保险基金收支、管理相关的资料予以封存",
                                                            "医疗保险先行支付", "医疗保险、生育保险给付与停止"]
        assert [f.line for f in variant.findings if f.code == "damaged-row-start"] == [start]


@pytest.mark.parametrize("values, reason", [
    ({"power": "对某行为的处罚", "basis": "1、立案责任：发现违法行为", "department": "基金监管科"}, "实施依据"),
    ({"power": "对某行为的处罚", "basis": "依法实施", "department": "《社会保险法》第八十四条"}, "承办科室"),
    ({"power": "《社会保险法》第八十四条", "basis": "《社会保险法》第八十四条"}, "权力事项"),
    ({"power": "基金监管科", "basis": "《社会保险法》第八十四条"}, "department"),
    ({"power": "对某行为的处罚", "basis": "《社会保险法》第八十四条", "accountability": "基金监管科"}, "追责情形"),
])
def test_cells_that_do_not_fit_their_column(values, reason):
    assert any(reason in problem for problem in misplaced_cells(values))


def test_every_seed_row_fits_its_columns(seed_lists):
    assert [r.power for pl in seed_lists.values() for r in pl.records if r.unlinked_reason] == []


def test_same_named_rows_stay_two_powers(tmp_path):
    lines = PINGSHAN.read_text(encoding="utf-8").split("\n")
    first, second = data_rows(lines)[1:3]
    cells = lines[second].split("\t")
    cells[2] = lines[first].split("\t")[2]
    lines[second] = "\t".join(cells)
    path = tmp_path / "same-name.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    variant = read_list(path, meta_of(PINGSHAN))
    twins = [r for r in variant.records if r.power == cells[2]]
    assert len(twins) == 2 and twins[0].identity != twins[1].identity
    assert sorted(f.line for f in variant.findings if f.code == "duplicate-name") == [first + 1, second + 1]
    linked = links(variant)
    assert linked[first + 1] != linked[second + 1]  # each keeps its own basis
    built = build_graph([variant])
    assert summary(built)["lists"][0]["powers"] == 25


def test_repeated_rows_are_counted_as_the_graph_holds_them(tmp_path):
    lines = PINGSHAN.read_text(encoding="utf-8").split("\n")
    header, row = lines[data_rows(lines)[0] - 1], lines[data_rows(lines)[0]]
    path = tmp_path / "repeated.txt"
    path.write_text("平山县医疗保障局权责清单\n" + "\n".join([header] + [row] * 300), encoding="utf-8")
    repeated = read_list(path)
    assert repeated.authority == "平山县医疗保障局"
    assert len({r.identity for r in repeated.records}) == 300
    assert sum(f.code == "duplicate-name" for f in repeated.findings) == 300
    entry = summary(build_graph([repeated]))["lists"][0]
    assert entry["powers"] == entry["rows"] == 300


def test_files_with_the_same_name_stay_two_lists(tmp_path):
    text = PINGSHAN.read_text(encoding="utf-8")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "list.txt").write_text(text, encoding="utf-8")
    (tmp_path / "b" / "list.txt").write_text(text.replace("平山县", "某某县"), encoding="utf-8")
    lists = load_lists([tmp_path / "a" / "list.txt", tmp_path / "b" / "list.txt"])
    ids = [pl.list_id for pl in lists]
    assert len(set(ids)) == 2 and all(i.startswith("list-") for i in ids)
    entries = summary(build_graph(lists))["lists"]
    assert [e["powers"] for e in entries] == [25, 25] and len({e["authority"] for e in entries}) == 2
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "list.txt").write_text(text, encoding="utf-8")
    with pytest.raises(ReadError, match="same content"):
        load_lists([tmp_path / "a" / "list.txt", tmp_path / "c" / "list.txt"])


def test_a_shifted_row_is_a_violation_in_the_report(tmp_path):
    lines = PINGSHAN.read_text(encoding="utf-8").split("\n")
    n = data_rows(lines)[0]
    cells = lines[n].split("\t")
    lines[n] = "\t".join(cells[:4] + cells[5:])  # the basis cell is lost
    path = tmp_path / "shifted.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    out = tmp_path / "out"
    build = subprocess.run([sys.executable, "-m", "build_graph.cli", "build", "-o", str(out), str(path),
                            "--authority", "平山县医疗保障局"], capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    report = (out / "validation.csv").read_text(encoding="utf-8")
    assert "RowCellsMisplaced" in report and "行政处罚告知书" not in (out / "citations.json").read_text(encoding="utf-8")
