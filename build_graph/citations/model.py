"""Records of the citation stages: what the grammar finds, and what resolution adds."""
from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass
class InstrumentMention:
    """An instrument as written in the text.

    ``title`` is the cited instrument's own title: for ``《关于印发〈X〉的通知》`` it is X and
    ``promulgated_by`` holds the notice's title. ``doc_number`` is canonical (GB/T 9704:
    ``石政规〔2019〕7号``; orders ``国务院令第259号``). ``level_tag`` is the level (or level family:
    法规, 规章) the list's own tag claims — a claim, not a fact. ``span`` is [start, end) in the text.
    """

    title: str | None = None
    doc_number: str | None = None
    issuer: str | None = None
    level_tag: str | None = None
    promulgated_by: str | None = None
    attachment_title: str | None = None
    edition: str | None = None  # an edition or amendment the text names: 2019年版, 2021年修订
    span: tuple[int, int] = (0, 0)

    def key(self) -> str:
        return f"{self.doc_number or ''}|{self.title or ''}"


@dataclass
class Citation:
    """One cited provision (or a whole instrument) found in a text.

    Provision parts are integers or None; ``whole`` is true when no provision is given (or 全文).
    ``role`` is ``basis`` for what a power rests on and ``quoted`` for a reference inside quoted
    article text (``违反本办法第十条第二项``), whose ``quoted_in`` is the index of the basis citation
    whose quote holds it. ``span`` is [start, end) of the citation's own text.
    """

    instrument: InstrumentMention
    span: tuple[int, int]
    chapter: int | None = None
    article: int | None = None
    paragraph: int | None = None
    item: int | None = None
    attachment: int | None = None
    whole: bool = False
    role: str = "basis"
    quoted_in: int | None = None
    text: str = ""


@dataclass
class ResolvedInstrument:
    """An instrument of the registry (or a provisional one made for an unresolved citation)."""

    id: str
    title: str
    doc_number: str | None
    level: str | None
    issuer: str | None = None
    date: str | None = None
    status: str | None = None
    aliases: list[str] = field(default_factory=list)
    part_of: str | None = None
    promulgated_by: str | None = None
    attachment_no: int | None = None
    provisional: bool = False
    unresolved_reason: str | None = None
    version: str | None = None   # date (ISO) of the version a citation points at, when versions are known
    archive_id: str | None = None  # the law archive's entry for it (versions, status, article texts)
    replaced_by: str | None = None  # id of the instrument that replaced it
    repealed_by: str | None = None  # the order or decision that repealed it (as a number or title)
    repealed_on: str | None = None  # ISO date it ceased to be in force, when known
    numbers: list[str] = field(default_factory=list)  # every number it is known by (文号, orders)
    mis_cited_numbers: list[str] = field(default_factory=list)  # numbers lists wrongly give it

    @property
    def repealed(self) -> bool:
        """Repealed, replaced or without any version in force (by the registry's own status)."""
        return bool(self.replaced_by or self.repealed_by or re.search(r"废止|失效|被取代", self.status or ""))
