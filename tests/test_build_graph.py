"""The RDF build: the graph parses, speaks ELI/CPSV, shares provision nodes between lists, and is
deterministic and independent of row order."""
from __future__ import annotations

import random
import re
import subprocess
import sys

import pytest
import rdflib

from build_graph.build import build_graph, open_store, write_outputs
from build_graph.corpus import load_lists
from build_graph.readers import read_list
from conftest import PINGSHAN, YUANSHI, meta_of

PREFIX = """PREFIX pkg: <https://w3id.org/powerkg/ontology#>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
PREFIX cpsv: <http://purl.org/vocab/cpsv#>
PREFIX m8g: <http://data.europa.eu/m8g/>
PREFIX inst: <https://w3id.org/powerkg/id/instrument/>
"""


@pytest.fixture(scope="module")
def built_dir(bundled_build):
    return bundled_build


def test_build_command_writes_outputs(tmp_path):
    result = subprocess.run([sys.executable, "-m", "build_graph.cli", "build", "-o", str(tmp_path)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    for name in ("graph.nq", "graph.ttl", "summary.json", "records.json", "citations.json", "findings.csv",
                 "ontology/index.html", "ontology/powerkg.owl", "ontology/powerkg.ttl"):
        assert (tmp_path / name).stat().st_size > 0, name
    assert (tmp_path / "store").is_dir()
    assert result.stdout == "" and "25 powers" in result.stderr and "20 powers" in result.stderr  # progress on stderr


def test_turtle_parses_and_finds_the_social_insurance_articles(built_dir):
    graph = rdflib.Graph()
    graph.parse(built_dir / "graph.ttl", format="turtle")
    rows = graph.query(PREFIX + """
        SELECT DISTINCT ?num WHERE {
          ?power pkg:restsOn ?article .
          ?article a pkg:Article ; pkg:ofInstrument inst:shehui-baoxian-fa ; eli:number ?num .
        }""")
    assert sorted(int(r[0]) for r in rows) == [4, 8, 28, 30, 32, 57, 58, 77, 79, 84, 87, 88]


def test_one_article_node_shared_by_both_lists(built_dir):
    dataset = rdflib.Dataset()
    dataset.parse(built_dir / "graph.nq", format="nquads")
    rows = dataset.query(PREFIX + """
        SELECT ?article (COUNT(DISTINCT ?g) AS ?lists) WHERE {
          GRAPH ?g { ?power pkg:restsOn ?article }
          GRAPH ?r { ?article pkg:ofInstrument inst:shehui-baoxian-fa ; eli:number "84" }
        } GROUP BY ?article""")
    rows = list(rows)
    assert len(rows) == 1 and int(rows[0][1]) == 2
    assert str(rows[0][0]).endswith("/id/instrument/shehui-baoxian-fa/art_84")


def test_named_graphs_and_vocabularies(built_dir):
    store = open_store(built_dir)
    graphs = {g.value for g in store.named_graphs()}
    assert {"https://w3id.org/powerkg/graph/list/pingshan-ybj", "https://w3id.org/powerkg/graph/list/yuanshi-ybj",
            "https://w3id.org/powerkg/graph/registry", "https://w3id.org/powerkg/graph/ontology"} <= graphs
    # the ontology says PowerItem ⊑ PublicService and restsOn ⊑ hasLegalResource; the graph uses them
    assert store.query(PREFIX + "ASK { pkg:PowerItem <http://www.w3.org/2000/01/rdf-schema#subClassOf> cpsv:PublicService }",
                       use_default_graph_as_union=True)
    assert store.query(PREFIX + "ASK { pkg:restsOn <http://www.w3.org/2000/01/rdf-schema#subPropertyOf> cpsv:hasLegalResource }",
                       use_default_graph_as_union=True)
    text = store.query(PREFIX + """SELECT ?t WHERE { inst:shehui-baoxian-fa\\/art_84 pkg:text ?t }""",
                       use_default_graph_as_union=True)
    assert next(iter(text))["t"].value.startswith("用人单位不办理社会保险登记的")
    assert store.query(PREFIX + "ASK { ?p a pkg:PowerItem ; m8g:hasCompetentAuthority ?a }", use_default_graph_as_union=True)


def test_provision_hierarchy_and_attachments(built_dir):
    store = open_store(built_dir)
    rows = list(store.query(PREFIX + """
        SELECT ?node ?parent WHERE { ?node pkg:ofInstrument ?i ; eli:is_part_of ?parent .
          FILTER(CONTAINS(STR(?node), "/att_")) }""", use_default_graph_as_union=True))
    nodes = {r["node"].value for r in rows}
    assert any(n.endswith("/shi-renshe-zi-2017-8/att_3") for n in nodes)
    chapter = list(store.query(PREFIX + """SELECT ?c WHERE { inst:shehui-baoxian-fa\\/art_4 pkg:inChapter ?c }""",
                               use_default_graph_as_union=True))
    assert chapter[0]["c"].value.endswith("/shehui-baoxian-fa/chp_1")


def test_two_builds_are_byte_identical(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    write_outputs(build_graph(load_lists()), first)
    write_outputs(build_graph(load_lists()), second)
    assert (first / "graph.nq").read_bytes() == (second / "graph.nq").read_bytes()
    def files(folder):  # every output but the store (RocksDB's own files) and the screenshots
        return {str(f.relative_to(folder)): f.read_bytes() for f in folder.rglob("*")
                if f.is_file() and "store" not in f.relative_to(folder).parts and f.suffix != ".png"}
    made, again = files(first), files(second)
    assert "ontology/powerkg.owl" in made and sorted(made) == sorted(again)
    assert [name for name in made if made[name] != again[name]] == []
    lines = (first / "graph.nq").read_text(encoding="utf-8").splitlines()
    graph_of = lambda line: line.rsplit(" ", 2)[-2]  # noqa: E731 — the graph IRI, before " ."
    assert [graph_of(line) for line in lines] == sorted(graph_of(line) for line in lines)  # graph by graph
    for graph in {graph_of(line) for line in lines}:  # and sorted within each graph
        within = [line for line in lines if graph_of(line) == graph]
        assert within == sorted(within)


def _pairs(quads):
    rests = "https://w3id.org/powerkg/ontology#restsOn"
    return {(q.subject.value, q.object.value) for q in quads if q.predicate.value == rests}


def test_reordering_rows_changes_no_iri(tmp_path):
    original = build_graph([read_list(PINGSHAN, meta_of(PINGSHAN)), read_list(YUANSHI, meta_of(YUANSHI))])
    lines = YUANSHI.read_text(encoding="utf-8").split("\n")
    starts = [i for i, line in enumerate(lines) if re.fullmatch(r"\s*\d{1,2}", line) and lines[i + 2].strip() in ("行", "其")]
    blocks = [lines[s:e] for s, e in zip(starts, starts[1:] + [len(lines)])]
    random.Random(3).shuffle(blocks)
    shuffled_yuanshi = tmp_path / "yuanshi.txt"
    shuffled_yuanshi.write_text("\n".join(lines[:starts[0]] + [x for b in blocks for x in b]), encoding="utf-8")
    rows = PINGSHAN.read_text(encoding="utf-8").split("\n")
    data = [i for i, row in enumerate(rows) if row.count("\t") == 7 and row.split("\t")[0].isdigit()]
    rows[data[6]], rows[data[7]] = rows[data[7]], rows[data[6]]
    shuffled_pingshan = tmp_path / "pingshan.txt"
    shuffled_pingshan.write_text("\n".join(rows), encoding="utf-8")
    shuffled = build_graph([read_list(shuffled_pingshan, meta_of(PINGSHAN)), read_list(shuffled_yuanshi, meta_of(YUANSHI))])
    assert _pairs(shuffled.quads) == _pairs(original.quads)
    power_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    powers = lambda b: {q.subject.value for q in b.quads if q.predicate.value == power_type
                        and q.object.value.endswith("#PowerItem")}
    assert powers(shuffled) == powers(original) and len(powers(original)) == 45


def test_summary_counts(built_dir):
    import json
    summary = json.loads((built_dir / "summary.json").read_text(encoding="utf-8"))
    by_list = {entry["list"]: entry for entry in summary["lists"]}
    assert by_list["pingshan-ybj"]["powers"] == 25 and by_list["yuanshi-ybj"]["powers"] == 20
    # 河北省医疗保障基金监管办法 (冀政字〔2019〕28号) is registered since issue 13: one unresolved left
    assert by_list["yuanshi-ybj"]["unresolved_citations"] == 1
    assert summary["quads"] == sum(summary["graphs"].values())


def test_ontology_docs_are_generated(built_dir):
    html = (built_dir / "ontology" / "index.html").read_text(encoding="utf-8")
    assert "pkg:restsOn" in html and "pkg:hasCitation ∘ pkg:cites" in html and "行政处罚" in html
    assert "<script" not in html


def test_requisition_is_its_own_power_type_not_a_levy(tmp_path):
    from build_graph.power_types import normalize_power_type
    from build_graph.readers import read_list

    assert normalize_power_type("行政征用") == "行政征用" and normalize_power_type("行政征收类") == "行政征收"
    sample = tmp_path / "list.tsv"
    sample.write_text("某某县人民政府权责清单\n序号\t权力类型\t权力事项\t实施依据\n"
                      "1\t行政征用\t对紧急情况下征用单位和个人财产的决定\t《中华人民共和国突发事件应对法》第十二条\n"
                      "2\t行政征收\t国有土地上房屋征收决定\t《国有土地上房屋征收与补偿条例》第八条\n", encoding="utf-8")
    quads = build_graph([read_list(sample)]).quads
    types = {q.object.value.rsplit("#", 1)[-1] for q in quads if q.predicate.value.endswith("#type")
             and "/power/" in q.subject.value}
    assert {"AdministrativeRequisition", "AdministrativeLevy"} <= types


def test_the_streaming_build_writes_what_the_in_memory_build_writes(tmp_path):
    """`powerkg build` streams one list at a time (in worker processes): its outputs are
    byte-identical to the in-memory build's and to a single-process run's."""
    from build_graph.corpus import list_jobs
    from build_graph.stream import stream_build

    write_outputs(build_graph(load_lists()), tmp_path / "memory")
    stream_build(list_jobs(), None, tmp_path / "one", workers=1)
    stream_build(list_jobs(), None, tmp_path / "two", workers=2)
    for name in ("graph.nq", "graph.ttl", "records.json", "citations.json", "findings.csv", "summary.json",
                 "validation.csv", "index.html", "answers.sqlite"):
        memory = (tmp_path / "memory" / name).read_bytes()
        assert memory == (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name
    # the views, pages and ontology documentation (the streaming build writes the overview, the
    # power views and the documentation in its second process)
    for folder in ("views", "pages", "ontology"):
        files = sorted(p.relative_to(tmp_path / "memory") for p in (tmp_path / "memory" / folder).rglob("*"))
        assert files and files == sorted(p.relative_to(tmp_path / "two") for p in (tmp_path / "two" / folder).rglob("*"))
        for name in files:
            memory = (tmp_path / "memory" / name).read_bytes()
            assert memory == (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name
    assert not (tmp_path / "two" / ".chunks").exists()
