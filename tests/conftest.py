"""Shared fixtures: the bundled seed lists, read once per session."""
from __future__ import annotations

from pathlib import Path

import pytest

from build_graph.corpus import bundled_lists, load_lists
from build_graph.data import folder

PINGSHAN = folder("corpus") / "lists" / "pingshan-ybj.txt"
YUANSHI = folder("corpus") / "lists" / "yuanshi-ybj.txt"


@pytest.fixture(scope="session")
def bundled_build(tmp_path_factory):
    """The output folder of one build of the bundled lists, shared by tests that only read it."""
    from build_graph.build import build_graph, write_outputs

    out = tmp_path_factory.mktemp("bundled") / "output"
    write_outputs(build_graph(load_lists()), out)
    return out


@pytest.fixture(scope="session")
def seed_lists():
    return {pl.list_id: pl for pl in load_lists()}


@pytest.fixture(scope="session")
def pingshan(seed_lists):
    return seed_lists["pingshan-ybj"]


@pytest.fixture(scope="session")
def yuanshi(seed_lists):
    return seed_lists["yuanshi-ybj"]


def copy_bundled_lists(folder: Path) -> list[Path]:
    """The bundled lists' files copied into ``folder``, each named by its list id (what a build
    of files finds them by)."""
    import shutil

    files = []
    for file, meta in bundled_lists():
        files.append(folder / f"{meta.list_id}{file.suffix}")
        shutil.copy(file, files[-1])
    return files


def meta_of(path: Path):
    return next(meta for file, meta in bundled_lists() if file == path)


def codes(power_list, severity=None):
    return [f.code for f in power_list.findings if severity is None or f.severity == severity]
