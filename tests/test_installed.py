"""The package as a normal (non-editable) install: built into a wheel, installed into a folder
of its own and run from another working directory, it carries its shapes, queries, ontology,
registry and corpus; without its shapes, validation stops with exit 2 instead of passing."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Runs powerkg with the checkout's editable-install finder taken out of the import system, so
# that only the installed copy can answer (the test venv has the checkout installed editable).
RUNNER = ("import sys; sys.meta_path[:] = [f for f in sys.meta_path if '__editable__' not in "
          "getattr(f, '__module__', '')]; from build_graph.cli import main; sys.exit(main(sys.argv[1:]))")


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(site folder holding the installed package, a working directory outside the checkout)."""
    base = tmp_path_factory.mktemp("installed")
    wheels, site, work = base / "wheels", base / "site", base / "work"
    work.mkdir()
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
                           capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    wheel = next(wheels.glob("powerkg-*.whl"))
    install = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site),
                              str(wheel)], capture_output=True, text=True)
    assert install.returncode == 0, install.stderr
    return site, work


def powerkg(installed, *args, site=None):
    installed_site, work = installed
    env = {**os.environ, "PYTHONPATH": str(site or installed_site)}
    return subprocess.run([sys.executable, "-c", RUNNER, *args], cwd=work, env=env,
                          capture_output=True, text=True, timeout=600)


def test_the_installed_package_is_the_one_that_runs(installed):
    site, work = installed
    probe = RUNNER.split("; from")[0] + "; import build_graph.data as d; print(d.folder('shapes'))"
    result = subprocess.run([sys.executable, "-c", probe], cwd=work,
                            env={**os.environ, "PYTHONPATH": str(site)}, capture_output=True, text=True)
    assert Path(result.stdout.strip()).is_relative_to(site), result.stderr
    data = site / "build_graph" / "data"
    assert sorted(p.name for p in (data / "shapes").glob("*.ttl")) == sorted(p.name for p in (ROOT / "shapes").glob("*.ttl"))
    assert len(list((data / "queries").glob("*.rq"))) == len(list((ROOT / "queries").glob("*.rq")))
    assert (data / "ontology" / "instruments.ttl").exists() and (data / "corpus" / "lists.toml").exists()


def test_build_validate_query_cite_and_export_from_another_directory(installed):
    site, work = installed
    build = powerkg(installed, "build")
    assert build.returncode == 0, build.stderr
    assert (work / "output" / "index.html").exists()
    validate = powerkg(installed, "validate")
    assert validate.returncode == 1 and "19 violations" in validate.stdout.splitlines()[0]
    query = powerkg(installed, "query", "powers-by-article", "--param", "instrument=社会保险法", "--param", "article=84")
    assert query.returncode == 0 and "(2 rows)" in query.stdout
    cite = powerkg(installed, "cite", "《社会保险法》第八十四条")
    assert cite.returncode == 0 and '"provision_exists": true' in cite.stdout
    export = powerkg(installed, "export", "records", "--format", "csv")
    assert export.returncode == 0 and len(export.stdout.splitlines()) > 45


def test_without_its_shapes_validation_stops_with_exit_2(installed, tmp_path):
    site, work = installed
    assert powerkg(installed, "build").returncode == 0
    broken = tmp_path / "site"
    shutil.copytree(site, broken)
    shutil.rmtree(broken / "build_graph" / "data" / "shapes")
    result = powerkg(installed, "validate", site=broken)
    assert result.returncode == 2 and "shapes" in result.stderr and "conforms" not in result.stdout
