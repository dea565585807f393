"""The well-formed sample message and ways to take one element out of it, for the lint tests."""

from __future__ import annotations

import re
from importlib import resources

from leadgate.lint.core import Context

SAMPLE = (resources.files("leadgate.samples") / "marketing-email.eml").read_bytes().decode("utf-8")

# Everything known, and every requirement applies: a Dutch business contact from a bought list, first
# contact, in a campaign relevant to the person's role.
FULL = Context(country="NL", contact_kind="business", source_kind="purchased_list", first_contact=True,
               relevant_to_role=True, lawful_basis="legitimate_interest")

REASON = "You receive this e-mail because you are an energy decision maker at your company."
SOURCE = "We obtained your address from LeadShop B.V., a list supplier, on 2 November 2026."
RIGHTS = re.compile(r"You have the right to object.*?(?:acme-energie\.nl/privacy|</a>\.)", re.S)
POSTAL = "Keizersgracht 1, 1015 CJ Amsterdam"
POSTAL_HTML = "Keizersgracht 1, 1015&nbsp;CJ Amsterdam"


def without_header(text: str, name: str) -> str:
    return "".join(line for line in text.splitlines(keepends=True) if not line.startswith(f"{name}:"))


def with_header(text: str, name: str, value: str) -> str:
    return f"{name}: {value}\n" + without_header(text, name)


def without_unsubscribe_link(text: str, *, plain: bool = True, html: bool = True) -> str:
    if plain:
        text = text.replace("To unsubscribe from these e-mails:\nhttps://acme-energie.nl/unsubscribe?c=winter-2026"
                            "&t=abc123\n", "")
    if html:
        text = re.sub(r"<p>Don't want these e-mails\?.*?</p>\n", "", text)
    return text


def without_postal_address(text: str) -> str:
    return text.replace(POSTAL, "Keizersgracht 1, Amsterdam").replace(POSTAL_HTML, "Keizersgracht 1, Amsterdam")


def without_name(text: str) -> str:
    head, _, body = text.partition("\n\n")
    return head + "\n\n" + body.replace("Acme Energie B.V., ", "")
