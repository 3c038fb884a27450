"""The endpoint as an attacker and a crowd would use it: federation, cross-origin pages, DNS
rebinding, bodies and headers that are too big or malformed, runaway queries, 50 clients at
once, and queries while a rebuild swaps the output folder. Everything on loopback."""
from __future__ import annotations

import os
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from build_graph.build import build_graph, open_store, write_outputs
from build_graph.corpus import load_lists
from build_graph.serve import EndpointSettings, make_server, uses_service

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def serve(settings: EndpointSettings):
    server = make_server(settings, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture(scope="module")
def endpoint(bundled_build):
    server, url = serve(EndpointSettings(bundled_build, timeout=3.0))
    yield url
    server.shutdown()
    server.server_close()


def get(url: str, query: str, headers: dict | None = None, method: str = "GET") -> tuple[int, dict, bytes]:
    request = urllib.request.Request(f"{url}/sparql?query={urllib.parse.quote(query)}", method=method,
                                     headers={"Accept": "text/csv", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def raw(url: str, payload: bytes) -> bytes:
    """Send bytes as they are (malformed requests urllib would not send); the answer's bytes."""
    host, port = urllib.parse.urlparse(url).netloc.split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(payload)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.parametrize("query, expected", [
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", True),
    ("select * where { service silent <http://x/> { ?s ?p ?o } }", True),
    ("SELECT * WHERE { SeRvIcE ?endpoint { ?s ?p ?o } }", True),
    ("SELECT * WHERE {\n  ?s ?p ?o .\n  SERVICE<http://x/>{?s ?p ?o}}", True),
    ('SELECT ("SERVICE" AS ?x) WHERE {}', False),
    ("SELECT ('''SERVICE <http://x/> { }''' AS ?x) WHERE {}", False),
    ("# SERVICE <http://x/>\nSELECT * WHERE { ?s ?p ?o }", False),
    ("PREFIX ex: <http://ex/SERVICE/> SELECT ?service WHERE { ?service ex:SERVICE ?o }", False),
    ("SELECT * WHERE { ?s <http://ex/SERVICE> ?o }", False),
])
def test_service_keyword_is_found_only_where_it_is_the_keyword(query, expected):
    assert uses_service(query) is expected


class Listener:
    """A TCP listener on loopback that records whether anything connected to it."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.running = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self):
        self.running = False
        self.sock.close()


def test_service_is_refused_and_nothing_is_fetched(endpoint, bundled_build):
    listener = Listener()
    try:
        query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/sparql> {{ ?s ?p ?o }} }}"
        status, _, body = get(endpoint, query)
        assert status == 400 and b"--allow-service" in body
        time.sleep(0.5)
        assert listener.connections == 0
        # started with --allow-service, the same query does reach the listener: the refusal above is ours
        server, url = serve(EndpointSettings(bundled_build, timeout=3.0, allow_service=True))
        try:
            status, _, _ = get(url, query)
            time.sleep(0.5)
            assert listener.connections >= 1 and status != 400
        finally:
            server.shutdown()
            server.server_close()
    finally:
        listener.close()


def test_no_cors_by_default_and_foreign_pages_are_refused(endpoint, bundled_build):
    status, headers, _ = get(endpoint, COUNT)
    assert status == 200 and not any(k.lower().startswith("access-control") for k in headers)
    status, headers, body = get(endpoint, COUNT, {"Origin": "http://evil.example"})
    assert status == 403 and b"--cors" in body
    own = endpoint  # the query page posts from the endpoint's own origin
    assert get(endpoint, COUNT, {"Origin": own})[0] == 200
    server, url = serve(EndpointSettings(bundled_build, cors="http://localhost:8080"))
    try:
        status, headers, _ = get(url, COUNT, {"Origin": "http://localhost:8080"})
        assert status == 200 and headers["Access-Control-Allow-Origin"] == "http://localhost:8080"
        status, headers, _ = get(url, COUNT, {"Origin": "http://localhost:8080"}, method="OPTIONS")
        assert status == 204 and "POST" in headers["Access-Control-Allow-Methods"]
        assert get(url, COUNT, {"Origin": "http://evil.example"})[0] == 403
    finally:
        server.shutdown()
        server.server_close()


def test_host_header_must_name_the_endpoint(endpoint):
    port = endpoint.rsplit(":", 1)[1]
    assert get(endpoint, COUNT, {"Host": f"attacker.example:{port}"})[0] == 400  # DNS rebinding
    assert get(endpoint, COUNT, {"Host": f"localhost:{port}"})[0] == 200


def test_head_and_options_are_answered(endpoint):
    status, headers, body = get(endpoint, COUNT, method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 0
    status, headers, _ = get(endpoint, COUNT, method="OPTIONS")
    assert status == 204 and set(headers["Allow"].split(", ")) == {"GET", "HEAD", "POST", "OPTIONS"}


def test_malformed_and_oversized_requests_get_4xx_and_one_clean_log_line(endpoint, capsys):
    bad_length = raw(endpoint, b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: abc\r\n\r\n")
    assert bad_length.startswith(b"HTTP/1.0 400")
    too_big = raw(endpoint, b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query"
                            b"\r\nContent-Length: 209715200\r\n\r\nSELECT")
    assert too_big.startswith(b"HTTP/1.0 413")
    no_length = raw(endpoint, b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert no_length.startswith(b"HTTP/1.0 411")
    injected = raw(endpoint, b"GET /sparql?query=ASK%7B%7D\x1b[31mFAKE HTTP/1.0\r\n\r\n")
    assert injected.startswith(b"HTTP/1.0")
    log = capsys.readouterr().err
    assert "Traceback" not in log and "\x1b" not in log and "\\x1b[31mFAKE" in log


def _children() -> int:
    """Number of live child processes of this process, other than multiprocessing's own helpers
    (the forkserver and resource tracker an earlier build in this test session left running).
    A child that has exited and is not yet reaped (a zombie: a query just stopped at its time
    limit, before its thread joins it) evaluates nothing and is not counted."""
    count = 0
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        try:
            pids = (task / "children").read_text().split()
        except OSError:  # the thread ended meanwhile
            continue
        for pid in pids:
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes()
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except (OSError, IndexError):
                continue
            count += state != "Z" and b"forkserver" not in command and b"resource_tracker" not in command
    return count


def test_runaway_queries_are_bounded_and_the_queue_refuses_the_rest(bundled_build):
    server, url = serve(EndpointSettings(bundled_build, timeout=2.0, workers=2, queue=3))
    peak, done = [0], threading.Event()

    def watch():
        while not done.is_set():
            peak[0] = max(peak[0], _children())
            time.sleep(0.02)

    try:
        watcher = threading.Thread(target=watch)
        watcher.start()
        with ThreadPoolExecutor(10) as pool:
            answers = list(pool.map(lambda _: get(url, RUNAWAY), range(10)))
        done.set()
        watcher.join()
        assert {status for status, _, _ in answers} == {503}
        bodies = [body for _, _, body in answers]
        # 2 run and are stopped at the time limit, 3 wait for them and are stopped too, 5 are refused at once
        assert sum(b"time limit" in b for b in bodies) == 5 and sum(b"too many" in b for b in bodies) == 5
        assert 1 <= peak[0] <= 2
    finally:
        done.set()
        server.shutdown()
        server.server_close()


def test_fifty_concurrent_clients_get_no_errors(endpoint, bundled_build):
    total = str(len(open_store(bundled_build))).encode()

    def client(_):
        answers = []
        for _ in range(4):
            status, _, body = get(endpoint, COUNT)
            answers.append((status, body.splitlines()[-1]))
        return answers

    with ThreadPoolExecutor(50) as pool:
        answers = [a for batch in pool.map(client, range(50)) for a in batch]
    assert len(answers) == 200 and set(answers) == {(200, total)}


def test_no_complete_build_is_503(tmp_path):
    server, url = serve(EndpointSettings(tmp_path))
    try:
        status, _, body = get(url, COUNT)
        assert status == 503 and b"powerkg build" in body
    finally:
        server.shutdown()
        server.server_close()


def test_queries_during_a_rebuild_see_the_old_or_the_new_build(tmp_path):
    out = tmp_path / "output"
    write_outputs(build_graph(load_lists()), out)
    total = str(len(open_store(out))).encode()
    server, url = serve(EndpointSettings(out, timeout=5.0))
    answers, done = [], threading.Event()

    def ask():
        while not done.is_set():
            status, _, body = get(url, COUNT)
            answers.append((status, body.splitlines()[-1] if status == 200 else b""))

    try:
        askers = [threading.Thread(target=ask) for _ in range(3)]
        for t in askers:
            t.start()
        write_outputs(build_graph(load_lists()), out)
        time.sleep(0.3)
        done.set()
        for t in askers:
            t.join()
        assert answers and {body for status, body in answers if status == 200} == {total}
        assert all(status in (200, 500, 503) for status, _ in answers)
    finally:
        done.set()
        server.shutdown()
        server.server_close()
