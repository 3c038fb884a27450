"""Cost of the law archive behind the registry: load time, citing time and peak memory.

Run: python bench/bench_registry.py
The baseline is the curated registry alone (no archive), measured in the same process; the
archive's figures are printed as ratios of it. No assertion: a benchmark.
"""
from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

from build_graph.citations.export import cite_rows
from build_graph.registry import load_registry

TEXTS = ["《中华人民共和国社会保险法》第八十四条", "《行政许可法》第十二条", "《不动产登记暂行条例》第十四条第二款",
         "《中华人民共和国食品安全法》第一百二十三条", "《发票管理办法》第三十三条"]


def measure(archive: Path | None) -> tuple[float, float, float]:
    """(seconds to load, seconds to cite TEXTS, peak MB) with the given archive (None: none)."""
    load_registry.cache_clear()
    tracemalloc.start()
    start = time.perf_counter()
    registry = load_registry(archive=archive or Path("/nonexistent/laws.zip"))
    loaded = time.perf_counter()
    for text in TEXTS:
        cite_rows(text, registry)
    cited = time.perf_counter()
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return loaded - start, cited - loaded, peak


def main() -> None:
    from build_graph.registry import archive_file

    measure(None)  # warm-up: imports and first-use caches are not what is measured
    base = measure(None)
    with_archive = measure(archive_file())
    print(f"curated registry alone: load {base[0]:.2f} s, cite {base[1]:.3f} s, peak {base[2]:.0f} MB")
    print(f"with the law archive:   load ×{with_archive[0] / base[0]:.2f}, cite ×{with_archive[1] / max(base[1], 1e-9):.1f}, "
          f"peak memory ×{with_archive[2] / base[2]:.2f}  "
          f"({with_archive[0]:.2f} s, {with_archive[1]:.3f} s, {with_archive[2]:.0f} MB)")


if __name__ == "__main__":
    main()
