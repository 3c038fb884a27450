"""A query's final ``ORDER BY`` done in Python on the rows the store returns, instead of by the
store: pyoxigraph compares two string terms by looking both up in its string table, once per
comparison, so sorting n rows costs n·log n lookups, and each gets slower as the store outgrows
its caches (the engine's sort was 0.75 s of the 1.9 s ``instruments-cited-differently`` took on
10k powers). Here every value is decoded once and Python compares the decoded keys.

Only a plain final clause is taken over: ``ORDER BY`` of projected variables, each bare or in
``ASC(…)``/``DESC(…)``, with nothing after it (a ``LIMIT`` or ``OFFSET`` needs the engine's
order to pick its rows). The order is SPARQL's (unbound, then blank nodes, then IRIs, then
literals; numbers by value, strings by code point, as pyoxigraph compares them); rows the
conditions tie keep the order the store gave them (the sort is stable). Where a column holds
literals the rules above do not order (dates, or numbers beside strings), :func:`sort_rows`
returns None and the caller lets the store sort.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

_FINAL_ORDER = re.compile(
    r"\bORDER\s+BY((?:\s*(?:(?:ASC|DESC)\s*\(\s*[?$]\w+\s*\)|[?$]\w+))+)\s*$", re.IGNORECASE)
_CONDITION = re.compile(r"(ASC|DESC)?\s*\(?\s*[?$](\w+)", re.IGNORECASE)
_LINE_COMMENT = re.compile(r"^\s*#.*$", re.MULTILINE)
_SELECT_CLAUSE = re.compile(r"\bSELECT\b(.*?)(?:\bWHERE\b|\{)", re.IGNORECASE | re.DOTALL)
_AS_NAME = re.compile(r"\bAS\s+[?$](\w+)", re.IGNORECASE)
_PARENTHESES = re.compile(r"\([^()]*\)")
_VARIABLE = re.compile(r"[?$](\w+)")
_XSD = "http://www.w3.org/2001/XMLSchema#"
_NUMERIC = {_XSD + name for name in (
    "integer", "decimal", "double", "float", "int", "long", "short", "byte", "nonNegativeInteger",
    "positiveInteger", "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong",
    "unsignedShort", "unsignedByte")}
_TEXT = {_XSD + "string", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"}


@dataclass(frozen=True)
class FinalOrder:
    """A query split at its final ORDER BY: ``body`` (the query without it) and the conditions,
    each (variable name, descending)."""

    body: str
    conditions: tuple[tuple[str, bool], ...]


def split_final_order(sparql: str) -> FinalOrder | None:
    """The query without its final plain ORDER BY, and that clause's conditions; None when the
    query has none this module can take over, or orders by a variable it does not project."""
    text = sparql.rstrip()
    match = _FINAL_ORDER.search(text)
    if not match:
        return None
    conditions = tuple((name, (word or "").upper() == "DESC") for word, name in _CONDITION.findall(match.group(1)))
    projected = projected_names(text)
    if projected is not None and any(name not in projected for name, _ in conditions):
        return None  # known before the query runs: pyoxigraph evaluates a grouped query at once
    return FinalOrder(text[:match.start()], conditions)


def projected_names(sparql: str) -> set[str] | None:
    """The variables the query's outer SELECT projects (bare or ``AS ?name``); None for
    ``SELECT *`` or a query whose SELECT clause is not found."""
    code = _LINE_COMMENT.sub("", sparql)
    match = _SELECT_CLAUSE.search(code)
    if not match or "*" in match.group(1):
        return None
    clause = match.group(1)
    names = set(_AS_NAME.findall(clause))
    while _PARENTHESES.search(clause):  # expressions, innermost first: only their AS names count
        clause = _PARENTHESES.sub(" ", clause)
    return names | set(_VARIABLE.findall(clause))


class Unordered(Exception):
    """A value this module cannot place in SPARQL's order."""


def _key(term) -> tuple:
    if term is None:
        return (0,)
    if isinstance(term, ox.BlankNode):
        return (1, term.value)
    if isinstance(term, ox.NamedNode):
        return (2, term.value)
    datatype = term.datatype.value
    if datatype in _NUMERIC:
        try:
            number = Decimal(term.value)
        except InvalidOperation:  # an ill-formed number: left to the store
            raise Unordered(term) from None
        if number.is_nan():  # unordered in Python as in SPARQL
            raise Unordered(term)
        return (3, 0, number)
    if datatype in _TEXT:
        return (3, 1, term.value, term.language or "")
    raise Unordered(term)


def sort_rows(names: list[str], rows: list[list], order: FinalOrder) -> list[list] | None:
    """``rows`` (of pyoxigraph terms or None, columns ``names``) in ``order``; None when a
    condition names a variable the query does not project, or a column mixes numbers with
    other literals or holds literals of another kind."""
    if any(name not in names for name, _ in order.conditions):
        return None
    columns = [names.index(name) for name, _ in order.conditions]
    try:
        keyed = [([_key(row[column]) for column in columns], row) for row in rows]
    except Unordered:
        return None
    for position in range(len(order.conditions)):
        kinds = {key[position][:2] for key, _ in keyed if key[position][0] == 3}
        if len(kinds) > 1:
            return None
    for position, (_, descending) in reversed(list(enumerate(order.conditions))):
        keyed.sort(key=lambda entry: entry[0][position], reverse=descending)
    return [row for _, row in keyed]


_CONCATENATION = re.compile(r'\bGROUP_CONCAT\s*\((?:[^()"]|"[^"]*")*?;\s*SEPARATOR\s*=\s*"([^"]*)"\s*\)\s*AS\s+[?$](\w+)',
                            re.IGNORECASE)
_NUMERAL = re.compile(r"([0-9]+|[零〇一二三四五六七八九十百千万]+)")


def concatenated_columns(sparql: str) -> dict[str, str]:
    """Each variable a ``GROUP_CONCAT(…; separator="s") AS ?v`` makes, with its separator."""
    return {name: separator for separator, name in _CONCATENATION.findall(_LINE_COMMENT.sub("", sparql)) if separator}


@lru_cache(maxsize=1 << 16)  # the same provisions recur in thousands of cells
def _part_key(part: str) -> tuple[tuple, ...]:
    """Text with its numbers (Arabic or Chinese) compared by value: 第九条 before 第十条."""
    from .citations.normalize import to_int

    key = []
    for position, piece in enumerate(_NUMERAL.split(part)):
        number = to_int(piece) if position % 2 else None
        key.append((1, number, piece) if number is not None else (0, 0, piece))
    return tuple(key)


def sort_concatenations(names: list[str], rows: list[list], sparql: str) -> list[list]:
    """``rows`` with the parts of every GROUP_CONCAT column of ``sparql`` in one order (text, its
    numbers by value), where SPARQL leaves the order of a group's values to the engine: the same
    answer then reads the same from any store, per authority or whole."""
    columns = [(names.index(name), separator) for name, separator in concatenated_columns(sparql).items()
               if name in names]
    if not columns:
        return rows
    result = []
    for row in rows:
        row = list(row)
        for column, separator in columns:
            term = row[column]
            if isinstance(term, ox.Literal) and separator in term.value:
                value = separator.join(sorted(term.value.split(separator), key=_part_key))
                row[column] = ox.Literal(value, language=term.language) if term.language else \
                    ox.Literal(value, datatype=term.datatype)
        result.append(row)
    return result
