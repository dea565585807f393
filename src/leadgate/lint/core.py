"""The pure checks: a parsed message, the rulebooks and what is known of the recipient in; findings out.
No I/O, no clock (the caller says which day's rules apply).

Each requirement in force (``[[email_requirement]]`` of the recipient's rulebook, plus the common ones)
names checks; each check runs once. When several requirements ask for the same element, the finding
comes from the strictest: one that surely applies before one that depends on an unknown fact, an error
before a warning, a national rule before a common one, higher confidence first. A requirement that
depends on something nobody told us (the recipient's kind, the data source, whether this is the first
contact) is reported as a warning that says "If ...": the lint never assumes the lenient answer silently.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from leadgate.core.facts import CONTACT_KINDS
from leadgate.lint.html import Body
from leadgate.lint.message import Message
from leadgate.lint.vocabulary import Vocabulary, says, vocabulary, words
from leadgate.rules.model import EMAIL_CHECKS, EmailCheck, EmailRequirement, Rulebooks

ONE_CLICK = "List-Unsubscribe=One-Click"
# The stable code of each finding, per element.
CODES: dict[EmailCheck, str] = {
    "from_address": "FROM_MISSING",
    "sender_disguised": "SENDER_DISGUISED",
    "sender_identity": "SENDER_IDENTITY_MISSING",
    "unsubscribe_link": "UNSUBSCRIBE_LINK_MISSING",
    "list_unsubscribe": "LIST_UNSUBSCRIBE_MISSING",
    "list_unsubscribe_https": "LIST_UNSUBSCRIBE_NOT_HTTPS",
    "one_click": "ONE_CLICK_MISSING",
    "reason": "REASON_MISSING",
    "source_disclosure": "SOURCE_MISSING",
    "rights_notice": "RIGHTS_MISSING",
    "role_relevance": "ROLE_RELEVANCE_MISSING",
}
# What to add, per element, unless the requirement says it more specifically (its `add`).
ADVICE: dict[EmailCheck, str] = {
    "from_address": "one From header with the sender's real address (name <local@domain>)",
    "sender_disguised": "a From name that is the organisation's own, not another address or domain",
    "sender_identity": "the organisation's name and postal address (street, postcode, town) in the body, "
                       "e.g. in the footer",
    "unsubscribe_link": "a working unsubscribe link in the body, e.g. 'Unsubscribe'",
    "list_unsubscribe": "the header 'List-Unsubscribe: <https://...>' (an https URI, optionally also <mailto:...>)",
    "list_unsubscribe_https": "an https URI to the List-Unsubscribe header: <https://...>",
    "one_click": f"the header 'List-Unsubscribe-Post: {ONE_CLICK}' (RFC 8058)",
    "reason": "a sentence saying why the person receives this e-mail (e.g. 'You receive this e-mail because ...')",
    "source_disclosure": "where the person's address came from (e.g. 'We obtained your address from ...')",
    "rights_notice": "the person's rights: to object to this use at any time, to access and to erasure",
    "role_relevance": "content about the recipient's profession and mark the campaign `relevant_to_role`",
}
JURISDICTION_UNKNOWN = "JURISDICTION_UNKNOWN"
NO_RULEBOOK = "NO_RULEBOOK"
_CONFIDENCE = {"H": 4, "M": 3, "L": 2, "UNCONFIRMED": 1, "practice": 0}


@dataclass(frozen=True, slots=True)
class Context:
    """What is known of the recipient and the campaign; None: not known."""

    country: str | None
    contact_kind: str | None
    source_kind: str | None
    first_contact: bool | None
    relevant_to_role: bool
    lawful_basis: str
    organisation: str | None = None  # the organisation's name, from the organisation file


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    severity: str  # "error" | "warning"
    message: str
    reference: str
    rule: str | None  # the rulebook requirement it comes from
    confidence: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "severity": self.severity, "message": self.message,
                "reference": self.reference, "rule": self.rule, "confidence": self.confidence}


@dataclass(frozen=True, slots=True)
class Report:
    jurisdiction: str | None
    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "jurisdiction": self.jurisdiction, "findings": [f.as_dict() for f in self.findings]}


# --- the checks: each returns what is missing, or None -------------------------------------------------

def _from_address(message: Message, ctx: Context, vocab: Vocabulary) -> str | None:
    if message.from_problem:
        return f"The From header cannot be read: {message.from_problem}."
    if message.from_headers == 0:
        return "The message has no From header."
    if message.from_headers > 1:
        return f"The message has {message.from_headers} From headers; it must have exactly one."
    if not message.senders or any(not s.address or "." not in s.domain for s in message.senders):
        return "The From header has no valid address (local@domain)."
    return None


def _looks_like_address(token: str) -> bool:
    if "@" in token:
        return True
    labels = token.split(".")
    return len(labels) >= 2 and all(labels) and labels[-1].isalpha() and len(labels[-1]) >= 2


def _sender_disguised(message: Message, ctx: Context, vocab: Vocabulary) -> str | None:
    for sender in message.senders:
        if not sender.address:
            continue
        for token in sender.display_name.split():
            shown = token.strip("<>()[]\"',;:.").lower()
            if not _looks_like_address(shown):
                continue
            if "@" in shown:
                if shown != sender.address.lower():
                    return f"The From name shows {shown!r} but the message is sent from {sender.address!r}."
            elif not (sender.domain == shown or sender.domain.endswith("." + shown)):
                return f"The From name shows {shown!r} but the message is sent from the domain {sender.domain!r}."
    return None


def _parts(failing: list[Body]) -> str:
    kinds = list(dict.fromkeys(b.kind for b in failing))
    return f"the {' and '.join(kinds)} part{'s' if len(kinds) > 1 else ''}"


def _names(message: Message, ctx: Context) -> list[str]:
    """What the organisation may be called in the body: its configured name, the From name, the domain."""
    names = [ctx.organisation or ""] + [s.display_name for s in message.senders]
    for sender in message.senders:
        labels = sender.domain.split(".")
        # mail.acme.co.uk → acme: skip a second-level label like "co" under a country code.
        if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in ("co", "com", "org", "net", "ac", "gov"):
            names.append(labels[-3])
        elif len(labels) >= 2:
            names.append(labels[-2])
    return [n for n in (words(n) for n in names) if n]


def _shape_fits(token: str, shape: str) -> bool:
    return len(token) == len(shape) and all(
        (c.isdigit() if s == "9" else c.isascii() and c.isalpha()) for c, s in zip(token, shape, strict=True))


def _has_postal_address(text: str, vocab: Vocabulary) -> bool:
    """A postcode of a known shape next to a town name ("1012 AB Amsterdam", "London SW1A 1AA")."""
    shapes = [shape.split() for shapes in vocab.postcodes.values() for shape in shapes]
    clauses = "".join("\n" if c in ".;!?|\n" else c for c in text.replace("©", " copyright "))
    # Within one clause only: "on 2 November 2026. You ..." is a date, not "2026 You".
    return any(_clause_has_postal_address(clause, shapes) for clause in clauses.split("\n"))


def _clause_has_postal_address(clause: str, shapes: list[list[str]]) -> bool:
    tokens = "".join(c if c.isalnum() else " " for c in clause).split()
    for i in range(len(tokens)):
        for parts in shapes:
            if all(i + k < len(tokens) and _shape_fits(tokens[i + k], p) for k, p in enumerate(parts)):
                end = i + len(parts)
            elif len(parts) > 1 and _shape_fits(tokens[i], "".join(parts)):
                end = i + 1
            else:
                continue
            before = tokens[i - 1] if i > 0 else ""
            if before.casefold() in ("copyright", "c"):
                continue
            # The town follows the postcode, except where postcodes start with a letter (UK: "London SW1A
            # 1AA"); a town *before* a numeric code would read "2 November 2026" as an address.
            town = [t for t in (tokens[end] if end < len(tokens) else "", before if parts[0][0] == "A" else "")
                    if t]
            if any(t[0].isupper() and t.isalpha() and len(t) >= 2 for t in town):
                return True
    return False


def _sender_identity(message: Message, ctx: Context, vocab: Vocabulary) -> str | None:
    names = _names(message, ctx)
    no_address = [b for b in message.bodies if not _has_postal_address(b.text, vocab)]
    # With no From and no configured name there is no name to look for: FROM_MISSING says what to fix.
    no_name = [b for b in message.bodies if names and not any(says(words(b.prose), [n]) for n in names)]
    problems = []
    if no_name:
        problems.append(f"The organisation's name is not in {_parts(no_name)}.")
    if no_address:
        problems.append(f"No postal address (postcode and town) in {_parts(no_address)}.")
    return " ".join(problems) or None


def _unsubscribe_link(message: Message, ctx: Context, vocab: Vocabulary) -> str | None:
    failing = [b for b in message.bodies
               if not any(says(words(f"{link.url} {link.text} {link.context}"), vocab.unsubscribe)
                          for link in b.links)]
    if not failing:
        return None
    if all(says(words(b.text), vocab.unsubscribe) for b in failing):
        verb = "mention" if len(failing) > 1 else "mentions"
        return f"{_parts(failing).capitalize()} {verb} unsubscribing but give no link to do it."
    return f"No unsubscribe link in {_parts(failing)}."


def _unsubscribe_uris(value: str) -> list[str]:
    return [item.strip()[1:item.strip().find(">")].strip() for item in value.split(",")
            if item.strip().startswith("<") and ">" in item]


def _list_unsubscribe(message: Message, ctx: Context, vocab: Vocabulary) -> str | None:
    if message.list_unsubscribe is None:
        return "No List-Unsubscribe header."
    if not _unsubscribe_uris(message.list_unsubscribe):
        return "The List-Unsubscribe header has no <URI>."
    return None


def _list_unsubscribe_https(message: Message, ctx: Context, vocab: Vocabulary) -> str | None:
    uris = _unsubscribe_uris(message.list_unsubscribe or "")
    if not uris:
        return None  # reported as LIST_UNSUBSCRIBE_MISSING
    for uri in uris:
        parts = urlsplit(uri)
        if parts.scheme.lower() == "https" and parts.hostname:
            return None
    return "The List-Unsubscribe header has no https URI (one-click unsubscribe needs one)."


def _one_click(message: Message, ctx: Context, vocab: Vocabulary) -> str | None:
    value = message.list_unsubscribe_post
    if value is None:
        return "No List-Unsubscribe-Post header."
    if value.strip() != ONE_CLICK:
        return f"List-Unsubscribe-Post must be exactly {ONE_CLICK!r}."
    return None


def _says(key: str, what: str) -> Callable[[Message, Context, Vocabulary], str | None]:
    def check(message: Message, ctx: Context, vocab: Vocabulary) -> str | None:
        phrases: list[str] = getattr(vocab, key)
        failing = [b for b in message.bodies if not says(words(b.text), phrases)]
        if not failing:
            return None
        return f"{_parts(failing).capitalize()} {'do' if len(failing) > 1 else 'does'} not say {what}."
    return check


def _role_relevance(message: Message, ctx: Context, vocab: Vocabulary) -> str | None:
    if ctx.relevant_to_role or ctx.lawful_basis == "consent":
        return None
    return "The campaign is not marked relevant to the recipient's professional role."


CHECKS: dict[EmailCheck, Callable[[Message, Context, Vocabulary], str | None]] = {
    "from_address": _from_address,
    "sender_disguised": _sender_disguised,
    "sender_identity": _sender_identity,
    "unsubscribe_link": _unsubscribe_link,
    "list_unsubscribe": _list_unsubscribe,
    "list_unsubscribe_https": _list_unsubscribe_https,
    "one_click": _one_click,
    "reason": _says("reason", "why the person receives it"),
    "source_disclosure": _says("source", "where the person's address came from"),
    "rights_notice": _says("rights", "what the person's rights are (to object, access, erasure)"),
    "role_relevance": _role_relevance,
}
assert set(CHECKS) == set(EMAIL_CHECKS) == set(CODES) == set(ADVICE)  # a new check needs all three


# --- which requirements apply ---------------------------------------------------------------------------

def _conditions(req: EmailRequirement, ctx: Context) -> list[str] | None:
    """None when the requirement does not apply; else the unknown facts it depends on ([] = it applies)."""
    unknown = []
    if not req.contact_kinds >= set(CONTACT_KINDS):
        if ctx.contact_kind is None:
            unknown.append("the recipient is a " + " or ".join(k.replace("_", " ") for k in sorted(req.contact_kinds))
                           + " contact")
        elif ctx.contact_kind not in req.contact_kinds:
            return None
    if req.source_kinds is not None:
        if ctx.source_kind is None:
            unknown.append("the address came from a " + " or ".join(k.replace("_", " ")
                                                                      for k in sorted(req.source_kinds)))
        elif ctx.source_kind not in req.source_kinds:
            return None
    if req.first_contact_only:
        if ctx.first_contact is None:
            unknown.append("this is the first message to the person")
        elif not ctx.first_contact:
            return None
    return unknown


def _strength(req: EmailRequirement, unknown: list[str]) -> tuple[int, int, int, int]:
    return (not unknown, req.severity == "error", req.jurisdiction != "*", _CONFIDENCE[req.confidence])


def lint(message: Message, *, books: Rulebooks, context: Context, day: date) -> Report:
    """What the requirements in force on `day` for the recipient's jurisdiction ask and `message` lacks."""
    meta: list[Finding] = []
    country = context.country
    book = books.for_region(country) if country else None
    if book is not None:
        requirements = [r for r in book.email_requirements if r.in_force(day)]
    else:
        # Without a national rulebook only the requirements common to every jurisdiction can be checked.
        any_book = next(iter(books.books.values()), None)
        requirements = [r for r in (any_book.email_requirements if any_book else ())
                        if r.jurisdiction == "*" and r.in_force(day)]
        if country:
            meta.append(Finding(NO_RULEBOOK, "error",
                                f"No rulebook for {country}: leadgate cannot tell what an e-mail there must carry "
                                f"(rulebooks: {', '.join(sorted(books.books))}). Only the common rules were "
                                "checked.", "leadgate: fail closed", None, None))
        else:
            meta.append(Finding(JURISDICTION_UNKNOWN, "warning",
                                "The recipient's country is not known: only the rules common to every "
                                "jurisdiction were checked. Give the country for the national rules.",
                                "leadgate: the jurisdiction is the recipient's country", None, None))
    chosen: dict[EmailCheck, tuple[EmailRequirement, list[str]]] = {}
    for req in requirements:
        unknown = _conditions(req, context)
        if unknown is None:
            continue
        for check in req.checks:
            held = chosen.get(check)
            if held is None or _strength(req, unknown) > _strength(*held):
                chosen[check] = (req, unknown)
    vocab = vocabulary()
    findings = []
    for check in EMAIL_CHECKS:
        if check not in chosen:
            continue
        problem = CHECKS[check](message, context, vocab)
        if problem is None:
            continue
        req, unknown = chosen[check]
        text = f"{problem} Add {req.add.get(check) or ADVICE[check]}."
        if unknown:
            text = f"If {' and '.join(unknown)}: {text[:1].lower()}{text[1:]}"
        findings.append(Finding(CODES[check], "warning" if unknown else req.severity, text, req.reference,
                                req.id, req.confidence))
    findings.sort(key=lambda f: f.severity != "error")
    return Report(book.jurisdiction if book else None, (*meta, *findings))
