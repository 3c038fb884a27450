"""A read-only SPARQL 1.1 Protocol endpoint over the persisted store, with an offline query page.

- ``GET``/``HEAD /sparql?query=…`` and ``POST /sparql`` (form ``query=…`` or
  ``application/sparql-query``); results as SPARQL JSON, XML, CSV or TSV by the Accept header
  (or ``format=json|xml|csv|tsv``), CONSTRUCT/DESCRIBE as Turtle or N-Triples; the default
  graph is the union of the named graphs. ``GET /`` is a query page with no external scripts.

Security model (the endpoint runs on an office machine next to a browser):
- read-only: updates are refused (403) and the store is opened read-only;
- it fetches nothing: a query with ``SERVICE`` is refused (400) unless ``allow_service``, so it
  can neither reach other hosts and ports nor serve as a port scanner;
- a web page cannot drive it: the Host header must name the bound address (DNS rebinding), a
  request carrying an ``Origin`` other than the endpoint's own (or the one ``cors`` allows)
  is refused (403), and no ``Access-Control-Allow-Origin`` is sent unless ``cors`` is set;
- bounded: at most ``workers`` queries run at once, each in a child process stopped after
  ``timeout`` seconds (503); at most ``queue`` more wait, others get 503 at once; request
  bodies above ``max_body`` bytes get 413; slow clients time out; the listen backlog is 128;
- it serves only complete builds (503 while there is none) and binds to 127.0.0.1 unless told
  otherwise; malformed requests get 4xx and one escaped log line, never a traceback.
"""
from __future__ import annotations

import json
import multiprocessing
import re
import sys
import threading
from dataclasses import dataclass, field
from html import escape
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pyoxigraph as ox

from .publish import is_complete_build

RESULT_TYPES = {
    "json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
    "csv": "text/csv", "tsv": "text/tab-separated-values",
}
GRAPH_TYPES = {"turtle": "text/turtle", "ntriples": "application/n-triples"}


def _evaluate(store_dir: str, query: str, result_type: str, graph_type: str, conn) -> None:
    """Child process: run the query, send (status, content type, body)."""
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


def query_page(examples: list[dict]) -> bytes:
    """The offline query page; every example text is escaped. An example with parameters gets a
    form field per parameter (filled with its documented example value); the query it runs is
    bound by the endpoint's ``/bind`` — a parameterised query never runs unbound."""
    options = "".join(f'<option value="{i}">{escape(e["title"])}</option>' for i, e in enumerate(examples))
    data = json.dumps(examples, ensure_ascii=False)
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f"""<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><title>powerkg SPARQL</title>
<style>body{{font-family:sans-serif;margin:1.5em}}textarea{{width:100%;height:18em;font-family:monospace}}
table{{border-collapse:collapse;margin-top:1em}}td,th{{border:1px solid #ccc;padding:3px 6px;font-size:90%;vertical-align:top}}
#status{{color:#555}}#params label{{display:inline-block;margin:0 1em .4em 0}}</style></head>
<body><h1>powerkg SPARQL 1.1 endpoint</h1>
<p>POST or GET <code>/sparql</code>. Read-only. 示例查询 examples:
<select id="examples"><option value="">—</option>{options}</select></p>
<p id="question"></p>
<form id="params" onsubmit="return false"></form>
<textarea id="query">SELECT ?s ?p ?o WHERE {{ ?s ?p ?o }} LIMIT 10</textarea>
<p><button id="run">Run 运行</button> <span id="status"></span></p>
<div id="results"></div>
<script>
const EXAMPLES = {data};
const $ = (id) => document.getElementById(id);
let current = null;  // the chosen example while its parameters decide the query
$("examples").addEventListener("change", (e) => {{
  const ex = EXAMPLES[e.target.value];
  current = ex && ex.params.length ? ex : null;
  $("params").replaceChildren();
  $("results").replaceChildren(); $("status").textContent = "";
  if (!ex) return;
  $("question").textContent = ex.question;
  $("query").value = current ? "# 填写上面的参数后运行 — fill in the parameters above and run\\n" : ex.query;
  for (const p of ex.params) {{
    const label = document.createElement("label"), input = document.createElement("input");
    input.id = "param-" + p.name; input.name = p.name; input.value = p.example || ""; input.size = 28;
    label.append(p.name + "（" + p.description + "）：", input); $("params").append(label);
  }}
  $("query").addEventListener("input", () => {{ current = null; }}, {{once: true}});
}});
async function bound() {{
  const args = new URLSearchParams({{name: current.name}});
  for (const p of current.params) {{
    const value = $("param-" + p.name).value.trim();
    if (!value) throw new Error("缺少参数 missing parameter: " + p.name);
    args.set(p.name, value);
  }}
  const response = await fetch("bind?" + args.toString());
  const text = await response.text();
  if (!response.ok) throw new Error(text);
  return text;
}}
$("run").addEventListener("click", async () => {{
  $("status").textContent = "…"; $("results").replaceChildren();
  if (current) {{
    try {{ $("query").value = await bound(); }}
    catch (error) {{ $("status").textContent = error.message; document.body.dataset.refused = "1"; return; }}
  }}
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
  document.body.dataset.rows = String(body.results.bindings.length);
}});
// a link can choose an example and its parameters: /?example=powers-by-article&article=84&run
const asked = new URLSearchParams(location.search);
const chosen = EXAMPLES.findIndex((e) => e.name === asked.get("example"));
if (chosen >= 0) {{
  $("examples").value = String(chosen);
  $("examples").dispatchEvent(new Event("change"));
  for (const p of EXAMPLES[chosen].params) if (asked.has(p.name)) $("param-" + p.name).value = asked.get(p.name);
  if (asked.has("run")) $("run").click();
}}
</script></body></html>
""".encode("utf-8")


def page_examples() -> list[dict]:
    """The library's queries for the query page: title, question, text, parameters with the
    values of the documented example."""
    from .queries import library

    examples = []
    for query in library().values():
        values = dict(re.findall(r"--param (\w+)=(\S+)", query.example))
        examples.append({"name": query.name, "title": query.title, "question": f"{query.question_zh} {query.question_en}",
                         "query": query.text, "params": [{"name": p.name, "kind": p.kind, "description": p.description,
                                                          "example": values.get(p.name, "")} for p in query.params]})
    return examples


def bind_library_query(output: Path, args: dict[str, str]) -> tuple[int, str]:
    """(status, text) for ``/bind``: the library query ``name`` with the other arguments bound as
    its parameters (400 with the reason when a parameter is missing or unknown)."""
    from .queries import QueryError, authorities_in, bind, find_query
    from .registry import load_registry

    try:
        query = find_query(args.pop("name", ""))
        authorities = []
        if any(p.kind == "authority" for p in query.params):
            authorities = authorities_in(ox.Store.read_only(str(output / "store")))
        return 200, bind(query, args, load_registry(), authorities)
    except QueryError as error:
        return 400, str(error)


# Lexical parts of SPARQL in which the word SERVICE is not the keyword (W3C SPARQL 1.1 grammar:
# long and short strings, IRIs, comments), removed before looking for the keyword.
_NOT_KEYWORDS = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""' r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
                           r'|"(?:[^"\\\n]|\\.)*"' r"|'(?:[^'\\\n]|\\.)*'" r"|<[^<>\"{}|^`\\\s]*>|#[^\n]*")
_SERVICE = re.compile(r"(?<![\w:?$@.-])SERVICE(?![\w:-])", re.IGNORECASE)


def uses_service(query: str) -> bool:
    """Whether the query holds the SERVICE keyword (federation: the store would fetch the URL
    it names). Occurrences inside strings, IRIs, comments, prefixed names and variables are
    not the keyword."""
    return bool(_SERVICE.search(_NOT_KEYWORDS.sub(" ", query)))


class QueryGate:
    """At most ``workers`` queries at once; at most ``queue`` more wait (up to ``wait`` seconds)."""

    def __init__(self, workers: int, queue: int, wait: float):
        self._slots = threading.BoundedSemaphore(workers)
        self._lock = threading.Lock()
        self._waiting = 0
        self.queue, self.wait = queue, wait

    def enter(self) -> bool:
        """Take a slot (True) or refuse because the queue is full or the wait ran out (False)."""
        if self._slots.acquire(blocking=False):
            return True
        with self._lock:
            if self._waiting >= self.queue:
                return False
            self._waiting += 1
        try:
            return self._slots.acquire(timeout=self.wait)
        finally:
            with self._lock:
                self._waiting -= 1

    def leave(self) -> None:
        self._slots.release()


@dataclass
class EndpointSettings:
    """What ``powerkg serve`` was told; see the module docstring for the security model."""

    output: Path
    timeout: float = 10.0         # seconds a query may run
    workers: int = 2              # queries running at once (child processes)
    queue: int = 64               # queries waiting for a worker before 503
    max_body: int = 1 << 20       # bytes of a POST body
    cors: str | None = None       # the one origin allowed to read answers from a browser
    allow_service: bool = False   # federation: let queries fetch what SERVICE names
    allowed_hosts: set[str] = field(default_factory=set)  # Host header names besides the bound address


_CONTROL = {c: f"\\x{c:02x}" for c in list(range(32)) + [127]}
TEXT = "text/plain; charset=utf-8"
ALLOW = "GET, HEAD, POST, OPTIONS"


class SparqlHandler(BaseHTTPRequestHandler):
    settings: EndpointSettings
    gate: QueryGate
    page = b""
    hosts: frozenset[str] = frozenset()
    server_version = "powerkg-sparql"
    timeout = 30  # seconds a client may take to send its request

    def log_message(self, fmt, *args):
        """One line per request on stderr, control characters escaped (log injection)."""
        sys.stderr.write(f"{self.address_string()} {(fmt % args).translate(_CONTROL)}\n")

    # ---- answering -----------------------------------------------------------------------

    def _send(self, status: int, content_type: str, body: bytes, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        origin = self.headers.get("Origin")
        if origin and origin == self.settings.cors:
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Vary", "Origin")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _fail(self, status: int, message: str, extra: dict[str, str] | None = None) -> None:
        self._send(status, TEXT, message.encode("utf-8"), extra)

    def _allowed(self) -> bool:
        """Host and Origin checks; answers 400/403 itself and returns False when they fail."""
        host = (self.headers.get("Host") or "").strip().lower()
        if host and host not in self.hosts:
            self._fail(HTTPStatus.BAD_REQUEST, f"Host {host!r} is not this endpoint's address; "
                       "use --allow-host to accept another name")
            return False
        origin = self.headers.get("Origin")
        own = {f"http://{h}" for h in self.hosts if ":" in h.rsplit("]", 1)[-1]}
        if origin and origin not in own and origin != self.settings.cors:
            self._fail(HTTPStatus.FORBIDDEN, f"requests from {origin} are refused; start the endpoint with "
                       "--cors ORIGIN to let that web page use it")
            return False
        return True

    def _answer(self, query: str | None, explicit_format: str | None) -> None:
        if not query:
            self._fail(HTTPStatus.BAD_REQUEST, "missing query parameter")
            return
        if not self.settings.allow_service and uses_service(query):
            self._fail(HTTPStatus.BAD_REQUEST, "SERVICE (federated query) is refused: this endpoint fetches "
                       "nothing a query names; start it with --allow-service to permit federation")
            return
        if not is_complete_build(self.settings.output):
            self._fail(HTTPStatus.SERVICE_UNAVAILABLE, f"no complete build in {self.settings.output}; "
                       "run `powerkg build`", {"Retry-After": "10"})
            return
        if not self.gate.enter():
            self._fail(HTTPStatus.SERVICE_UNAVAILABLE, "too many queries waiting; try again shortly",
                       {"Retry-After": "2"})
            return
        try:
            result_type, graph_type = negotiate(self.headers.get("Accept", ""), explicit_format)
            self._send(*run_query(str(self.settings.output / "store"), query, result_type, graph_type,
                                  self.settings.timeout))
        finally:
            self.gate.leave()

    # ---- methods -------------------------------------------------------------------------

    def do_GET(self):
        if not self._allowed():
            return
        url = urlparse(self.path)
        params = parse_qs(url.query)
        if url.path in ("/", "/index.html"):
            self._send(200, "text/html; charset=utf-8", self.page)
        elif url.path == "/sparql":
            if "update" in params:
                self._fail(HTTPStatus.FORBIDDEN, "this endpoint is read-only: updates are refused")
                return
            self._answer(params.get("query", [None])[0], params.get("format", [None])[0])
        elif url.path == "/bind":
            args = {k: v[0] for k, v in params.items()}
            if not is_complete_build(self.settings.output):
                self._fail(HTTPStatus.SERVICE_UNAVAILABLE, f"no complete build in {self.settings.output}")
                return
            status, text = bind_library_query(self.settings.output, args)
            self._send(status, TEXT, text.encode("utf-8"))
        else:
            self._fail(HTTPStatus.NOT_FOUND, "not found: use /sparql, /bind or /")

    do_HEAD = do_GET

    def do_OPTIONS(self):
        if not self._allowed():
            return
        extra = {"Allow": ALLOW}
        if self.settings.cors and self.headers.get("Origin") == self.settings.cors:
            extra.update({"Access-Control-Allow-Methods": ALLOW,
                          "Access-Control-Allow-Headers": "Content-Type, Accept", "Access-Control-Max-Age": "600"})
        self._send(HTTPStatus.NO_CONTENT, TEXT, b"", extra)

    def do_POST(self):
        if not self._allowed():
            return
        if urlparse(self.path).path != "/sparql":
            self._fail(HTTPStatus.NOT_FOUND, "not found: POST to /sparql")
            return
        body = self._read_body()
        if body is None:
            return
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params = parse_qs(urlparse(self.path).query)
        if content_type == "application/sparql-update":
            self._fail(HTTPStatus.FORBIDDEN, "this endpoint is read-only: updates are refused")
            return
        if content_type == "application/sparql-query":
            query = body
        else:
            form = parse_qs(body)
            if "update" in form:
                self._fail(HTTPStatus.FORBIDDEN, "this endpoint is read-only: updates are refused")
                return
            query = form.get("query", [None])[0]
            params.update({k: v for k, v in form.items() if k == "format"})
        self._answer(query, params.get("format", [None])[0])

    def _read_body(self) -> str | None:
        """The POST body as text, or None after answering 400/411/413 for a bad length."""
        if self.headers.get("Transfer-Encoding"):
            self._fail(HTTPStatus.LENGTH_REQUIRED, "send the body with a Content-Length (no chunked encoding)")
            return None
        raw = self.headers.get("Content-Length")
        if raw is None:
            self._fail(HTTPStatus.LENGTH_REQUIRED, "Content-Length is required")
            return None
        if not raw.strip().isdigit():
            self.close_connection = True
            self._fail(HTTPStatus.BAD_REQUEST, "Content-Length is not a number")
            return None
        length = int(raw)
        if length > self.settings.max_body:
            self.close_connection = True
            self._fail(HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                       f"request body of {length} bytes exceeds the limit of {self.settings.max_body}")
            return None
        return self.rfile.read(length).decode("utf-8", errors="replace")


class EndpointServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # listen backlog: bursts of clients wait instead of being reset

    def handle_error(self, request, client_address):
        """One escaped line instead of a traceback (a client that hangs up is not our error)."""
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            return
        sys.stderr.write(f"{client_address[0]} request failed: {type(error).__name__}: "
                         f"{str(error).translate(_CONTROL)}\n")


def make_server(settings: EndpointSettings, host: str = "127.0.0.1", port: int = 7878) -> EndpointServer:
    """A server over the build in ``settings.output`` (not started: call ``serve_forever``)."""
    handler = type("Handler", (SparqlHandler,), {
        "settings": settings,
        "gate": QueryGate(settings.workers, settings.queue, wait=max(30.0, 3 * settings.timeout)),
        "page": query_page(page_examples()),
    })
    server = EndpointServer((host, port), handler)
    bound = server.server_address[1]
    names = {host, "127.0.0.1", "localhost", "[::1]"} | set(settings.allowed_hosts)
    handler.hosts = frozenset({n.lower() for n in names} | {f"{n.lower()}:{bound}" for n in names})
    return server
