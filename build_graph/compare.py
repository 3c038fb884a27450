"""Compare two lists item by item: which powers they share under different wording, which one
lacks, where their bases differ.

Each power becomes a :class:`PowerEntry` (plain data, from the power–basis graph). Two entries
score (0 to 1)::

    score = 0.6 · name + 0.3 · basis + 0.1 · type

- ``name``: the larger of the best :class:`difflib.SequenceMatcher` ratio between their
  normalised names (the full name, the main item, the sub-items) and the cosine of their
  character-bigram sets weighted by inverse document frequency over the two lists (a bigram
  every item shares, 医保, says little; 丙肝 says much). Normalising drops punctuation,
  主项/子项 markers, the 对…的处罚 frame and level words (市本级, 县本级, 全市), and reads
  医疗保险/医疗保障/医保 as one word.
- ``basis``: 0.6 × the Jaccard overlap of the articles (or whole instruments) they cite + 0.4 ×
  that of the instruments; 0 when either cites nothing.
- ``type``: 1 when the power types agree.

The pairing is an optimal one-to-one assignment (networkx ``max_weight_matching`` on the pairs
scoring at least PAIR_THRESHOLD, each weighted by its margin over the threshold so that two weak
pairs never outweigh a strong one); pairs under CERTAIN_THRESHOLD are marked uncertain. A sub-item
left over whose sibling was paired joins its sibling's partner when it scores at least
SUBITEM_THRESHOLD with it (the other list holds the main item as one power).
"""
from __future__ import annotations

import hashlib
import math
from collections import Counter, OrderedDict
import re
import unicodedata
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

import networkx as nx
from typing import TYPE_CHECKING, Iterator

from .labels import article_part

if TYPE_CHECKING:
    from .site_db import SiteDB

PAIR_THRESHOLD = 0.33     # measured on the bundled lists: true pairs ≥ 0.34, the best wrong candidate 0.31
CERTAIN_THRESHOLD = 0.5   # pairs under this are reported as uncertain
SUBITEM_THRESHOLD = 0.3
WEIGHTS = {"name": 0.6, "basis": 0.3, "type": 0.1}


@dataclass(frozen=True)
class PowerEntry:
    """One power of a list as the comparison sees it."""

    list: str
    authority: str
    item_no: int | None
    power: str
    power_type: str
    iri: str
    main_item: str = ""
    subitems: tuple[str, ...] = ()
    basis: dict[str, str] = field(default_factory=dict, compare=False, hash=False)  # article/instrument IRI → label

    def ref(self) -> dict:
        return {"list": self.list, "item_no": self.item_no, "power": self.power}


@dataclass
class Pair:
    a: PowerEntry
    b: PowerEntry
    score: float
    uncertain: bool
    via_main_item: bool = False

    def as_dict(self) -> dict:
        shared = sorted(set(self.a.basis) & set(self.b.basis))
        return {"a": self.a.ref(), "b": self.b.ref(), "score": round(self.score, 3), "uncertain": self.uncertain,
                "via_main_item": self.via_main_item, "type_a": self.a.power_type, "type_b": self.b.power_type,
                "shared_provisions": [self.a.basis[k] for k in shared],
                "only_a_provisions": [self.a.basis[k] for k in sorted(set(self.a.basis) - set(self.b.basis))],
                "only_b_provisions": [self.b.basis[k] for k in sorted(set(self.b.basis) - set(self.a.basis))]}


@dataclass
class Comparison:
    list_a: str
    list_b: str
    pairs: list[Pair]
    only_in_a: list[PowerEntry]
    only_in_b: list[PowerEntry]

    def as_dict(self) -> dict:
        return {"list_a": self.list_a, "list_b": self.list_b, "pairs": [p.as_dict() for p in self.pairs],
                "only_in_a": [e.ref() for e in self.only_in_a], "only_in_b": [e.ref() for e in self.only_in_b]}


_MARKERS = re.compile(r"[（(]\s*[主子]项\s*[)）]")
_PUNCTUATION = re.compile(r"[\s\-—–_·•,，、;；:：。.()（）《》〈〉“”\"'\[\]【】]+")
_LEVEL_WORDS = re.compile(r"(?:[省市县区]本级|全[省市县区]|[省市县区]级(?=[^别]))")
_SYNONYMS = [(re.compile(r"医疗保障|医疗保险|医保"), "医保")]
_FRAME = re.compile(r"^对|(?:的)?(?:行政)?处罚$|的$")


def normal_name(name: str) -> str:
    """A name as the comparison reads it (see the module's docstring)."""
    text = unicodedata.normalize("NFKC", name)
    text = _MARKERS.sub("", text)
    text = _PUNCTUATION.sub("", text)
    for pattern, word in _SYNONYMS:
        text = pattern.sub(word, text)
    text = _LEVEL_WORDS.sub("", text)
    for _ in range(2):
        text = _FRAME.sub("", text)
    return text


def _names(entry: PowerEntry) -> list[str]:
    names = [entry.power, *entry.subitems] + ([entry.main_item] if entry.main_item else [])
    return [n for n in dict.fromkeys(normal_name(n) for n in names) if n]


class Scorer:
    """Scores pairs of two lists' entries; bigram weights come from both lists' names. What a
    score reads of one entry (its names, bigram vector and its squared length, provisions, instruments)
    is made once per entry: a pair of lists of n powers is scored n² times."""

    def __init__(self, entries: list[PowerEntry]):
        self.names = {e.iri: _names(e) for e in entries}
        self._counted: dict[str, Counter] = {}
        grams = {e.iri: {name[i:i + 2] for name in self.names[e.iri] for i in range(len(name) - 1)} for e in entries}
        frequency: dict[str, int] = {}
        for found in grams.values():
            for gram in found:
                frequency[gram] = frequency.get(gram, 0) + 1
        total = max(len(entries), 1)
        self.vectors = {iri: {g: math.log(1 + total / frequency[g]) for g in found} for iri, found in grams.items()}
        self.squares = {iri: sum(v * v for v in vector.values()) for iri, vector in self.vectors.items()}
        self._provisions: dict[int, tuple[frozenset, frozenset]] = {}  # by id(): two entries may share an IRI

    def name(self, a: PowerEntry, b: PowerEntry, floor: float = 0.0) -> float:
        """max(difflib ratio of any two names, IDF bigram cosine) — exact when it is ≥ ``floor``;
        below, possibly lower still (difflib is skipped where its upper bounds cannot reach)."""
        names_a = self.names.get(a.iri) or _names(a)
        names_b = self.names.get(b.iri) or _names(b)
        if any(x == y for x in names_a for y in names_b):
            return 1.0
        va, vb = self.vectors.get(a.iri) or {}, self.vectors.get(b.iri) or {}
        best = 0.0
        if va and vb:
            dot = sum(va[g] * vb[g] for g in va.keys() & vb.keys())
            best = dot / math.sqrt(self.squares[a.iri] * self.squares[b.iri])
        for x in names_a:
            for y in names_b:
                # difflib's two upper bounds of its ratio, as difflib computes them, without building a matcher
                bar, length = max(best, floor), len(x) + len(y)
                if 2.0 * min(len(x), len(y)) / length < bar:
                    continue
                if 2.0 * _common(self._letters(x), self._letters(y)) / length < bar:
                    continue
                best = max(best, SequenceMatcher(None, x, y, autojunk=False).ratio())
        return best

    def _letters(self, name: str) -> Counter:
        if name not in self._counted:
            self._counted[name] = Counter(name)
        return self._counted[name]

    def _basis_of(self, entry: PowerEntry) -> tuple[frozenset, frozenset]:
        """(the provisions, the instruments) an entry's basis cites."""
        if id(entry) not in self._provisions:
            self._provisions[id(entry)] = (frozenset(entry.basis), frozenset(
                k.split("/id/instrument/")[-1].split("/")[0] for k in entry.basis))
        return self._provisions[id(entry)]

    def basis(self, a: PowerEntry, b: PowerEntry) -> float:
        if not a.basis or not b.basis:
            return 0.0
        (articles_a, instruments_a), (articles_b, instruments_b) = self._basis_of(a), self._basis_of(b)
        articles = len(articles_a & articles_b) / len(articles_a | articles_b)
        whole = len(instruments_a & instruments_b) / len(instruments_a | instruments_b)
        return 0.6 * articles + 0.4 * whole

    def __call__(self, a: PowerEntry, b: PowerEntry, floor: float = 0.0) -> float:
        """The pair's score — exact when it is ≥ ``floor``, below it otherwise."""
        basis, same_type = self.basis(a, b), a.power_type == b.power_type
        name_floor = (floor - WEIGHTS["basis"] * basis - WEIGHTS["type"] * same_type) / WEIGHTS["name"] - 1e-9
        return (WEIGHTS["name"] * self.name(a, b, name_floor) + WEIGHTS["basis"] * basis
                + WEIGHTS["type"] * same_type)


def _common(letters: Counter, other: Counter) -> int:
    """How many letters two names share, counted with repeats (the size of the multiset
    intersection ``letters & other``, without building it)."""
    if len(other) < len(letters):
        letters, other = other, letters
    return sum(min(count, other[letter]) for letter, count in letters.items() if letter in other)


def align(list_a: list[PowerEntry], list_b: list[PowerEntry]) -> Comparison:
    """The optimal one-to-one alignment of two lists' powers (see the module's docstring)."""
    score = Scorer(list_a + list_b)
    scores = {(i, j): score(a, b, PAIR_THRESHOLD) for i, a in enumerate(list_a) for j, b in enumerate(list_b)}
    candidates = nx.Graph()
    offset = len(list_a)  # nodes are ints (a: i, b: offset + j): their hashes, and so the tie-breaks, are fixed
    for (i, j), value in scores.items():
        if value >= PAIR_THRESHOLD:
            # the margin over the threshold: two weak pairs must not outweigh one strong pair;
            # among equal pairs (a name listed twice) the nearer positions win
            tie_break = 1e-6 * abs(i - j) / (1 + offset + len(list_b))
            candidates.add_edge(i, offset + j, weight=value - PAIR_THRESHOLD + 0.01 - tie_break)
    matching = nx.max_weight_matching(candidates)
    paired = {}
    for x, y in matching:
        i, j = sorted((x, y))
        paired[i] = j - offset
    pairs = [Pair(list_a[i], list_b[j], scores[i, j], scores[i, j] < CERTAIN_THRESHOLD) for i, j in sorted(paired.items())]
    for entries, side in ((list_a, "a"), (list_b, "b")):
        partner = {(p.a if side == "a" else p.b).iri: p for p in pairs}
        for i, entry in enumerate(entries):
            if not entry.main_item or entry.iri in partner:
                continue
            sibling = next((partner[e.iri] for e in entries if e.main_item == entry.main_item and e.iri in partner
                            and not partner[e.iri].via_main_item), None)
            if sibling is None:
                continue
            other = sibling.b if side == "a" else sibling.a
            value = score(entry, other) if side == "a" else score(other, entry)
            if value >= SUBITEM_THRESHOLD:
                a, b = (entry, other) if side == "a" else (other, entry)
                pairs.append(Pair(a, b, value, value < CERTAIN_THRESHOLD, via_main_item=True))
    in_pairs_a, in_pairs_b = {p.a.iri for p in pairs}, {p.b.iri for p in pairs}
    pairs.sort(key=lambda p: (p.a.item_no or 0, p.a.iri, p.b.item_no or 0, p.b.iri))
    return Comparison(list_a[0].list if list_a else "", list_b[0].list if list_b else "", pairs,
                      [e for e in list_a if e.iri not in in_pairs_a], [e for e in list_b if e.iri not in in_pairs_b])


def entries_of(db: SiteDB, list_id: str) -> list[PowerEntry]:
    """The powers of one list in the power–basis graph ``db``, in item order."""
    entries = []
    for node, targets in db.powers_with_basis(list_id):
        basis = {}
        for target in targets:
            key = target.article or target.id
            basis[key] = target.label if key == target.id else f"{target.instrument_title} {article_part(target.short)}"
        entries.append(PowerEntry(node.list_id, node.authority, node.item_no, node.label, node.group, node.id,
                                  node.main_item, node.subitems, basis))
    return sorted(entries, key=lambda e: (e.item_no if e.item_no is not None else 10**9, e.iri))


_PLACE = re.compile(r"^.*(?:省|自治区|特别行政区|市|县|区|旗|盟|州)(?=[^场辖])")


def authority_kind(authority: str) -> str:
    """The kind of body an authority is, without its place: 平山县医疗保障局 → 医疗保障局."""
    return _PLACE.sub("", authority) or authority


COMPARE_MAX_PER_KIND = 8  # more lists of one kind: each is compared with the kind's first list only


def list_pairs(lists: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Which (list id, list id) pairs to compare, from (list id, authority): lists of the same kind
    of authority, every pair up to COMPARE_MAX_PER_KIND lists of a kind, else each with the first."""
    by_kind: dict[str, list[str]] = {}
    for list_id, authority in lists:
        by_kind.setdefault(authority_kind(authority), []).append(list_id)
    pairs = []
    for members in by_kind.values():
        if len(members) <= COMPARE_MAX_PER_KIND:
            pairs += [(a, b) for i, a in enumerate(members) for b in members[i + 1:]]
        else:
            pairs += [(members[0], b) for b in members[1:]]
    return pairs


def compare_lists(db: SiteDB, lists, workers: int = 1, cache: Path | None = None,
                  pairs: list[tuple[str, str]] | None = None) -> Iterator[Comparison]:
    """Every comparison ``list_pairs`` asks for (or of ``pairs``), one after another as they are
    made, over the power–basis graph ``db`` holding the lists' powers (``lists``: objects with
    ``list_id`` and ``authority``); on ``workers`` processes. A pair of which a list holds no
    power is left out. ``cache``: a folder of alignments by content (the tool and both lists'
    power entries), holding after the run only the entries it used."""
    from . import list_cache
    from .parallel import ordered_map

    if pairs is None:
        pairs = list_pairs([(pl.list_id, pl.authority) for pl in lists])
    entries = _EntriesOf(db)
    jobs = ((entries[a], entries[b], cache) for a, b in pairs if entries[a] and entries[b])
    used = set()
    for comparison, key in ordered_map(_align_job, jobs, workers if len(pairs) > 50 else 1):
        used.add(key)
        yield comparison
    if cache is not None:
        list_cache.prune(cache, used)


class _EntriesOf:
    """List id → its entries, read from the database when first asked for; the few last used
    kept (the pairs of a large kind all share its first list)."""

    def __init__(self, db: SiteDB, keep: int = 4):
        self.db, self.keep, self.kept = db, keep, OrderedDict()

    def __getitem__(self, list_id: str) -> list[PowerEntry]:
        if list_id not in self.kept:
            self.kept[list_id] = entries_of(self.db, list_id)
            if len(self.kept) > self.keep:
                self.kept.popitem(last=False)
        self.kept.move_to_end(list_id)
        return self.kept[list_id]


def _align_job(job) -> tuple[Comparison, str]:
    """(the alignment of two lists' entries, its cache key or "")."""
    from . import list_cache

    list_a, list_b, cache = job
    if cache is None:
        return align(list_a, list_b), ""
    key = hashlib.sha256((list_cache.fingerprint() + repr((list_a, list_b))).encode()).hexdigest()
    found = list_cache.load(cache, key)
    if found is None:
        found = align(list_a, list_b)
        list_cache.store(cache, key, found)
    return found, key


CSV_COLUMNS = ("match", "score", "uncertain", "list_a", "item_a", "power_a", "type_a", "list_b", "item_b", "power_b",
               "type_b", "shared_provisions", "only_a_provisions", "only_b_provisions")


def comparison_rows(comparison: Comparison) -> list[dict]:
    """One row per pair and per power found in one list only (CSV)."""
    rows = []
    for pair in comparison.pairs:
        d = pair.as_dict()
        rows.append({"match": "main item" if pair.via_main_item else "pair", "score": d["score"],
                     "uncertain": d["uncertain"], "list_a": pair.a.list, "item_a": pair.a.item_no, "power_a": pair.a.power,
                     "type_a": pair.a.power_type, "list_b": pair.b.list, "item_b": pair.b.item_no, "power_b": pair.b.power,
                     "type_b": pair.b.power_type, "shared_provisions": "；".join(d["shared_provisions"]),
                     "only_a_provisions": "；".join(d["only_a_provisions"]),
                     "only_b_provisions": "；".join(d["only_b_provisions"])})
    for side, entries in (("a", comparison.only_in_a), ("b", comparison.only_in_b)):
        for e in entries:
            rows.append({"match": f"only in {side}", f"list_{side}": e.list, f"item_{side}": e.item_no,
                         f"power_{side}": e.power, f"type_{side}": e.power_type,
                         f"only_{side}_provisions": "；".join(e.basis.values())})
    return rows
