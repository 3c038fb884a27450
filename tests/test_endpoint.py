"""The SPARQL 1.1 endpoint with SPARQLWrapper as a real client, and push into a real Oxigraph
server started on loopback: the library's queries answer the same there as on the embedded store."""
from __future__ import annotations

import csv
import io
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

import pytest
import rdflib
from SPARQLWrapper import CSV, JSON, TSV, TURTLE, XML, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from build_graph.build import open_store
from build_graph.queries import authorities_in, bind, library, run
from build_graph.registry import load_registry
from build_graph.serve import EndpointSettings, make_server

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def out(bundled_build):
    return bundled_build


@pytest.fixture(scope="module")
def endpoint(out):
    server = make_server(EndpointSettings(out, timeout=3.0), "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def client(url, fmt, method="GET"):
    sparql = SPARQLWrapper(url + "/sparql")
    sparql.setReturnFormat(fmt)
    sparql.setMethod(method)
    return sparql


def test_binds_to_loopback_by_default():
    from build_graph.cli import build_parser
    assert build_parser().parse_args(["serve"]).host == "127.0.0.1"
    server = make_server(EndpointSettings(__import__("pathlib").Path("unused")), port=0)
    try:
        assert server.server_address[0] == "127.0.0.1"
    finally:
        server.server_close()


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_select_in_every_results_format(endpoint, out, method):
    total = len(open_store(out))
    sparql = client(endpoint, JSON, method)
    sparql.setQuery(COUNT)
    assert int(sparql.queryAndConvert()["results"]["bindings"][0]["n"]["value"]) == total
    sparql.setReturnFormat(XML)
    assert sparql.query().response.headers["Content-Type"].startswith("application/sparql-results+xml")
    sparql.setReturnFormat(CSV)
    rows = list(csv.reader(io.StringIO(sparql.queryAndConvert().decode("utf-8"))))
    assert rows == [["n"], [str(total)]]
    sparql.setReturnFormat(TSV)
    assert sparql.queryAndConvert().decode("utf-8").splitlines()[0] == "?n"


def test_construct_as_turtle(endpoint):
    sparql = client(endpoint, TURTLE)
    sparql.setQuery("CONSTRUCT { ?p <http://www.w3.org/2000/01/rdf-schema#label> ?l } WHERE { "
                    "?p a <https://w3id.org/powerkg/ontology#AdministrativePenalty> ; <http://www.w3.org/2000/01/rdf-schema#label> ?l }")
    graph = rdflib.Graph().parse(data=sparql.queryAndConvert().decode("utf-8"), format="turtle")
    assert len(graph) == 6 and any("不办理医疗保险登记" in str(o) for o in graph.objects())


def test_library_query_over_the_protocol(endpoint):
    query = library()["powers-by-article"]
    text = bind(query, {"instrument": "社会保险法", "article": "84"}, load_registry(), ["平山县医疗保障局", "元氏县医疗保障局"])
    sparql = client(endpoint, JSON, "POST")
    sparql.setQuery(text)
    names = sorted(b["name"]["value"] for b in sparql.queryAndConvert()["results"]["bindings"])
    assert names == ["对用人单位不办理医疗保险登记", "对用人单位不办理医疗保险登记的处罚"]


def test_updates_are_refused(endpoint, out):
    before = len(open_store(out))
    sparql = SPARQLWrapper(endpoint + "/sparql")
    sparql.setMethod("POST")
    sparql.setQuery("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    with pytest.raises((SPARQLWrapperException, urllib.error.HTTPError)) as info:
        sparql.query()
    assert "403" in str(info.value)
    request = urllib.request.Request(endpoint + "/sparql", data=b"update=DROP+ALL", method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    with pytest.raises(urllib.error.HTTPError) as http:
        urllib.request.urlopen(request)
    assert http.value.code == 403
    assert len(open_store(out)) == before


def test_slow_query_is_stopped(endpoint):
    sparql = client(endpoint, JSON)
    sparql.setQuery("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
    started = time.monotonic()
    with pytest.raises((SPARQLWrapperException, urllib.error.HTTPError)) as info:
        sparql.query()
    assert time.monotonic() - started < 15
    assert "503" in str(info.value)


def test_bad_query_is_a_400(endpoint):
    sparql = client(endpoint, JSON)
    sparql.setQuery("SELEKT nothing")
    with pytest.raises(SPARQLWrapperException) as info:
        sparql.query()
    assert "400" in str(info.value) or "QueryBadFormed" in type(info.value).__name__


def test_query_page_is_offline_and_lists_the_library(endpoint):
    html = urllib.request.urlopen(endpoint + "/").read().decode("utf-8")
    assert "<script src" not in html and "<link" not in html and "cdn" not in html.lower()
    assert all(q.title.split(" · ")[0] in html for q in library().values())
    assert r"<\/script" not in html and html.count("<script>") == 1  # example texts cannot close the script


@pytest.mark.skipif(shutil.which("oxigraph") is None and not (sys.prefix and
                    (__import__("pathlib").Path(sys.prefix) / "bin" / "oxigraph").exists()),
                    reason="the oxigraph server (PyPI oxigraph) is not installed")
def test_push_into_a_real_oxigraph_server(out, tmp_path):
    binary = shutil.which("oxigraph") or str(__import__("pathlib").Path(sys.prefix) / "bin" / "oxigraph")
    port = free_port()
    server = subprocess.Popen([binary, "serve", "--location", str(tmp_path / "oxi"), "--bind", f"127.0.0.1:{port}",
                               "--union-default-graph"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/query?query=ASK%7B%7D", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        result = subprocess.run([sys.executable, "-m", "build_graph.cli", "push", "--endpoint", base + "/store",
                                 "-o", str(out)], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        store = open_store(out)
        registry, authorities = load_registry(), authorities_in(store)
        params = {"instrument": "社会保险法", "article": "58", "power": "登记", "type": "行政处罚",
                  "authority": "平山县医疗保障局", "other": "元氏县医疗保障局"}
        for query in library().values():
            text = bind(query, {p.name: params[p.name] for p in query.params}, registry, authorities)
            names, rows = run(store, text)
            local = sorted(tuple("" if t is None else t.value for t in row) for row in rows)
            sparql = SPARQLWrapper(base + "/query")
            sparql.setReturnFormat(JSON)
            sparql.setMethod("POST")
            # SPARQLWrapper guesses the query form from the text; the header comments mislead it
            sparql.setQuery("\n".join(line for line in text.splitlines() if not line.startswith("#")))
            answer = sparql.queryAndConvert()
            remote = sorted(tuple(b.get(n, {}).get("value", "") for n in names) for b in answer["results"]["bindings"])
            assert remote == local, query.name
    finally:
        server.terminate()
        server.wait(10)


def test_bind_names_what_is_missing_and_binds_what_is_given(endpoint):
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(endpoint + "/bind?name=powers-by-article&instrument=%E7%A4%BE%E4%BC%9A%E4%BF%9D%E9%99%A9%E6%B3%95")
    assert missing.value.code == 400 and "article" in missing.value.read().decode("utf-8")
    query = urllib.parse.urlencode({"name": "powers-by-article", "instrument": "社会保险法", "article": "第八十四条"})
    text = urllib.request.urlopen(endpoint + "/bind?" + query).read().decode("utf-8")
    assert "VALUES (?instrument ?article)" in text and "shehui-baoxian-fa" in text


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed")
def test_query_page_runs_an_example_with_its_parameters_and_never_unbound(endpoint, tmp_path):
    from build_graph.views import CHROMIUM_FLAGS, chromium

    def page(arguments: str) -> str:
        # the network stays blocked except this endpoint on loopback
        flags = [f.replace("MAP * ~NOTFOUND", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1") for f in CHROMIUM_FLAGS]
        command = [chromium(), *flags, "--proxy-bypass-list=127.0.0.1", f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=10000",
                   "--dump-dom", f"{endpoint}/?{arguments}"]
        return subprocess.run(command, capture_output=True, text=True, timeout=90).stdout

    dom = page("example=powers-by-article&run")  # the example's own parameters: 社会保险法, 84
    assert 'data-rows="2"' in dom and "对用人单位不办理医疗保险登记的处罚" in dom, dom[-2000:]
    assert 'id="param-instrument"' in dom and 'id="param-article"' in dom
    dom = page("example=powers-by-article&article=&run")  # a parameter left empty: nothing runs
    assert 'data-refused="1"' in dom and "data-rows" not in dom and "missing parameter: article" in dom
