"""The streaming build: one list at a time, from its file to its own named graph on disk.

Each list is read, cited, checked and emitted on its own (in a process pool when there are
several lists and cores): what comes back is the list's sorted N-Quads (written into a file of
their own at once), the registry nodes it needs, its export rows, its fragment of the power–basis
graph, the quotes to compare across lists and its records without their long texts — all kept
by content in the list store (:mod:`list_store`), and nothing of the list stays in memory:
memory grows with the largest list (plus the registry), not with the corpus. A list unchanged
since the last build (same tool, file and metadata) is not read at all.

After the last list: the build's working database (:mod:`site_db`) is filled from the list
store (with the cache: the previous build's, kept there, patched where lists changed); the comparisons and the alignment graph (:mod:`alignments`), the cross-list graph
(conflicting quotes), registry and ontology graphs; the graph files (:mod:`graph_files`: one
sorted N-Quads file per graph, a list's linked from the list store; ``graph.nq``, their
concatenation, while small) — byte-identical to the in-memory build's and to a single-process
run — with their index; the store is loaded from them or patched from the previous build's
(:mod:`store_load`) while it is validated group by group of lists on the same pool
(:mod:`validate_by_list`), the results going into the working database; the reports, analytics,
views and site are written from there, one unit at a time — the cross-list graph, findings.csv,
the article index, the analytics, the overview, the ontology documentation, the power views and
the reports by a second process (:mod:`beside`) while this one writes the alignments, graph
files, the other views and the pages. What did not change since the last build is taken, not
made: lists, alignments and validation groups from the cache, views and pages of the site from
the previous build (:mod:`reuse`), screenshots by content.
"""
from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import pyoxigraph as ox

from . import beside, export, iris, list_cache
from .analyze import power_graph
from .checks.facts import QuoteEntry, assess_list, quote_entries
from .citations.export import citation_rows
from .citations.resolve import cite_list
from .emit import RDF_TYPE, RegistryEmitter, citation_iri, emit_list, ontology_quads, pkg
from .parallel import ordered_map, process_pool, start_server
from .alignments import write_alignments
from .article_index import INDEX_FILE as ARTICLE_INDEX
from .list_store import ListStore, write_nquads
from .reuse import Reuse
from .site_db import ListRow, SiteDB, results_file
from .publish import is_complete_build, staged_output
from .readers import ListMeta, read_list
from .records import PowerList
from .registry import load_registry
from .graph_files import by_graph, graph_entry, ranges_of, sorted_nquads, turtle_not_written, write_graph, write_turtle
from .store_load import load_store
from .validate import load_shapes, rule_provisions
from .precomputed_answers import ANSWERS_FILE, start_answers, write_answers
from .validate_by_list import validation_groups, validate_by_list
from .views import power_pages, prepare_views

SITE_DB_FILE = ".site.sqlite"  # in the staging folder while a build without the cache runs; not an output
KEPT_SITE_DB = "site.sqlite"  # in the cache folder: the working database, kept between builds
LIST_STORE_FOLDER = ".lists"   # the list store of a build without the cache, in the staging folder
VALIDATION_RESULTS = "validation-results.sqlite"  # in the cache folder: the groups' results by content


@dataclass
class ListOutput:
    """What one list's build sends back to the main process."""

    power_list: PowerList       # its records without long texts (the index and views need names)
    graph: str                  # the list's named graph IRI
    nquads: bytes               # its graph, sorted N-Quads (b"" once written into the list store)
    registry: set[bytes]        # N-Quads lines of the registry nodes it cites
    records: list[str]          # its records.json rows, rendered (``json_rows``)
    citations: list[str]        # its citations.json rows, rendered
    fragment: nx.Graph          # its part of the power–basis graph
    quotes: list[QuoteEntry]
    counts: dict = field(default_factory=dict)


def build_list(file: Path, meta: ListMeta, layout: str | None) -> ListOutput:
    """Read, cite, check and emit one list (in a worker process or in this one)."""
    registry = load_registry()
    power_list = read_list(file, meta, layout)
    cited, findings = cite_list(power_list, registry)
    power_list.findings.extend(findings)
    facts = assess_list(power_list, cited, registry)
    emitter = RegistryEmitter(registry)
    quads = emit_list(power_list, cited, emitter, facts)
    graph = iris.list_graph(power_list.list_id)
    basis = [r for p in cited for r in p.basis]
    powers = {q.subject.value for q in quads if q.predicate == RDF_TYPE and q.object == pkg("PowerItem")}
    output = ListOutput(
        power_list=power_list, graph=graph, nquads=sorted_nquads(quads),
        registry=set(sorted_nquads(emitter.sink.quads).splitlines()),
        records=json_rows(export.record_rows([power_list])),
        citations=json_rows(citation_rows([power_list], registry, {power_list.list_id: cited})),
        fragment=power_graph(_OneList(power_list, cited)), quotes=quote_entries(power_list, cited, facts, citation_iri),
        counts={"powers": len(powers), "citations": len(basis),
                "unresolved_citations": sum(1 for r in basis if r.instrument.provisional),
                "quoted_references": sum(len(p.quoted) for p in cited)})
    output.counts["graph"] = graph_entry(output.nquads)  # its entry in the graph index, but for the file
    output.counts["graph_iri"] = graph
    for record in power_list.records:  # exported and emitted: the main process needs names only
        record.basis_text, record.responsibilities, record.accountability = "", [], []
    return output


@dataclass
class _OneList:
    """The shape of ``Built`` that ``power_graph`` reads, for one list."""

    power_list: PowerList
    cited: list

    @property
    def lists(self):
        return [self.power_list]

    @property
    def citations(self):
        return {self.power_list.list_id: self.cited}


def _build_list_job(job) -> ListOutput:
    """One list built, its N-Quads written into the list store's folder (``list_store.write_nquads``)."""
    file, meta, layout, folder, key = job
    output = build_list(file, meta, layout)
    write_nquads(folder, key, output)
    return output


def json_rows(rows: list[dict]) -> list[str]:
    """Each row as ``export.to_json`` writes it inside its array (indented one level)."""
    return [json.dumps(row, ensure_ascii=False, indent=2).replace("\n", "\n  ") for row in rows]


def _write_json_rows(reuse: Reuse, file: str, lists: list[tuple[str, int]], rendered) -> None:
    """records.json or citations.json (``file``): a JSON array, byte for byte what
    ``export.to_json`` writes for the rows, from (content key, rows) of each list and
    ``rendered(key)``: the list's rows as :func:`json_rows` renders them, joined by ",\\n  ".
    A list's segment is its rows and the separator before them."""
    spliced = reuse.spliced(file)
    first = True
    for key, rows in lists:
        if rows:
            separator = "[\n  " if first else ",\n  "
            spliced.segment(key, f"{key} {first}", lambda: separator + rendered(key))
            first = False
    spliced.write("[]\n" if first else "\n]\n")
    reuse.finish(file, spliced)


def stream_build(jobs: list[tuple[Path, ListMeta]], layout: str | None, target: Path, progress=lambda m: None,
                 workers: int | None = None, cache: bool = True) -> dict:
    """Build every list of ``jobs`` into ``target`` (staged and swapped in); returns the summary.
    With ``cache``, a list whose build is in :mod:`list_cache` (same tool, file and metadata) is
    taken from there instead of being read again; the output is the same bytes either way."""
    from .build import Screenshots, shared_authority_findings, write_site_and_views

    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    start_server()  # the workers' server imports the package beside the steps before the first pool
    load_registry()  # for the merge below; each worker loads its own once
    marker = {"lists": [meta.list_id for _, meta in jobs]}
    # side: a process for the work that only reads the working database once it is filled
    # (:mod:`beside`), beside the main process's alignments, graph files, validation and site
    with process_pool(1) as side, staged_output(target, progress, marker) as out:
        chunks = out / ".chunks"
        chunks.mkdir()
        cache_dir = list_cache.cache_folder(target) if cache else None
        store = ListStore(cache_dir if cache else out / LIST_STORE_FOLDER)
        keys = [list_cache.list_key(file, meta, layout, store.file_digest(file)) for file, meta in jobs]
        to_read, seen = [], set()
        for index, key in enumerate(keys):
            if key not in seen and not store.has(key):
                to_read.append(index)
            seen.add(key)
        outputs = ordered_map(_build_list_job, ((*jobs[i], layout, store.folder, keys[i]) for i in to_read),
                              min(workers, len(to_read)))
        reading = set(to_read)
        read_keys = {keys[index] for index in to_read}
        unread = sorted({key for key in keys if key not in read_keys})
        kept = dict(zip(unread, store.entries(unread)))  # each list's entry: of the lists not read, at once
        # one list at a time: its rows go into the list store and its graph is dropped before the next
        for number, (key, (file, meta)) in enumerate(zip(keys, jobs), 1):
            if number - 1 in reading:
                store.add(key, next(outputs))
            if key not in kept:  # a list read now
                kept[key] = store.entries([key])[0]
            entry = kept[key]
            progress(f"  [{number}/{len(jobs)}] {entry['list_id']} ({entry['source_file']}): "
                     f"{entry['rows']} powers ({entry['layout']})"
                     + ("" if number - 1 in reading else ", unchanged: from the cache"))
        if cache:
            progress(f"  {len(jobs) - len(to_read)} of {len(jobs)} list(s) unchanged since the last build "
                     f"(taken from {cache_dir.name}/), {len(to_read)} read")
        # the power–basis graph and the lists' rows, on disk, for the later stages: kept in the
        # cache between builds (a rebuild patches the lists that changed), with the validation
        # results of groups (a rebuild adds those of the groups an edit reaches)
        db_path = cache_dir / KEPT_SITE_DB if cache_dir else out / SITE_DB_FILE
        db = SiteDB(db_path, cache_dir / VALIDATION_RESULTS if cache_dir else None, kept=cache)
        patched = store.fill(db, keys)
        if patched is not None:
            progress(f"  patched {patched} list(s) into the working database (kept in {cache_dir.name}/)" if patched else
                     f"  the working database kept in {cache_dir.name}/ holds these lists already")
        power_pages(db)  # before any unit's digest: whether powers have pages is in each
        previous = target if cache and is_complete_build(target) else None
        reuse = Reuse(db, out, previous)
        listed = [kept[key] for key in keys]
        entries = [entry["counts"] for entry in listed]
        chunk_files = {counts["graph_iri"]: (store.nquads_file(key), counts["graph"]) for key, counts in zip(keys, entries)}
        registry_lines = store.registry_lines(keys)
        lists = db.lists()
        for list_id, finding in shared_authority_findings(lists):
            db.add_findings(list_id, [finding])
        db.ready_for_readers()
        reader = (db_path, (db.power_pages, db.basis_records_agree, db.results_db), out, previous)
        cross_list = side.submit(beside.run, beside.cross_list, *reader)
        findings_written = side.submit(beside.run, beside.findings_and_article_index, *reader)
        analytics = side.submit(beside.run, beside.analytics, *reader)
        prepare_views(db, out)
        overview = side.submit(beside.run, beside.overview, *reader)
        ontology_docs = side.submit(beside.run, beside.ontology_docs, *reader)
        for name in ("records", "citations"):
            _write_json_rows(reuse, f"{name}.json", [(key, entry[name]) for key, entry in zip(keys, listed)],
                             lambda key: store.json_rows(key, name))
        registry = load_registry()
        emitter = RegistryEmitter(registry)
        for rule in rule_provisions(load_shapes()):
            emitter.rule_provision(rule)
        (out / "pages").mkdir()
        comparison_pages, alignment, aligned = write_alignments(
            db, out, store.folder, reuse, chunks / "alignment.nq", workers, cache_dir / "alignment" if cache_dir else None)
        if alignment is not None:
            chunk_files[iris.alignment_graph()] = alignment
        progress(f"  aligned {len(comparison_pages)} pairs of lists"
                 + (f" ({len(comparison_pages) - aligned} unchanged: from the previous build)" if aligned < len(comparison_pages) else ""))
        shared = ontology_quads() + emitter.sink.quads
        if registry_lines:
            shared += ox.parse(b"\n".join(registry_lines), format=ox.RdfFormat.N_QUADS)
        graphs = {graph: sorted_nquads(quads) for graph, quads in by_graph(shared).items()}
        graphs[iris.cross_list_graph()] = cross_list.result()
        del shared
        index = write_graph(out, {**graphs, **chunk_files}, previous, progress, turtle=False)
        turtle = side.submit(write_turtle, out, sum(entry["quads"] for entry in index.values()))
        del graphs
        graph_sizes = {graph: entry["quads"] for graph, entry in index.items()}
        total = sum(graph_sizes.values())
        shutil.rmtree(chunks)
        # in children: the store's loader beside the validation's batches (each an in-memory
        # store of a few lists and the shared nodes they reach); their buffers die with them
        with process_pool(workers) as pool:  # --workers 1: one child, one job after the other
            loading = pool.submit(load_store, out, previous)
            groups, digests = validation_groups(lists, db.power_authorities()), {g: e["sha256"] for g, e in index.items()}
            ranges = ranges_of(out, index)
            answering = []  # the answers' batches queued behind the validation's (the longest jobs first)
            report = validate_by_list(out, groups, ranges, pool.submit,
                                      cache=cache_dir / "validation" if cache_dir else None, progress=progress,
                                      sink=db.add_results, digests=digests,
                                      results_db=db.results_db, groups_sink=db.add_groups,
                                      then=lambda: answering.append(start_answers(
                                          ranges, groups, pool.submit,
                                          cache=cache_dir / "answers" if cache_dir else None, digests=digests)))
            write_answers(out / ANSWERS_FILE, answering[0], progress)
            progress(f"  loaded the store store/ ({loading.result()})")
        db.ready_for_readers()  # the results, for the reports beside the analytics, views and pages
        screenshots = cache_dir / "screenshots" if cache_dir else None
        shots = Screenshots(out, db, screenshots)
        reports = side.submit(beside.run, beside.reports, *reader, report.conforms, report.by_severity)
        reports.add_done_callback(lambda done: done.exception() or shots.page_written(out / "validation.html"))
        overview.add_done_callback(lambda done: done.exception() or shots.page_written(out / "views" / "overview.html"))
        power_views = side.submit(beside.run, beside.power_views, *reader)
        views = write_site_and_views(comparison_pages, db, out, report, progress, reuse, analytics.result, shots,
                                     lambda: {"overview": [overview.result()], "power": power_views.result()})
        rows, indexed = findings_written.result()
        reuse.add_rows(rows)
        progress(f"  indexed {indexed} rows of powers on articles → {ARTICLE_INDEX}; wrote findings.csv")
        rows, taken = ontology_docs.result()
        reuse.add_rows(rows)
        progress("  ontology documentation ontology/index.html unchanged: from the previous build" if taken else
                 "  wrote the ontology documentation ontology/index.html")
        reuse.add_rows(reports.result())
        progress(f"  validated: {report.violations} violations, {report.result_count} results → validation.html")
        shots.finish(progress)
        if not turtle.result():
            progress(turtle_not_written(total))
        findings = db.finding_counts()
        result = {"lists": [_summary_entry(pl, entry, findings.get(pl.list_id, {})) for pl, entry in zip(lists, entries)],
                  "quads": total,
                  "graphs": graph_sizes, "views": views,
                  "validation": {"conforms": report.conforms, "violations": report.violations,
                                 "results": report.result_count}}
        (out / "summary.json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        reuse.save()
        if reuse.segments_taken:
            progress(f"  {reuse.segments_taken} lists' parts of records.json, citations.json, findings.csv and the "
                     "validation reports unchanged: copied from the previous build")
        if cache:
            db.prune_results()
            db.keep(keys)
            db.close()
            store.prune(set(keys), (file for file, _ in jobs))
        else:  # the working database and its results go
            db.close()
            for suffix in ("", "-wal", "-shm"):
                Path(str(db_path) + suffix).unlink(missing_ok=True)
                Path(results_file(db_path) + suffix).unlink(missing_ok=True)
        store.close()
        if not cache:
            shutil.rmtree(out / LIST_STORE_FOLDER)
    progress(f"  swapped the new build into {target}")
    return result


def _summary_entry(listed: ListRow, counts: dict, severities: dict[str, int]) -> dict:
    return {"list": listed.list_id, "authority": listed.authority, "file": listed.source_file,
            "layout": listed.layout, "powers": counts["powers"], "rows": listed.rows,
            "citations": counts["citations"], "unresolved_citations": counts["unresolved_citations"],
            "quoted_references": counts["quoted_references"], "findings": severities}
