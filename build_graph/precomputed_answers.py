"""Library queries answered at build time, one authority at a time, and kept beside the store
(``answers.sqlite``), so that ``powerkg query`` reads rows instead of joining the whole corpus.

Why: every join the engine makes over the union of all lists grows faster than the corpus
(pyoxigraph's lookups and hash tables outgrow its caches: from 10k to 100k powers the aggregate
queries grew with exponents 1.10–1.19). Answered per authority, each query runs on a store of a
bounded size, so the work grows with the number of authorities: linearly.

A library query opts in with the header line ``# answered: per-authority``, a promise that its
answer on the whole graph is the union of its answers on each *group* — the list graphs of one
authority (``validate_by_list.validation_groups``) with the shared lines they reach (registry,
ontology, cross-list; :func:`group_closure`) — which holds when every row comes from one
authority's powers, its groups (GROUP BY) never span two authorities, and it reaches another
list's data only through the shared graphs. Groups are answered a few dozen at a time on one
store of their lines and the shared lines they reach (the union of their answers again; a batch's
bounds are set by content, so an edit moves no other batch's), and the query is run

- with its parameters unbound and projected (each group answers every value, and the rows are
  kept by value: :func:`lookup` reads those of the value asked and drops the columns), added to
  the outer ``GROUP BY``;
- without the lines between ``# across authorities: ?X ?Y`` and ``# end across authorities``,
  a condition on several authorities no group can decide: ``?X`` and ``?Y`` are projected, and
  :func:`lookup` keeps the rows of an ``?X`` that rows of more than one ``?Y`` share;
- without its final ``ORDER BY`` (``queries.answer`` sorts, as for every query).

Rows of a ``SELECT DISTINCT`` are made distinct again across groups. A query's stored rows carry
the SHA-256 of the text each group ran: a query changed since the build is answered by SPARQL.
tests/test_precomputed_answers.py compares every such query's rows with SPARQL's on the bundled
lists and on variations (several authorities, lists sharing one, every parameter value).
"""
from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator

import pyoxigraph as ox

from . import list_cache
from .data import folder
from .ordering import projected_names, sort_concatenations, split_final_order

ANSWERS_FILE = "answers.sqlite"
BATCH_GROUPS = 32         # groups a batch of groups holds on average (bounds set by content)
BATCH_BYTES = 16 * 2**20  # at most, of N-Quads (unless one group is larger)
# document-family edges, followed from their object too: a group citing a notice must see the
# rules it promulgates and the parts of what it cites, for a query naming those (powers-by-instrument)
_FAMILY = (b"<https://w3id.org/powerkg/ontology#promulgatedBy>", b"<http://data.europa.eu/eli/ontology#is_part_of>")
_ACROSS = re.compile(r"^[ \t]*# across authorities: [?$](\w+) [?$](\w+).*?^[ \t]*# end across authorities[^\n]*\n",
                     re.MULTILINE | re.DOTALL)
_SELECT = re.compile(r"\bSELECT(\s+DISTINCT)?\b", re.IGNORECASE)
_GROUP_BY = re.compile(r"\bGROUP\s+BY\b", re.IGNORECASE)


@dataclass(frozen=True)
class GroupForm:
    """A library query as each group runs it: ``text``; ``keys`` (parameters) and ``across``
    (the two variables of its condition across authorities, or None) are projected in front of
    the query's own columns; ``distinct`` for a SELECT DISTINCT; ``digest`` of ``text``."""

    name: str
    text: str
    keys: tuple[str, ...]
    across: tuple[str, str] | None
    distinct: bool
    own_columns: frozenset[str]

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()


def group_form(query) -> GroupForm | None:
    """The per-group form of a ``queries.LibraryQuery``; None unless it is answered per authority."""
    if not re.search(r"^# answered: per-authority\s*$", query.text, re.MULTILINE):
        return None
    text = query.text
    across_match = _ACROSS.search(text)
    across = (across_match.group(1), across_match.group(2)) if across_match else None
    if across_match:
        text = text[:across_match.start()] + text[across_match.end():]
    order = split_final_order(text)
    text = order.body + "\n" if order else text
    own = frozenset(projected_names(query.text) or ())
    keys = tuple(p.name for p in query.params)
    hidden = [name for name in (*keys, *(across or ())) if name not in own]
    select = _SELECT.search(text)
    extra = "".join(f" ?{name}" for name in hidden)
    text = text[:select.end()] + extra + text[select.end():]
    tail_start = text.rfind("}")  # the outer WHERE's end: a GROUP BY after it is the outer one
    group_by = _GROUP_BY.search(text, tail_start)
    if group_by and hidden:
        text = text[:group_by.end()] + extra + text[group_by.end():]
    return GroupForm(query.name, text, keys, across, bool(select.group(1)), own)


_PREFIX = re.compile(r"\bPREFIX\s+([\w-]*):\s*<([^<>\s]*)>", re.IGNORECASE)
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')
_IRI = re.compile(r"<([^<>\s]*)>")
_PREFIXED = re.compile(r"(?<![\w?$:/#.-])([A-Za-z][\w-]*)?:([\w-]*)")
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def named_iris(forms: tuple[GroupForm, ...]) -> frozenset[bytes]:
    """Every IRI the forms' texts write (as N-Quads writes it): a superset of the predicates they
    match, so a group's store needs no other line — a per-authority query names each predicate
    it matches (no variable in a predicate's place)."""
    found = {RDF_TYPE}
    for form in forms:
        code = _STRING.sub(" ", "\n".join(line for line in form.text.splitlines() if not line.lstrip().startswith("#")))
        prefixes = dict(_PREFIX.findall(code))
        code = _PREFIX.sub(" ", code)
        found.update(_IRI.findall(code))
        body = _IRI.sub(" ", code)
        found.update(prefixes[prefix] + local for prefix, local in _PREFIXED.findall(body) if prefix in prefixes)
    return frozenset(f"<{iri}>".encode() for iri in found)


@lru_cache(maxsize=1)
def library_forms() -> tuple[GroupForm, ...]:
    """The per-group forms of the library's queries answered per authority."""
    from .queries import parse_query_file

    forms = (group_form(parse_query_file(path)) for path in sorted(folder("queries").glob("*.rq")))
    return tuple(form for form in forms if form is not None)


# -- one group --------------------------------------------------------------------------------

def _encode(term):
    """A term as JSON: a plain string literal as itself, else [kind, value(, datatype or language)]."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return [0, term.value]
    if isinstance(term, ox.BlankNode):
        return [1, term.value]
    if term.language:
        return [3, term.value, term.language]
    if term.datatype.value == "http://www.w3.org/2001/XMLSchema#string":
        return term.value
    return [2, term.value, term.datatype.value]


def _hashable(cell):
    return tuple(cell) if isinstance(cell, list) else cell


def _decode(cell):
    if cell is None or isinstance(cell, str):
        return cell if cell is None else ox.Literal(cell)
    kind, value, *rest = cell
    if kind == 0:
        return ox.NamedNode(value)
    if kind == 1:
        return ox.BlankNode(value)
    if kind == 3:
        return ox.Literal(value, language=rest[0])
    return ox.Literal(value, datatype=ox.NamedNode(rest[0]))


def answer_group(lines: list[bytes], forms: tuple[GroupForm, ...]) -> dict[str, tuple[list[str], dict[str, bytes]]]:
    """Each form's (columns, rows by the values of its parameters) on a store of ``lines``
    (N-Quads: groups' lines and the shared lines they reach): the rows of each value as
    compressed JSON under :func:`value_key` of it (a form without parameters: one key, "")."""
    store = ox.Store()
    store.extend(ox.parse(b"".join(lines), format=ox.RdfFormat.N_QUADS))  # a third faster than bulk_load in memory
    answers = {}
    for form in forms:
        solutions = store.query(form.text, use_default_graph_as_union=True)
        columns = [v.value for v in solutions.variables]
        keys = [columns.index(name) for name in form.keys]
        by_value: dict[str, list] = {}
        # GROUP_CONCAT parts in the order powerkg query gives them, once here rather than when asked
        for row in sort_concatenations(columns, [[solution[name] for name in columns] for solution in solutions],
                                       form.text):
            row = [_encode(term) for term in row]
            by_value.setdefault(value_key([row[i] for i in keys]), []).append(row)
        answers[form.name] = (columns, {value: zlib.compress(json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
                                                              .encode(), 1) for value, rows in by_value.items()})
    return answers


def value_key(cells: list) -> str:
    """The key rows of these parameter values (encoded terms) are kept under."""
    return json.dumps(cells, ensure_ascii=False, separators=(",", ":")) if cells else ""


# -- the groups of a build, in batches on a process pool -------------------------------------

@dataclass(frozen=True)
class AnswerBatch:
    """Groups answered together on one store (the union of their answers is each query's answer
    on the store of all of them): each group as its graphs' byte ranges (file, offset, length);
    ``quick_key`` from the tool, the forms, the shared graphs' and its own graphs' digests ("":
    no cache); ``shared``: the shared graphs' ranges."""

    groups: tuple[tuple[tuple[str, int, int], ...], ...]
    quick_key: str
    shared: tuple[tuple[str, int, int], ...]
    cache: str | None


@lru_cache(maxsize=2)
def _shared_index(shared, wanted: frozenset[bytes]) -> dict[bytes, tuple[list[bytes], set[bytes]]]:
    """Every shared line with a predicate in ``wanted`` by subject — and a document-family line
    by its object too — with the terms written in them (once per process)."""
    from .validate_by_list import _TERM, _read

    by_term: dict[bytes, list[bytes]] = {}
    for line in _read(shared, wanted):
        subject, predicate, rest = line.split(b" ", 2)
        by_term.setdefault(subject, []).append(line)
        if predicate in _FAMILY:
            by_term.setdefault(rest.split(b" ", 1)[0], []).append(line)
    return {term: (found, set(_TERM.findall(b"".join(found)))) for term, found in by_term.items()}


def group_closure(own: list[bytes], shared, wanted: frozenset[bytes]) -> list[bytes]:
    """The shared lines (of the ``wanted`` predicates) ``own`` reaches (``validate_by_list.closure``
    on :func:`_shared_index`), once each."""
    from .validate_by_list import closure

    terms = set()
    for line in own:  # subjects and objects: the terms a query can go on from (no regex through long texts)
        subject, _, rest = line.split(b" ", 2)
        terms.add(subject)
        if rest[:1] in (b"<", b"_"):
            terms.add(rest.split(b" ", 1)[0])
    return sorted(set(closure(own, _shared_index(shared, wanted), terms)))


def answer_batch(batch: AnswerBatch) -> tuple[str, dict]:
    """(content key, answers as :func:`answer_group` gives them) of ``batch``: with a cache, kept under its content key (tool,
    forms, its lines and the shared lines they reach) and its quick key, and taken from there
    — by the quick key without reading a line."""
    from .validate_by_list import _read

    forms = library_forms()
    cache = Path(batch.cache) if batch.cache else None
    entry = list_cache.load(cache, batch.quick_key) if cache and batch.quick_key else None
    if entry is not None:
        return entry
    wanted = named_iris(forms)
    own = [line for ranges in batch.groups for line in _read(ranges, wanted)]
    reached = group_closure(own, batch.shared, wanted)
    digest = hashlib.sha256((list_cache.fingerprint() + _forms_digest(forms)).encode())
    for part in (sorted(own), reached):
        digest.update(b"%d\0" % len(part) + b"".join(part))
    key = digest.hexdigest()
    answers = list_cache.load(cache, key) if cache else None
    if answers is None:
        answers = answer_group(own + reached, forms)
        if cache:
            list_cache.store(cache, key, answers)
    if cache and batch.quick_key:
        list_cache.store(cache, batch.quick_key, (key, answers))
    return key, answers


def _forms_digest(forms: tuple[GroupForm, ...]) -> str:
    return hashlib.sha256("".join(f"{f.name}\0{f.digest}\0" for f in forms).encode()).hexdigest()


def answer_batches(ranges: dict[str, tuple[str, int, int]], groups: list[list[str]], cache: Path | None = None,
                   digests: dict[str, str] | None = None, batch_groups: int = BATCH_GROUPS) -> list[AnswerBatch]:
    """The batches answering ``groups`` (lists of list graphs; graphs without quads left out),
    a group never split; every graph in no group but the alignment's is shared. A batch ends
    after a group whose first graph's name hashes to 0 modulo ``batch_groups`` (so an edit or
    a new list moves no other batch's bounds), or at ``BATCH_BYTES`` of N-Quads."""
    from . import iris

    groups = [g for g in ([graph for graph in group if graph in ranges] for group in groups)
              if g and iris.alignment_graph() not in g]
    grouped = {graph for group in groups for graph in group}
    shared_graphs = sorted(g for g in ranges if g not in grouped and g != iris.alignment_graph())
    shared = tuple(ranges[g] for g in shared_graphs)
    base = None
    if cache is not None and digests is not None:
        base = hashlib.sha256((list_cache.fingerprint() + _forms_digest(library_forms())).encode())
        base.update(repr([(g, digests[g]) for g in shared_graphs]).encode())
    batches, current, size = [], [], 0

    def cut() -> None:
        quick = ""
        if base is not None:
            digest = base.copy()
            digest.update(repr([(g, digests.get(g)) for group in current for g in group]).encode())
            quick = "q" + digest.hexdigest()
        batches.append(AnswerBatch(tuple(tuple(ranges[g] for g in group) for group in current), quick, shared,
                                   str(cache) if cache else None))
        current.clear()

    for group in groups:
        current.append(group)
        size += sum(ranges[graph][2] for graph in group)
        if size >= BATCH_BYTES or int(hashlib.sha256(group[0].encode()).hexdigest()[:8], 16) % batch_groups == 0:
            cut()
            size = 0
    if current:
        cut()
    return batches


@dataclass
class Answering:
    """Batches under way (:func:`start_answers`): ``parts`` gives each batch's (key, answers) in order."""

    batches: list[AnswerBatch]
    parts: Iterator[tuple[str, dict]]
    cache: Path | None


def start_answers(ranges: dict[str, tuple[str, int, int]], groups: list[list[str]], submit=None,
                  cache: Path | None = None, digests: dict[str, str] | None = None,
                  batch_groups: int = BATCH_GROUPS) -> Answering:
    """The library's per-authority queries answered on every group, batch by batch: with
    ``submit`` (``pool.submit``) started at once elsewhere, else one after another as
    :func:`write_answers` reads them. With ``cache`` (a folder) and the graphs' ``digests`` a
    rebuild answers only the batches an edit reaches."""
    from .validate_by_list import _taken

    batches = answer_batches(ranges, groups, cache, digests, batch_groups)
    if submit is None:
        parts = (answer_batch(batch) for batch in batches)
    else:
        futures = [submit(answer_batch, batch) for batch in batches]
        parts = (_taken(futures, i) for i in range(len(futures)))
    return Answering(batches, parts, cache)


def write_answers(path: Path, answering: Answering, progress=lambda message: None) -> int:
    """``path`` (a new file): the answers of ``answering``'s batches, in their order; returns
    how many batches. With a cache, its folder keeps only the entries this build used."""
    forms = library_forms()
    path.unlink(missing_ok=True)
    sql = sqlite3.connect(path)
    sql.execute("PRAGMA journal_mode = OFF")
    sql.execute("CREATE TABLE queries (name TEXT PRIMARY KEY, digest TEXT NOT NULL, columns TEXT NOT NULL)")
    sql.execute("CREATE TABLE answers (name TEXT NOT NULL, value TEXT NOT NULL, seq INTEGER NOT NULL, "
                "rows BLOB NOT NULL, PRIMARY KEY (name, value, seq)) WITHOUT ROWID")
    used, seq, columns = set(), 0, {}
    for key, answers in answering.parts:
        used.add(key)
        for name, (names, by_value) in answers.items():
            columns.setdefault(name, names)
            sql.executemany("INSERT INTO answers VALUES (?, ?, ?, ?)",
                            [(name, value, seq, blob) for value, blob in sorted(by_value.items())])
        seq += 1
    sql.executemany("INSERT INTO queries VALUES (?, ?, ?)",
                    [(f.name, f.digest, json.dumps(columns[f.name])) for f in forms if f.name in columns])
    sql.commit()
    sql.close()
    if answering.cache is not None:
        list_cache.prune(answering.cache, used | {batch.quick_key for batch in answering.batches if batch.quick_key})
    groups = sum(len(batch.groups) for batch in answering.batches)
    progress(f"  answered {len(forms)} library queries on {groups} group(s) of lists in {seq} batch(es) → {ANSWERS_FILE}")
    return seq


# -- at query time ------------------------------------------------------------------------------

def lookup(out: Path, query, terms: dict[str, object]) -> tuple[list[str], list[list]] | None:
    """(columns, rows of pyoxigraph terms) of library ``query`` with its parameters bound to
    ``terms`` (name → pyoxigraph term) from the build in ``out``, the parts of GROUP_CONCAT
    cells in ``ordering.sort_concatenations``'s order; None when the build has no answers of
    this query as the library now words it (answer it by SPARQL then)."""
    form = group_form(query)
    path = out / ANSWERS_FILE
    if form is None or not path.is_file():
        return None
    sql = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        found = sql.execute("SELECT digest, columns FROM queries WHERE name = ?", (form.name,)).fetchone()
        if found is None or found[0] != form.digest:
            return None
        columns = json.loads(found[1])
        value = value_key([_encode(terms[name]) for name in form.keys])
        blobs = [blob for (blob,) in sql.execute("SELECT rows FROM answers WHERE name = ? AND value = ? ORDER BY seq",
                                                 (form.name, value))]
    except sqlite3.Error:  # a file of another layout (an older powerkg's) or damaged: SPARQL answers
        return None
    finally:
        sql.close()
    rows = [row for blob in blobs for row in json.loads(zlib.decompress(blob))]
    if form.across:
        first, second = columns.index(form.across[0]), columns.index(form.across[1])
        seen: dict = {}
        for row in rows:
            seen.setdefault(_hashable(row[first]), set()).add(_hashable(row[second]))
        rows = [row for row in rows if len(seen[_hashable(row[first])]) > 1]
    kept = [i for i, name in enumerate(columns) if name in form.own_columns]
    result = [[row[i] for i in kept] for row in rows]
    if form.distinct:
        result = list({tuple(map(_hashable, row)): row for row in result}.values())
    terms: dict = {}  # each distinct cell made a term once: an authority or a title recurs in thousands of rows
    return [columns[i] for i in kept], [[terms[c] if (c := _hashable(cell)) in terms else terms.setdefault(c, _decode(cell))
                                         for cell in row] for row in result]
