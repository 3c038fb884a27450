"""The main job in memory: lists → records → citations → RDF → files and a store in output/.
``powerkg build`` runs the same stages one list at a time (:mod:`build_graph.stream`) and writes
the same bytes; this in-memory form serves the tests and small programs.

Files written (all deterministic for the same input):
- ``graph/``    one N-Quads file per named graph (a list's, cross-list, alignment, registry, ontology)
- ``graph.nq``  the same quads in one file, sorted graph by graph (up to 2 M quads: :mod:`graph_files`)
- ``graph.ttl`` the union of all graphs as Turtle (up to 300k quads)
- ``store/``    a persisted pyoxigraph store of the quads, for fast SPARQL
- ``summary.json`` counts per list: powers, citations, unresolved citations, findings
- ``records.json``, ``citations.json``, ``findings.csv`` the plain records behind the graph
- ``ontology/`` the ontology as Turtle and RDF/XML, and its HTML documentation
"""
from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import threading
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path

import pyoxigraph as ox

from . import export, iris, list_cache
from .citations.export import citation_rows
from .checks.facts import assess_list, conflicting_quotes, quote_entries
from .compare import compare_lists
from .emit_checks import alignment_quads, conflict_quads
from .citations.resolve import PowerCitations, cite_list
from .publish import require_complete_build, staged_output
from .emit import RDF_TYPE, RegistryEmitter, citation_iri, ontology_files, pkg, emit_list, ontology_quads
from .graph_files import by_graph, ranges_of, sorted_nquads, write_graph
from .records import Finding, PowerList
from .registry import Registry, load_registry
from .analyze import power_graph, provisions_ranked, write_csv
from .article_index import INDEX_FILE as ARTICLE_INDEX, write_article_index
from .spreadsheet import csv_text
from .ontodoc import write_ontology_docs
from .validate import load_shapes, rule_provisions, write_reports
from .precomputed_answers import ANSWERS_FILE, start_answers, write_answers
from .validate_by_list import validation_groups, validate_by_list
from .site_db import SiteDB
from .pages import write_comparisons, write_pages, write_site
from .reuse import Reuse
from .views import article_page, chromium, power_pages, profiles_folder, screenshot, write_views
from .browser import Browser, BrowserError

PREFIXES = {
    "pkg": iris.ONTOLOGY, "eli": "http://data.europa.eu/eli/ontology#", "cpsv": "http://purl.org/vocab/cpsv#",
    "m8g": "http://data.europa.eu/m8g/", "org": "http://www.w3.org/ns/org#", "prov": "http://www.w3.org/ns/prov#",
    "skos": "http://www.w3.org/2004/02/skos/core#", "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#", "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcterms": "http://purl.org/dc/terms/", "inst": iris.DEFAULT_BASE + "id/instrument/",
}


POWER_ITEM = pkg("PowerItem")


@dataclass
class Built:
    """What a build produced, in memory."""

    lists: list[PowerList]
    citations: dict[str, list[PowerCitations]]
    quads: list[ox.Quad]
    comparisons: list = field(default_factory=list)  # compare.Comparison of lists of one kind of authority

    @property
    def basis_counts(self) -> dict[str, int]:
        """Basis citations per list id."""
        return {list_id: sum(len(p.basis) for p in cited) for list_id, cited in self.citations.items()}


def build_graph(lists: list[PowerList], registry: Registry | None = None) -> Built:
    """Cite every power, compute the legal facts the checks judge, and emit all quads.
    Citation findings are added to each list."""
    registry = registry or load_registry()
    registry_emitter = RegistryEmitter(registry)
    for rule in rule_provisions(load_shapes()):
        registry_emitter.rule_provision(rule)
    quads: list[ox.Quad] = []
    citations = {}
    report_shared_authorities(lists)
    quotes = []
    for power_list in lists:
        cited, findings = cite_list(power_list, registry)
        power_list.findings.extend(findings)
        citations[power_list.list_id] = cited
        facts = assess_list(power_list, cited, registry)
        quotes += quote_entries(power_list, cited, facts, citation_iri)
        quads.extend(emit_list(power_list, cited, registry_emitter, facts))
    quads.extend(conflict_quads(conflicting_quotes(quotes)))
    comparisons = list(compare_lists(SiteDB.from_graph(power_graph(Built(lists, citations, []))), lists))
    quads.extend(alignment_quads(comparisons))
    quads.extend(registry_emitter.sink.quads)
    quads.extend(ontology_quads())
    return Built(lists, citations, sorted(set(quads), key=str), comparisons)


def report_shared_authorities(lists: list[PowerList]) -> None:
    """Powers are keyed by authority and name, so two lists of one authority share the nodes
    of their same-named powers; say so on each list rather than merge silently."""
    found = dict(shared_authority_findings(lists))
    for power_list in lists:
        if power_list.list_id in found:
            power_list.findings.append(found[power_list.list_id])


def shared_authority_findings(lists) -> list[tuple[str, Finding]]:
    """(list id, finding) for each list (objects with ``list_id``, ``authority`` and
    ``source_file``) whose authority has other lists too."""
    by_authority: dict[str, list[str]] = {}
    for power_list in lists:
        by_authority.setdefault(power_list.authority, []).append(power_list.list_id)
    found = []
    for power_list in lists:
        others = [i for i in by_authority[power_list.authority] if i != power_list.list_id]
        if others:
            found.append((power_list.list_id, Finding(
                "warning", power_list.source_file, None, "authority-in-several-lists",
                f"lists {', '.join(others)} also belong to {power_list.authority}: a power of the same name "
                "in both is one node of the graph (with a row in each list)")))
    return found


def write_findings(db: SiteDB, out: Path, reuse: Reuse | None = None) -> None:
    """findings.csv: every finding of every list, as ``export.finding_rows`` makes them; a
    list's rows are a segment (:mod:`splice`), taken from the previous build while they are the same."""
    own = reuse is None
    reuse = reuse or Reuse(None, out, keep=False)
    columns = export.FINDING_COLUMNS + (("file",) if next(db.findings(), None) else ())  # as export.to_csv
    spliced = reuse.spliced("findings.csv")
    spliced.write(csv_text(columns, []))
    for list_id, grouped in groupby(db.findings(), key=lambda row: row[0]):
        findings = [finding for _, finding, _ in grouped]
        rows = (export.finding_row(list_id, finding) for finding in findings)
        spliced.segment(list_id, Reuse.content_digest(columns, list_id, findings),
                        lambda: csv_text(None, ([row[c] for c in columns] for row in rows)))
    reuse.finish("findings.csv", spliced)
    if own:
        reuse.save()


def powers_in_graph(quads: list[ox.Quad]) -> dict[str, int]:
    """Distinct power items per named graph IRI: what the graph holds, for the summary."""
    typed = {(q.graph_name.value, q.subject.value) for q in quads
             if q.predicate == RDF_TYPE and q.object == POWER_ITEM}
    return dict(Counter(graph for graph, _ in typed))


def summary(built: Built) -> dict:
    """Per list: powers (counted in the graph), rows read, citations, findings by severity."""
    in_graph = powers_in_graph(built.quads)
    lists = []
    for power_list in built.lists:
        cited = built.citations[power_list.list_id]
        basis = [r for p in cited for r in p.basis]
        severities = {}
        for finding in power_list.findings:
            severities[finding.severity] = severities.get(finding.severity, 0) + 1
        lists.append({
            "list": power_list.list_id, "authority": power_list.authority, "file": power_list.source_file,
            "layout": power_list.layout, "powers": in_graph.get(iris.list_graph(power_list.list_id), 0),
            "rows": len(power_list.records), "citations": len(basis),
            "unresolved_citations": sum(1 for r in basis if r.instrument.provisional),
            "quoted_references": sum(len(p.quoted) for p in cited), "findings": severities,
        })
    graphs: dict[str, int] = {}
    for quad in built.quads:
        graphs[quad.graph_name.value] = graphs.get(quad.graph_name.value, 0) + 1
    return {"lists": lists, "quads": len(built.quads), "graphs": dict(sorted(graphs.items()))}


def write_outputs(built: Built, target: Path, progress=lambda message: None) -> dict:
    """Write every output file and the persisted store into ``target``; returns the summary.

    Everything is written into a staging folder and swapped in when complete (see
    :mod:`build_graph.publish`): an interrupted build leaves the previous one intact, and two
    builds into one folder run one after the other."""
    marker = {"lists": [pl.list_id for pl in built.lists], "quads": len(built.quads)}
    with staged_output(target, progress, marker) as out:
        result = _write_into(built, out, progress)
    progress(f"  swapped the new build into {target}")
    return result


def _write_into(built: Built, out: Path, progress) -> dict:
    """Write every output into ``out`` (the staging folder)."""
    registry = load_registry()
    index = write_graph(out, {graph: sorted_nquads(quads) for graph, quads in by_graph(built.quads).items()},
                        progress=progress)
    store = ox.Store(str(out / "store"))
    store.bulk_extend(built.quads)
    store.flush()
    progress("  loaded the store store/")
    (out / "records.json").write_text(export.to_json(export.record_rows(built.lists)), encoding="utf-8")
    (out / "citations.json").write_text(export.to_json(citation_rows(built.lists, registry, built.citations)),
                                        encoding="utf-8")
    db = SiteDB.from_graph(power_graph(built))
    for power_list in built.lists:
        db.add_list(power_list, built.basis_counts[power_list.list_id])
    write_findings(db, out)
    write_article_index(db, out / ARTICLE_INDEX)
    write_ontology_docs(ontology_files(), out / "ontology")
    progress("  wrote the ontology documentation ontology/index.html")
    del store
    groups, ranges = validation_groups(built.lists), ranges_of(out, index)
    report = validate_by_list(out, groups, ranges)  # as the streaming build does
    write_answers(out / ANSWERS_FILE, start_answers(ranges, groups), progress)
    write_reports(report, out)
    progress(f"  validated: {report.violations} violations, {report.result_count} results → validation.html")
    (out / "pages").mkdir()
    screenshots = Screenshots(out, db)
    views = write_site_and_views(write_comparisons(built.comparisons, out), db, out, report, progress,
                                 screenshots=screenshots)
    screenshots.finish(progress)
    result = summary(built)
    result["views"] = views
    result["validation"] = {"conforms": report.conforms, "violations": report.violations,
                            "results": report.result_count}
    (out / "summary.json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return result


def write_site_and_views(comparison_pages: list[tuple[str, str]], db: SiteDB, out: Path, report, progress,
                         reuse: Reuse | None = None, analytics=None,
                         screenshots: Screenshots | None = None, views_beside=None) -> dict[str, int]:
    """The analytics, graph views, text pages and index.html from the site database ``db``;
    views and pages counted per kind. ``comparison_pages``: (file, title) of the comparison pages
    already written (``pages.write_comparisons``). ``reuse``: the units taken from the previous
    build (:mod:`reuse`). ``analytics``: when the analytics are written elsewhere, a callable
    giving their counts (``analyze.write_csv``) once they are. ``screenshots``: the overview's is
    started as soon as it is written (the others follow: :meth:`Screenshots.finish`).
    ``views_beside``: when another process writes the overview and the power views, a callable
    giving them (``{"overview": [View], "power": [View, …]}``) once they are."""
    counts = write_csv(db, out / "analytics") if analytics is None else None
    power_pages(db)
    own = reuse is None
    reuse = reuse or Reuse(db, out, keep=False)
    taken_before = reuse.taken
    page_written = screenshots.page_written if screenshots else None
    views = write_views(db, out, reuse, page_written, beside=views_beside is not None)
    pages = write_pages(db, out, reuse, page_written)
    if own:
        reuse.save()
    write_site(db, out, report, comparison_pages, counts if analytics is None else analytics())
    if views_beside is not None:
        beside = views_beside()
        views = {"overview": beside["overview"], **views, "power": beside["power"]}
    taken = reuse.taken - taken_before
    taken = f" ({taken} unchanged: from the previous build)" if taken else ""
    progress(f"  wrote {sum(len(v) for v in views.values())} graph views, {sum(pages.values())} pages and index.html"
             + taken)
    return ({kind: len(items) for kind, items in views.items()} | {f"{kind}_pages": n for kind, n in pages.items()}
            | {"comparison_pages": len(comparison_pages)})


class Screenshots:
    """overview.png, validation.png and article.png (the page of the most-cited article in the
    site database ``db``) of a build into ``out``, each started as soon as its page is written
    (:meth:`page_written`) so that they are
    taken beside the build's other work; :meth:`finish` takes those not started, waits for all
    and reports. They are pages of one headless Chromium (:mod:`browser`), started for the first
    screenshot not in ``cache`` (screenshots by content, tool and page, reused while a page is
    unchanged)."""

    def __init__(self, out: Path, db: SiteDB | None = None, cache: Path | None = None):
        self.out, self.cache = out, cache
        self.pages = {"overview.png": out / "views" / "overview.html", "validation.png": out / "validation.html"}
        top = next((node for node, _ in provisions_ranked(db) if node.kind == "provision"), None) if db else None
        if top is not None:
            self.pages["article.png"] = out / "pages" / article_page(top.article)
        self._profiles = profiles_folder()
        self._pool = ThreadPoolExecutor(3)
        self._started: dict[str, Future] = {}  # by PNG name
        self._browser: Browser | None = None
        self._starting = threading.Lock()  # a screenshot or the browser

    def take(self, page: Path, png_name: str) -> None:
        """Start taking ``png_name`` (in ``out``) of ``page``, unless started or present already."""
        png = self.out / png_name
        with self._starting:  # (called from the threads that see pages written)
            if png_name in self._started or png.is_file():
                return
            self._started[png_name] = self._pool.submit(_screenshot, page, png, self.cache, self._shoot)

    def page_written(self, page: Path) -> None:
        """Start the screenshot of ``page`` (just written) if it is one of the three."""
        for png_name, shot_page in self.pages.items():
            if page == shot_page:
                self.take(page, png_name)

    def _shoot(self, page: Path, png: Path) -> bool:
        if not chromium():
            return False
        try:
            with self._starting:
                self._browser = self._browser or Browser(Path(self._profiles.name) / "shared")
            self._browser.screenshot(page, png)
            return True
        except TimeoutError:  # a screenshot is a convenience: the build goes on without it
            return False
        except (BrowserError, OSError):  # the shared browser failed: a browser of this page's own
            with tempfile.TemporaryDirectory(dir=self._profiles.name) as profile:
                return screenshot(page, png, Path(profile))

    def finish(self, progress) -> None:
        shots = self.pages
        for png_name, page in shots.items():
            self.take(page, png_name)
        for future in list(self._started.values()):
            future.result()
        self.close()
        taken = [png_name for png_name in shots if (self.out / png_name).is_file()]
        if self.cache is not None:
            list_cache.prune(self.cache, {_shot_key(page) for page in shots.values() if page.is_file()})
        progress(f"  screenshots: {', '.join(taken)}" if taken else "  no screenshots (no Chromium, or it failed)")

    def close(self) -> None:
        """End the browser and remove its profiles, once the screenshots started are done (those
        not started yet are not taken); again: nothing."""
        self._pool.shutdown(cancel_futures=True)
        with self._starting:
            browser, self._browser = self._browser, None
        if browser is not None:
            browser.close()
        self._profiles.cleanup()


def _shot_key(page: Path) -> str:
    return hashlib.sha256(list_cache.fingerprint().encode() + page.read_bytes()).hexdigest()


def _screenshot(page: Path, png: Path, cache: Path | None, shoot) -> bool:
    """``shoot(page, png)`` (True when it wrote the PNG), or the cached PNG of a byte-identical
    page (the page's scripts are the tool's, in its fingerprint)."""
    if cache is None or not page.is_file():
        return shoot(page, png)
    kept = cache / f"{_shot_key(page)}.png"
    if not kept.is_file():
        if not shoot(page, png):
            return False
        cache.mkdir(parents=True, exist_ok=True)
        list_cache.write_entry(kept, png.read_bytes())
    else:
        shutil.copyfile(kept, png)
    return True


def open_store(out: Path) -> ox.Store:
    """The persisted store of a complete build in ``out`` (read-only); OutputError otherwise."""
    return ox.Store.read_only(str(require_complete_build(out) / "store"))
