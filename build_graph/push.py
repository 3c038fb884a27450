"""Load the built named graphs into an external store with the SPARQL 1.1 Graph Store HTTP
Protocol: one ``PUT <endpoint>?graph=<name>`` per named graph, N-Triples body."""
from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Iterator

import pyoxigraph as ox

from .graph_files import INDEX, read_graph, read_index


def named_graphs(build: Path) -> Iterator[tuple[str, list[ox.Triple]]]:
    """Each named graph of the build in folder ``build`` with its triples, read from its graph
    file one graph at a time (:mod:`graph_files`)."""
    index = read_index(build)
    if not index:
        raise RuntimeError(f"{build} has no graph index ({INDEX}); run `powerkg build` again")
    for graph in sorted(index):
        yield graph, [ox.Triple(q.subject, q.predicate, q.object)
                      for q in ox.parse(read_graph(build, index[graph]), format=ox.RdfFormat.N_QUADS)]


def push(build: Path, endpoint: str, progress=lambda message: None, timeout: float = 60.0) -> dict[str, int]:
    """PUT every named graph of the build in folder ``build`` to the Graph Store ``endpoint``;
    returns triples per graph. Raises RuntimeError naming the graph and the server's answer when a PUT fails."""
    sent = {}
    for graph, triples in named_graphs(build):
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
