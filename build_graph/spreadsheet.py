"""CSV that is safe to open in Excel, WPS or LibreOffice.

List text is untrusted: a cell such as ``=HYPERLINK("http://…")`` would run as a formula when a
clerk opens the file. Following the OWASP guidance on CSV injection, a text cell that starts
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (or their full-width forms, which
WPS also accepts) is prefixed with an apostrophe, so the spreadsheet shows it as text.
Numbers stay numbers. Every CSV powerkg writes goes through :func:`write_csv_rows` (:func:`csv_text`, :func:`write_csv_file`).
"""
from __future__ import annotations

import csv
import io
from typing import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def neutralize(value):
    """``value`` with a leading apostrophe when it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(header: Iterable[str] | None, rows: Iterable[Iterable]) -> str:
    """CSV (LF line ends, UTF-8 text) with every cell neutralised; None is an empty cell."""
    out = io.StringIO()
    write_csv_rows(out, header, rows)
    return out.getvalue()


def write_csv_file(path, header: Iterable[str], rows: Iterable[Iterable]) -> int:
    """:func:`csv_text` written into ``path`` as the rows come (UTF-8); returns the number of rows."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        return write_csv_rows(handle, header, rows)


def write_csv_rows(handle, header: Iterable[str] | None, rows: Iterable[Iterable]) -> int:
    """The header (None: no header row) and the rows; returns the number of rows."""
    writer = csv.writer(handle, lineterminator="\n")
    if header is not None:
        writer.writerow([neutralize(h) for h in header])
    count = 0
    for row in rows:
        writer.writerow([neutralize("" if v is None else v) for v in row])
        count += 1
    return count
