"""What each finding code means, in Chinese and English (the site shows both beside the
finding's own message)."""
from __future__ import annotations

FINDING_TITLES: dict[str, tuple[str, str]] = {
    "authority-in-several-lists": ("同一行政主体出现在多份清单", "authority in several lists"),
    "authority-not-found": ("未找到行政主体", "authority not found"),
    "carried-down": ("合并单元格的值向下沿用", "merged cell value carried down"),
    "continued-row": ("续行并入上一事项", "row continues the item above"),
    "damaged-row-start": ("事项行首损坏", "damaged start of a row"),
    "duplicate-name": ("事项名称重复", "duplicate item name"),
    "long-row": ("行的单元格多于表头", "row longer than the header"),
    "main-item-row": ("主项行", "main item row"),
    "misplaced-cells": ("单元格错位，未链接依据", "cells out of place, basis not linked"),
    "no-authority": ("清单未给出行政主体", "list names no authority"),
    "no-citation": ("实施依据中找不到法律文件", "no citation in the basis"),
    "provision-mismatch": ("所引条款与文件不符", "cited provision does not fit the instrument"),
    "short-row": ("行的单元格少于表头", "row shorter than the header"),
    "unknown-power-type": ("无法识别的权力类型", "unknown power type"),
    "unrecognised-line": ("无法识别的行", "unrecognised line"),
    "unresolved-citation": ("未能解析的引用", "unresolved citation"),
    "category-count-mismatch": ("类别声明数与条目数不符", "category count differs from its items"),
    "category-detail-count-mismatch": ("类别条目数与明细不符", "category count differs from the detail table"),
    "category-total-mismatch": ("各类合计与总数不符", "category counts do not add up to the total"),
    "detail-total-mismatch": ("明细数与声明总数不符", "detail rows differ from the declared total"),
    "detail-without-summary": ("明细事项未列入总表", "detail item missing from the summary"),
    "summary-without-detail": ("总表事项没有明细", "summary item without a detail row"),
    "summary-total-mismatch": ("总表条目数与声明总数不符", "summary items differ from the declared total"),
    "no-summary": ("清单没有总表", "list has no summary table"),
    "name-mismatch": ("总表与明细的事项名称不同", "item name differs between summary and detail"),
    "number-mismatch": ("总表与明细的序号不同", "item number differs between summary and detail"),
    "order-mismatch": ("总表与明细的顺序不同", "item order differs between summary and detail"),
    "nonstatutory-type-label": ("权力类型名称不是法定类型", "type label is not a statutory type"),
    "type-label-mismatch": ("总表与明细的权力类型不同", "type label differs between summary and detail"),
    "type-mismatch": ("权力类型不一致", "power type differs"),
}


def finding_title(code: str) -> tuple[str, str]:
    """(中文, English) title of a finding code; ``missing-<field>`` names the field."""
    if code in FINDING_TITLES:
        return FINDING_TITLES[code]
    if code.startswith("missing-"):
        field = code[len("missing-"):]
        zh = {"department": "缺少实施科室", "basis": "缺少实施依据", "power-type": "缺少权力类型"}.get(field, f"缺少字段 {field}")
        return zh, f"missing {field.replace('-', ' ')}"
    return code, code
