"""Large output files made of segments (one per list), copied from the previous build where a
segment is unchanged.

records.json, citations.json, findings.csv and the validation reports are each a header, one
segment per list and a footer. Each segment comes with a digest of what it is made from (the
list's content key, its validation results …); the previous build's manifest (:mod:`reuse`)
holds each file's segments as (name, digest, offset, length). A segment whose digest is
unchanged is copied from the previous build's file by the kernel (``os.copy_file_range``;
neighbouring segments in one call) rather than made again — the bytes are those a fresh build
writes, as the digest stands for everything the segment is made from.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable


class SplicedFile:
    """``path`` written part by part; ``previous``: the same file of the previous build with its
    segments ({name: (digest, offset, length)}), or None."""

    def __init__(self, path: Path, previous: tuple[Path, dict[str, list]] | None = None):
        self.handle = path.open("wb")
        self.offset = 0
        self.segments: list[list] = []  # [name, digest, offset, length] of this file
        self.taken = 0
        self._source, self._old = None, {}
        if previous is not None and previous[0].is_file():
            ends = max((offset + length for _, offset, length in previous[1].values()), default=0)
            if previous[0].stat().st_size >= ends:  # a file cut short since is not used at all
                self._source = previous[0].open("rb")
                self._old = previous[1]
        self._pending: list[int] = []  # a run of the previous file still to copy: [offset, length]

    def write(self, data: bytes | str) -> None:
        """Bytes (or text, written as UTF-8) outside any segment."""
        self._flush()
        data = data.encode() if isinstance(data, str) else data
        self.handle.write(data)
        self.offset += len(data)

    def segment(self, name: str, digest: str | None, make: Callable[[], bytes | str | Path]) -> None:
        """The segment ``name``: copied when the previous file holds it with ``digest``, else
        ``make()`` (None: never copied) — its bytes, or a file holding them (copied by the
        kernel, never read into memory: the alignment graph of a national corpus is 10⁸ bytes)."""
        old = self._old.get(name) if digest is not None else None
        if old is not None and old[0] == digest:
            _, offset, length = old
            if self._pending and self._pending[0] + self._pending[1] == offset:
                self._pending[1] += length
            else:
                self._flush()
                self._pending = [offset, length]
            self.segments.append([name, digest, self.offset, length])
            self.offset += length
            self.taken += 1
            return
        start = self.offset
        made = make()
        if isinstance(made, Path):
            self._flush()
            self.handle.flush()
            with made.open("rb") as source:
                length = os.fstat(source.fileno()).st_size
                copy_bytes(source, self.handle, 0, length)
            self.handle.seek(0, os.SEEK_END)
            self.offset += length
        else:
            self.write(made)
        if digest is not None:
            self.segments.append([name, digest, start, self.offset - start])

    def _flush(self) -> None:
        if self._pending:
            self.handle.flush()
            offset, length = self._pending
            self._pending = []
            copy_bytes(self._source, self.handle, offset, length)
            self.handle.seek(0, os.SEEK_END)

    def close(self) -> list[list]:
        """Finish the file; returns its segments (for the manifest)."""
        self._flush()
        self.handle.close()
        if self._source is not None:
            self._source.close()
        return self.segments


def copy_bytes(source, target, offset: int, length: int) -> None:
    """``length`` bytes of the open file ``source`` from ``offset`` onto the end of the open
    (flushed) file ``target``: by the kernel, or through this process where it cannot."""
    while length:
        try:
            copied = os.copy_file_range(source.fileno(), target.fileno(), min(length, 2**30), offset)
        except OSError:  # a file system without it
            source.seek(offset)
            copied = os.write(target.fileno(), source.read(min(length, 2**22)))
        if copied == 0:
            raise OSError(f"{source.name} ended before its segment at byte {offset}")
        offset, length = offset + copied, length - copied
