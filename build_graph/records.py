"""Plain data records passed between the stages of powerkg.

Readers produce a :class:`PowerList`; later stages (citations, RDF emission, validation)
read these records and never the raw files. All line numbers are 1-based physical lines of
the decoded source file.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SourceSpan:
    """Where a record came from: file name, the first/last line (1-based, inclusive: physical
    lines of a text file, else running row numbers) and, for files that are not plain text,
    where that is for a person (``sheet 行政处罚 row 7``, ``page 3``, ``table 2 row 5``)."""

    file: str
    first_line: int
    last_line: int
    where: str = ""


@dataclass(frozen=True)
class Finding:
    """A problem or remark about a list, never an exception.

    severity is one of ``error`` (data lost or unusable), ``warning`` (the list contradicts
    itself or misses something) and ``info`` (a remark on layout). ``code`` is a stable
    machine-readable key such as ``summary-count-mismatch``.
    """

    severity: str
    list: str
    line: int | None
    code: str
    message: str


@dataclass
class Responsibility:
    """One numbered responsibility entry (责任事项), e.g. kind ``立案责任`` and its text."""

    kind: str | None
    text: str


@dataclass
class PowerRecord:
    """One administrative power (权力事项) as read from the detail table of a list.

    item_no is the list-wide number (总序号) and category_no the number within its power-type
    category; either may be None when the list gives no way to know it. ``power`` is the name
    as listed (whitespace between CJK characters removed); ``main_item``/``subitems`` split it at
    the 主项/子项 markers.
    """

    item_no: int | None
    category_no: int | None
    number_as_listed: str
    power_type: str | None
    power_type_as_listed: str
    power: str
    main_item: str
    subitems: list[str]
    authority: str
    basis_text: str
    responsibilities: list[Responsibility]
    accountability: list[str]
    accountability_preamble: str
    department: str | None
    source: SourceSpan
    remarks: str = ""
    item_code: str = ""        # 事项编码 / 职权编码 as listed
    exercise_level: str = ""   # 行使层级 as listed (省级, 市级, 县级 …)
    # what the power's IRI is made from: the name, or the name and a content digest when
    # other rows of the list share the name (set by readers.identity)
    identity: str = ""
    # why the row's basis is not linked (its cells do not fit the header), or None
    unlinked_reason: str | None = None
    # filled by reconciliation when the summary table has an entry for this row
    summary_item_no: int | None = None
    summary_name: str | None = None
    summary_type_label: str | None = None


@dataclass
class SummaryItem:
    """One line of the summary table (总表): an item name filed under a category."""

    item_no: int | None
    category_no: int | None
    name: str
    line: int
    detail: PowerRecord | None = None  # the detail row it names, set by reconciliation


@dataclass
class SummaryCategory:
    """A category row of the summary table, e.g. ``二、行政处罚 共 3 项``."""

    ordinal: str
    power_type_as_listed: str
    power_type: str
    declared_count: int | None
    line: int
    items: list[SummaryItem] = field(default_factory=list)


@dataclass
class Summary:
    """The summary table with the totals declared in its title (``共六类、二十五项``)."""

    declared_categories: int | None
    declared_items: int | None
    line: int | None
    categories: list[SummaryCategory] = field(default_factory=list)

    def items(self) -> list[tuple[SummaryCategory, SummaryItem]]:
        return [(cat, item) for cat in self.categories for item in cat.items]


@dataclass
class PowerList:
    """Everything read from one list file."""

    list_id: str
    authority: str
    jurisdiction: str
    source_file: str
    layout: str
    summary: Summary | None
    records: list[PowerRecord]
    findings: list[Finding]
    date: str | None = None  # ISO date the list was made (given, or stated in it); None: unknown
