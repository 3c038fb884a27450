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
