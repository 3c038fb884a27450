"""Deterministic IRIs. Nothing depends on row order or row numbers: a power is keyed by its
authority and normalised name, a provision by its instrument and path (Akoma Ntoso style
``att_2/art_4__para_1__item_2``), so the same article cited by two lists is one node."""
from __future__ import annotations

import hashlib
import os
import re

from .citations.normalize import normalize

DEFAULT_BASE = "https://w3id.org/powerkg/"
ONTOLOGY = "https://w3id.org/powerkg/ontology#"

POWER_TYPE_SLUGS = {
    "行政许可": "licensing", "行政处罚": "penalty", "行政强制": "coercion", "行政征收": "levy",
    "行政给付": "benefit", "行政检查": "inspection", "行政确认": "confirmation", "行政奖励": "reward",
    "行政裁决": "adjudication", "其他行政权力": "other", "行政征用": "requisition",
}
RESPONSIBILITY_KINDS = {
    "立案": "filing", "调查": "investigation", "审查": "review", "审核": "review", "告知": "notification",
    "决定": "decision", "送达": "service", "执行": "enforcement", "受理": "acceptance", "检查": "inspection",
    "处置": "disposal", "移送": "referral", "事后管理": "follow-up", "事后监管": "follow-up", "保管": "custody",
    "指导监管": "supervision", "监管": "supervision", "立项": "project-initiation", "起草": "drafting",
    "决定公布": "publication", "解释备案": "interpretation", "其他": "other",
}


def base() -> str:
    """The base IRI: $POWERKG_BASE or https://w3id.org/powerkg/ (always ends with /)."""
    value = os.environ.get("POWERKG_BASE", DEFAULT_BASE)
    return value if value.endswith("/") else value + "/"


def digest(*parts: str, length: int = 12) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:length]


def file_slug(name: str) -> str:
    """A file-name-safe form of a list id: the id itself when it is plain ASCII, else its ASCII
    letters with a digest of the whole (two ids never share a page: 平山 and 元氏 do not both
    become ``__``)."""
    if re.fullmatch(r"[0-9A-Za-z_.-]+", name):
        return name
    return re.sub(r"[^0-9A-Za-z_.-]+", "_", name).strip("_.") + "-" + digest(name, length=8)


def name_key(name: str) -> str:
    """Normalised item name: no spaces, unified brackets and dashes."""
    text = normalize(name)
    text = re.sub(r"\s+", "", text)
    return re.sub(r"[-—–─]+", "-", text)


def authority(name: str) -> str:
    return f"{base()}id/authority/{digest(name_key(name), length=10)}"


def department(authority_name: str, unit: str) -> str:
    return f"{authority(authority_name)}/unit/{digest(name_key(unit), length=8)}"


def power(authority_name: str, identity: str) -> str:
    """A power's IRI from its authority and ``PowerRecord.identity`` (its name, unless other
    rows of its list share the name)."""
    return f"{authority(authority_name)}/power/{digest(name_key(identity))}"


def main_item(authority_name: str, main_name: str) -> str:
    return f"{authority(authority_name)}/main-item/{digest(name_key(main_name))}"


def power_list(list_id: str) -> str:
    return f"{base()}id/list/{list_id}"


def list_graph(list_id: str) -> str:
    return f"{base()}graph/list/{list_id}"


def alignment_graph() -> str:
    """Which powers of two lists are the same administrative power (``powerkg compare``)."""
    return f"{base()}graph/alignment"


def alignment(a: str, b: str) -> str:
    """The node of one aligned pair of powers (IRIs ``a`` and ``b``)."""
    return f"{base()}id/alignment/{digest(a + ' ' + b, length=16)}"


def cross_list_graph() -> str:
    """Facts that compare lists (one provision quoted differently by two lists): known only when
    every list is read, so kept apart from the lists' own graphs."""
    return f"{base()}graph/cross-list"


def registry_graph() -> str:
    return f"{base()}graph/registry"


def ontology_graph() -> str:
    return f"{base()}graph/ontology"


def instrument(instrument_id: str) -> str:
    return f"{DEFAULT_BASE}id/instrument/{instrument_id}"  # registry IRIs are vocabulary, not data


def provision_path(chapter: int | None = None, article: int | None = None, paragraph: int | None = None,
                   item: int | None = None, attachment: int | None = None) -> str:
    """``att_2/art_4__para_1__item_2`` (empty for a whole instrument); chapters only when no article."""
    parts = []
    if attachment is not None:
        parts.append(f"att_{attachment}")
    if article is not None:
        piece = f"art_{article}"
        if paragraph is not None:
            piece += f"__para_{paragraph}"
        if item is not None:
            piece += f"__item_{item}"
        parts.append(piece)
    elif chapter is not None:
        parts.append(f"chp_{chapter}")
    return "/".join(parts)


def power_type(label: str) -> str:
    return f"{DEFAULT_BASE}id/power-type/{POWER_TYPE_SLUGS[label]}"


def level(slug: str) -> str:
    return f"{DEFAULT_BASE}id/level/{slug}"


def responsibility_kind(kind_label: str | None) -> str | None:
    if not kind_label:
        return None
    core = kind_label.removesuffix("责任")
    slug = RESPONSIBILITY_KINDS.get(core)
    return f"{DEFAULT_BASE}id/responsibility-kind/{slug}" if slug else None
