"""SHACL validation of the graph (pyshacl), a second standard engine (pyrudof) to check the
shapes are plain SHACL, and reports a compliance team can act on: per list and item, with
the source line, the message in 中文 and English, and the rule each shape enforces."""
from __future__ import annotations

from collections import Counter
from itertools import groupby
from typing import Callable, Iterable, Iterator
from functools import lru_cache
from dataclasses import dataclass, replace
from html import escape
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF, RDFS, SH, SKOS

SKOS_PREF = SKOS.prefLabel

from .data import folder
from .iris import ONTOLOGY, file_slug
from .spreadsheet import csv_text
from .validate_sparql import RawResult

PKG = rdflib.Namespace(ONTOLOGY)
PKS = rdflib.Namespace("https://w3id.org/powerkg/shapes#")
DCTERMS = rdflib.Namespace("http://purl.org/dc/terms/")
SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


@dataclass
class ValidationResult:
    """One SHACL result with the context a reader needs to find the row."""

    severity: str
    shape: str
    message_zh: str
    message_en: str
    rule: str
    focus: str
    value: str
    list: str
    item_no: int | None
    item: str
    line: int | None


@dataclass
class ValidationReport:
    conforms: bool
    results: list[ValidationResult]
    report_graph: rdflib.Graph | None  # pyshacl's report; None from validate_store (see as_turtle)

    @property
    def violations(self) -> int:
        return sum(1 for r in self.results if r.severity == "Violation")

    @property
    def result_count(self) -> int:
        return len(self.results)

    @property
    def by_severity(self) -> Counter:
        return Counter(r.severity for r in self.results)

    def counts_by_shape(self) -> Counter:
        return Counter(r.shape for r in self.results)


class CannotValidate(Exception):
    """Validation cannot run or cannot mean anything: shapes missing or unreadable, an empty
    graph, or shapes that select no node of the graph. A check that finds nothing to check is
    an error, never a pass."""


def shape_files(paths: list[Path] | None = None) -> list[Path]:
    """The shape files to use: the given files (a folder stands for its ``*.ttl``), or the
    bundled ``shapes/*.ttl``. Raises CannotValidate when there are none."""
    if not paths:
        bundled = folder("shapes")
        files = sorted(bundled.glob("*.ttl"))
        where = str(bundled)
    else:
        files = []
        for path in map(Path, paths):
            if path.is_dir():
                files.extend(sorted(path.glob("*.ttl")))
            elif path.is_file():
                files.append(path)
            else:
                raise CannotValidate(f"{path}: no such shapes file or folder")
        where = ", ".join(map(str, paths))
    if not files:
        raise CannotValidate(f"no shape files (*.ttl) in {where}")
    return files


def load_shapes(paths: list[Path] | None = None) -> rdflib.Graph:
    """All shape files (see :func:`shape_files`) as one graph; raises CannotValidate when
    they define no SHACL shape (a parse error names file and line)."""
    files = shape_files(paths)
    graph = rdflib.Graph()
    for path in files:
        try:
            graph.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises several types; the message names the line
            raise CannotValidate(f"{path}: not readable as Turtle: {exc}") from exc
    if not any((None, RDF.type, kind) in graph for kind in (SH.NodeShape, SH.PropertyShape)):
        raise CannotValidate(f"{', '.join(map(str, files))}: no sh:NodeShape or sh:PropertyShape defined")
    return graph


def _selects_something(data: rdflib.Graph, shapes: rdflib.Graph) -> bool:
    """Whether any target of any shape names a node of ``data`` (classes with their
    rdfs:subClassOf descendants in the data, as SHACL defines class targets)."""
    for cls in set(shapes.objects(None, SH.targetClass)):
        if any((None, RDF.type, c) in data for c in data.transitive_subjects(RDFS.subClassOf, cls)):
            return True
    for node in shapes.objects(None, SH.targetNode):
        if (node, None, None) in data or (None, None, node) in data:
            return True
    if any((None, p, None) in data for p in shapes.objects(None, SH.targetSubjectsOf)):
        return True
    return any((None, p, None) in data for p in shapes.objects(None, SH.targetObjectsOf))


def rule_provisions(shapes: rdflib.Graph) -> list[str]:
    """IRIs of the graph provisions the shapes cite as their rule (rdfs:seeAlso)."""
    return sorted(str(o) for o in shapes.objects(None, RDFS.seeAlso) if "/id/instrument/" in str(o))


def data_graph(nquads: bytes) -> rdflib.Graph:
    """The union of all named graphs of an N-Quads file, as one rdflib graph."""
    dataset = rdflib.Dataset()
    dataset.parse(data=nquads, format="nquads")
    union = rdflib.Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        union.add((s, p, o))
    return union


def _short(value) -> str:
    return str(value).split("#")[-1] if value is not None else ""


def _messages(graph: rdflib.Graph, node, predicate) -> tuple[str, str]:
    """(中文, English) of the messages ``node`` has in ``graph`` (a result's or a shape's)."""
    texts = {getattr(m, "language", None): str(m) for m in graph.objects(node, predicate)}
    return texts.get("zh", ""), texts.get("en", texts.get(None, ""))


def _rule(shapes: rdflib.Graph, shape) -> str:
    """The rule a shape enforces: its own rdfs:seeAlso/dcterms:source, else its node shape's."""
    for node in [shape] + list(shapes.subjects(SH.property, shape)):
        values = [str(v) for p in (DCTERMS.source, RDFS.seeAlso) for v in shapes.objects(node, p)]
        if values:
            return " · ".join(values)
    return ""


def _context(data: rdflib.Graph, focus) -> tuple[str, int | None, str, int | None]:
    """(list id, item number, item name, source line) of the power a focus node belongs to."""
    power = None
    if (focus, RDF.type, PKG.PowerItem) in data:
        power = focus
    else:
        power = next(data.subjects(PKG.hasCitation, focus), None)
    if power is not None:
        list_node = data.value(power, PKG.inList)
        row = data.value(power, PKG.sourceRow)
        number = data.value(power, PKG.itemNumber)
        line = data.value(row, PKG.firstLine) if row is not None else None
        return (str(list_node).rsplit("/", 1)[-1] if list_node else "", int(number) if number is not None else None,
                str(data.value(power, PKG.itemName) or ""), int(line) if line is not None else None)
    category = focus if (focus, RDF.type, PKG.SummaryCategory) in data else data.value(focus, PKG.inSummaryCategory)
    if category is not None:
        list_node = next(data.subjects(PKG.hasSummaryCategory, category), None)
        return (str(list_node).rsplit("/", 1)[-1] if list_node else "", None,
                "总表 " + str(data.value(focus, RDFS.label) or ""), None)
    if (focus, RDF.type, PKG.MainItem) in data:
        list_node = data.value(focus, PKG.inList)
        return (str(list_node).rsplit("/", 1)[-1] if list_node else "", None, str(data.value(focus, RDFS.label) or ""), None)
    return ("registry", None, str(data.value(focus, RDFS.label) or focus), None)


def _label(data: rdflib.Graph, node) -> str:
    if isinstance(node, rdflib.Literal):
        return str(node)
    labels = {getattr(v, "language", None): str(v) for p in (RDFS.label, SKOS_PREF) for v in data.objects(node, p)}
    return labels.get("zh") or labels.get(None) or str(node)


def _shown_values(data: rdflib.Graph, shapes: rdflib.Graph, shape, focus, path) -> str | None:
    """What a result without sh:value should show: the focus's values of the forbidden property
    (sh:maxCount 0 on a computed fact — the difference, what replaced what), or of the
    property a node shape names with ``pks:reportValuesOf`` (the penalty kinds read)."""
    prop = shapes.value(shape, PKS.reportValuesOf) or (path if isinstance(path, rdflib.URIRef) else None)
    if prop is None:
        return None
    values = sorted(_label(data, v) for v in data.objects(focus, prop))
    return "；".join(values) if values else None


def validate(data: rdflib.Graph, shapes: rdflib.Graph) -> ValidationReport:
    """Run pyshacl (no inference: the build materialises what the shapes need). Raises
    CannotValidate for an empty graph or shapes that select none of its nodes."""
    import pyshacl

    if len(data) == 0:
        raise CannotValidate("the data graph is empty: there is nothing to validate")
    if not _selects_something(data, shapes):
        raise CannotValidate(f"the shapes select no node of the data graph ({len(data)} triples): "
                             "are these shapes meant for a powerkg graph?")

    conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=False,
                                           allow_warnings=True)
    results, contexts = [], _Contexts(data, shapes)
    for result in report.objects(None, SH.result):  # not the sh:detail results nested in them
        raw = RawResult(report.value(result, SH.focusNode), report.value(result, SH.sourceShape),
                        report.value(result, SH.value), report.value(result, SH.resultPath))
        zh, en = _messages(report, result, SH.resultMessage)
        results.append(contexts.result(raw, report.value(result, SH.resultSeverity), zh, en))
    return ValidationReport(bool(conforms), sorted_results(results), report)


def validate_store(store, shapes: rdflib.Graph, progress=lambda message: None) -> ValidationReport:
    """The same results as :func:`validate` on the union of the store's graphs, from the shapes
    compiled to SPARQL (:mod:`build_graph.validate_sparql`). Raises Unsupported when the shapes
    use a feature the compiler lacks, CannotValidate as :func:`validate` does."""
    from .validate_sparql import StoreGraph, compile_shapes, run_checks, selects_something

    checks = compile_shapes(shapes, store)
    if len(store) == 0:
        raise CannotValidate("the data graph is empty: there is nothing to validate")
    if not selects_something(store, shapes):
        raise CannotValidate(f"the shapes select no node of the store ({len(store)} quads): "
                             "are these shapes meant for a powerkg graph?")
    data, results = StoreGraph(store), []
    shape_facts: dict = {}  # per shape: severity and messages (a shape has thousands of results)
    contexts = _Contexts(data, shapes)
    for raw in run_checks(store, checks, progress):
        key = (raw.shape, raw.component)
        if key not in shape_facts:
            zh, en = _messages(shapes, raw.shape, SH.message)
            shape_facts[key] = (shapes.value(raw.shape, SH.severity) or SH.Violation, zh,
                                en if (zh or en) else f"{_short(raw.component)} not satisfied")
        results.append(contexts.result(raw, *shape_facts[key]))
    conforms = not any(r.severity == "Violation" for r in results)
    return ValidationReport(conforms, sorted_results(results), None)


# what the report reads besides the shapes' own paths: where a result's row is, and labels
_CONTEXT = (str(RDF.type), str(RDFS.subClassOf), str(RDFS.label), str(SKOS_PREF),
            *(str(PKG[name]) for name in ("inList", "sourceRow", "itemNumber", "firstLine", "itemName", "hasCitation",
                                          "inSummaryCategory", "hasSummaryCategory")))


def shape_predicates(shapes: rdflib.Graph) -> frozenset[str]:
    """Every predicate a shape can follow (paths, targets, values it reports) and the ones the
    report reads: the only triples validation needs (a superset; the long texts are left out)."""
    used = set(_CONTEXT)
    for _, _, obj in shapes:
        if isinstance(obj, rdflib.URIRef) and not str(obj).startswith(str(SH)):
            used.add(str(obj))
    return frozenset(used)


def sorted_results(results: list[ValidationResult]) -> list[ValidationResult]:
    """Results in the report's order: by list, item, line, severity, shape, focus, value."""
    return sorted(results, key=lambda r: (r.list, r.item_no if r.item_no is not None else 10**9, r.line or 0,
                                          SEVERITY_ORDER.get(r.severity, 3), r.shape, r.focus, r.value))


class _Contexts:
    """Report rows for raw results, with what each needs looked up once: a focus node's row
    (list, item, line) and a shape's rule."""

    def __init__(self, data, shapes: rdflib.Graph):
        self.data, self.shapes = data, shapes
        self._rows: dict = {}
        self._rules: dict = {}

    def result(self, raw, severity, zh: str, en: str) -> ValidationResult:
        data, shapes = self.data, self.shapes
        if raw.focus not in self._rows:
            self._rows[raw.focus] = _context(data, raw.focus)
        if raw.shape not in self._rules:
            self._rules[raw.shape] = _rule(shapes, raw.shape)
        list_id, item_no, item, line = self._rows[raw.focus]
        value = raw.value
        if value is None or value == raw.focus:
            value = _shown_values(data, shapes, raw.shape, raw.focus, raw.path) or value
        return ValidationResult(
            severity=_short(severity), shape=_short(raw.shape), message_zh=zh, message_en=en,
            rule=self._rules[raw.shape], focus=str(raw.focus), value="" if value is None else str(value),
            list=list_id, item_no=item_no, item=item, line=line)


def validate_with_rudof(data: rdflib.Graph, shapes: rdflib.Graph) -> tuple[bool, Counter]:
    """Second engine: pyrudof (Rust). Returns (conforms, results per source shape)."""
    import pyrudof

    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    rudof.read_data(data.serialize(format="nt"), format=pyrudof.RDFFormat.NTriples)
    rudof.read_shacl(shapes.serialize(format="turtle"), format=pyrudof.ShaclFormat.Turtle)
    report = rudof.validate_shacl()
    counts = Counter(_short(str(entry.source_shape)).strip("<>") for entry in report)
    return bool(report.conforms), counts


# ---- report formats -----------------------------------------------------------------------

def merged(results: Iterable[ValidationResult]) -> Iterator[ValidationResult]:
    """One line per (focus, shape): sh:equals reports each differing value separately, so the
    values of one comparison are joined as ``a ≠ b`` (consecutive results, as the report orders them)."""
    last = None
    for r in results:
        if last is not None and (last.focus, last.shape) == (r.focus, r.shape) and r.value and last.value:
            last = replace(last, value=f"{last.value} ≠ {r.value}")
            continue
        if last is not None:
            yield last
        last = r
    if last is not None:
        yield last


def as_text(report: ValidationReport) -> str:
    return "".join(text_lines(report.conforms, report.violations, report.result_count, report.results))


def text_lines(conforms: bool, violations: int, total: int, results: Iterable[ValidationResult]) -> Iterator[str]:
    """validation.txt line by line (each ending in a newline), from results in report order."""
    yield text_heading(conforms, violations, total)
    yield from text_body(results)


def text_heading(conforms: bool, violations: int, total: int) -> str:
    return f"SHACL: {'conforms' if conforms else 'does not conform'} — {violations} violations, {total} results\n"


def text_body(results: Iterable[ValidationResult]) -> Iterator[str]:
    """The lines of validation.txt below its heading (a section per item)."""
    current = None
    for r in merged(results):
        heading = (r.list, r.item_no, r.item)
        if heading != current:
            current = heading
            where = f"item {r.item_no} " if r.item_no is not None else ""
            at = f" (line {r.line})" if r.line else ""
            yield f"\n[{r.list}] {where}{r.item}{at}\n"
        yield (f"  {r.severity}: {r.message_zh} / {r.message_en}" + (f" — {r.value}" if r.value else "")
               + f"  [{r.shape}" + (f"; {r.rule}" if r.rule else "") + "]\n")


CSV_COLUMNS = list(ValidationResult.__dataclass_fields__)


def as_csv(report: ValidationReport) -> str:
    return csv_text(CSV_COLUMNS, csv_rows(report.results))


def csv_rows(results: Iterable[ValidationResult]) -> Iterator[list]:
    return ([getattr(r, name) for name in CSV_COLUMNS] for r in results)  # asdict deep-copies: 10× slower


def results_turtle(conforms: bool, results: Iterable[ValidationResult]) -> str:
    """A standard sh:ValidationReport of the results, as Turtle text."""
    return "".join(turtle_lines(conforms, results))


def turtle_lines(conforms: bool, results: Iterable[ValidationResult]) -> Iterator[str]:
    """:func:`results_turtle` line by line (no graph of 10⁵ results is built in memory)."""
    yield turtle_heading(conforms)
    yield from turtle_results(results)
    yield " .\n"


def turtle_heading(conforms: bool) -> str:
    return f"@prefix sh: <http://www.w3.org/ns/shacl#> .\n\n[] a sh:ValidationReport ; sh:conforms {'true' if conforms else 'false'}"


def turtle_results(results: Iterable[ValidationResult]) -> Iterator[str]:
    """Each result's ``sh:result`` of :func:`turtle_lines`."""
    shapes_ns = "https://w3id.org/powerkg/shapes#"
    for r in results:  # terms written by pyoxigraph (N-Triples forms, valid Turtle): 10× rdflib's n3()
        focus = ox.NamedNode(r.focus) if r.focus.startswith("http") else ox.Literal(r.focus)
        parts = [f"sh:resultSeverity sh:{r.severity}", f"sh:sourceShape {ox.NamedNode(shapes_ns + r.shape)}",
                 f"sh:focusNode {focus}",
                 f"sh:resultMessage {ox.Literal(r.message_zh, language='zh')} , {ox.Literal(r.message_en, language='en')}"]
        if r.value:
            parts.append(f"sh:value {ox.Literal(r.value)}")
        yield "\n  ; sh:result [ a sh:ValidationResult ; " + " ; ".join(parts) + " ]"


def as_turtle(report: ValidationReport) -> str:
    if report.report_graph is None:
        return results_turtle(report.conforms, report.results)
    return report.report_graph.serialize(format="turtle")


def as_html(report: ValidationReport, home: str = "index.html", title: str = "") -> str:
    """Standalone page, one section per list item (items with violations first), each result
    with its message in 中文 and English, the value — a quote's difference, what replaced what —
    and the rule. All list text is escaped."""
    groups: dict[tuple, list[ValidationResult]] = {}
    for r in merged(report.results):
        groups.setdefault((r.list, r.item_no, r.item, r.line), []).append(r)

    def rank(key):
        worst = min(SEVERITY_ORDER.get(r.severity, 3) for r in groups[key])
        return (worst, key[0], key[1] if key[1] is not None else 10**9, key[2])

    sections = []
    severity_names = {"Violation": "违规 Violation", "Warning": "警告 Warning", "Info": "提示 Info"}
    for key in sorted(groups, key=rank):
        list_id, item_no, item, line = key
        rows = "".join(
            f"<tr class='{escape(r.severity)}'><td>{escape(severity_names.get(r.severity, r.severity))}</td>"
            f"<td>{escape(r.message_zh)}<br><small>{escape(r.message_en)}</small></td>"
            f"<td class='value'>{escape(r.value)}</td><td><code>{escape(r.shape)}</code><br>{_rule_html(r.rule)}</td></tr>"
            for r in sorted(groups[key], key=lambda r: (SEVERITY_ORDER.get(r.severity, 3), r.shape)))
        where = (f"第{item_no}项 item {item_no} · " if item_no is not None else "") + escape(item)
        at = f" · 第{line}行 line {line}" if line else ""
        sections.append(f"<section><h2>{escape(list_id)} · {where}<small>{at}</small></h2>"
                        f"<table><tr><th>级别 severity</th><th>问题 message</th><th>详情 details</th><th>检查与规则 check and rule</th></tr>"
                        f"{rows}</table></section>")
    by_severity = report.by_severity
    summary = ", ".join(f"{escape(k)}: {v}" for k, v in sorted(by_severity.items(), key=lambda kv: SEVERITY_ORDER.get(kv[0], 3)))
    # content-visibility: the browser lays out and paints only the sections on screen (a report
    # of thousands of them opened, and was screenshot, in 40 % less CPU); find-in-page still
    # searches them all
    return f"""<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><title>powerkg 校验报告 validation report{escape(title)}</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse;width:100%;margin-bottom:1.5em}}
td,th{{border:1px solid #ccc;padding:4px;vertical-align:top;font-size:90%}}table{{table-layout:fixed}}
th:nth-child(1){{width:8em}}th:nth-child(2){{width:34%}}details{{font-size:92%}}details p{{margin:.2em 0;white-space:pre-wrap}}h2{{font-size:110%;margin:1.2em 0 .3em}}
h2 small{{font-weight:normal;color:#555}}td.value{{font-family:monospace;white-space:pre-wrap;max-width:40em}}
tr.Violation td:first-child{{color:#b00;font-weight:bold}}tr.Warning td:first-child{{color:#a60}}
section{{content-visibility:auto;contain-intrinsic-size:auto 12em}}</style></head>
<body><p><a href="{escape(home)}">首页 index</a></p><h1>SHACL 校验报告 · validation report{escape(title)}</h1>
<p>{'符合 conforms' if report.conforms else '不符合 does not conform'} — {summary}</p>
{''.join(sections)}</body></html>
"""


REPORT_PAGE_MAX_RESULTS = 5000  # above: validation.html sums up per list, each list's results on a page of its own


def report_page_of(list_id: str) -> str:
    """The per-list report page (large reports), relative to the output folder."""
    return f"validation/{file_slug(list_id)}.html"


def write_html_reports(report: ValidationReport, out: Path) -> None:
    """validation.html: the whole report, or for a large one a table of lists (results by
    severity, violations first) linking each list's own report page."""
    _write_html(report.conforms, report.by_severity, report.result_count, lambda: report.results, out)


def _write_html(conforms: bool, by_severity: Counter, total: int, results, out: Path) -> None:
    """:func:`write_html_reports` from ``results()``, results in report order (a large report
    is read list by list, never held whole)."""
    if total <= REPORT_PAGE_MAX_RESULTS:
        (out / "validation.html").write_text(as_html(ValidationReport(conforms, list(results()), None)), encoding="utf-8")
        return
    pages = _ListPages(out)
    for list_id, grouped in groupby(results(), key=lambda r: r.list):
        pages.add(list_id, list(grouped))
    pages.close(conforms, by_severity, total)


class _ListPages:
    """The report of a large validation: a page per list (each a unit of ``reuse``: taken from
    the previous build while the list's results are the same) and validation.html, a table of
    the lists."""

    def __init__(self, out: Path, reuse=None):
        (out / "validation").mkdir(exist_ok=True)
        self.out, self.reuse, self.rows = out, reuse, []

    def add(self, list_id: str, results: list[ValidationResult], digest: str | None = None) -> None:
        counts = Counter(r.severity for r in results)
        page = report_page_of(list_id)
        if self.reuse is None or self.reuse.take(page, digest) is None:
            part = ValidationReport(counts["Violation"] == 0, results, None)
            (self.out / page).write_text(as_html(part, home="../index.html", title=f" · {list_id}"), encoding="utf-8")
            if self.reuse is not None:
                self.reuse.made(page, digest)
        self.rows.append((-counts["Violation"], list_id, f"<tr><td><a href='{escape(page)}'>{escape(list_id)}</a></td>"
                          f"<td>{counts['Violation']}</td><td>{counts['Warning']}</td><td>{counts['Info']}</td></tr>"))

    def close(self, conforms: bool, by_severity: Counter, total: int) -> None:
        summary = ", ".join(f"{escape(k)}: {v}" for k, v in sorted(by_severity.items(), key=lambda kv: SEVERITY_ORDER.get(kv[0], 3)))
        table = "".join(row for *_, row in sorted(self.rows))
        (self.out / "validation.html").write_text(f"""<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><title>powerkg 校验报告 validation report</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:4px 8px}}
td:not(:first-child){{text-align:right}}</style></head>
<body><p><a href="index.html">首页 index</a></p><h1>SHACL 校验报告 · validation report</h1>
<p>{'符合 conforms' if conforms else '不符合 does not conform'} — {summary}; {total} results in
{len(self.rows)} lists: each list's results are on its own page (violations first below).</p>
<table><tr><th>清单 list</th><th>违规 Violation</th><th>警告 Warning</th><th>提示 Info</th></tr>{table}</table></body></html>
""", encoding="utf-8")


@lru_cache(maxsize=1024)
def _rule_html(rule: str) -> str:
    """The rule column: the rule's name, and each provision of the graph it names (an IRI) as
    "行政处罚法 第十六条" with the official text to unfold."""
    from .labels import path_label, short_title
    from .registry import load_registry

    parts = []
    for piece in filter(None, (p.strip() for p in rule.split(" · "))):
        instrument_id, _, path = piece.partition("/id/instrument/")[2].partition("/")
        if not instrument_id:
            parts.append(f"<small>{escape(piece)}</small>")
            continue
        registry = load_registry()
        entry = registry.instruments.get(instrument_id)
        label = f"{short_title(entry.title) if entry else instrument_id} {path_label(path)}".strip()
        number = path.split("__")[0].removeprefix("art_")
        article = (registry.articles_of(instrument_id) or {}).get(int(number)) if number.isdigit() else None
        parts.append(f"<details><summary>{escape(label)}</summary><p>{escape(article.text)}</p></details>" if article
                     else f"<small>{escape(label)}</small>")
    return "".join(parts)


FORMATS = {"text": as_text, "csv": as_csv, "ttl": as_turtle, "html": as_html}


def write_reports(report: ValidationReport, out: Path) -> None:
    """validation.txt, .csv, .ttl and .html (pyshacl's own report graph, when there is one, as the Turtle)."""
    if report.report_graph is not None:
        (out / "validation.ttl").write_text(as_turtle(report), encoding="utf-8")
    write_report_files(report.conforms, report.by_severity, lambda: report.results, out,
                       turtle=report.report_graph is None)


def write_report_files(conforms: bool, by_severity: Counter, results: Callable[[], Iterable[ValidationResult]],
                       out: Path, turtle: bool = True, reuse=None) -> None:
    """The report files from ``results()`` (results in report order), written list by list as
    the results come: a report of 10⁵ results is never one string or one list. Each list's part
    of validation.txt, .csv and .ttl is a segment (:mod:`splice`) and its report page (large
    reports) a unit of ``reuse`` (a ``reuse.Reuse``: what the previous build made of the same
    results is taken), its digest that of the list's results."""
    from .reuse import Reuse

    total = sum(by_severity.values())
    if total <= REPORT_PAGE_MAX_RESULTS:
        _write_html(conforms, by_severity, total, results, out)
    own = reuse is None
    reuse = reuse or Reuse(None, out, keep=False)
    files = ["validation.txt", "validation.csv"] + (["validation.ttl"] if turtle else [])
    spliced = {file: reuse.spliced(file) for file in files}
    spliced["validation.txt"].write(text_heading(conforms, by_severity["Violation"], total))
    spliced["validation.csv"].write(csv_text(CSV_COLUMNS, []))
    if turtle:
        spliced["validation.ttl"].write(turtle_heading(conforms))
    pages = _ListPages(out, reuse) if total > REPORT_PAGE_MAX_RESULTS else None
    for list_id, grouped in groupby(results(), key=lambda r: r.list):
        mine = list(grouped)
        digest = Reuse.content_digest(mine)
        spliced["validation.txt"].segment(list_id, digest, lambda: "".join(text_body(mine)))
        spliced["validation.csv"].segment(list_id, digest, lambda: csv_text(None, csv_rows(mine)))
        if turtle:
            spliced["validation.ttl"].segment(list_id, digest, lambda: "".join(turtle_results(mine)))
        if pages is not None:
            pages.add(list_id, mine, digest)
    if turtle:
        spliced["validation.ttl"].write(" .\n")
    for file, part in spliced.items():
        reuse.finish(file, part)
    if pages is not None:
        pages.close(conforms, by_severity, total)
    if own:
        reuse.save()
