"""Load the built named graphs into an external store with the SPARQL 1.1 Graph Store HTTP
Protocol: one ``PUT <endpoint>?graph=<name>`` per named graph, N-Triples body."""
from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox


def named_graphs(nquads_file: Path) -> dict[str, list[ox.Triple]]:
    graphs: dict[str, list[ox.Triple]] = {}
    for quad in ox.parse(path=str(nquads_file), format=ox.RdfFormat.N_QUADS):
        graphs.setdefault(quad.graph_name.value, []).append(ox.Triple(quad.subject, quad.predicate, quad.object))
    return graphs


def push(nquads_file: Path, endpoint: str, progress=lambda message: None, timeout: float = 60.0) -> dict[str, int]:
    """PUT every named graph of ``nquads_file`` to the Graph Store ``endpoint``; returns triples per graph.
    Raises RuntimeError naming the graph and the server's answer when a PUT fails."""
    sent = {}
    for graph, triples in sorted(named_graphs(nquads_file).items()):
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        url = endpoint + ("&" if "?" in endpoint else "?") + urllib.parse.urlencode({"graph": graph})
        request = urllib.request.Request(url, data=body, method="PUT",
                                         headers={"Content-Type": "application/n-triples"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"PUT {graph} → {exc.code} {exc.read().decode('utf-8', 'replace')[:200]}") from exc
        except urllib.error.URLError as exc:
            raise RuntimeError(f"cannot reach {endpoint}: {exc.reason}") from exc
        if status not in (200, 201, 204):
            raise RuntimeError(f"PUT {graph} → unexpected status {status}")
        sent[graph] = len(triples)
        progress(f"  {graph}: {len(triples)} triples")
    return sent
