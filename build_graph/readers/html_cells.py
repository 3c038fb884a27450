"""Table cells that carry HTML fragments (``<p>``, ``<ol><li>``, ``<br>``) → clean text."""
from __future__ import annotations

from html.parser import HTMLParser

_BLOCK_TAGS = {"p", "div", "li", "br", "tr", "ol", "ul", "table", "h1", "h2", "h3", "h4"}


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)


def cell_text(cell: str) -> str:
    """Text of an HTML cell: block elements become line breaks, entities are decoded,
    each line is stripped and empty lines dropped. Plain text passes through unchanged."""
    if "<" not in cell and "&" not in cell:
        return cell.strip()
    collector = _TextCollector()
    collector.feed(cell)
    collector.close()
    lines = (" ".join(line.split()) for line in "".join(collector.parts).split("\n"))
    return "\n".join(line for line in lines if line)
