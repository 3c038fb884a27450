"""Work of a build that only reads its working database (:mod:`site_db`), done in a process of
its own beside the main one: the cross-list graph (conflicting quotes), ``findings.csv`` with the
article index, the analytics, the overview, the ontology documentation and the power views, and —
once the results are in — the validation reports.

The main process fills the database, commits (``SiteDB.ready_for_readers``) and submits
:func:`run` with one of the jobs below; each opens its own connection (``SiteDB.beside``) and
sends back only what the main process needs: bytes of a graph, counts, and the rows of the reuse
manifest it made (``Reuse.rows``) — the files it writes are in the build's folder already.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from .article_index import INDEX_FILE as ARTICLE_INDEX, write_article_index
from .reuse import Reuse
from .site_db import SiteDB


def run(job: Callable, db_file: Path, flags: tuple[bool, bool, str], out: Path, previous: Path | None, *args):
    """``job(db, out, previous, *args)`` on a connection of its own to ``db_file`` (``flags``:
    the writer's ``power_pages``, ``basis_records_agree`` and ``results_db``)."""
    db = SiteDB.beside(db_file, *flags)
    try:
        return job(db, out, previous, *args)
    finally:
        db.close()


def cross_list(db: SiteDB, out: Path, previous: Path | None) -> bytes:
    """The cross-list graph (conflicting quotes, :mod:`checks.facts`) as sorted N-Quads."""
    from .checks.facts import conflicts_by_provision
    from .emit_checks import conflict_quads
    from .graph_files import sorted_nquads

    return sorted_nquads(conflict_quads(conflicts_by_provision(db.quote_variants())))


def findings_and_article_index(db: SiteDB, out: Path, previous: Path | None) -> tuple[tuple, int]:
    """findings.csv and the article index; the manifest rows made and the index's rows."""
    from .build import write_findings

    reuse = Reuse(db, out, previous, keep=False)
    write_findings(db, out, reuse)
    return reuse.rows(), write_article_index(db, out / ARTICLE_INDEX)


def analytics(db: SiteDB, out: Path, previous: Path | None) -> dict[str, int]:
    """The analytics (``analyze.write_csv``); their counts."""
    from .analyze import write_csv

    return write_csv(db, out / "analytics")


def overview(db: SiteDB, out: Path, previous: Path | None):
    """``views/overview.html`` (``views.write_overview``; its layout is most of a small build's
    view time, made here while the main process aligns and validates); its ``View`` record."""
    from .views import write_overview

    return write_overview(db, out)


def ontology_docs(db: SiteDB, out: Path, previous: Path | None) -> tuple[tuple, bool]:
    """The ontology documentation in ``out/ontology`` (``ontodoc.write_ontology_docs``), or its
    files linked from the previous build (the tool's fingerprint covers the ontology's files);
    the manifest rows made and whether they were linked."""
    from .emit import ontology_files
    from .ontodoc import ONTOLOGY_DOCS, write_ontology_docs

    reuse = Reuse(db, out, previous, keep=False)
    (out / "ontology").mkdir()
    docs, digest = [f"ontology/{name}" for name in ONTOLOGY_DOCS], Reuse.content_digest("ontology documentation")
    taken = reuse.take_all(docs, digest)
    if not taken:
        write_ontology_docs(ontology_files(), out / "ontology")
        for file in docs:
            reuse.made(file, digest)
    return reuse.rows(), taken


def power_views(db: SiteDB, out: Path, previous: Path | None) -> list:
    """The views of the powers (``views.write_power_views``), beside the main process's other
    views and pages; their ``View`` records."""
    from .views import write_power_views

    return write_power_views(db, out)


def reports(db: SiteDB, out: Path, previous: Path | None, conforms: bool, by_severity) -> tuple:
    """The validation reports from the results in the database; the manifest rows made."""
    from .validate import write_report_files

    reuse = Reuse(db, out, previous, keep=False)
    write_report_files(conforms, by_severity, db.results, out, reuse=reuse)
    return reuse.rows()
