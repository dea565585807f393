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
    prose: str = ""  # the visible text without the URLs written in it

_CONTEXT = 300  # characters of context kept on each side of a link (a line may be a whole message)
_MAX_TAG = 4096  # a "<" whose tag does not end within this many characters is text


def is_link(url: str) -> bool:
    lowered = url.strip().lower()
    return any(lowered.startswith(s) and len(lowered) > len(s) for s in _SCHEMES)


def _url(token: str) -> str | None:
    url = token.strip(_TRIM)
    if url.lower().startswith("www."):
        url = "http://" + url
    return url if is_link(url) else None


def _around(text: str, start: int, end: int) -> str:
    """The line(s) from `start` to `end` in `text`, with the line before (at most _CONTEXT characters
    on each side)."""
    floor = max(start - _CONTEXT, 0)
    first = text.rfind("\n", floor, start)
    before = text.rfind("\n", floor, first) if first > floor else floor - 1
    last = text.find("\n", end, end + _CONTEXT)
    return text[before + 1: last if last >= 0 else min(end + _CONTEXT, len(text))]


def _without_urls(text: str) -> str:
    return "\n".join(" ".join(t for t in line.split() if _url(t) is None) for line in text.splitlines())


def plain_body(text: str) -> Body:
    links = []
    offset = 0
    for line in text.splitlines(keepends=True):
        at = 0
        for token in line.split():
            at = line.find(token, at)
            url = _url(token)
            if url is not None:
                links.append(Link(url=url, text="", context=_around(text, offset + at, offset + at + len(token))))
            at += len(token)
        offset += len(line)
    return Body("text/plain", text, tuple(links), _without_urls(text))


def _tag_end(markup: str, start: int) -> int:
    """Where the tag opened by the "<" at `start` ends (the index of its ">"), or -1 when it does not end
    before another "<" outside quotes or within _MAX_TAG characters."""
    quote = ""
    after_equals = False
    for k in range(start + 1, min(start + _MAX_TAG, len(markup))):
        c = markup[k]
        if quote:
            if c == quote:
                quote = ""
        elif c == ">":
            return k
        elif c == "<":
            return -1
        elif c in "\"'" and after_equals:
            quote = c
        if not c.isspace():
            after_equals = c == "="
    return -1


def _defused(markup: str) -> str:
    """`markup` with every construct html.parser could rescan to the end of the input made into text.

    html.parser (before CPython's 2025 fixes) is quadratic on unterminated constructs ("<a<a<a...",
    "<![" without "]]>"): a "<" whose tag does not end properly becomes "&lt;", an unterminated comment
    ends the document (as in browsers). Linear: each character is scanned a bounded number of times.
    """
    out: list[str] = []
    i, n = 0, len(markup)
    while i < n:
        j = markup.find("<", i)
        if j < 0:
            out.append(markup[i:])
            break
        out.append(markup[i:j])
        if markup.startswith("<!--", j):
            k = markup.find("-->", j + 4)
            if k < 0:
                break
            out.append(markup[j:k + 3])
            i = k + 3
            continue
        k = -1 if markup.startswith("<![", j) else _tag_end(markup, j)
        if k < 0:
            out.append("&lt;")
            i = j + 1
        else:
            out.append(markup[j:k + 1])
            i = k + 1
    return "".join(out)


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
    reader.feed(_defused(markup))
    reader.close()
    for href, start in reader.open:  # an <a> never closed runs to the end
        reader.found.append((href, start, reader.size))
    text = "".join(reader.parts)
    links = tuple(Link(url=href, text=text[start:end].strip(), context=_around(text, start, end))
                  for href, start, end in sorted(reader.found, key=lambda f: f[1]) if is_link(href))
    return Body("text/html", text, links, _without_urls(text))
