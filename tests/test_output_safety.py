"""Outputs are written safely: an interrupted build leaves the previous one intact, two builds
into one folder take turns, nothing of an earlier build survives, a folder that is not a
powerkg output is never replaced, and an incomplete build is never opened."""
from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

import build_graph.build as build_module
from build_graph.build import build_graph, open_store, write_outputs
from build_graph.corpus import load_lists
from build_graph.publish import MARKER, OutputError, staged_output


def leftovers(folder):
    return sorted(p.name for p in folder.parent.iterdir() if p.name.startswith(f".{folder.name}.staging"))


def test_an_interrupted_build_leaves_the_previous_build_intact(tmp_path, monkeypatch):
    out = tmp_path / "output"
    write_outputs(build_graph(load_lists()), out)
    before = (out / "graph.nq").read_bytes(), (out / "summary.json").read_text(), len(open_store(out))

    def crash(*args, **kwargs):
        raise RuntimeError("disk full while writing the site")

    monkeypatch.setattr(build_module, "write_site", crash)
    with pytest.raises(RuntimeError):
        write_outputs(build_graph(load_lists()), out)
    after = (out / "graph.nq").read_bytes(), (out / "summary.json").read_text(), len(open_store(out))
    assert after == before and (out / "index.html").exists() and leftovers(out) == []


def test_a_killed_build_leaves_the_previous_build_and_the_next_build_cleans_up(tmp_path):
    out = tmp_path / "output"
    command = [sys.executable, "-m", "build_graph.cli", "build", "-o", str(out)]
    assert subprocess.run(command, capture_output=True).returncode == 0
    summary = (out / "summary.json").read_text()
    killed = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    for line in killed.stderr:  # kill it while it writes into the staging folder
        if "loaded the store" in line:
            killed.kill()
            break
    killed.wait()
    assert (out / "summary.json").read_text() == summary and (out / MARKER).exists()
    assert len(leftovers(out)) == 1  # the killed build's staging folder
    assert subprocess.run(command, capture_output=True).returncode == 0
    assert leftovers(out) == []


def test_the_replaced_build_is_removed_after_the_swap(tmp_path):
    """The previous build leaves the target at once (renamed) and is removed by a process of
    its own; one whose removal was cut short is removed by the next build."""
    out = tmp_path / "output"
    for number in range(3):
        if number == 2:
            (tmp_path / ".output.old-cut" / "build").mkdir(parents=True)  # as a removal killed early leaves it
        with staged_output(out) as staging:
            (staging / "summary.json").write_text(f"build {number}")
            (staging / "views").mkdir()
            (staging / "views" / "overview.html").write_text(f"view {number}")
        assert (out / "summary.json").read_text() == f"build {number}" and (out / MARKER).is_file()
    assert not (tmp_path / ".output.old-cut").exists()
    for _ in range(600):  # the removal of the builds just replaced: done in the background
        if not list(tmp_path.glob(".output.old-*")):
            break
        time.sleep(0.1)
    assert not list(tmp_path.glob(".output.old-*")) and leftovers(out) == []


def test_two_concurrent_builds_into_one_folder_take_turns(tmp_path):
    out = tmp_path / "output"
    command = [sys.executable, "-m", "build_graph.cli", "build", "-o", str(out)]
    runs = [subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    errors = [run.communicate()[1] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], errors
    assert any("waiting for it to finish" in e for e in errors)
    summary = json.loads((out / "summary.json").read_text())
    assert [entry["powers"] for entry in summary["lists"]] == [25, 20]
    assert len(open_store(out)) == summary["quads"] and leftovers(out) == []


def test_nothing_of_an_earlier_build_survives(tmp_path):
    out = tmp_path / "output"
    write_outputs(build_graph(load_lists()), out)
    (out / "views" / "power-stale.html").write_text("from a build with other lists")
    write_outputs(build_graph(load_lists()), out)
    assert not (out / "views" / "power-stale.html").exists()


def test_a_folder_that_is_not_a_powerkg_output_is_never_replaced(tmp_path):
    mine = tmp_path / "documents"
    mine.mkdir()
    (mine / "thesis.docx").write_text("years of work")
    result = subprocess.run([sys.executable, "-m", "build_graph.cli", "build", "-o", str(mine)],
                            capture_output=True, text=True)
    assert result.returncode == 2 and "not a powerkg output folder" in result.stderr
    assert (mine / "thesis.docx").read_text() == "years of work" and leftovers(mine) == []


def test_an_incomplete_build_is_not_opened(tmp_path):
    out = tmp_path / "output"
    (out / "store").mkdir(parents=True)
    with pytest.raises(OutputError, match="no complete powerkg build"):
        open_store(out)
    result = subprocess.run([sys.executable, "-m", "build_graph.cli", "query", "provisions-ranked", "-o", str(out)],
                            capture_output=True, text=True)
    assert result.returncode == 2 and "powerkg build" in result.stderr and result.stdout == ""
