"""Quoted article text against the official text: what a list quotes after a citation, and
whether it differs from the cited provision in substance.

Not differences: punctuation, whitespace, full/half width, Traditional script, enumeration style
(（一） / 一、 / 1.), Chinese or Arabic numerals in amounts (一倍 / 1倍), variant spellings
(帐/账, 其它/其他, 做出/作出), one character for another outside numbers and negations, and
leaving out the start or end of a provision (an excerpt). Differences: a changed or added run
of text, a run dropped from inside the quoted stretch (unless the quote marks it with …… or
等), changed numbers, an added or dropped negation, and a quote of another article altogether.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

import cn2an

from ..citations.normalize import normalize

MIN_QUOTE = 12  # characters (normal form): shorter text after a citation is no quote to judge
_ENUMERATOR = re.compile(r"[(（]\s*(?:[一二三四五六七八九十]{1,3}|\d{1,2})\s*[)）]|[①-⑳]"
                         r"|(?:(?<=^)|(?<=[\s:：;；。，,]))(?:[一二三四五六七八九十]{1,3}\s*、|\d{1,2}\s*[.、．](?!\d))")
_NUMERAL_AMOUNT = re.compile(r"[零〇一二两三四五六七八九十百千万]+(?=倍|元|日|天|个|年|周|次|人|小时|公斤|吨|平方米|米|%|以上|以下)")
_ELLIPSIS = re.compile(r"…+|\.{3,}|。{3,}|等(?=[。；;，,\s]|$)")
_KEEP = re.compile(r"[\u4e00-\u9fff0-9A-Za-z…]")
# variant spellings that official texts and lists mix freely (one character for one)
_VARIANTS = str.maketrans({"帐": "账", "它": "他", "做": "作", "份": "分", "定": "订"})
_VARIANT_CONTEXT = re.compile(r"其它|做出|部份|身分|签定")
_NEGATION = re.compile(r"[不非无未没勿禁]")


@dataclass
class NormalForm:
    """Text reduced to what carries substance, with each character's offset in the original."""

    text: str
    offsets: list[int]


def normal_form(text: str) -> NormalForm:
    """See the module docstring: what is dropped and folded before comparing."""
    folded = normalize(text)
    folded = _VARIANT_CONTEXT.sub(lambda m: m.group(0).translate(_VARIANTS), folded)
    folded = _ENUMERATOR.sub(lambda m: " " * len(m.group(0)), folded)
    folded = _ELLIPSIS.sub(lambda m: "…" + " " * (len(m.group(0)) - 1), folded)
    chars, offsets = [], []
    position = 0
    for match in _NUMERAL_AMOUNT.finditer(folded):
        _keep(folded, position, match.start(), chars, offsets)
        try:
            value = str(int(cn2an.cn2an(match.group(0), "smart")))
        except (ValueError, KeyError, TypeError, IndexError):
            value = match.group(0)
        chars.extend(value)
        offsets.extend([match.start()] * len(value))
        position = match.end()
    _keep(folded, position, len(folded), chars, offsets)
    return NormalForm("".join(chars), offsets)


def _keep(folded: str, start: int, end: int, chars: list[str], offsets: list[int]) -> None:
    for index in range(start, end):
        if _KEEP.match(folded[index]):
            chars.append(folded[index])
            offsets.append(index)


@dataclass
class QuoteCheck:
    """The verdict on one quote: ``same`` (no difference in substance; an excerpt is the same),
    ``differs`` (see ``changes``), ``too-short`` (nothing to judge). ``coverage`` is the share of
    the quote (0–1) found in the official text."""

    verdict: str
    coverage: float
    changes: list[str] = field(default_factory=list)

    def summary(self, limit: int = 3) -> str:
        return "；".join(self.changes[:limit]) + (f"；…（共{len(self.changes)}处）" if len(self.changes) > limit else "")


def _clip(text: str, limit: int = 24) -> str:
    text = re.sub(r"\s+", "", text)
    return text if len(text) <= limit else text[: limit // 2] + "…" + text[-(limit // 2):]


def _slice(text: str, form: NormalForm, start: int, end: int, context: bool) -> str:
    """The original text of normal-form characters [start, end), with two characters on each
    side when ``context`` (so 「有关活动」改为「相关活动」 rather than 「有」改为「相」)."""
    if context:
        start, end = max(0, start - 2), min(len(form.offsets), end + 2)
    if end <= start:
        return ""
    return text[form.offsets[start]: form.offsets[end - 1] + 1]


def compare_quote(quote: str, official: str, strict: bool = False) -> QuoteCheck:
    """Judge ``quote`` (as the list writes it) against ``official`` (the cited provision).
    Unless ``strict``, one character for another (有关/相关, a variant or a typo) is no
    difference in substance — except in numbers or a negation (不, 未 …); ``strict`` compares
    two lists' quotes word for word."""
    q, o = normal_form(quote), normal_form(official)
    if len(q.text.replace("…", "")) < MIN_QUOTE or not o.text:
        return QuoteCheck("too-short", 0.0)
    matcher = SequenceMatcher(None, q.text, o.text, autojunk=False)
    blocks = [b for b in matcher.get_matching_blocks() if b.size]
    matched = sum(b.size for b in blocks)
    coverage = matched / len(q.text.replace("…", "") or "x")
    changes: list[str] = []
    first_o = blocks[0].b if blocks else 0
    last_o = blocks[-1].b + blocks[-1].size if blocks else 0
    for tag, q1, q2, o1, o2 in matcher.get_opcodes():
        quoted, written = q.text[q1:q2], o.text[o1:o2]
        if tag == "equal":
            continue
        if tag == "insert" and (o2 <= first_o or o1 >= last_o):
            continue  # the quote starts later or ends earlier: an excerpt
        if "…" in quoted and not quoted.replace("…", ""):
            continue  # the list marks the omission
        if not strict and len(quoted.replace("…", "")) <= 1 and len(written) <= 1 and \
                not re.search(r"\d", quoted + written) and not _NEGATION.search(quoted + written):
            continue  # one character for another (or one more or less): wording, not substance
        short = max(q2 - q1, o2 - o1) <= 3  # a short change is shown with the words around it
        original, listed = _slice(official, o, o1, o2, short), _slice(quote, q, q1, q2, short)
        if tag == "insert":
            changes.append(f"删去「{_clip(_slice(official, o, o1, o2, False))}」" + (f"（{_clip(original)}）" if short else ""))
        elif tag == "delete":
            changes.append(f"增加「{_clip(_slice(quote, q, q1, q2, False))}」" + (f"（{_clip(listed)}）" if short else ""))
        else:
            kind = "数字" if re.findall(r"\d+", quoted) != re.findall(r"\d+", written) else ""
            changes.append(f"{kind}「{_clip(original)}」改为「{_clip(listed)}」")
    return QuoteCheck("differs" if changes else "same", coverage, changes)
