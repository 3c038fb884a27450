"""SHACL Core shapes compiled to SPARQL and run on the pyoxigraph store.

pyshacl walks the graph in Python, one value node at a time: about 0.13 s of CPU per list of 25
powers, so a national corpus would spend most of its build validating. Here each constraint of
a target shape becomes one SPARQL SELECT over the store's union graph that returns exactly the
results pyshacl reports for it (focus node, value node, path); nested shapes (sh:or, sh:and,
sh:not, sh:node, qualified value shapes) become FILTER expressions with EXISTS. pyoxigraph
evaluates the queries in Rust on the store the build has already loaded, so nothing is parsed
again.

Supported: targets (class with rdfs:subClassOf, subjects-of, objects-of, node); paths (predicate,
sequence, inverse, alternative, zero-or-one, zero-or-more, one-or-more); sh:minCount, sh:maxCount,
qualified value shapes with their counts, sh:in, sh:class, sh:hasValue, sh:datatype, sh:nodeKind,
sh:pattern, sh:minLength, sh:maxLength, sh:equals, sh:disjoint, sh:node, sh:property, sh:or,
sh:and, sh:not, sh:xone; inside a nested shape, counts of 0 and 1 only. Anything else raises
:class:`Unsupported` and the caller falls back to pyshacl. The results equal pyshacl's on the
bundled shapes (tests/test_shapes.py runs both on every graph it validates).
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import count

import pyoxigraph as ox
import rdflib
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH

# parameters that only qualify another one, and shape metadata that constrains nothing
_QUALIFIERS = {SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.qualifiedValueShapesDisjoint, SH.flags}
_METADATA = {RDF.type, SH.path, SH.severity, SH.message, SH.name, SH.description, SH.order, SH.group,
             SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.deactivated,
             SH.defaultValue}
_NODE_KINDS = {
    SH.IRI: "isIRI({x})", SH.BlankNode: "isBlank({x})", SH.Literal: "isLiteral({x})",
    SH.BlankNodeOrIRI: "(isBlank({x}) || isIRI({x}))", SH.BlankNodeOrLiteral: "(isBlank({x}) || isLiteral({x}))",
    SH.IRIOrLiteral: "(isIRI({x}) || isLiteral({x}))"}


class Unsupported(Exception):
    """The shapes use a SHACL feature this compiler does not handle (validate with pyshacl)."""


@dataclass(frozen=True)
class Check:
    """One SELECT that returns the results of one constraint component of one shape.

    ``query`` binds ?focus (and ?value when ``value`` is "value"); ``shape`` is the result's
    sh:sourceShape, ``path`` its sh:resultPath (None for node shapes), ``component`` the
    constraint parameter that failed. ``value`` says what sh:value a result has: "value" (the
    value node), "focus" (node shapes report the focus node) or None (counts report none)."""

    shape: rdflib.term.Node
    path: rdflib.term.Node | None
    component: rdflib.URIRef
    query: str
    value: str | None


@dataclass(frozen=True)
class RawResult:
    """A result as pyshacl's report states it, before the report adds the row's context."""

    focus: rdflib.term.Node
    shape: rdflib.term.Node
    value: rdflib.term.Node | None
    path: rdflib.term.Node | None
    component: rdflib.URIRef | None = None  # the failed parameter, when known


def _term(node: rdflib.term.Node) -> str:
    if isinstance(node, rdflib.BNode):
        raise Unsupported(f"a blank node {node} as a constant")
    return node.n3()


class Compiler:
    """Turns a shapes graph into :class:`Check` queries.

    ``subclasses`` (when given) names, for a class, every class of the data that is it or a
    subclass of it: class tests then match ``rdf:type`` against that list, because pyoxigraph
    evaluates a ``rdf:type/rdfs:subClassOf*`` path inside EXISTS from the class end, once per
    row (seconds at a million quads, quadratic beyond)."""

    def __init__(self, shapes: rdflib.Graph, subclasses=None):
        self.shapes = shapes
        self.subclasses = subclasses
        self._names = count(1)

    def fresh(self) -> str:
        return f"?v{next(self._names)}"

    # ---- paths -------------------------------------------------------------------------

    def path(self, node) -> str:
        """A SHACL path as a SPARQL property path."""
        shapes = self.shapes
        if isinstance(node, rdflib.URIRef):
            return node.n3()
        if (node, RDF.first, None) in shapes:
            return "(" + "/".join(self.path(step) for step in Collection(shapes, node)) + ")"
        for predicate, template in ((SH.inversePath, "^{}"), (SH.zeroOrOnePath, "{}?"),
                                    (SH.zeroOrMorePath, "{}*"), (SH.oneOrMorePath, "{}+")):
            inner = shapes.value(node, predicate)
            if inner is not None:
                return "(" + template.format(self.path(inner)) + ")"
        alternatives = shapes.value(node, SH.alternativePath)
        if alternatives is not None:
            return "(" + "|".join(self.path(step) for step in Collection(shapes, alternatives)) + ")"
        raise Unsupported(f"path {node}")

    # ---- conformance of one node (nested shapes) ----------------------------------------

    def conforms(self, x: str, shape) -> str:
        """A SPARQL boolean expression: the node bound to variable ``x`` conforms to ``shape``."""
        if (shape, SH.deactivated, rdflib.Literal(True)) in self.shapes:
            return "true"
        if (shape, SH.path, None) in self.shapes:
            parts = self.property_conforms(x, shape)
        else:
            parts = [self.conforms(x, value) if parameter == SH.property else self.node_test(x, parameter, value, shape)
                     for parameter, value in self.parameters(shape)]
        return "(" + " && ".join(parts) + ")" if parts else "true"

    def parameters(self, shape) -> list[tuple]:
        """The constraint parameters of ``shape`` (metadata and qualifiers left out), sorted."""
        result = []
        for parameter, value in self.shapes.predicate_objects(shape):
            if parameter in _METADATA or parameter in _QUALIFIERS or not str(parameter).startswith(str(SH)):
                continue
            result.append((parameter, value))
        return sorted(result)

    def node_test(self, x: str, parameter, value, shape) -> str:
        """A value-node constraint on the node bound to ``x`` (not counts: those need a path)."""
        shapes = self.shapes
        if parameter == SH["in"]:
            members = list(Collection(shapes, value))
            return "(" + " || ".join(f"sameTerm({x}, {_term(m)})" for m in members) + ")" if members else "false"
        if parameter == SH["class"]:
            if self.subclasses is None:
                return f"EXISTS {{ {x} {RDF.type.n3()}/{RDFS.subClassOf.n3()}* {_term(value)} }}"
            t = self.fresh()
            members = ", ".join(_term(c) for c in self.subclasses(value))
            return f"EXISTS {{ {x} {RDF.type.n3()} {t} FILTER({t} IN ({members})) }}"
        if parameter == SH.hasValue:
            return f"sameTerm({x}, {_term(value)})"
        if parameter == SH.datatype:
            return f"(isLiteral({x}) && datatype({x}) = {_term(value)})"
        if parameter == SH.nodeKind:
            if value not in _NODE_KINDS:
                raise Unsupported(f"sh:nodeKind {value}")
            return _NODE_KINDS[value].format(x=x)
        if parameter == SH.pattern:
            flags = shapes.value(shape, SH.flags)
            arguments = f"str({x}), {rdflib.Literal(str(value)).n3()}" + (f", {rdflib.Literal(str(flags)).n3()}" if flags else "")
            return f"(!isBlank({x}) && REGEX({arguments}))"
        if parameter == SH.minLength:
            return f"(!isBlank({x}) && STRLEN(STR({x})) >= {int(value)})"
        if parameter == SH.maxLength:
            return f"(!isBlank({x}) && STRLEN(STR({x})) <= {int(value)})"
        if parameter == SH.node:
            return self.conforms(x, value)
        if parameter == SH["not"]:
            return f"!{self.conforms(x, value)}"
        if parameter in (SH["or"], SH["and"], SH.xone):
            members = [self.conforms(x, member) for member in Collection(shapes, value)]
            if parameter == SH.xone:
                ones = " + ".join(f"IF({m}, 1, 0)" for m in members)
                return f"(({ones}) = 1)" if members else "false"
            joiner = " || " if parameter == SH["or"] else " && "
            return "(" + joiner.join(members) + ")" if members else ("false" if parameter == SH["or"] else "true")
        raise Unsupported(f"{parameter.n3()} on {shape}")

    def property_conforms(self, x: str, shape) -> list[str]:
        """The constraints of a property shape on the node bound to ``x``, as expressions."""
        shapes, path = self.shapes, self.path(self.shapes.value(shape, SH.path))
        parts = []
        for parameter, value in self.parameters(shape):
            v = self.fresh()
            if parameter in (SH.minCount, SH.maxCount):
                parts.append(_count_test(int(value), parameter == SH.minCount, f"{x} {path} {v}"))
            elif parameter == SH.qualifiedValueShape:
                self._no_disjoint(shape)
                for bound, at_least in ((SH.qualifiedMinCount, True), (SH.qualifiedMaxCount, False)):
                    limit = shapes.value(shape, bound)
                    if limit is not None:
                        pattern = f"{x} {path} {v} FILTER({self.conforms(v, value)})"
                        parts.append(_count_test(int(limit), at_least, pattern))
            elif parameter == SH.hasValue:
                parts.append(f"EXISTS {{ {x} {path} {v} FILTER(sameTerm({v}, {_term(value)})) }}")
            elif parameter in (SH.equals, SH.disjoint):
                w = self.fresh()
                if parameter == SH.equals:
                    parts.append(f"NOT EXISTS {{ {x} {path} {v} FILTER NOT EXISTS {{ {x} {_term(value)} {v} }} }}")
                    parts.append(f"NOT EXISTS {{ {x} {_term(value)} {w} FILTER NOT EXISTS {{ {x} {path} {w} }} }}")
                else:
                    parts.append(f"NOT EXISTS {{ {x} {path} {v} . {x} {_term(value)} {v} }}")
            elif parameter == SH.property:
                raise Unsupported(f"sh:property inside the property shape {shape}")
            else:
                test = self.node_test(v, parameter, value, shape)
                parts.append(f"NOT EXISTS {{ {x} {path} {v} FILTER(!{test}) }}")
        return parts

    def _no_disjoint(self, shape) -> None:
        if (shape, SH.qualifiedValueShapesDisjoint, rdflib.Literal(True)) in self.shapes:
            raise Unsupported(f"sh:qualifiedValueShapesDisjoint on {shape}")

    # ---- results of target shapes ------------------------------------------------------

    def targets(self, shape) -> str | None:
        """A group pattern binding ?focus to the shape's focus nodes (None: no targets)."""
        patterns = []
        for cls in self.shapes.objects(shape, SH.targetClass):
            patterns.append(f"{{ ?focus {RDF.type.n3()}/{RDFS.subClassOf.n3()}* {_term(cls)} }}")
        for node in self.shapes.objects(shape, SH.targetNode):
            patterns.append(f"{{ VALUES ?focus {{ {_term(node)} }} }}")
        for predicate in self.shapes.objects(shape, SH.targetSubjectsOf):
            patterns.append(f"{{ ?focus {_term(predicate)} [] }}")
        for predicate in self.shapes.objects(shape, SH.targetObjectsOf):
            patterns.append(f"{{ [] {_term(predicate)} ?focus }}")
        return " UNION ".join(patterns) if patterns else None

    def checks(self) -> list[Check]:
        """One query per constraint component of every target shape and of its property shapes."""
        result = []
        shapes = self.shapes
        targeted = {s for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
                    for s in shapes.subjects(p, None)}
        for kind in (RDFS.Class, OWL.Class):
            if any((shape, RDF.type, kind) in shapes for shape in shapes.subjects(RDF.type, SH.NodeShape)):
                raise Unsupported("implicit class targets (a shape that is also a class)")
        for shape in sorted(targeted):
            if (shape, SH.deactivated, rdflib.Literal(True)) in shapes:
                continue
            focus = f"SELECT DISTINCT ?focus WHERE {{ {self.targets(shape)} }}"
            if (shape, SH.path, None) in shapes:
                result += self.property_checks(focus, shape)
                continue
            for parameter, value in self.parameters(shape):
                if parameter == SH.property:
                    if (value, SH.deactivated, rdflib.Literal(True)) not in shapes:
                        result += self.property_checks(focus, value)
                    continue
                test = self.node_test("?focus", parameter, value, shape)
                result.append(Check(shape, None, parameter, f"SELECT ?focus WHERE {{ {{ {focus} }} FILTER(!{test}) }}",
                                    "focus"))
        return result

    def property_checks(self, focus: str, shape) -> list[Check]:
        """The result queries of one property shape on the focus nodes ``focus`` selects."""
        shapes, path_node = self.shapes, self.shapes.value(shape, SH.path)
        path = self.path(path_node)
        checks = []

        def add(query: str, value: str | None = None) -> None:
            checks.append(Check(shape, path_node, parameter, query, value))

        for parameter, value in self.parameters(shape):
            if parameter in (SH.minCount, SH.maxCount):
                add(_count_query(focus, f"?focus {path} ?value", int(value), parameter == SH.minCount))
            elif parameter == SH.qualifiedValueShape:
                self._no_disjoint(shape)
                for bound, at_least in ((SH.qualifiedMinCount, True), (SH.qualifiedMaxCount, False)):
                    limit = shapes.value(shape, bound)
                    if limit is not None:
                        pattern = f"?focus {path} ?value FILTER({self.conforms('?value', value)})"
                        add(_count_query(focus, pattern, int(limit), at_least))
            elif parameter == SH.hasValue:
                add(f"SELECT ?focus WHERE {{ {{ {focus} }} FILTER NOT EXISTS {{ ?focus {path} ?value "
                    f"FILTER(sameTerm(?value, {_term(value)})) }} }}")
            elif parameter == SH.equals:
                add(f"SELECT DISTINCT ?focus ?value WHERE {{ {{ {focus} }} {{ ?focus {path} ?value "
                    f"FILTER NOT EXISTS {{ ?focus {_term(value)} ?value }} }} UNION {{ ?focus {_term(value)} ?value "
                    f"FILTER NOT EXISTS {{ ?focus {path} ?value }} }} }}", "value")
            elif parameter == SH.disjoint:
                add(f"SELECT DISTINCT ?focus ?value WHERE {{ {{ {focus} }} ?focus {path} ?value . "
                    f"?focus {_term(value)} ?value }}", "value")
            elif parameter == SH.property:
                raise Unsupported(f"sh:property inside the property shape {shape}")
            else:
                test = self.node_test("?value", parameter, value, shape)
                add(f"SELECT DISTINCT ?focus ?value WHERE {{ {{ {focus} }} ?focus {path} ?value FILTER(!{test}) }}", "value")
        return checks


def _count_test(limit: int, at_least: bool, pattern: str) -> str:
    """``pattern`` (binding a focus node's values) has ≥ ``limit`` (or ≤) solutions, as an expression."""
    if at_least and limit == 0:
        return "true"
    if at_least and limit == 1:
        return f"EXISTS {{ {pattern} }}"
    if not at_least and limit == 0:
        return f"NOT EXISTS {{ {pattern} }}"
    raise Unsupported(f"a count of {limit} inside a nested shape")


def _count_query(focus: str, pattern: str, limit: int, at_least: bool) -> str:
    """Focus nodes whose distinct ?value of ``pattern`` number fewer than (or more than) ``limit``."""
    if at_least and limit == 0:
        return "SELECT ?focus WHERE { FILTER(false) }"
    if at_least and limit == 1:
        return f"SELECT ?focus WHERE {{ {{ {focus} }} FILTER NOT EXISTS {{ {pattern} }} }}"
    if not at_least and limit == 0:
        return f"SELECT DISTINCT ?focus WHERE {{ {{ {focus} }} {pattern} }}"
    test = f"COUNT(DISTINCT ?value) {'<' if at_least else '>'} {limit}"
    return f"SELECT ?focus WHERE {{ {{ {focus} }} OPTIONAL {{ {pattern} }} }} GROUP BY ?focus HAVING ({test})"


def compile_shapes(shapes: rdflib.Graph, store: ox.Store | None = None) -> list[Check]:
    """Every check of ``shapes`` (for the classes of ``store``, when given); raises Unsupported
    for a feature the compiler lacks."""
    checks = Compiler(shapes, None if store is None else lambda c: subclasses_in(store, c)).checks()
    if not checks:
        raise Unsupported("the shapes have no target shape with a constraint")
    return checks


def subclasses_in(store: ox.Store, cls: rdflib.URIRef) -> list[rdflib.URIRef]:
    """``cls`` and every class the store's union graph makes a subclass of it (rdfs:subClassOf*)."""
    query = f"SELECT DISTINCT ?c WHERE {{ ?c {RDFS.subClassOf.n3()}* {_term(cls)} }}"
    found = {rdflib.URIRef(row["c"].value) for row in store.query(query, use_default_graph_as_union=True)
             if isinstance(row["c"], ox.NamedNode)}
    return sorted(found | {cls})


def to_rdflib(term) -> rdflib.term.Node:
    """A pyoxigraph term as the rdflib term rdflib's own parser would make of it."""
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    return rdflib.Literal(term.value, datatype=None if datatype.endswith("#string") else rdflib.URIRef(datatype))


def run_checks(store: ox.Store, checks: list[Check], progress=lambda message: None) -> list[RawResult]:
    """Every check on the union of the store's graphs; results in check order."""
    results = []
    for check in checks:
        for solution in store.query(check.query, use_default_graph_as_union=True):
            focus = to_rdflib(solution["focus"])
            value = {"focus": focus, "value": None, None: None}[check.value]
            if check.value == "value":
                value = to_rdflib(solution["value"])
            results.append(RawResult(focus, check.shape, value, check.path, check.component))
    progress(f"  ran {len(checks)} compiled SHACL checks on the store: {len(results)} results")
    return results


def selects_something(store: ox.Store, shapes: rdflib.Graph) -> bool:
    """Whether any target of any shape names a node of the store's union graph."""
    compiler = Compiler(shapes)
    targeted = {s for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
                for s in shapes.subjects(p, None)}
    for shape in targeted:
        if any(True for _ in store.query(f"SELECT ?focus WHERE {{ {compiler.targets(shape)} }} LIMIT 1",
                                         use_default_graph_as_union=True)):
            return True
    return False


def targeted(store: ox.Store, shapes: rdflib.Graph) -> set[str]:
    """Every node of the store's union graph that a target of a shape names (as N-Quads terms)."""
    compiler = Compiler(shapes)
    shaped = {s for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
              for s in shapes.subjects(p, None)}
    return {str(row["focus"]) for shape in shaped
            for row in store.query(f"SELECT DISTINCT ?focus WHERE {{ {compiler.targets(shape)} }}",
                                   use_default_graph_as_union=True)}


def to_oxigraph(term) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term as a pyoxigraph term."""
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)) if term.datatype else None)


class StoreGraph:
    """The read calls a report makes on a data graph (membership, ``objects``, ``subjects``,
    ``value``), answered from the union of a pyoxigraph store's graphs, with rdflib terms."""

    def __init__(self, store: ox.Store):
        self.store = store

    def _quads(self, s, p, o):
        return self.store.quads_for_pattern(*(None if t is None else to_oxigraph(t) for t in (s, p, o)), None)

    def __contains__(self, triple) -> bool:
        return any(True for _ in self._quads(*triple))

    def objects(self, subject, predicate):
        return iter(sorted({to_rdflib(q.object) for q in self._quads(subject, predicate, None)}))

    def subjects(self, predicate, obj):
        return iter(sorted({to_rdflib(q.subject) for q in self._quads(None, predicate, obj)}))

    def value(self, subject, predicate):
        return next(self.objects(subject, predicate), None)
