"""Penalty kinds (行政处罚法 第九条) and coercion kinds (行政强制法 第九条, 第十二条), read from
text, and which legal levels may set each (行政处罚法 第十至十六条; 行政强制法 第十至十三条).

Levels are the registry's labels (法律, 行政法规, 地方性法规 …). The kinds are SKOS concepts of
ontology/schemes.ttl (``id/penalty-kind/<slug>``, ``id/coercion-kind/<slug>``); the shapes in
shapes/legality.ttl hold the same level rules in SHACL — this table only reads kinds from text.
"""
from __future__ import annotations

import re

from ..citations.normalize import normalize

_NOT_END = r"[^，。；;]"
# slug → (label, pattern over normalised text)
PENALTY_KINDS = {
    "warning": ("警告", r"警告"),
    "criticism": ("通报批评", r"通报批评"),
    "fine": ("罚款", r"(?<!加处)罚款"),
    "confiscation": ("没收违法所得、没收非法财物", r"没收"),
    "licence-suspension": ("暂扣许可证件", rf"暂扣{_NOT_END}{{0,10}}(?:许可证|执照|证件|证书|驾驶证)"),
    "qualification-downgrade": ("降低资质等级", r"降低资质等级"),
    "licence-revocation": ("吊销许可证件", rf"吊销(?!{_NOT_END}{{0,6}}营业执照){_NOT_END}{{0,12}}(?:许可证|证书|资格|证件|执照|驾驶证)"),
    "business-licence-revocation": ("吊销营业执照", rf"吊销{_NOT_END}{{0,6}}营业执照"),
    "business-restriction": ("限制开展生产经营活动", r"限制开展生产经营活动|限制生产经营"),
    "suspension": ("责令停产停业", rf"责令{_NOT_END}{{0,4}}停产停业|责令停业"),
    "closure": ("责令关闭", r"责令关闭"),
    "employment-restriction": ("限制从业", r"限制从业|(?:终身|\d+年内|[一二三四五六七八九十]+年内)(?:禁止|不得)从事"),
    "detention": ("行政拘留", r"拘留"),
}
COERCION_KINDS = {
    "liberty": ("限制公民人身自由", rf"限制{_NOT_END}{{0,4}}人身自由|强制隔离"),
    "sealing": ("查封场所、设施或者财物", r"查封|封存"),
    "seizure": ("扣押财物", r"扣押"),
    "freezing": ("冻结存款、汇款", r"冻结"),
    "enforcement": ("行政强制执行", r"(?<!申请人民法院)(?<!申请法院)强制执行|加处罚款|滞纳金|划拨|拍卖|代履行|排除妨碍"),
}
_PENALTY = {slug: re.compile(pattern) for slug, (_, pattern) in PENALTY_KINDS.items()}
_COERCION = {slug: re.compile(pattern) for slug, (_, pattern) in COERCION_KINDS.items()}
# any sanction or referral to one: what a basis of a penalty must contain somewhere
_PENALTY_WORDS = re.compile(r"处罚|处以|处理|(?<!加处)罚款|警告|没收|吊销|暂扣|停产停业|责令关闭|拘留|通报批评")
_COERCION_WORDS = re.compile(r"强制|查封|扣押|冻结|封存|制止|滞纳金|加处罚款|划拨|拍卖|代履行|措施")


def penalty_kinds(*texts: str) -> set[str]:
    """Slugs of the penalty kinds the texts name."""
    folded = normalize(" ".join(texts))
    return {slug for slug, pattern in _PENALTY.items() if pattern.search(folded)}


def coercion_kinds(*texts: str) -> set[str]:
    """Slugs of the coercive measures or enforcement the texts name (申请人民法院强制执行 is not
    the authority's own enforcement)."""
    folded = normalize(" ".join(texts))
    return {slug for slug, pattern in _COERCION.items() if pattern.search(folded)}


def names_a_sanction(text: str, power_type: str) -> bool:
    """Whether a provision's text sets or refers to a sanction of the power's type: for a
    行政处罚 any penalty (or 依照…规定处理/处罚), for a 行政强制 any measure or enforcement."""
    words = _PENALTY_WORDS if power_type == "行政处罚" else _COERCION_WORDS
    return bool(words.search(normalize(text)))
