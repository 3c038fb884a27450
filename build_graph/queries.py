"""The SPARQL query library (``queries/*.rq``): documented headers, parameter binding, running
on the embedded store or any SPARQL endpoint, and table/CSV/JSON output.

A query's header comment gives ``title``, ``question-zh``, ``question-en``, ``param: NAME (KIND)
description`` lines and an ``example``. Parameters are bound by a ``VALUES`` clause added to
the outer WHERE, so a bound query is plain SPARQL that runs anywhere.
"""
from __future__ import annotations

import difflib
import gc
import json
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from . import article_index, iris, precomputed_answers
from .citations.grammar import find_citations
from .citations.model import InstrumentMention
from .citations.normalize import to_int
from .data import folder
from .ordering import sort_concatenations, sort_rows, split_final_order
from .power_types import normalize_power_type
from .registry import Registry, number_key, title_key
from .spreadsheet import csv_text


class QueryError(Exception):
    """A query name or parameter the library cannot use; the message says what would work."""


@dataclass
class Param:
    name: str
    kind: str
    description: str


@dataclass
class LibraryQuery:
    name: str
    path: Path
    title: str
    question_zh: str
    question_en: str
    example: str
    text: str
    params: list[Param] = field(default_factory=list)


def parse_query_file(path: Path) -> LibraryQuery:
    text = path.read_text(encoding="utf-8")
    header: dict[str, str] = {}
    params = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        key, _, value = line[1:].strip().partition(":")
        value = value.strip()
        if key == "param":
            match = re.match(r"(\w+)\s*\(([\w-]+)[^)]*\)\s*(.*)", value)
            if match:
                params.append(Param(match.group(1), match.group(2), match.group(3)))
        else:
            header[key] = value
    return LibraryQuery(path.stem, path, header.get("title", path.stem), header.get("question-zh", ""),
                        header.get("question-en", ""), header.get("example", ""), text, params)


def library() -> dict[str, LibraryQuery]:
    return {q.name: q for q in (parse_query_file(p) for p in sorted(folder("queries").glob("*.rq")))}


def find_query(name_or_file: str) -> LibraryQuery:
    path = Path(name_or_file)
    if path.suffix == ".rq" and path.exists():
        return parse_query_file(path)
    queries = library()
    if name_or_file in queries:
        return queries[name_or_file]
    close = difflib.get_close_matches(name_or_file, list(queries), n=3, cutoff=0.4)
    raise QueryError(f"no query named {name_or_file!r}" + (f"; did you mean {', '.join(close)}?" if close else
                     "; `powerkg query --list` shows the library"))


def _suggest(value: str, candidates: list[str]) -> str:
    close = difflib.get_close_matches(value, candidates, n=3, cutoff=0.3)
    return f"; did you mean {'、'.join(close)}?" if close else ""


def resolve_instrument(value: str, registry: Registry) -> str:
    """Alias, title or document number → instrument IRI."""
    return iris.instrument(instrument_id(value, registry))


def instrument_id(value: str, registry: Registry) -> str:
    """Alias, title or document number → registry id (a notice that promulgates one set of
    rules stands for the rules); QueryError with suggestions when none matches."""
    ident = registry.by_number.get(number_key(value)) or registry.by_title.get(title_key(value)) \
        or registry.by_alias.get(title_key(value))
    if not ident:  # a number in another bracket style (石政规(2019)7号): let the citation grammar read it
        mentions = [c.instrument for c in find_citations(value) if c.instrument.doc_number]
        ident = registry.by_number.get(number_key(mentions[0].doc_number)) if mentions else None
    if not ident:  # a law of the archive behind the registry (or a title naming its edition): as citations resolve it
        found = registry.resolve(InstrumentMention(title=value.strip().strip("《》")))
        ident = None if found.provisional else found.id
    if ident:
        rules = registry.promulgates.get(ident, [])
        return rules[0] if len(rules) == 1 else ident
    candidates = [i.title for i in registry.instruments.values()] + \
                 [i.doc_number for i in registry.instruments.values() if i.doc_number] + \
                 [a for i in registry.instruments.values() for a in i.aliases]
    raise QueryError(f"unknown instrument {value!r}{_suggest(value, candidates)}")


def param_term(param: Param, value: str, registry: Registry, authorities: list[str]) -> ox.NamedNode | ox.Literal:
    """A parameter value as the term it binds; QueryError (with suggestions) for an unknown one."""
    if param.kind == "instrument":
        return ox.NamedNode(resolve_instrument(value, registry))
    if param.kind == "article":
        return ox.Literal(str(article_number(value)))
    if param.kind == "power-type":
        label = normalize_power_type(value)
        if label is None:
            raise QueryError(f"unknown power type {value!r}{_suggest(value, list(iris.POWER_TYPE_SLUGS))}")
        return ox.NamedNode(iris.power_type(label))
    if param.kind == "authority":
        if value not in authorities:
            raise QueryError(f"unknown authority {value!r}{_suggest(value, authorities)}")
        return ox.NamedNode(iris.authority(value))
    return ox.Literal(value)


def article_number(value: str) -> int:
    number = to_int(re.sub(r"^第|条$", "", value.strip()))
    if number is None:
        raise QueryError(f"article {value!r} is not an article number; give 84 or 第八十四条")
    return number


def check_article_exists(query: LibraryQuery, values: dict[str, str], registry: Registry) -> None:
    """QueryError when the query names an instrument and an article its official text lacks
    (a query on it could only answer 0 rows). Nothing to check when no text is known."""
    kinds = {p.kind: values[p.name] for p in query.params if p.name in values}
    if "instrument" not in kinds or "article" not in kinds:
        return
    ident = instrument_id(kinds["instrument"], registry)
    articles = registry.articles_of(ident)
    number = article_number(kinds["article"])
    if articles and number not in articles:
        raise QueryError(f"no such article: {registry.instruments[ident].title} has articles "
                         f"{min(articles)}–{max(articles)}, not {number} ({kinds['article']})")


def bound_terms(query: LibraryQuery, values: dict[str, str], registry: Registry,
                authorities: list[str]) -> dict[str, ox.NamedNode | ox.Literal]:
    """Each parameter of ``query`` as the term ``values`` binds it to; QueryError for an unknown
    or missing parameter, an unknown value, or an article the instrument's text lacks."""
    unknown = set(values) - {p.name for p in query.params}
    if unknown:
        raise QueryError(f"{query.name} takes no parameter {', '.join(sorted(unknown))}; "
                         f"it takes: {', '.join(p.name for p in query.params) or 'none'}")
    missing = [p.name for p in query.params if p.name not in values]
    if missing:
        raise QueryError(f"{query.name} needs --param {' --param '.join(m + '=…' for m in missing)} "
                         f"(example: {query.example})")
    check_article_exists(query, values, registry)
    return {p.name: param_term(p, values[p.name], registry, authorities) for p in query.params}


def with_values(query: LibraryQuery, terms: dict[str, ox.NamedNode | ox.Literal]) -> str:
    """The query text with ``terms`` bound by a VALUES clause in the outer WHERE."""
    if not terms:
        return query.text
    names = " ".join(f"?{name}" for name in terms)
    match = re.search(r"\bWHERE\s*\{", query.text, re.IGNORECASE)
    return query.text[:match.end()] + f"\n  VALUES ({names}) {{ ({' '.join(map(str, terms.values()))}) }}" \
        + query.text[match.end():]


def bind(query: LibraryQuery, values: dict[str, str], registry: Registry, authorities: list[str]) -> str:
    """The query text with its parameters bound by a VALUES clause in the outer WHERE."""
    return with_values(query, bound_terms(query, values, registry, authorities))


def answer(store: ox.Store, out: Path, query: LibraryQuery, values: dict[str, str], registry: Registry,
           authorities: list[str] | None = None, live: bool = False) -> tuple[list[str], list[list]]:
    """(variable names, rows of plain values, :func:`plain`) of ``query`` with ``values`` on the
    build in ``out`` (its ``store``). Unless ``live``, a library query is answered from what the
    build made: ``powers-by-article`` from the article index (:mod:`article_index`) where it has
    the article, a query answered per authority from the build's answers
    (:mod:`precomputed_answers`) — the same rows, without a join over the whole corpus. Any other
    query by SPARQL (its final ORDER BY done in Python, :func:`run_ordered`). Either way the parts
    of a GROUP_CONCAT cell come in one order (``ordering.sort_concatenations``).
    ``authorities`` (``authorities_in``, for binding an authority) are read from the store when
    needed and not given."""
    if authorities is None:
        authorities = authorities_in(store) if any(p.kind == "authority" for p in query.params) else []
    terms = bound_terms(query, values, registry, authorities)
    from_build = query.path.parent == folder("queries") and not live
    if from_build and query.name == article_index.QUERY_NAME:
        rows = article_index.lookup(out, terms["instrument"].value, int(terms["article"].value))
        if rows is not None:
            return list(article_index.COLUMNS), rows
    with _no_cycle_collection():
        names, rows = _from_build(out, query, terms) if from_build else (None, None)
        if rows is None:
            names, rows = run_ordered(store, with_values(query, terms))
            rows = sort_concatenations(names, rows, query.text)
        return names, [[plain(term) for term in row] for row in rows]


def _from_build(out: Path, query: LibraryQuery, terms: dict) -> tuple[list[str] | None, list[list] | None]:
    """The build's answer of ``query`` (:mod:`precomputed_answers`), in the query's final order;
    (None, None) when the build has none for the query as the library now words it."""
    found = precomputed_answers.lookup(out, query, terms)
    if found is None:
        return None, None
    names, rows = found
    order = split_final_order(query.text)
    return names, rows if order is None else sort_rows(names, rows, order)


@contextmanager
def _no_cycle_collection():
    """Python's cycle collector paused: rows of terms hold no cycles, and with 10⁵ rows its
    passes over every object alive were a fifth of a query's time and grew faster than the rows."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def authorities_in(store: ox.Store) -> list[str]:
    rows = store.query("SELECT DISTINCT ?n WHERE { ?a a <https://w3id.org/powerkg/ontology#Authority> ; "
                       "<http://www.w3.org/2004/02/skos/core#prefLabel> ?n }", use_default_graph_as_union=True)
    return sorted(r["n"].value for r in rows)


def run(store: ox.Store, sparql: str) -> tuple[list[str], list[list]]:
    """(variable names, rows of pyoxigraph terms or None) on the embedded store (union default graph)."""
    solutions = store.query(sparql, use_default_graph_as_union=True)
    names = [v.value for v in solutions.variables]
    return names, [[row[n] for n in names] for row in solutions]


def run_ordered(store: ox.Store, sparql: str) -> tuple[list[str], list[list]]:
    """As :func:`run`, with the query's final ORDER BY done on the decoded rows where
    :mod:`ordering` can (the same rows in the same order, without the store's costly sort)."""
    order = split_final_order(sparql)
    if order is not None:
        names, rows = run(store, order.body)
        ordered = sort_rows(names, rows, order)
        if ordered is not None:
            return names, ordered
    return run(store, sparql)


def plain(term) -> str | int | None:
    """A term's value (an integer literal as int); None and values already plain as they are."""
    if term is None or isinstance(term, (str, int)):
        return term
    if isinstance(term, ox.Literal) and term.datatype.value.endswith(("#integer", "#int", "#long")):
        return int(term.value)
    return term.value


def render(names: list[str], rows: list[list], fmt: str) -> str:
    values = [[plain(t) for t in row] for row in rows]
    if fmt == "json":
        return json.dumps([dict(zip(names, row)) for row in values], ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        return csv_text(names, values)
    cells = [[str(n) for n in names]] + [["" if v is None else str(v).replace("\n", " ")[:80] for v in row]
                                         for row in values]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(names))]
    lines = ["  ".join(c + " " * (widths[i] - _width(c)) for i, c in enumerate(row)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines) + f"\n({len(rows)} rows)\n"


def _width(text: str) -> int:
    import unicodedata
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
