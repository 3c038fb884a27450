"""Scale of `powerkg build`: corpora of N powers (bench/corpus.py), each built in a fresh process;
per stage the wall time (from the build's progress lines, timestamped as they arrive) and the
peak memory of the build, each also as a ratio to a raw pyoxigraph ``bulk_load`` of the same
N-Quads measured in this run; the library queries' times; a rebuild after one list is edited;
growth exponents between sizes. A build under 30 s (1k powers) is made three times, each afresh
in a folder of its own, and so is its bulk_load: the best of each, the peak the largest.

Run: python bench/bench_build.py [--formats all|seed,html,…] [POWERS ...]   (default: 1000 3000;
     the corpus's formats as bench/corpus.py takes them, default the seeds' own layouts)
No assertion: a benchmark. Scale runs live here, never in the test suite.
"""
from __future__ import annotations

import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).parent))
from corpus import SEED, format_names, make_corpus  # noqa: E402

PEAK_OF_CHILD = ("import resource, subprocess, sys; code = subprocess.call(sys.argv[1:]); "
                 "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(code)")


def build(files: list[Path], out: Path) -> tuple[float, list[tuple[float, str]], float]:
    """(wall seconds, [(seconds since start, progress line)], peak RSS MB) of one build."""
    command = [sys.executable, "-c", PEAK_OF_CHILD, sys.executable, "-m", "build_graph.cli", "build",
               *map(str, files), "-o", str(out)]
    start = time.perf_counter()
    process = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    lines = [(time.perf_counter() - start, line.rstrip()) for line in process.stderr]
    process.wait()
    wall = time.perf_counter() - start
    if process.returncode != 0:
        raise SystemExit("build failed:\n" + "\n".join(f"{t:8.1f} s  {line}" for t, line in lines[-40:]))
    peak_kb = int(lines.pop()[1])
    return wall, lines, peak_kb / 1024


def stages(lines: list[tuple[float, str]]) -> list[tuple[str, float]]:
    """Seconds spent up to each progress line that names a stage (reading, graph, store …)."""
    marks = [("read, cite, check, emit, align", "wrote the graph files"), ("store beside validation", "loaded the store"),
             ("analytics, views, pages ∥ reports", "pages and index.html"),
             ("reports, findings, article index (the rest)", "validated:"), ("screenshots", "screenshots:"),
             ("swap", "swapped the new build")]
    result, previous = [], 0.0
    for name, needle in marks:
        at = next((t for t, line in lines if needle in line), None)
        if at is not None:
            result.append((name, at - previous))
            previous = at
    return result


def query_milliseconds(out: Path) -> dict[str, float]:
    """Each library query with its example's parameters on the build in ``out``, in this process,
    as ``powerkg query`` answers it (``queries.answer``: powers-by-article from the article index):
    the best of five runs after a warm-up, of three when the warm-up took a second or more, one
    when it took 10 s or more (ms). The same query's time moves by up to a third between runs on
    this machine; the best of several is what a growth exponent can be computed from."""
    import re

    from build_graph.queries import answer, authorities_in, library
    from build_graph.registry import load_registry

    store = ox.Store.read_only(str(out / "store"))
    registry, authorities = load_registry(), authorities_in(store)
    times = {}
    for name, query in sorted(library().items()):
        values = dict(re.findall(r"--param (\w+)=(\S+)", query.example))
        if any(p.kind == "authority" for p in query.params):
            values.update({p.name: authorities[0] for p in query.params if p.kind == "authority"})
        start = time.perf_counter()
        answer(store, out, query, values, registry, authorities)
        warm_up = time.perf_counter() - start
        best = float("inf")
        for _ in range(5 if warm_up < 1 else 3 if warm_up < 10 else 1):
            start = time.perf_counter()
            answer(store, out, query, values, registry, authorities)
            best = min(best, time.perf_counter() - start)
        times[name] = best * 1000
    return times


def bulk_load_seconds(out: Path) -> tuple[float, int]:
    """(seconds of one raw ``bulk_load`` of the build's N-Quads in one file, quads): the file is
    made from the build's graph files before the clock starts (graph.nq is not written at 100k)."""
    from build_graph.graph_files import read_index, write_concatenation

    with tempfile.TemporaryDirectory() as folder:
        index = read_index(out)
        nquads = Path(folder) / "all.nq"
        write_concatenation(out, index, nquads)
        store = ox.Store(str(Path(folder) / "store"))
        start = time.perf_counter()
        store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
        store.flush()
        seconds = time.perf_counter() - start
        del store  # closed before its folder goes (RocksDB may still be writing files)
        return seconds, sum(entry["quads"] for entry in index.values())


REPEATS, REPEAT_BELOW = 3, 30.0  # a build under 30 s is made 3 times (its time moves by ±10% between runs)


def main(sizes: list[int], formats: tuple[str, ...] = (SEED,)) -> None:
    rows = []
    for size in sizes:
        with tempfile.TemporaryDirectory() as work:
            files = make_corpus(size, Path(work) / "lists", formats)
            wall, lines, peak = build(files, Path(work) / "out")
            baseline, quads = bulk_load_seconds(Path(work) / "out")
            for again in range(REPEATS - 1 if wall < REPEAT_BELOW else 0):  # a short build: the best of a few
                other = build(files, Path(work) / f"again-{again}")  # afresh: a folder (and cache) of its own
                if other[0] < wall:
                    wall, lines = other[0], other[1]
                peak = max(peak, other[2])
                baseline = min(baseline, bulk_load_seconds(Path(work) / "out")[0])
            queries = query_milliseconds(Path(work) / "out")
            # one list edited (a word of its first item), then built again: the text file nearest the middle
            edited = files[min((i for i, f in enumerate(files) if f.suffix == ".txt"), key=lambda i: abs(i - len(files) // 2))]
            edited.write_text(edited.read_text(encoding="utf-8").replace("医疗保险", "医疗保障", 1), encoding="utf-8")
            # the gigabytes the build wrote reach the disk first: timed right after it, the rebuild
            # would pay for the kernel's writeback of the build (≈ 4 s at 100k on this machine)
            os.sync()
            rebuild, rebuild_lines, rebuild_peak = build(files, Path(work) / "out")
            rows.append((size, len(files), quads, wall, peak, baseline, stages(lines), queries))
            print(f"{size} powers, {len(files)} lists, {quads} quads: build {wall:.1f} s "
                  f"(×{wall / baseline:.1f} a raw bulk_load of its N-Quads, {baseline:.2f} s), peak {peak:.0f} MB; "
                  f"after one list edited: rebuild {rebuild:.1f} s, peak {rebuild_peak:.0f} MB")
            for name, seconds in stages(lines):
                print(f"    {name:28s} {seconds:7.1f} s  ×{seconds / baseline:6.1f}")
            for at, line in lines:  # the stage lines: not one per list, nothing after the swap
                if not line.lstrip().startswith("["):
                    print(f"      {at:8.1f} s  {line.strip()[:110]}")
                if "swapped the new build" in line:
                    break
            print("    queries (ms): " + ", ".join(f"{name} {ms:.1f}" for name, ms in queries.items()))
            print("    rebuild: " + "; ".join(f"{name} {seconds:.1f} s" for name, seconds in stages(rebuild_lines)))
    for (a, *_, wall_a, peak_a, _, _, q_a), (b, *_, wall_b, peak_b, _, _, q_b) in zip(rows, rows[1:]):
        growth = math.log(wall_b / wall_a) / math.log(b / a)
        print(f"{a} → {b} powers: time exponent {growth:.2f}, peak memory ×{peak_b / peak_a:.2f}")
        exponents = {name: math.log(max(q_b[name], 0.01) / max(q_a[name], 0.01)) / math.log(b / a) for name in q_b}
        steepest = max(exponents, key=exponents.get)
        print(f"    steepest query: {steepest}, exponent {exponents[steepest]:.2f}")
        print("    query exponents: " + ", ".join(f"{name} {e:.2f}" for name, e in sorted(exponents.items(), key=lambda kv: -kv[1])))


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Build corpora of N powers and time the builds.")
    parser.add_argument("powers", type=int, nargs="*", default=[1000, 3000])
    parser.add_argument("--formats", default=SEED, help="all, or formats joined by commas (default: seed)")
    args = parser.parse_args()
    main(args.powers, format_names(args.formats))
