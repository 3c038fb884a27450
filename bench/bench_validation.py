"""Validation cost of the two SHACL engines on the bundled corpus scaled up by copies.

Run: python bench/bench_validation.py [COPIES...]   (default 1 4 16)
Prints, per size, the pyshacl time (the baseline, in seconds) and pyrudof's time as a ratio of
it, measured in the same process; also the build time as a ratio. No assertion: a benchmark.
"""
from __future__ import annotations

import copy
import sys
import time

import pyoxigraph as ox

from build_graph.build import build_graph
from build_graph.corpus import load_lists
from build_graph.validate import data_graph, load_shapes, validate, validate_with_rudof


def scaled_lists(copies: int):
    seeds = load_lists()
    lists = []
    for n in range(copies):
        for power_list in seeds:
            clone = copy.deepcopy(power_list)
            clone.list_id = f"{power_list.list_id}-{n}"
            clone.authority = f"{power_list.authority}{n}"
            for record in clone.records:
                record.authority = clone.authority
            lists.append(clone)
    return lists


def main(sizes: list[int]) -> None:
    shapes = load_shapes()
    print("copies  triples  pyshacl_s  pyrudof/pyshacl  build/pyshacl")
    for copies in sizes:
        lists = scaled_lists(copies)
        started = time.perf_counter()
        built = build_graph(lists)
        build_seconds = time.perf_counter() - started
        graph = data_graph(ox.serialize(built.quads, format=ox.RdfFormat.N_QUADS))
        started = time.perf_counter()
        report = validate(graph, shapes)
        baseline = time.perf_counter() - started
        started = time.perf_counter()
        conforms, counts = validate_with_rudof(graph, shapes)
        rudof = time.perf_counter() - started
        assert counts == report.counts_by_shape() and conforms == report.conforms
        print(f"{copies:6d}  {len(graph):7d}  {baseline:9.2f}  {rudof / baseline:15.2f}  {build_seconds / baseline:13.2f}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1, 4, 16])
