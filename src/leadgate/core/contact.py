"""Where a contact point lives: its jurisdiction, normalised form, time zone and holiday calendar.

The jurisdiction is the country of the contact point: the phone number's region (parsed with the
contact's country as default region), or the contact's country for e-mail. French overseas
departments share the French rulebook but keep their own time zone and public holidays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email
from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES

from leadgate.core.decision import Reason
from leadgate.core.facts import Facts
from leadgate.core.phone import Phone, parse_phone
from leadgate.rules.model import Rulebook, Rulebooks

# Local parts that address a function, not a person (checked case-insensitively).
ROLE_LOCAL_PARTS = frozenset({
    "info", "sales", "contact", "office", "admin", "hello", "support", "service", "mail", "post",
    "enquiries", "inquiries", "team", "marketing", "receptie", "reception", "administratie", "verkoop",
    "accueil", "commercial", "direction", "secretariaat", "secretariat", "boekhouding", "comptabilite",
    "kontakt", "vertrieb", "buero", "billing", "hr", "jobs", "welcome", "bonjour", "hallo",
})


@dataclass(frozen=True, slots=True)
class ContactPoint:
    jurisdiction: str
    region: str
    address: str  # E.164 number or normalised e-mail
    timezone: str
    holidays_subdiv: str | None
    role_address: bool = False


@dataclass(frozen=True, slots=True)
class Resolved:
    point: ContactPoint | None
    rulebook: Rulebook | None
    problem: Reason | None


def _invalid(code: str, message: str) -> Reason:
    return Reason("invalid_contact", code, message, "leadgate: fail closed on an unusable contact point")


# Plain ASCII addresses (the vast majority) that email-validator accepts and normalises by lowercasing the
# domain; anything else (quotes, Unicode, IDNA labels, special-use domains, long parts) is left to it.
_PLAIN_EMAIL = re.compile(
    r"(?P<local>[A-Za-z0-9_%+-]{1,64}(?:\.[A-Za-z0-9_%+-]{1,64})*)@"
    r"(?P<domain>(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})")


def _plain_email(raw: str) -> str | None:
    match = _PLAIN_EMAIL.fullmatch(raw)
    if match is None or len(raw) > 200 or len(match["local"]) > 64 or "--" in match["domain"]:
        return None
    domain = match["domain"].lower()
    if any(domain == d or domain.endswith("." + d) for d in SPECIAL_USE_DOMAIN_NAMES):
        return None
    local = match["local"]
    if local.lower() in CASE_INSENSITIVE_MAILBOX_NAMES:  # RFC 2142 names (sales@, info@): lowercased
        local = local.lower()
    return f"{local}@{domain}"


@lru_cache(maxsize=65_536)
def normalise_email(raw: str) -> str | None:
    """email-validator's normalised address (syntax only, no DNS), or None when it is not valid."""
    fast = _plain_email(raw)
    if fast is not None:
        return fast
    try:
        return validate_email(raw, check_deliverability=False).normalized
    except EmailNotValidError:
        return None


def _no_rulebook(country: str) -> Reason:
    return _invalid(
        "NO_RULEBOOK",
        f"No rulebook for {country}: leadgate cannot tell whether this contact is lawful, so it is not allowed.",
    )


def resolve(facts: Facts, books: Rulebooks, *, phone: Phone | None = None) -> Resolved:
    """The contact point and its rulebook, or the problem that makes it unusable. `phone`: the parse of
    contact.phone when the caller holds it already (the bulk path settles numbers column-wise with
    parse_phone's answers); it saves parsing the number again and changes nothing else."""
    contact = facts.contact
    if facts.channel == "email":
        if not contact.email:
            return Resolved(None, None, _invalid("EMAIL_MISSING", "contact.email is needed for an e-mail."))
        if not contact.country:
            return Resolved(None, None, _invalid(
                "COUNTRY_MISSING", "contact.country is needed to know which law governs an e-mail."))
        address = normalise_email(contact.email)
        if address is None:
            return Resolved(None, None, _invalid("EMAIL_INVALID", "contact.email is not a valid address."))
        book = books.for_region(contact.country)
        if book is None:
            return Resolved(None, None, _no_rulebook(contact.country))
        role = address.rsplit("@", 1)[0].lower() in ROLE_LOCAL_PARTS
        territory = book.territories.get(contact.country)
        return Resolved(
            ContactPoint(book.jurisdiction, contact.country, address,
                         territory.timezone if territory else book.timezone,
                         territory.holidays_subdiv if territory else None, role_address=role),
            book, None)

    if not contact.phone:
        return Resolved(None, None, _invalid("PHONE_MISSING", f"contact.phone is needed for {facts.channel}."))
    parsed = phone if phone is not None else parse_phone(contact.phone, contact.country)
    if parsed is None:
        return Resolved(None, None, _invalid(
            "PHONE_INVALID",
            "contact.phone is not a valid number"
            + ("" if contact.country else " (give contact.country for national formats)") + "."))
    book = books.for_region(parsed.region)
    if book is None:
        return Resolved(None, None, _no_rulebook(parsed.region))
    if facts.channel == "sms" and not parsed.mobile:
        return Resolved(None, None, _invalid("SMS_NOT_MOBILE", "An SMS needs a mobile number."))
    # The zone of the number's region, as the rulebook declares it (`rules check` verifies each
    # declaration against phonenumbers' time zones for that region).
    territory = book.territories.get(parsed.region)
    return Resolved(
        ContactPoint(book.jurisdiction, parsed.region, parsed.e164,
                     territory.timezone if territory else book.timezone,
                     territory.holidays_subdiv if territory else None),
        book, None)
