"""Visible text and links of an e-mail body, for HTML (with ``html.parser``) and for plain text.

A link keeps its *context*: the text of the line it is on and of the line before, where a message says
what the link is for ("To unsubscribe, click here"). Script, style and head content is not visible text.
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser

_SCHEMES = ("http://", "https://", "mailto:")
_BLOCKS = frozenset({
    "address", "article", "blockquote", "br", "dd", "div", "dl", "dt", "footer", "h1", "h2", "h3", "h4", "h5",
    "h6", "header", "hr", "li", "ol", "p", "section", "table", "td", "th", "tr", "ul",
})
_HIDDEN = frozenset({"script", "style", "head", "title", "template"})
# Characters around a URL in running text that are punctuation, not part of it.
_TRIM = "<>()[]{}\"'.,;:!?«»"


@dataclass(frozen=True, slots=True)
class Link:
    url: str
    text: str  # the anchor text (HTML) or "" (a bare URL in plain text)
    context: str  # the line the link is on and the line before it


@dataclass(frozen=True, slots=True)
class Body:
    kind: str  # "text/plain" or "text/html"
    text: str  # visible text, one line per block
    links: tuple[Link, ...]


def is_link(url: str) -> bool:
    lowered = url.strip().lower()
    return any(lowered.startswith(s) and len(lowered) > len(s) for s in _SCHEMES)


def _around(text: str, start: int, end: int) -> str:
    """The line(s) from `start` to `end` in `text`, with the line before."""
    first = text.rfind("\n", 0, start)
    before = text.rfind("\n", 0, max(first, 0)) if first > 0 else -1
    last = text.find("\n", end)
    return text[before + 1: last if last >= 0 else len(text)]


def plain_body(text: str) -> Body:
    links = []
    offset = 0
    for line in text.splitlines(keepends=True):
        for token in line.split():
            url = token.strip(_TRIM)
            if url.lower().startswith("www."):
                url = "http://" + url
            if is_link(url):
                links.append(Link(url=url, text="", context=_around(text, offset, offset + len(line.rstrip()))))
        offset += len(line)
    return Body("text/plain", text, tuple(links))


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.size = 0
        self.hidden = 0
        self.open: list[tuple[str, int]] = []  # <a href> being read: (href, where its text starts)
        self.found: list[tuple[str, int, int]] = []  # (href, start, end) in the visible text

    def _emit(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag in _BLOCKS:
            self._emit("\n")
        if tag == "a":
            href = next((v for k, v in attrs if k == "href" and v), None)
            if href is not None:
                self.open.append((href.strip(), self.size))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self._emit("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(self.hidden - 1, 0)
        elif tag in _BLOCKS:
            self._emit("\n")
        if tag == "a" and self.open:
            href, start = self.open.pop()
            self.found.append((href, start, self.size))

    def handle_data(self, data: str) -> None:
        if not self.hidden and data:
            words = " ".join(data.split())
            lead = " " if data[0].isspace() else ""
            trail = " " if data[-1].isspace() and words else ""
            self._emit(lead + words + trail)


def html_body(markup: str) -> Body:
    reader = _Reader()
    reader.feed(markup)
    reader.close()
    for href, start in reader.open:  # an <a> never closed runs to the end
        reader.found.append((href, start, reader.size))
    text = "".join(reader.parts)
    links = tuple(Link(url=href, text=text[start:end].strip(), context=_around(text, start, end))
                  for href, start, end in sorted(reader.found, key=lambda f: f[1]) if is_link(href))
    return Body("text/html", text, links)
