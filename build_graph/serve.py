"""A read-only SPARQL 1.1 Protocol endpoint over the persisted store, with an offline query page.

- ``GET /sparql?query=…`` and ``POST /sparql`` (form ``query=…`` or ``application/sparql-query``);
- results as SPARQL JSON, XML, CSV or TSV by the Accept header (or ``format=json|xml|csv|tsv``),
  CONSTRUCT/DESCRIBE as Turtle or N-Triples; the default graph is the union of the named graphs;
- updates are refused (403); every query runs in a child process that is stopped when it
  exceeds the time limit (503);
- ``GET /`` is a query page with the library's queries as examples, no external scripts.
Binds to 127.0.0.1 unless told otherwise.
"""
from __future__ import annotations

import json
import multiprocessing
import sys
from html import escape
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

RESULT_TYPES = {
    "json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
    "csv": "text/csv", "tsv": "text/tab-separated-values",
}
GRAPH_TYPES = {"turtle": "text/turtle", "ntriples": "application/n-triples"}


def _evaluate(store_dir: str, query: str, result_type: str, graph_type: str, conn) -> None:
    """Child process: run the query, send (status, content type, body)."""
    import pyoxigraph as ox

    try:
        store = ox.Store.read_only(store_dir)
        results = store.query(query, use_default_graph_as_union=True)
        if isinstance(results, ox.QueryTriples):
            fmt = ox.RdfFormat.TURTLE if graph_type == "text/turtle" else ox.RdfFormat.N_TRIPLES
            conn.send((200, graph_type + "; charset=utf-8", results.serialize(format=fmt)))
        else:
            fmt = {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
                   "application/sparql-results+xml": ox.QueryResultsFormat.XML,
                   "text/csv": ox.QueryResultsFormat.CSV,
                   "text/tab-separated-values": ox.QueryResultsFormat.TSV}[result_type]
            conn.send((200, result_type + "; charset=utf-8", results.serialize(format=fmt)))
    except SyntaxError as exc:
        conn.send((400, "text/plain; charset=utf-8", f"query syntax error: {exc}".encode()))
    except Exception as exc:  # any evaluation error goes back to the client, not a crash
        conn.send((500, "text/plain; charset=utf-8", f"query failed: {exc}".encode()))
    finally:
        conn.close()


def run_query(store_dir: str, query: str, result_type: str, graph_type: str, timeout: float) -> tuple[int, str, bytes]:
    """Evaluate in a child process; stop it after ``timeout`` seconds."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_evaluate, args=(store_dir, query, result_type, graph_type, sender), daemon=True)
    child.start()
    sender.close()
    if receiver.poll(timeout):
        try:
            answer = receiver.recv()
        except EOFError:
            answer = (500, "text/plain; charset=utf-8", b"query process ended without an answer")
        child.join(1)
        return answer
    child.kill()
    child.join(1)
    return 503, "text/plain; charset=utf-8", f"query exceeded the time limit of {timeout:g} s".encode()


def negotiate(accept: str, explicit: str | None) -> tuple[str, str]:
    """(result media type, graph media type) from ``format=`` or the Accept header."""
    if explicit:
        key = explicit.lower()
        return RESULT_TYPES.get(key, RESULT_TYPES["json"]), GRAPH_TYPES.get(key, GRAPH_TYPES["turtle"])
    result, graph = RESULT_TYPES["json"], GRAPH_TYPES["turtle"]
    ranked = []
    for part in (accept or "").split(","):
        media, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        ranked.append((q, media.strip().lower()))
    ranked.sort(key=lambda pair: -pair[0])
    for _, media in ranked:
        if media in RESULT_TYPES.values():
            result = media
            break
    for _, media in ranked:
        if media in GRAPH_TYPES.values():
            graph = media
            break
    return result, graph


def query_page(examples: list[tuple[str, str, str]]) -> bytes:
    """The offline query page; every example text is escaped."""
    options = "".join(f'<option value="{i}">{escape(title)}</option>' for i, (title, _, _) in enumerate(examples))
    data = json.dumps([{"title": t, "question": q, "query": s} for t, q, s in examples], ensure_ascii=False)
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f"""<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><title>powerkg SPARQL</title>
<style>body{{font-family:sans-serif;margin:1.5em}}textarea{{width:100%;height:18em;font-family:monospace}}
table{{border-collapse:collapse;margin-top:1em}}td,th{{border:1px solid #ccc;padding:3px 6px;font-size:90%;vertical-align:top}}
#status{{color:#555}}</style></head>
<body><h1>powerkg SPARQL 1.1 endpoint</h1>
<p>POST or GET <code>/sparql</code>. Read-only. 示例查询 examples:
<select id="examples"><option value="">—</option>{options}</select></p>
<p id="question"></p>
<textarea id="query">SELECT ?s ?p ?o WHERE {{ ?s ?p ?o }} LIMIT 10</textarea>
<p><button id="run">Run 运行</button> <span id="status"></span></p>
<div id="results"></div>
<script>
const EXAMPLES = {data};
const $ = (id) => document.getElementById(id);
$("examples").addEventListener("change", (e) => {{
  const ex = EXAMPLES[e.target.value];
  if (ex) {{ $("query").value = ex.query; $("question").textContent = ex.question; }}
}});
$("run").addEventListener("click", async () => {{
  $("status").textContent = "…"; $("results").replaceChildren();
  const response = await fetch("sparql", {{method: "POST", headers: {{"Content-Type": "application/sparql-query",
    "Accept": "application/sparql-results+json"}}, body: $("query").value}});
  if (!response.ok) {{ $("status").textContent = response.status + " " + await response.text(); return; }}
  const type = response.headers.get("Content-Type") || "";
  if (!type.includes("json")) {{ const pre = document.createElement("pre"); pre.textContent = await response.text();
    $("results").append(pre); $("status").textContent = ""; return; }}
  const body = await response.json();
  if (body.boolean !== undefined) {{ $("status").textContent = String(body.boolean); return; }}
  const table = document.createElement("table"), head = table.insertRow();
  for (const v of body.head.vars) {{ const th = document.createElement("th"); th.textContent = v; head.append(th); }}
  for (const b of body.results.bindings) {{ const row = table.insertRow();
    for (const v of body.head.vars) {{ row.insertCell().textContent = b[v] ? b[v].value : ""; }} }}
  $("results").append(table); $("status").textContent = body.results.bindings.length + " rows";
}});
</script></body></html>
""".encode("utf-8")


class SparqlHandler(BaseHTTPRequestHandler):
    store_dir = ""
    timeout = 10.0
    page = b""
    server_version = "powerkg-sparql"

    def log_message(self, fmt, *args):  # one line per request on stderr
        sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()
        self.wfile.write(body)

    def _refuse_update(self) -> None:
        self._send(HTTPStatus.FORBIDDEN, "text/plain; charset=utf-8", b"this endpoint is read-only: updates are refused")

    def _answer(self, query: str | None, explicit_format: str | None) -> None:
        if not query:
            self._send(HTTPStatus.BAD_REQUEST, "text/plain; charset=utf-8", b"missing query parameter")
            return
        result_type, graph_type = negotiate(self.headers.get("Accept", ""), explicit_format)
        self._send(*run_query(self.store_dir, query, result_type, graph_type, self.timeout))

    def do_GET(self):
        url = urlparse(self.path)
        params = parse_qs(url.query)
        if url.path in ("/", "/index.html"):
            self._send(200, "text/html; charset=utf-8", self.page)
        elif url.path == "/sparql":
            if "update" in params:
                self._refuse_update()
                return
            self._answer(params.get("query", [None])[0], params.get("format", [None])[0])
        else:
            self._send(404, "text/plain; charset=utf-8", b"not found: use /sparql or /")

    def do_POST(self):
        url = urlparse(self.path)
        if url.path != "/sparql":
            self._send(404, "text/plain; charset=utf-8", b"not found: POST to /sparql")
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", errors="replace")
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params = parse_qs(urlparse(self.path).query)
        if content_type == "application/sparql-update":
            self._refuse_update()
            return
        if content_type == "application/sparql-query":
            query = body
        else:
            form = parse_qs(body)
            if "update" in form:
                self._refuse_update()
                return
            query = form.get("query", [None])[0]
            params.update({k: v for k, v in form.items() if k == "format"})
        self._answer(query, params.get("format", [None])[0])


def make_server(store_dir: Path, host: str = "127.0.0.1", port: int = 7878, timeout: float = 10.0) -> ThreadingHTTPServer:
    from .queries import library

    handler = type("Handler", (SparqlHandler,), {
        "store_dir": str(store_dir), "timeout": timeout,
        "page": query_page([(q.title, f"{q.question_zh} {q.question_en}", q.text) for q in library().values()]),
    })
    return ThreadingHTTPServer((host, port), handler)
