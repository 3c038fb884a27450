"""How the store's own operations grow with the corpus, beside the library queries: on two
builds (say of 10k and 100k powers, made by ``powerkg build`` from ``bench/corpus.py``
corpora), the time of a one-pattern scan, a two- and a three-pattern join as the engine plans
them (a lookup per row), the same two-pattern join forced to a hash join (each side a
subquery), the rows of a scan, and those rows sorted; each the better of three runs; the growth
exponent of each between the builds.

Run: python bench/bench_joins.py OUTPUT_SMALL OUTPUT_LARGE
No assertion: a benchmark. A library query is made of these; the exponent of a query cannot be
below that of the operations it needs.
"""
from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path

import pyoxigraph as ox

PREFIX = "PREFIX pkg: <https://w3id.org/powerkg/ontology#> "
OPERATIONS = {
    "scan": "SELECT (COUNT(*) AS ?n) WHERE { ?c pkg:citationText ?t }",
    "join of 2 (lookups)": "SELECT (COUNT(*) AS ?n) WHERE { ?c pkg:citationText ?t . ?p pkg:hasCitation ?c }",
    "join of 3 (lookups)": "SELECT (COUNT(*) AS ?n) WHERE { ?c pkg:citationText ?t . ?p pkg:hasCitation ?c . "
                           "?p pkg:itemName ?name }",
    "join of 2 (hash)": "SELECT (COUNT(*) AS ?n) WHERE { { SELECT ?c ?t WHERE { ?c pkg:citationText ?t } } "
                        "{ SELECT ?p ?c WHERE { ?p pkg:hasCitation ?c } } }",
    "rows of a scan": "SELECT ?t WHERE { ?c pkg:citationText ?t }",
    "rows sorted": "SELECT ?t WHERE { ?c pkg:citationText ?t } ORDER BY ?t",
}


def milliseconds(out: Path) -> tuple[int, dict[str, float]]:
    """(powers in the build, the better of three runs of each operation in ms)."""
    store = ox.Store.read_only(str(out / "store"))
    times = {}
    for name, query in OPERATIONS.items():
        best = math.inf
        for _ in range(3):
            start = time.perf_counter()
            list(store.query(PREFIX + query, use_default_graph_as_union=True))
            best = min(best, time.perf_counter() - start)
        times[name] = best * 1000
    powers = sum(entry["powers"] for entry in json.loads((out / "summary.json").read_text(encoding="utf-8"))["lists"])
    return powers, times


def main(small: Path, large: Path) -> None:
    (n_small, t_small), (n_large, t_large) = milliseconds(small), milliseconds(large)
    print(f"{n_small} → {n_large} powers")
    for name in OPERATIONS:
        exponent = math.log(t_large[name] / t_small[name]) / math.log(n_large / n_small)
        print(f"  {name:22s} {t_small[name]:9.1f} → {t_large[name]:9.1f} ms   exponent {exponent:.2f}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
