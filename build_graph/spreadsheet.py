"""CSV that is safe to open in Excel, WPS or LibreOffice.

List text is untrusted: a cell such as ``=HYPERLINK("http://…")`` would run as a formula when a
clerk opens the file. Following the OWASP guidance on CSV injection, a text cell that starts
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (or their full-width forms, which
WPS also accepts) is prefixed with an apostrophe, so the spreadsheet shows it as text.
Numbers stay numbers. Every CSV powerkg writes goes through :func:`csv_text`.
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


def csv_text(header: Iterable[str], rows: Iterable[Iterable]) -> str:
    """CSV (LF line ends, UTF-8 text) with every cell neutralised; None is an empty cell."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([neutralize(h) for h in header])
    writer.writerows([neutralize("" if v is None else v) for v in row] for row in rows)
    return out.getvalue()
