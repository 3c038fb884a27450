"""Validation list by list (build_graph/validate_by_list.py) gives the whole graph's results:
on the bundled lists, on lists of one authority that share power nodes, in one batch or many."""
from __future__ import annotations

import copy
import dataclasses

import pyoxigraph as ox
import pytest

from build_graph import iris
from build_graph.build import build_graph
from build_graph.graph_files import sorted_nquads
from build_graph.validate import CannotValidate, load_shapes, validate_store
from build_graph.validate_by_list import _graph_of, batches, graph_ranges, validation_groups, validate_by_list


def whole_and_by_list(lists, tmp_path, batch_bytes):
    built = build_graph(lists)
    path = tmp_path / "graph.nq"
    path.write_bytes(sorted_nquads(built.quads))
    store = ox.Store()
    store.bulk_extend(built.quads)
    whole = validate_store(store, load_shapes())
    return whole, validate_by_list(path, validation_groups(built.lists), batch_bytes=batch_bytes)


@pytest.mark.parametrize("batch_bytes", [1, 10**9])  # every group its own batch; all in one
def test_bundled_lists_give_the_whole_graphs_results(seed_lists, tmp_path, batch_bytes):
    whole, by_list = whole_and_by_list(copy.deepcopy(list(seed_lists.values())), tmp_path, batch_bytes)
    assert whole.results and by_list.results == whole.results
    assert by_list.violations == whole.violations == 19


def test_lists_of_one_authority_are_validated_together(pingshan, yuanshi, tmp_path):
    """A second list of 平山's authority with part of its rows: the powers they share are one
    node holding both lists' triples; validated apart, each half would be judged alone."""
    second = dataclasses.replace(copy.deepcopy(pingshan), list_id="pingshan-ybj-2021",
                                 source_file="pingshan-2021.txt")
    second.records = second.records[::2]
    lists = [copy.deepcopy(pingshan), second, copy.deepcopy(yuanshi)]
    assert [len(g) for g in validation_groups(lists)] == [2, 1, 1]  # and the alignment graph
    whole, by_list = whole_and_by_list(lists, tmp_path, 1)
    assert by_list.results == whole.results
    assert {r.list for r in whole.results} >= {"pingshan-ybj", "yuanshi-ybj"}


def test_a_list_whose_rows_name_another_lists_authority_is_validated_with_it(pingshan, yuanshi, tmp_path):
    """A copy of 元氏's list published under another authority: its rows still name 元氏县医疗保障局
    as 实施主体, so its powers are 元氏's nodes, and the two lists are one group."""
    third = dataclasses.replace(copy.deepcopy(yuanshi), list_id="gaocheng-ybj", source_file="gaocheng.txt",
                                authority="藁城区医疗保障局")
    lists = [copy.deepcopy(pingshan), copy.deepcopy(yuanshi), third]
    assert [len(g) for g in validation_groups(lists)] == [1, 2, 1]
    whole, by_list = whole_and_by_list(lists, tmp_path, 1)
    assert by_list.results == whole.results


def test_graph_ranges_and_batches(seed_lists, tmp_path):
    built = build_graph(copy.deepcopy(list(seed_lists.values())))
    path = tmp_path / "graph.nq"
    data = sorted_nquads(built.quads)
    path.write_bytes(data)
    ranges = graph_ranges(path)
    assert sum(length for _, _, length in ranges.values()) == len(data)
    for graph, (file, offset, length) in ranges.items():
        assert file == str(path)
        chunk = data[offset:offset + length]
        assert {_graph_of(line) for line in chunk.splitlines()} == {graph}
    groups = validation_groups(built.lists)
    made, shared = batches(ranges, groups, batch_bytes=1)
    assert len(made) == 3 and shared.groups == () and len(shared.shared) == len(ranges) - 3
    made, _ = batches(ranges, groups)
    own = {ranges[iris.list_graph(i)] for i in seed_lists} | {ranges[iris.alignment_graph()]}
    assert len(made) == 1 and {r for group in made[0].groups for r in group} == own
    # graphs out of order are refused, not read as two graphs
    lines = data.splitlines(keepends=True)
    path.write_bytes(b"".join(lines[-1:] + lines))
    with pytest.raises(ValueError, match="not contiguous"):
        graph_ranges(path)


def test_graph_of_reads_the_graph_after_literals_with_brackets():
    line = b'<http://a> <http://p> "x <http://not-a-graph> y"@zh <http://g/1> .\n'
    assert _graph_of(line) == "http://g/1"
    assert _graph_of(b'<http://a> <http://p> "x <y>" .\n') == ""


def test_nothing_to_validate_is_an_error(tmp_path):
    path = tmp_path / "graph.nq"
    path.write_bytes(b'<http://example.org/a> <http://example.org/p> "x" <http://example.org/g> .\n')
    with pytest.raises(CannotValidate):
        validate_by_list(path, [["http://example.org/g"]])
    path.write_bytes(b"")
    with pytest.raises(CannotValidate):
        validate_by_list(path, [])


def test_results_come_from_the_cache_only_where_nothing_they_depend_on_changed(pingshan, yuanshi, tmp_path):
    cache = tmp_path / "cache"
    lists = [copy.deepcopy(pingshan), copy.deepcopy(yuanshi)]
    built = build_graph(lists)
    path = tmp_path / "graph.nq"
    path.write_bytes(sorted_nquads(built.quads))
    groups = validation_groups(built.lists)
    first = validate_by_list(path, groups, cache=cache)
    messages = []
    again = validate_by_list(path, groups, cache=cache, progress=messages.append)
    assert again.results == first.results and "3 group(s) unchanged" in messages[0]  # two lists, the alignment
    # one list edited (a power renamed): its group is validated again; the other list and the
    # alignment (whose lines the shapes read did not change) come from the cache
    edited = [copy.deepcopy(pingshan), copy.deepcopy(yuanshi)]
    edited[1].records[0].power += "（修订）"
    built = build_graph(edited)
    path.write_bytes(sorted_nquads(built.quads))
    messages.clear()
    changed = validate_by_list(path, validation_groups(built.lists), cache=cache, progress=messages.append)
    assert "2 group(s) unchanged" in messages[0]
    assert changed.results == validate_by_list(path, validation_groups(built.lists)).results
    assert changed.results != first.results
    assert len(list(cache.glob("*.pickle.z"))) == 4  # three groups and the shared graphs: stale entries pruned


def test_quick_keys_take_results_without_reading_a_line_while_no_graph_changed(pingshan, yuanshi, tmp_path,
                                                                              monkeypatch):
    import hashlib

    from build_graph import validate_by_list as module

    def graph_nq(lists):
        built = build_graph(lists)
        path.write_bytes(sorted_nquads(built.quads))
        data = path.read_bytes()
        digests = {graph: hashlib.sha256(data[offset:offset + length]).hexdigest()
                   for graph, (_, offset, length) in graph_ranges(path).items()}
        return validation_groups(built.lists), digests

    cache, path = tmp_path / "cache", tmp_path / "graph.nq"
    groups, digests = graph_nq([copy.deepcopy(pingshan), copy.deepcopy(yuanshi)])
    first = validate_by_list(path, groups, cache=cache, digests=digests)
    read = module._read
    monkeypatch.setattr(module, "_read", lambda *args: pytest.fail("a line was read"))
    messages = []
    again = validate_by_list(path, groups, cache=cache, digests=digests, progress=messages.append)
    assert again.results == first.results and "3 group(s) unchanged" in messages[0]
    monkeypatch.setattr(module, "_read", read)
    edited = [copy.deepcopy(pingshan), copy.deepcopy(yuanshi)]
    edited[1].records[0].power += "（修订）"
    groups, digests = graph_nq(edited)
    messages.clear()
    changed = validate_by_list(path, groups, cache=cache, digests=digests, progress=messages.append)
    assert "2 group(s) unchanged" in messages[0]  # found by their full keys, their lines read
    assert changed.results == validate_by_list(path, groups).results != first.results


def test_with_a_results_database_quick_keys_read_neither_lines_nor_results(pingshan, yuanshi, tmp_path, monkeypatch):
    """The streaming build's mode (site_db.store_group_results): each group's results and
    summary kept once in SQLite; while no graph changed, a group is found by its quick key — no
    line read, nothing validated — and the reports read the same results; an edited list's
    group is validated again, the other found by its content key."""
    import hashlib

    from build_graph import validate_by_list as module
    from build_graph.site_db import SiteDB

    path, cache = tmp_path / "graph.nq", tmp_path / "cache"

    def run(lists, number):
        built = build_graph(lists)
        path.write_bytes(sorted_nquads(built.quads))
        data = path.read_bytes()
        digests = {graph: hashlib.sha256(data[offset:offset + length]).hexdigest()
                   for graph, (_, offset, length) in graph_ranges(path).items()}
        db, messages = SiteDB(tmp_path / f"site-{number}.sqlite", tmp_path / "results.sqlite"), []
        totals = validate_by_list(path, validation_groups(built.lists), cache=cache, digests=digests,
                                  sink=db.add_results, results_db=db.results_db, groups_sink=db.add_groups,
                                  progress=messages.append)
        results = list(db.results())
        db.close()
        return totals, results, messages[0]

    lists = [copy.deepcopy(pingshan), copy.deepcopy(yuanshi)]
    totals, first, _ = run(lists, 1)
    assert first and totals.result_count == len(first)
    with monkeypatch.context() as patched:
        patched.setattr(module, "_read", lambda *args: pytest.fail("a line was read"))
        patched.setattr(module, "_validate_units", lambda *args: pytest.fail("a group was validated"))
        _, again, message = run(copy.deepcopy(lists), 2)
    assert again == first and "3 group(s) unchanged" in message
    edited = copy.deepcopy(lists)
    edited[1].records[0].power += "（修订）"
    _, changed, message = run(edited, 3)
    assert "2 group(s) unchanged" in message  # found by their content keys, their lines read
    assert changed == validate_by_list(path, validation_groups(build_graph(copy.deepcopy(edited)).lists)).results
    assert changed != first


def test_graph_nq_is_read_a_block_at_a_time_without_cutting_lines(seed_lists, tmp_path, monkeypatch):
    """A shared graph of a national corpus is 10⁸ bytes: it is read in blocks, and a line cut
    by a block's end is joined with the next block — the lines kept are those of one whole read."""
    from build_graph import validate_by_list as by_list

    built = build_graph(copy.deepcopy(list(seed_lists.values())))
    path = tmp_path / "graph.nq"
    path.write_bytes(sorted_nquads(built.quads))
    ranges = list(graph_ranges(path).values())
    wanted = by_list._wanted(None)
    whole = [line for _, offset, length in ranges for line in path.read_bytes()[offset:offset + length].splitlines(keepends=True)
             if line.split(b" ", 2)[1] in wanted]
    for block in (1, 7, 1000, 2**22):
        monkeypatch.setattr(by_list, "READ_BYTES", block)
        assert by_list._read(ranges, wanted) == whole, block
    assert len(whole) > 1000


def test_results_kept_in_the_site_database_come_back_in_the_reports_order(seed_lists, tmp_path):
    """The streaming build keeps results in SQLite and reads them back sorted there: the order
    must be ``sorted_results``'s, with items without a number and lines without a number too."""
    import random

    from build_graph.site_db import SiteDB
    from build_graph.validate import sorted_results

    built = build_graph(copy.deepcopy(list(seed_lists.values())))
    path = tmp_path / "graph.nq"
    path.write_bytes(sorted_nquads(built.quads))
    results = validate_by_list(path, validation_groups(built.lists)).results
    varied = results + [dataclasses.replace(r, item_no=None, line=None) for r in results[::5]]
    varied += [dataclasses.replace(r, severity="Info", list="甲" + r.list) for r in results[::7]]
    shuffled = varied[:]
    random.Random(1).shuffle(shuffled)
    db = SiteDB()
    db.add_results(shuffled[:40])
    db.add_results(shuffled[40:])
    assert list(db.results()) == sorted_results(varied)


def test_batches_on_a_pool_give_the_same_report_with_or_without_work_queued_behind(seed_lists, tmp_path):
    """``submit`` runs the batches elsewhere and ``then`` queues work behind them: the report is
    the one made in this process, whether ``then`` is given or not, and ``then`` runs once,
    after every batch was submitted."""
    from concurrent.futures import ThreadPoolExecutor

    built = build_graph(copy.deepcopy(list(seed_lists.values())))
    path = tmp_path / "graph.nq"
    path.write_bytes(sorted_nquads(built.quads))
    groups = validation_groups(built.lists)
    here = validate_by_list(path, groups, batch_bytes=1)
    submitted, called = [], []
    with ThreadPoolExecutor(2) as pool:
        def submit(*args):
            submitted.append(args[1])
            return pool.submit(*args)

        alone = validate_by_list(path, groups, submit=submit, batch_bytes=1)
        count = len(submitted)
        queued = validate_by_list(path, groups, submit=submit, batch_bytes=1,
                                  then=lambda: called.append(len(submitted) - count))
    assert here.results == alone.results == queued.results and here.violations > 0
    assert called == [count]
