"""Every library query on two builds, timed round by round in turns (so that the machine's
drift between two bench runs does not land on one size): per query the best and the median of
N rounds on each build, in milliseconds, and the growth exponents between the two sizes —
``powerkg query``'s own path (``queries.answer``: answers made at build time where the build has
them, SPARQL otherwise; ``--live``: SPARQL always).

Run: python bench/bench_queries.py OUT_SMALL OUT_LARGE [ROUNDS] [--live]   (two `powerkg build`
     outputs, e.g. of bench/corpus.py's 10k and 100k corpora; ROUNDS default 9)
No assertion: a benchmark.
"""
from __future__ import annotations

import math
import re
import statistics
import sys
import time
from pathlib import Path

import pyoxigraph as ox

from build_graph.queries import answer, authorities_in, library
from build_graph.registry import load_registry


def main(outs: list[Path], rounds: int, live: bool) -> None:
    registry = load_registry()
    stores = [ox.Store.read_only(str(out / "store")) for out in outs]
    authorities = [authorities_in(store) for store in stores]
    powers = [json_powers(out) for out in outs]
    seconds: dict[tuple[str, int], list[float]] = {}
    for number in range(rounds + 1):  # round 0 warms up
        for name, query in sorted(library().items()):
            values = dict(re.findall(r"--param (\w+)=(\S+)", query.example))
            for side, (out, store, names) in enumerate(zip(outs, stores, authorities)):
                bound = {**values, **{p.name: names[0] for p in query.params if p.kind == "authority"}}
                start = time.perf_counter()
                answer(store, out, query, bound, registry, names, live=live)
                if number:
                    seconds.setdefault((name, side), []).append(time.perf_counter() - start)
    scale = math.log(powers[1] / powers[0])
    print(f"{powers[0]} → {powers[1]} powers, {rounds} rounds{' (--live)' if live else ''}: ms best / median")
    for name in sorted(library()):
        small, large = seconds[(name, 0)], seconds[(name, 1)]
        best = math.log(min(large) / min(small)) / scale
        median = math.log(statistics.median(large) / statistics.median(small)) / scale
        print(f"  {name:40s} {min(small) * 1000:9.1f} / {statistics.median(small) * 1000:9.1f}"
              f"   {min(large) * 1000:9.1f} / {statistics.median(large) * 1000:9.1f}"
              f"   exponent {best:5.2f} / {median:5.2f}")


def json_powers(out: Path) -> int:
    import json

    return sum(entry["powers"] for entry in json.loads((out / "summary.json").read_text(encoding="utf-8"))["lists"])


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if a != "--live"]
    main([Path(arguments[0]), Path(arguments[1])], int(arguments[2]) if len(arguments) > 2 else 9, "--live" in sys.argv)
