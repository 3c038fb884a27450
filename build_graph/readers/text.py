"""Decoding list files and small text helpers shared by the readers."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..citations.normalize import normalize


class ReadError(Exception):
    """A list file cannot be read at all. The message names file, line and reason."""

    def __init__(self, file: str, line: int | None, reason: str):
        self.file, self.line, self.reason = file, line, reason
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {reason}")

    def __reduce__(self):  # picklable with its three fields (lists are read in worker processes)
        return (ReadError, (self.file, self.line, self.reason))


@dataclass(frozen=True)
class DecodedText:
    """A decoded file: its lines (1-based numbering = index + 1) and the encoding used."""

    file: str
    encoding: str
    lines: list[str]


def _line_of_offset(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def decode_file(path: Path) -> DecodedText:
    """Read ``path`` as UTF-8 (with or without BOM), else GB18030 (a superset of GBK/GB2312).

    CRLF and lone CR line ends become LF. Raises ReadError for an empty file or bytes that are
    neither encoding, naming the first line that fails to decode.
    """
    name = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReadError(name, None, f"cannot open file: {exc.strerror}") from exc
    if not data.strip():
        raise ReadError(name, None, "file is empty")
    try:
        text, encoding = data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        try:
            text, encoding = data.decode("gb18030"), "gb18030"
        except UnicodeDecodeError:
            line = _line_of_offset(data, utf8_error.start)
            raise ReadError(
                name, line, "text is neither UTF-8 nor GB18030/GBK (first bad byte "
                f"at offset {utf8_error.start}); re-save the file as UTF-8"
            ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        raise ReadError(name, _line_of_offset(text.encode(), text.index("\x00")),
                        "file holds NUL bytes; is it a binary file or UTF-16?")
    return DecodedText(name, encoding, text.split("\n"))


def simplified(text: str) -> str:
    """Traditional script as Simplified and full-width ASCII as half-width, character by
    character (same length), so 權力事項 and 权力事项 are one header."""
    return normalize(text)


def display_width(text: str) -> float:
    """Width of a printed line in CJK character cells: wide/fullwidth = 1, other = 0.5."""
    widths, total = _CELLS, 0.0
    for ch in text:
        width = widths.get(ch)
        if width is None:
            width = widths[ch] = 1.0 if unicodedata.east_asian_width(ch) in "WFA" else 0.5
        total += width
    return total


_CELLS: dict[str, float] = {}  # display_width's cells by character, as met


_CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef\u2018-\u201d《》〈〉【】〔〕"
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")


def squash_spaces(text: str) -> str:
    """Collapse runs of white space to one space and drop spaces next to CJK characters."""
    text = re.sub(r"[ \t\u00a0\u3000]+", " ", text.strip())
    return _SPACE_NEAR_CJK.sub("", text)


def join_wrapped(lines: list[str]) -> str:
    """Join lines that a PDF layout wrapped inside one cell back into running text."""
    out = ""
    for line in (ln.strip() for ln in lines):
        if out and out[-1].isascii() and out[-1].isalpha() and line[:1].isascii() and line[:1].isalpha():
            out += " "
        out += line
    return out


_ENUMERATOR = re.compile(r"(?<![\d.])(\d{1,2})\s*(?:[、．]|\.(?!\d))")


def split_enumerated(text: str) -> tuple[str, list[str]]:
    """Split ``text`` at a run of numbered entries ``1、… 2、… 3.…`` counting up from 1.

    Only enumerators that continue the sequence 1, 2, 3 … count, so numbers inside the
    entries (``5000 元``, ``第十条第二项``) do not split. Returns (text before entry 1, entries).
    """
    marks: list[tuple[int, int]] = []
    expected = 1
    for match in _ENUMERATOR.finditer(text):
        if int(match.group(1)) == expected:
            marks.append((match.start(), match.end()))
            expected += 1
    if not marks:
        return text.strip(), []
    preamble = text[: marks[0][0]].strip()
    entries = []
    for index, (_, body_start) in enumerate(marks):
        end = marks[index + 1][0] if index + 1 < len(marks) else len(text)
        entries.append(text[body_start:end].strip())
    return preamble, entries
