"""Linting an e-mail for a stored campaign and, optionally, a stored recipient: the only part of the lint
that reads the store. Reads, never writes.

What the caller says wins over what the store knows (the caller may lint for a recipient not yet
imported); what neither knows stays unknown, and the core reports the requirements that depend on it as
"If ..." warnings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from leadgate.decisions.service import campaign_facts, facts_for
from leadgate.kit.errors import InvalidInput
from leadgate.lint.core import Context, Report, lint
from leadgate.lint.message import parse
from leadgate.people import service as people
from leadgate.rules.model import Rulebooks


@dataclass(frozen=True, slots=True)
class Recipient:
    """What the caller says about the recipient; every field optional."""

    contact: str | None = None  # the e-mail address, looked up in the store
    country: str | None = None
    kind: str | None = None  # consumer | sole_trader | business | company_general
    first_contact: bool | None = None
    source_kind: str | None = None


def lint_email(session: Session, *, raw: bytes, campaign_id: str, recipient: Recipient, books: Rulebooks,
               at: datetime, key: bytes | None = None) -> Report:
    """The findings for `raw` sent in campaign `campaign_id` to `recipient`, under the rules in force `at`.
    `key` (the suppression key) is needed only to look up `recipient.contact`."""
    message = parse(raw)
    campaign = campaign_facts(session, campaign_id)
    country, kind, source = recipient.country, recipient.kind, recipient.source_kind
    if recipient.contact is not None:
        if key is None:
            raise InvalidInput("Looking up a recipient needs the suppression key.", field="recipient.contact")
        if "@" not in recipient.contact:
            raise InvalidInput("recipient.contact must be the recipient's e-mail address.", field="recipient.contact")
        try:
            known = people.find_contact(session, recipient.contact, country=country) is not None
            facts = facts_for(session, contact=recipient.contact, country=country, campaign_id=campaign_id,
                              channel="email", at=at, key=key) if known else None
        except InvalidInput as exc:
            raise InvalidInput(exc.message, field=f"recipient.{exc.field}" if exc.field else "recipient") from exc
        if facts is not None:
            country = country or facts.contact.country
            kind = kind or facts.contact.kind
            source = source or (facts.source.kind if facts.source is not None else None)
    country = country.strip().upper() if country else None
    context = Context(
        country="GB" if country == "UK" else country, contact_kind=kind,
        source_kind=source, first_contact=recipient.first_contact, relevant_to_role=campaign.relevant_to_role,
        lawful_basis=campaign.lawful_basis, organisation=books.organisation)
    return lint(message, books=books, context=context, day=at.date())
