"""Short Chinese labels for people: provisions as the law writes them (第八十四条第一款),
instruments without the state's name (社会保险法), power names cut to a glance."""
from __future__ import annotations

import re

import cn2an

STATE_PREFIX = "中华人民共和国"
POWER_LABEL_CHARS = 14  # a power's drawn label: its name cut to this many characters


def chinese_number(value: int) -> str:
    """84 → 八十四 (the numerals statutes use)."""
    return cn2an.an2cn(value)


def provision_label(chapter: int | None = None, article: int | None = None, paragraph: int | None = None,
                    item: int | None = None, attachment: int | None = None) -> str:
    """第八十四条第一款第（二）项, 第三章, 附件2第4项 — "" for a whole instrument."""
    parts = []
    if attachment is not None:
        parts.append(f"附件{attachment}")
    if article is not None:
        parts.append(f"第{chinese_number(article)}条")
        if paragraph is not None:
            parts.append(f"第{chinese_number(paragraph)}款")
        if item is not None:
            parts.append(f"第（{chinese_number(item)}）项")
    elif chapter is not None:
        parts.append(f"第{chinese_number(chapter)}章")
    elif item is not None:  # an attachment's catalogue item
        parts.append(f"第{item}项")
    return "".join(parts)


_PATH_PART = re.compile(r"(att|art|para|item|chp)_(\d+)")


def path_label(path: str) -> str:
    """The label of a provision path (``att_2/art_4__para_1``, see ``iris.provision_path``)."""
    numbers = {kind: int(number) for kind, number in _PATH_PART.findall(path)}
    return provision_label(numbers.get("chp"), numbers.get("art"), numbers.get("para"), numbers.get("item"),
                           numbers.get("att"))


def short_title(title: str) -> str:
    """An instrument's title without the state's name: 中华人民共和国社会保险法 → 社会保险法."""
    return title[len(STATE_PREFIX):] if title.startswith(STATE_PREFIX) and len(title) > len(STATE_PREFIX) else title


_FRAME = re.compile(r"^对(?=.{4})|(?<=.{4})(?:的)?(?:行政)?处罚$")


def short_power(name: str, subitems: list[str] | None = None, limit: int = POWER_LABEL_CHARS) -> str:
    """A power's drawn label: its sub-items when it has them, else its name without the frame
    every penalty shares (对…的处罚); longer than ``limit`` characters, its head and tail joined
    by an ellipsis (the tail of 对以欺诈…骗取医保待遇的处罚 is what tells it from its neighbours)."""
    text = "、".join(subitems) if subitems else _FRAME.sub("", name)
    if len(text) <= limit:
        return text
    head = (limit - 1) // 2
    return text[:head] + "…" + text[-(limit - 1 - head):]


def article_part(label: str) -> str:
    """The article of a provision label: 第八十四条第一款 → 第八十四条 (other labels unchanged)."""
    return label.split("条", 1)[0] + "条" if "条" in label else label
