"""Reading a raw RFC 5322 message (stdlib ``email``, ``policy.default``) into what the lint checks: the
From addresses, the unsubscribe headers and the readable bodies. Pure: bytes in, `Message` out.

The input is hostile: anything a sender pastes. Header parsing in the stdlib can raise on malformed
values, so every header is read through `_header`, which turns a failure into "unreadable" (a finding)
rather than a crash; a message with no headers at all, or nothing to read, is a `MessageError`.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from leadgate.kit.errors import InvalidInput
from leadgate.lint.html import Body, html_body, plain_body

MAX_MESSAGE_BYTES = 5_000_000
_MAX_PARTS = 100
# The stdlib parses a structured header in quadratic time on some junk (200 KB of '"a' in From: 400 s), so
# the headers the lint reads are measured before they are parsed: each, and all of them together.
MAX_HEADER_CHARS = 2_000
_MAX_HEADERS_TOTAL = 50_000
_READ = frozenset({"from", "list-unsubscribe", "list-unsubscribe-post", "content-type", "content-disposition",
                   "content-transfer-encoding"})


class MessageError(InvalidInput):
    """The message cannot be linted: the answer says why, naming the `message` field."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="message")


@dataclass(frozen=True, slots=True)
class Sender:
    display_name: str
    address: str  # local@domain, "" when unreadable
    domain: str


@dataclass(frozen=True, slots=True)
class Message:
    senders: tuple[Sender, ...]  # every address of every From header
    from_headers: int  # how many From headers there are
    from_problem: str | None  # why the From header could not be read, if it could not
    list_unsubscribe: str | None  # the raw header value (unfolded), None when absent
    list_unsubscribe_post: str | None
    bodies: tuple[Body, ...]


def _header(msg: EmailMessage, name: str) -> tuple[list[str], str | None]:
    """The values of a header (unfolded, decoded) and, if reading it failed, why."""
    try:
        values = msg.get_all(name) or []
        return [" ".join(str(v).split()) for v in values], None
    except Exception as exc:  # the stdlib's header parser raises assorted errors on junk
        return [], f"the {name} header cannot be read ({type(exc).__name__})"


def _senders(msg: EmailMessage) -> tuple[tuple[Sender, ...], int, str | None]:
    try:
        headers = msg.get_all("From") or []
        senders = []
        for header in headers:
            for address in getattr(header, "addresses", ()):
                domain = (address.domain or "").strip().lower()
                local = (address.username or "").strip()
                senders.append(Sender(display_name=" ".join((address.display_name or "").split()),
                                      address=f"{local}@{domain}" if local and domain else "", domain=domain))
        return tuple(senders), len(headers), None
    except Exception as exc:  # see _header
        return (), 1, f"the From header cannot be read ({type(exc).__name__})"


def _decoded(part: EmailMessage) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        codecs.lookup(charset)
    except LookupError:
        charset = "utf-8"
    return payload.decode(charset, errors="replace")


def _bodies(msg: EmailMessage) -> tuple[Body, ...]:
    bodies: list[Body] = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        try:
            kind = part.get_content_type()
            attached = part.is_attachment()
            text = _decoded(part) if kind in ("text/plain", "text/html") and not attached else None
        except Exception:  # a part the stdlib cannot read is not a body we can check
            continue
        if text is None:
            continue
        bodies.append(plain_body(text) if kind == "text/plain" else html_body(text))
    return tuple(bodies)


def _prescan(raw: bytes) -> None:
    """Before the stdlib parses anything (it reads Content-Type while splitting parts): refuse headers the
    lint parses that are longer than MAX_HEADER_CHARS, and more part boundaries than _MAX_PARTS allows
    (each part costs the stdlib ~80 µs). A body line that looks like such a header counts too."""
    name, size, boundaries = "", 0, 0
    for line in raw.split(b"\n"):
        if name and line[:1] in (b" ", b"\t"):
            size += len(line)
        else:
            name, size = "", 0
            colon = line.find(b":", 0, 40)
            if colon > 0 and line[:colon].strip().lower().decode("latin-1") in _READ:
                name, size = line[:colon].strip().decode("latin-1"), len(line) - colon - 1
            boundaries += line.startswith(b"--")
        if name and size > MAX_HEADER_CHARS:
            raise MessageError(f"The {name} header is over {MAX_HEADER_CHARS} characters long; leadgate reads "
                               f"headers of at most {MAX_HEADER_CHARS}.")
    if boundaries > 2 * _MAX_PARTS + 50:
        raise MessageError(f"The message has {boundaries} lines starting with '--' (MIME part boundaries); "
                           f"leadgate lints messages of at most {_MAX_PARTS} parts.")


def _measure_headers(msg: EmailMessage) -> None:
    """MessageError when a header the lint parses is longer than real ones are (see MAX_HEADER_CHARS)."""
    total = 0
    for number, part in enumerate(msg.walk()):
        if number >= _MAX_PARTS:
            raise MessageError(f"The message has more than {_MAX_PARTS} MIME parts.")
        for name, value in part.raw_items():
            if name.lower() not in _READ:
                continue
            size = len(value) if isinstance(value, str) else MAX_HEADER_CHARS + 1
            if size > MAX_HEADER_CHARS:
                raise MessageError(f"The {name} header is {size} characters long; leadgate reads headers of at "
                                   f"most {MAX_HEADER_CHARS}.")
            total += size
    if total > _MAX_HEADERS_TOTAL:
        raise MessageError(f"The message's From, List-Unsubscribe and Content-* headers are {total} characters "
                           f"long together; leadgate reads at most {_MAX_HEADERS_TOTAL}.")


def parse(raw: bytes) -> Message:
    """The parts of `raw` the lint checks; `MessageError` when there is nothing to lint."""
    if len(raw) > MAX_MESSAGE_BYTES:
        raise MessageError(f"The message is {len(raw)} bytes; at most {MAX_MESSAGE_BYTES} are linted "
                           "(leave attachments out).")
    if not raw.strip():
        raise MessageError("The message is empty: give the raw e-mail, headers and body (an .eml file).")
    raw = raw.replace(b"\r\n", b"\n")
    _prescan(raw)
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    if not isinstance(msg, EmailMessage) or not msg.keys():
        raise MessageError("The message has no RFC 5322 headers (From, To, Subject ...): give the whole raw "
                           "e-mail, not only its text.")
    _measure_headers(msg)
    senders, from_headers, from_problem = _senders(msg)
    unsubscribe, problem = _header(msg, "List-Unsubscribe")
    post, post_problem = _header(msg, "List-Unsubscribe-Post")
    bodies = _bodies(msg)
    if not bodies or not any(b.text.strip() for b in bodies):
        raise MessageError("The message has no readable text/plain or text/html body to check.")
    return Message(
        senders=senders, from_headers=from_headers, from_problem=from_problem,
        list_unsubscribe=" ".join(unsubscribe) if unsubscribe else ("" if problem else None),
        list_unsubscribe_post=" ".join(post) if post else ("" if post_problem else None),
        bodies=bodies,
    )
