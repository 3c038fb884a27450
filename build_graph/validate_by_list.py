"""Validation list by list: each group of lists' named graphs with the shared nodes they reach,
a few groups to a batch, batches on a process pool — memory bounded by a batch, not the corpus.

Input is each graph's byte range in the build's graph files (:mod:`graph_files`) or in one N-Quads
file whose graphs are contiguous, and the groups:
the list graphs that must be validated together. Lists of one authority share their powers'
nodes (a power's IRI is its authority and name), so a group is the lists whose powers share an
authority (:func:`validation_groups`).
Every graph in no group is *shared* (registry, ontology, cross-list).

A batch's store holds, of the triples the shapes and the report read (``shape_predicates``),
its groups' lines and the *closure* of shared lines they reach: shared lines whose subject is a
term (IRI or blank node) written in a group's lines, then in those shared lines, to a fixpoint.
Each group keeps the results on the subjects of its own lines — with a cache, under the SHA-256
of the tool, the shapes, its lines and its closure, so a rebuild validates only the groups an
edit reaches. One more pass validates the shared graphs alone, for focus nodes that live there
(provisions, instruments), leaving out the nodes a group owns.

The results equal :func:`validate.validate_store` on the union of all graphs when a shape reaches
another list's nodes only through shared graphs and no shape target of a shared node follows a
path into the lists — true of the bundled shapes, and tested: tests/test_shapes.py validates
every graph it builds also list by list and requires pyshacl's results; tests/test_validate_by_list.py
adds lists of one authority, one batch or many, and the cache.
"""
from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from . import list_cache

BATCH_BYTES = 64 * 2**20  # of N-Quads per batch (before the lines the shapes do not read are left out)


@dataclass(frozen=True)
class Batch:
    """The groups one store validates, each as byte ranges (file, offset, length) of N-Quads;
    none for the batch of the shared graphs alone."""

    groups: tuple[tuple[tuple[str, int, int], ...], ...]
    shared: tuple[tuple[str, int, int], ...]   # the shared graphs' ranges (read once per process)
    shapes_files: tuple[str, ...] | None
    cache: str | None = None              # folder of results by content (list_cache entries; with a
                                          # results database only the shared batch's)
    quick_keys: tuple[str, ...] = ()      # per group (the shared batch: one), from its graphs' digests
    results_db: str | None = None         # where the groups' results go (``site_db.store_group_results``)


@dataclass
class BatchResults:
    results: list            # validate.ValidationResult of the batch's own focus nodes
    selected: bool           # whether any shape targeted a node of the batch
    owned_shared: set[str]   # the batch's own subjects that shared lines describe too
    keys: list[str] = field(default_factory=list)  # the cache entries it used or wrote
    cached: int = 0          # groups whose results came from the cache
    group_keys: list[str] = field(default_factory=list)  # with a results database: its groups' keys there
    by_severity: Counter = field(default_factory=Counter)  # with a results database: its results counted


def graph_ranges(nquads: Path) -> dict[str, tuple[str, int, int]]:
    """Each graph's (file, offset, length in bytes) in an N-Quads file whose graphs are
    contiguous; ValueError when a graph comes back after another one."""
    ranges: dict[str, tuple[str, int, int]] = {}
    current, start, offset = None, 0, 0
    with nquads.open("rb") as handle:
        for line in handle:
            graph = _graph_of(line)
            if graph != current:
                if current is not None:
                    ranges[current] = (str(nquads), start, offset - start)
                if graph in ranges:
                    raise ValueError(f"{nquads}: the quads of graph {graph} are not contiguous")
                current, start = graph, offset
            offset += len(line)
    if current is not None:
        ranges[current] = (str(nquads), start, offset - start)
    return ranges


def _graph_of(line: bytes) -> str:
    """The graph IRI of an N-Quads line ``s p o <g> .`` ("" in the default graph)."""
    body = line.rstrip()[:-1].rstrip()
    if not body.endswith(b">"):
        return ""
    start = body.rfind(b" <")
    candidate = body[start + 2:-1]
    return candidate.decode() if start > 0 and body[:start].count(b" ") >= 2 else ""


def validation_groups(lists, power_authorities: dict[str, set[str]] | None = None) -> list[list[str]]:
    """The graphs to validate together: the list graphs whose powers share an authority
    (objects with ``list_id`` and ``authority`` in; groups in the order of their first list),
    then the alignment graph alone. A power's authority is its row's (实施主体) where the row
    names one, else the list's: ``power_authorities`` gives each list's (authority IRIs by list
    id), taken from the lists' records when not given. Lists sharing an authority share its
    nodes (a power's IRI is its authority and name), so they are validated together — lists
    linked through a chain of shared authorities too.
    The alignment's nodes are its own — no list's line names them — so it needs no other graph,
    and left among the shared graphs it would sit in every batch's index of shared lines (at 100k
    powers 80k lines the shapes read, none reached from a list)."""
    from . import iris

    parent: dict[str, str] = {}

    def root(name: str) -> str:
        while parent.setdefault(name, name) != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    for power_list in lists:
        if power_authorities is not None:
            others = power_authorities.get(power_list.list_id, set())
        else:
            others = {iris.authority(r.authority) for r in getattr(power_list, "records", ()) if r.authority}
        for other in others:
            parent[root(other)] = root(iris.authority(power_list.authority))
    groups: dict[str, list[str]] = {}
    for power_list in lists:
        groups.setdefault(root(iris.authority(power_list.authority)), []).append(iris.list_graph(power_list.list_id))
    return [*groups.values(), [iris.alignment_graph()]]


def batches(ranges: dict[str, tuple[str, int, int]], groups: list[list[str]],
            shapes_files: list[Path] | None = None, batch_bytes: int = BATCH_BYTES,
            cache: Path | None = None, digests: dict[str, str] | None = None,
            results_db: str | None = None) -> tuple[list[Batch], Batch]:
    """The batches of ``groups`` (consecutive groups up to ``batch_bytes`` of N-Quads each,
    a group never split) and the batch of the shared graphs alone. With a cache and the
    graphs' ``digests`` (graph → SHA-256 of its N-Quads), each group gets a quick key: the
    tool, the shapes, every shared graph's digest and its own graphs' digests."""
    groups = [[graph for graph in group if graph in ranges] for group in groups]  # a graph without quads has nothing to check
    grouped = {graph for group in groups for graph in group}
    shared = tuple(sorted(r for graph, r in ranges.items() if graph not in grouped))
    files = tuple(map(str, shapes_files)) if shapes_files else None
    quick = _quick_keys(ranges, grouped, files, digests) if cache is not None and digests is not None else None
    cache = str(cache) if cache is not None else None
    made, current, keys, size = [], [], [], 0
    for group in filter(None, groups):
        members = tuple(ranges[graph] for graph in group)
        if current and size + sum(n for _, _, n in members) > batch_bytes:
            made.append(Batch(tuple(current), shared, files, cache, tuple(keys), results_db))
            current, keys, size = [], [], 0
        current.append(members)
        keys += [quick(group)] if quick else []
        size += sum(n for _, _, n in members)
    if current:
        made.append(Batch(tuple(current), shared, files, cache, tuple(keys), results_db))
    return made, Batch((), shared, files, cache, (quick(["shared graphs alone"]),) if quick else ())


def _quick_keys(ranges, grouped: set[str], files, digests: dict[str, str]):
    """The quick key of a group (list of graphs): from the tool, the shapes and the digests of
    the shared graphs and the group's."""
    base = hashlib.sha256(_key_prefix(files))
    base.update(repr(sorted((graph, digests[graph]) for graph in ranges if graph not in grouped)).encode())

    def quick(members: list[str]) -> str:
        digest = base.copy()
        digest.update(repr([(graph, digests.get(graph)) for graph in members]).encode())
        return digest.hexdigest()
    return quick


READ_BYTES = 4 * 2**20  # N-Quads are read this much at a time (a shared graph can be 10⁸ bytes)


def _read(ranges, wanted: frozenset[bytes]) -> list[bytes]:
    """The lines of ``ranges`` (file, offset, length) whose predicate is in ``wanted`` (for
    validation the shapes' and the report's)."""
    lines = []
    for path, offset, length in ranges:
        with open(path, "rb") as handle:
            handle.seek(offset)
            rest = b""
            while length > 0:
                data = handle.read(min(READ_BYTES, length))
                if not data:
                    raise ValueError(f"{path}: shorter than its graph index says")
                length -= len(data)
                block, rest = rest + data, b""
                if length > 0:  # a line cut by the block waits for the next one
                    cut = block.rfind(b"\n") + 1
                    block, rest = block[:cut], block[cut:]
                lines += [line for line in block.splitlines(keepends=True) if line.split(b" ", 2)[1] in wanted]
    return lines


@lru_cache(maxsize=2)
def _shared_index(shared, files) -> dict[bytes, tuple[list[bytes], set[bytes]]]:
    """The shared lines the shapes read by subject, with the terms written in them (once per
    process and file)."""
    lines: dict[bytes, list[bytes]] = {}
    for line in _read(shared, _wanted(files)):
        lines.setdefault(line.split(b" ", 1)[0], []).append(line)
    return {subject: (found, set(_TERM.findall(b"".join(found)))) for subject, found in lines.items()}


@lru_cache(maxsize=2)
def _shapes(files):
    """The shapes graph (parsed once per process and set of files)."""
    from .validate import load_shapes

    return load_shapes(_paths(files))


@lru_cache(maxsize=2)
def _wanted(files) -> frozenset[bytes]:
    from .validate import shape_predicates

    return frozenset(f"<{p}>".encode() for p in shape_predicates(_shapes(files)))


@lru_cache(maxsize=2)
def _key_prefix(files) -> bytes:
    """What every group's cache key starts from: the tool and the shapes' bytes."""
    digest = hashlib.sha256(list_cache.fingerprint().encode())
    for path in _paths(files) or []:
        digest.update(path.read_bytes())
    return digest.digest()


def _paths(files) -> list[Path] | None:
    return [Path(f) for f in files] if files else None


_TERM = re.compile(rb"<[^<>\s]*>|_:\S+")  # IRIs and blank nodes as N-Quads writes them


def closure(lines: list[bytes], index: dict[bytes, tuple[list[bytes], set[bytes]]],
            seen: set[bytes] | None = None) -> list[bytes]:
    """The shared lines reached from the terms of ``lines`` — every IRI and blank node written
    in them (a superset of subjects and objects: predicates and graph names too, which only ever
    adds true lines of the graph), or the terms ``seen`` given for them — following the terms of
    the lines reached, to a fixpoint. ``index``: subject → (its shared lines, the terms written in them)."""
    seen = set(_TERM.findall(b"".join(lines))) if seen is None else seen
    frontier, reached = [term for term in seen if term in index], []
    while frontier:
        found, terms = index[frontier.pop()]
        reached += found
        for term in terms - seen:
            seen.add(term)
            if term in index:
                frontier.append(term)
    return reached


def validate_batch(batch: Batch) -> BatchResults:
    """The results of one batch (a list batch, or the shared batch when it has no groups).

    With a cache, each group's results are kept under the SHA-256 of what decides them — the
    tool, the shapes, the group's lines and the shared lines they reach — and taken from there
    when nothing of that changed: a rebuild validates only the groups an edit reaches. They are
    kept under the group's quick key too (:func:`batches`), which needs no line read: when
    neither the group's graphs nor any shared graph changed, that entry is taken at once."""
    if batch.results_db and batch.groups:
        return _validate_kept(batch)
    if batch.cache and batch.quick_keys:  # a quick entry: (the group's full key, its entry)
        quick = [list_cache.load(Path(batch.cache), key) for key in batch.quick_keys]
        if all(entry is not None for entry in quick):
            return _batch_results(batch, [entry for _, entry in quick], [key for key, _ in quick],
                                  [*batch.quick_keys, *(key for key, _ in quick)], len(quick))
    units = _units(batch)
    keys = [_key(own, reached, batch.shapes_files) if batch.cache else ""
            for own, reached in units]
    found = [list_cache.load(Path(batch.cache), key) if batch.cache else None for key in keys]
    todo = [i for i, entry in enumerate(found) if entry is None]
    if todo:
        fresh = _validate_units([units[i] for i in todo], batch.shapes_files, shared_only=not batch.groups)
        for i, entry in zip(todo, fresh):
            found[i] = entry
            if batch.cache:
                list_cache.store(Path(batch.cache), keys[i], entry)
    for quick_key, key, entry in zip(batch.quick_keys, keys, found):
        list_cache.store(Path(batch.cache), quick_key, (key, entry))
    cache_keys = [k for k in keys + list(batch.quick_keys) if k] if batch.cache else []
    return _batch_results(batch, found, keys, cache_keys, len(units) - len(todo))


def _units(batch: Batch) -> list[tuple[list[bytes], list[bytes]]]:
    """(own lines, the shared lines they reach) of each group of ``batch``; of the shared batch,
    one unit of every shared line."""
    index = _shared_index(batch.shared, batch.shapes_files)
    if not batch.groups:
        return [([], [line for lines, _ in index.values() for line in lines])]
    wanted = _wanted(batch.shapes_files)
    return [(own, closure(own, index)) for own in (_read(ranges, wanted) for ranges in batch.groups)]


def _batch_results(batch: Batch, found: list, group_keys: list[str], cache_keys: list[str], cached: int) -> BatchResults:
    owned = set().union(*(entry[2] for entry in found))
    selected = any(entry[1] for entry in found)
    results = [r for entry in found for r in entry[0]]
    return BatchResults(results, selected, owned, cache_keys, cached)


def _validate_kept(batch: Batch) -> BatchResults:
    """:func:`validate_batch` with a results database: each group's results stored there under
    its content key (``site_db.store_group_results``) and only counted here — they never travel
    to the main process. A group whose quick key or content key the database holds is not
    validated; by its quick key it is not even read."""
    from .site_db import GroupSummary, group_summaries, store_group_results

    by_quick = group_summaries(batch.results_db, list(batch.quick_keys), quick=True) if batch.quick_keys else {}
    if batch.quick_keys and all(key in by_quick for key in batch.quick_keys):
        keys, summaries = zip(*(by_quick[key] for key in batch.quick_keys))
        return _counted(list(keys), list(summaries), len(keys))
    units = _units(batch)
    keys = [_key(own, reached, batch.shapes_files) for own, reached in units]
    held = group_summaries(batch.results_db, keys)
    todo = [i for i, key in enumerate(keys) if key not in held]
    fresh = _validate_units([units[i] for i in todo], batch.shapes_files, shared_only=False) if todo else []
    made = [(keys[i], results, GroupSummary.of(results, selected, owned))
            for i, (results, selected, owned) in zip(todo, fresh)]
    store_group_results(batch.results_db, made, list(zip(batch.quick_keys, keys)))
    summaries = {key: summary for key, (_, summary) in held.items()} | {key: summary for key, _, summary in made}
    return _counted(keys, [summaries[key] for key in keys], len(units) - len(todo))


def _counted(keys: list[str], summaries: list, cached: int) -> BatchResults:
    return BatchResults([], any(s.selected for s in summaries), set().union(*(s.owned_shared for s in summaries)),
                        [], cached, keys, sum((Counter(s.by_severity) for s in summaries), Counter()))


def _key(own: list[bytes], reached: list[bytes], shapes_files) -> str:
    digest = hashlib.sha256(_key_prefix(shapes_files))
    for part in (sorted(own), sorted(set(reached))):
        digest.update(b"%d\0" % len(part))
        digest.update(b"".join(part))
    return digest.hexdigest()


def _validate_units(units, shapes_files, shared_only: bool) -> list[tuple[list, bool, set[str]]]:
    """Validate units (a group's own lines and the shared lines they reach) on one store; per
    unit: (results on its own focus nodes, whether anything was targeted, owned shared subjects).
    The shared unit (no own lines) keeps all its results."""
    from .validate import CannotValidate, validate_store
    from .validate_sparql import targeted

    data = b"".join(line for own, reached in units for line in (*own, *reached))
    store = ox.Store()
    if data:
        store.bulk_load(data, format=ox.RdfFormat.N_QUADS)
    try:
        report = validate_store(store, _shapes(shapes_files))
    except CannotValidate:  # nothing targeted here; the whole run still must select something
        return [([], False, set()) for _ in units]
    if shared_only:
        return [(report.results, True, set())]
    shared_subjects = {line.split(b" ", 1)[0] for _, reached in units for line in reached}
    nodes = targeted(store, _shapes(shapes_files)) if len(units) > 1 else None
    subjects = [{line.split(b" ", 1)[0] for line in own} for own, _ in units]
    owner = {term: number for number, terms in enumerate(subjects) for term in terms}
    kept: list[list] = [[] for _ in units]
    for result in report.results:
        number = owner.get(_as_term(result.focus))
        if number is not None:
            kept[number].append(result)
    return [(results, nodes is None or any(term.decode() in nodes for term in terms),
             {term.decode() for term in terms & shared_subjects}) for terms, results in zip(subjects, kept)]


def _as_term(focus: str) -> bytes:
    """A report's focus (an IRI, or a blank node's label) as it is written in N-Quads."""
    return (f"<{focus}>" if ":" in focus else f"_:{focus}").encode()  # a blank node's label has no colon


@dataclass
class ValidationTotals:
    """What a report sent to a sink says in sum (``ValidationReport`` without its results)."""

    conforms: bool
    by_severity: Counter

    @property
    def violations(self) -> int:
        return self.by_severity["Violation"]

    @property
    def result_count(self) -> int:
        return sum(self.by_severity.values())


def validate_by_list(nquads: Path, groups: list[list[str]], ranges: dict[str, tuple[str, int, int]] | None = None,
                     submit=None, shapes_files: list[Path] | None = None, batch_bytes: int = BATCH_BYTES,
                     cache: Path | None = None, progress=lambda message: None, sink=None,
                     digests: dict[str, str] | None = None, results_db: str | None = None, groups_sink=None,
                     then=None):
    """The validation report of ``nquads`` (one N-Quads file, or the build folder whose graph
    files ``ranges`` point into), group by group (see the module's contract):
    a ``ValidationReport``, or with ``sink`` (called with each batch's results, in no particular
    order) its :class:`ValidationTotals` — the results then are never all in memory.
    ``submit`` runs a batch elsewhere (``pool.submit``); without it, here, one after another.
    ``cache``: a folder of results by content; after the run it holds only the entries it used;
    ``digests``: each graph's SHA-256 (the graph index), for the groups' quick keys.
    ``results_db`` (with ``sink``): the groups' results are stored there by the batches
    (``site_db.store_group_results``) and ``groups_sink`` is called with their keys, in the
    order of their results; ``sink`` then gets only the shared graphs' results.
    ``then`` is called once every batch is submitted (work queued behind the validation's).
    CannotValidate when no shape targeted anything."""
    from .validate import CannotValidate, ValidationReport, sorted_results

    ranges = graph_ranges(nquads) if ranges is None else ranges
    made, shared = batches(ranges, groups, shapes_files, batch_bytes, cache, digests,
                           results_db if sink is not None and groups_sink is not None else None)
    if submit is None:
        parts = (validate_batch(batch) for batch in made)
    else:
        futures = [submit(validate_batch, batch) for batch in made]
        shared_future = submit(validate_batch, shared)
        parts = (_taken(futures, i) for i in range(len(futures)))
    if then is not None:
        then()
    collected: list | None = [] if sink is None else None
    sink = sink or collected.extend
    by_severity: Counter = Counter()
    owned, keys, selected, reused = set(), [], False, 0
    for part in parts:  # each batch's results go on and are dropped here
        if part.group_keys:
            groups_sink(part.group_keys)
            by_severity.update(part.by_severity)
        else:
            sink(part.results)
            by_severity.update(r.severity for r in part.results)
        owned |= part.owned_shared
        keys += part.keys
        selected |= part.selected
        reused += part.cached
    shared_part = validate_batch(shared) if submit is None else shared_future.result()
    kept = [r for r in shared_part.results if _as_term(r.focus).decode() not in owned]  # a group has them
    sink(kept)
    by_severity.update(r.severity for r in kept)
    if not (selected or shared_part.selected):
        raise CannotValidate(f"{nquads}: the shapes select no node of the graph: "
                             "is it empty, or are these shapes not meant for a powerkg graph?")
    if cache is not None:
        list_cache.prune(cache, set(keys + shared_part.keys))
    progress(f"  validated {len(groups)} group(s) of lists in {len(made)} batch(es) and the shared graphs"
             + (f"; {reused} group(s) unchanged (results kept from an earlier build)" if cache is not None else ""))
    conforms = by_severity["Violation"] == 0
    if collected is not None:
        return ValidationReport(conforms, sorted_results(collected), None)
    return ValidationTotals(conforms, by_severity)


def _taken(futures: list, index: int):
    """The result of ``futures[index]``, the future then let go (it would hold the result)."""
    result = futures[index].result()
    futures[index] = None
    return result
