"""Spliced files (build_graph/splice.py): unchanged segments are copied from the previous file,
the rest made, and the result is what making every segment gives."""
from __future__ import annotations

import pytest

from build_graph.alignments import splice_sorted
from build_graph.graph_files import graph_entry
from build_graph.splice import SplicedFile


def write(path, parts, previous=None):
    """``parts``: (name, digest, text) segments between a heading and a footing; returns
    (segments, names of the segments made)."""
    made = []
    spliced = SplicedFile(path, previous)
    spliced.write("heading\n")
    for name, digest, text in parts:
        spliced.segment(name, digest, lambda name=name, text=text: made.append(name) or text)
    spliced.write("footing\n")
    return spliced.close(), made


def test_unchanged_segments_are_copied_and_the_bytes_are_a_fresh_writes(tmp_path):
    parts = [(f"list-{n}", f"d{n}", f"甲乙 rows of list {n}\n" * (n + 1)) for n in range(6)]
    segments, made = write(tmp_path / "first", parts)
    assert len(made) == 6 and [s[0] for s in segments] == [p[0] for p in parts]
    previous = (tmp_path / "first", {name: (digest, offset, length) for name, digest, offset, length in segments})
    edited = list(parts)
    edited[2] = ("list-2", "changed", "new rows of list 2\n")
    del edited[4]
    edited.append(("list-9", "d9", "a list that came\n"))
    again, made = write(tmp_path / "second", edited, previous)
    assert made == ["list-2", "list-9"]
    write(tmp_path / "fresh", edited)
    assert (tmp_path / "second").read_bytes() == (tmp_path / "fresh").read_bytes()
    data = (tmp_path / "second").read_bytes()
    for name, digest, offset, length in again:  # the new manifest points at each segment's bytes
        text = next(text for n, _, text in edited if n == name)
        assert data[offset:offset + length] == text.encode() and digest == dict((n, d) for n, d, _ in edited)[name]


def test_a_segment_without_a_digest_is_always_made(tmp_path):
    segments, _ = write(tmp_path / "first", [("a", "d", "x\n")])
    previous = (tmp_path / "first", {name: (digest, offset, length) for name, digest, offset, length in segments})
    assert write(tmp_path / "second", [("a", None, "x\n")], previous) == ([], ["a"])


def test_a_previous_file_cut_short_is_not_used(tmp_path):
    segments, _ = write(tmp_path / "first", [("a", "d", "x" * 1000 + "\n"), ("b", "e", "y\n")])
    (tmp_path / "first").write_bytes((tmp_path / "first").read_bytes()[:100])
    previous = (tmp_path / "first", {name: (digest, offset, length) for name, digest, offset, length in segments})
    _, made = write(tmp_path / "second", [("a", "d", "x" * 1000 + "\n"), ("b", "e", "y\n")], previous)
    assert made == ["a", "b"]
    assert (tmp_path / "second").read_bytes() == b"heading\n" + b"x" * 1000 + b"\ny\nfooting\n"


def test_a_segment_made_from_a_file_is_copied_from_it(tmp_path):
    source = tmp_path / "chunk.nq"
    source.write_bytes(b"<a> <b> <c> <g> .\n" * 1000)
    spliced = SplicedFile(tmp_path / "out")
    spliced.write("x\n")
    spliced.segment("chunk", "d", lambda: source)
    spliced.write("y\n")
    assert spliced.close() == [["chunk", "d", 2, source.stat().st_size]]
    assert (tmp_path / "out").read_bytes() == b"x\n" + source.read_bytes() + b"y\n"


@pytest.mark.parametrize("seed", range(6))
def test_a_sorted_file_spliced_is_the_sorted_lines_it_then_holds(tmp_path, seed):
    """Lines taken out and put in (before the first line, after the last, next to each other,
    one of several with a common prefix): the bytes and index entry of sorting them afresh."""
    import random

    chance = random.Random(seed)
    words = ["<a>", "<a> <b>", "<ab>", "<b> \"乙\"", "<b> \"甲\"", "<c>", "<z>"]
    lines = sorted({f"{chance.choice(words)} {chance.randrange(40)} .\n".encode() for _ in range(60)})
    (tmp_path / "before").write_bytes(b"".join(lines))
    entry = graph_entry((tmp_path / "before").read_bytes())
    gone = sorted(chance.sample(lines, chance.randrange(len(lines) // 2)))
    came = sorted({f"{chance.choice(words)} {chance.randrange(60)} .\n".encode() for _ in range(20)} - set(lines))
    made = splice_sorted(tmp_path / "before", entry, gone, came, tmp_path / "after")
    expected = b"".join(sorted(set(lines) - set(gone) | set(came)))
    assert (tmp_path / "after").read_bytes() == expected and made == graph_entry(expected)
    with pytest.raises(ValueError):
        splice_sorted(tmp_path / "before", entry, [b"<zz> not there .\n"], [], tmp_path / "other")
    with pytest.raises(ValueError):
        splice_sorted(tmp_path / "before", entry, [], [lines[3]], tmp_path / "other")
