"""Text normalisation that keeps character offsets: one output character per input character.

Traditional characters become Simplified (OpenCC's table, applied character by character so
spans into the original text stay valid), full-width ASCII becomes half-width, and the
ideographic space, no-break space and invisible marks (zero-width space, soft hyphen) a plain space. Chinese numerals become integers with cn2an.
"""
from __future__ import annotations

from functools import lru_cache

import cn2an

_converter = None
_INVISIBLE = frozenset("\u3000\u00a0\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\ufeff")


def _t2s():
    global _converter
    if _converter is None:
        import opencc

        _converter = opencc.OpenCC("t2s")
    return _converter


@lru_cache(maxsize=8192)
def _fold_char(ch: str) -> str:
    code = ord(ch)
    if 0xFF01 <= code <= 0xFF5E:
        return chr(code - 0xFEE0)
    if ch in _INVISIBLE:
        return " "  # ideographic and no-break spaces, zero-width marks, soft hyphens
    if code >= 0x3400:
        simplified = _t2s().convert(ch)
        if len(simplified) == 1:
            return simplified
    return ch


def normalize(text: str) -> str:
    """Same-length normalised copy of ``text`` (see module docstring)."""
    return "".join(_fold_char(ch) for ch in text)


def to_int(numeral: str) -> int | None:
    """``八十四``, ``84``, ``一百零三`` → int; None for anything else."""
    numeral = numeral.strip()
    if not numeral:
        return None
    if numeral.isdigit():
        return int(numeral)
    try:
        value = cn2an.cn2an(numeral, "smart")
    except (ValueError, KeyError, TypeError, IndexError):
        return None
    return int(value) if float(value).is_integer() and value > 0 else None
