"""The statutory power types (权力类型) and the labels lists really use for them.

行政征用 (temporary use of property for the public interest, with compensation) is its own type,
not an alias of 行政征收 (which takes ownership): lists that separate them keep them separate."""
from __future__ import annotations

import re

from .citations.normalize import normalize

STATUTORY_TYPES = (
    "行政许可", "行政处罚", "行政强制", "行政征收", "行政给付",
    "行政检查", "行政确认", "行政奖励", "行政裁决", "其他行政权力", "行政征用",
)

# Labels seen in real lists that mean one of the ten types. 行政监督 is how some lists title
# inspections; 其他权利 is a common typo of 其他权力.
ALIASES = {
    "行政监督": "行政检查",
    "监督检查": "行政检查",
    "其他权力": "其他行政权力",
    "其他权利": "其他行政权力",
    "其他类": "其他行政权力",
    "其他": "其他行政权力",
    "其他职权": "其他行政权力",
    "其他行政职权": "其他行政权力",
}

TYPE_LABELS = STATUTORY_TYPES + tuple(ALIASES)  # every label a type is known to be listed under

_DECORATION = re.compile(r"^[一二三四五六七八九十\d]+[、.．]\s*|类$|事项$|\s+")


def normalize_power_type(label: str) -> str | None:
    """Map a label as listed (``其他权利``, ``行政处罚类``) to one of STATUTORY_TYPES, or None."""
    core = _DECORATION.sub("", normalize(label or ""))
    core = _DECORATION.sub("", core)
    if core in STATUTORY_TYPES:
        return core
    return ALIASES.get(core)


def looks_like_power_type(label: str) -> bool:
    """True for a known label or one shaped like a type (行政XX, 其他XX)."""
    return normalize_power_type(label) is not None or bool(re.fullmatch(r"(行政..|其他.{0,4})", label))
