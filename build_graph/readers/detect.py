"""Which front end reads a file: by its bytes (PDF, Word, Excel and the formats powerkg cannot
read), then by the shape of its text — never by its name alone."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

from .cell_lines import cells_of, header_run
from .delimited import PIPE_ROW
from .fields import header_field
from .key_value import keyed_lines
from .text import DecodedText, ReadError

BINARY_LAYOUTS = ("pdf", "docx", "xlsx")
TEXT_LAYOUTS = ("tsv-html", "pdf-columns", "csv", "html-table", "pipe-table", "key-value", "cell-lines")
LAYOUTS = TEXT_LAYOUTS[:3] + BINARY_LAYOUTS[2:] + TEXT_LAYOUTS[3:] + BINARY_LAYOUTS[:2]

_UNREADABLE = {
    b"\xd0\xcf\x11\xe0": "an old binary Word or Excel file (.doc/.xls); save it as .docx or .xlsx",
    b"{\\rtf": "an RTF document; save it as .docx",
    b"\x89PNG": "an image (PNG); run OCR on it first",
    b"\xff\xd8\xff": "an image (JPEG); run OCR on it first",
    b"GIF8": "an image (GIF); run OCR on it first",
}


def binary_kind(path: Path) -> str | None:
    """``pdf``, ``docx`` or ``xlsx`` from the file's bytes, None for text; ReadError for a
    format no front end reads (old .doc/.xls, RTF, images, other archives)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise ReadError(path.name, None, f"cannot open file: {exc.strerror}") from exc
    if head.startswith(b"%PDF"):
        return "pdf"
    for magic, what in _UNREADABLE.items():
        if head.startswith(magic):
            raise ReadError(path.name, None, f"this is {what}")
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile as exc:
            raise ReadError(path.name, None, f"a damaged ZIP/Office file: {exc}") from exc
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        raise ReadError(path.name, None, "a ZIP archive that is neither a Word (.docx) nor an Excel (.xlsx) file")
    return None


def text_layout(doc: DecodedText, suffix: str = "") -> str:
    """The layout of a decoded text file, from the shape of its lines (a ``.csv`` name only
    breaks the tie when the lines show no other table)."""
    from .pdf_columns import looks_like_pdf_columns

    text = "\n".join(doc.lines[:4000])
    lowered = text.lower()
    if "<table" in lowered and "<tr" in lowered:
        return "html-table"
    if sum(1 for line in doc.lines if line.count("\t") >= 3) >= 2:
        return "tsv-html"
    if sum(1 for line in doc.lines if PIPE_ROW.match(line) and line.count("|") + line.count("｜") >= 4) >= 3:
        return "pipe-table"
    if keyed_lines(doc) >= 3:
        return "key-value"
    if looks_like_pdf_columns(doc):
        return "pdf-columns"
    if suffix == ".csv":
        return "csv"
    if (line := _spaced_header(doc)) is not None:
        raise ReadError(doc.file, line, "the table's header has its column names separated only by spaces: "
                        "this is a page's text flattened into lines (as pdftotext or copying from a PDF gives), "
                        "where no reader can tell where one cell ends; read the PDF file itself (powerkg reads "
                        "ruled PDF tables) or save the table as a spreadsheet")
    if header_run(cells_of(doc)):
        return "cell-lines"
    if sum(1 for line in doc.lines if re.search(r"[,，;].*[,，;]", line)) >= 2:
        return "csv"
    return "pdf-columns"


def _spaced_header(doc: DecodedText) -> int | None:
    """The line number of a header whose column names are separated by spaces alone, or None."""
    for number, line in enumerate(doc.lines[:200], 1):
        if "\t" in line or "," in line or "|" in line:
            continue
        fields = {header_field(word) for word in line.split()} - {None}
        if len(fields) >= 3 and "power" in fields:
            return number
    return None


def check_forced(path: Path, kind: str | None, layout: str) -> None:
    """A forced ``--layout`` that cannot read this file is refused, saying what would."""
    if kind and layout != kind:
        raise ReadError(path.name, None, f"this is a {kind.upper()} file; use --layout {kind} (or no --layout)")
    if not kind and layout in BINARY_LAYOUTS:
        raise ReadError(path.name, None, f"this is not a {layout.upper()} file (it is text); leave --layout out")
