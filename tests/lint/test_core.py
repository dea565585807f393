"""The lint's checks, table-driven: the well-formed sample passes, and taking out one element yields
exactly that element's finding. Then what the context changes: jurisdiction, unknown facts, dates."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from leadgate.lint.core import Context, Report, lint
from leadgate.lint.message import parse
from leadgate.rules.model import Rulebooks
from tests.lint.support import (
    FULL,
    REASON,
    RIGHTS,
    SAMPLE,
    SOURCE,
    with_header,
    without_header,
    without_name,
    without_postal_address,
    without_unsubscribe_link,
)

DAY = date(2026, 11, 25)


def run(books: Rulebooks, text: str, context: Context = FULL, day: date = DAY) -> Report:
    return lint(parse(text.encode("utf-8")), books=books, context=context, day=day)


def codes(report: Report) -> list[str]:
    return [f.code for f in report.findings]


def test_the_sample_message_passes_every_jurisdiction(books: Rulebooks) -> None:
    for country in ("NL", "BE", "FR", "DE", "GB"):
        report = run(books, SAMPLE, dataclasses.replace(FULL, country=country))
        assert report.findings == (), (country, report.as_dict())
        assert report.ok and report.jurisdiction == country


MUTATIONS: list[tuple[str, Callable[[str], str], str, str]] = [
    ("no From", lambda t: without_header(t, "From"), "FROM_MISSING", "error"),
    ("From without a domain", lambda t: with_header(t, "From", "Acme Energie <news>"), "FROM_MISSING", "error"),
    ("two From headers", lambda t: "From: other@acme-energie.nl\n" + t, "FROM_MISSING", "error"),
    ("From name is another address",
     lambda t: with_header(t, "From", '"service@bank.example" <news@mail.acme-energie.nl>'), "SENDER_DISGUISED",
     "error"),
    ("From name is another domain",
     lambda t: with_header(t, "From", "Acme Energie bank.example <news@mail.acme-energie.nl>"),
     "SENDER_DISGUISED", "error"),
    ("no postal address", without_postal_address, "SENDER_IDENTITY_MISSING", "error"),
    ("no organisation name in the body", without_name, "SENDER_IDENTITY_MISSING", "error"),
    ("no unsubscribe link", without_unsubscribe_link, "UNSUBSCRIBE_LINK_MISSING", "error"),
    ("no unsubscribe link in the HTML part", lambda t: without_unsubscribe_link(t, plain=False),
     "UNSUBSCRIBE_LINK_MISSING", "error"),
    ("no List-Unsubscribe", lambda t: without_header(t, "List-Unsubscribe"), "LIST_UNSUBSCRIBE_MISSING", "warning"),
    ("List-Unsubscribe without https", lambda t: with_header(t, "List-Unsubscribe", "<mailto:u@acme-energie.nl>"),
     "LIST_UNSUBSCRIBE_NOT_HTTPS", "warning"),
    ("no List-Unsubscribe-Post", lambda t: without_header(t, "List-Unsubscribe-Post"), "ONE_CLICK_MISSING",
     "warning"),
    ("List-Unsubscribe-Post not one-click", lambda t: with_header(t, "List-Unsubscribe-Post", "yes"),
     "ONE_CLICK_MISSING", "warning"),
    ("no reason", lambda t: t.replace(REASON, ""), "REASON_MISSING", "error"),
    ("no data source", lambda t: t.replace(SOURCE, ""), "SOURCE_MISSING", "error"),
    ("no rights", lambda t: RIGHTS.sub("", t), "RIGHTS_MISSING", "error"),
]


@pytest.mark.parametrize(("change", "expected", "severity"), [m[1:] for m in MUTATIONS],
                         ids=[m[0] for m in MUTATIONS])
def test_taking_out_one_element_yields_exactly_its_finding(books: Rulebooks, change: Callable[[str], str],
                                                           expected: str, severity: str) -> None:
    changed = change(SAMPLE)
    assert changed != SAMPLE
    report = run(books, changed)
    assert codes(report) == [expected], report.as_dict()
    finding = report.findings[0]
    assert finding.severity == severity
    assert report.ok == (severity != "error")
    assert finding.reference and finding.rule and finding.message.endswith(".")
    assert " Add " in finding.message


def test_a_finding_names_the_part_that_lacks_the_element(books: Rulebooks) -> None:
    only_html = run(books, without_unsubscribe_link(SAMPLE, plain=False)).findings[0]
    both = run(books, without_unsubscribe_link(SAMPLE)).findings[0]
    assert "text/html part" in only_html.message and "text/plain" not in only_html.message
    assert "text/plain and text/html parts" in both.message


def test_a_campaign_not_relevant_to_the_role(books: Rulebooks) -> None:
    off = dataclasses.replace(FULL, relevant_to_role=False)
    nl = run(books, SAMPLE, off)
    assert codes(nl) == ["ROLE_RELEVANCE_MISSING"] and nl.findings[0].severity == "warning" and nl.ok
    fr = run(books, SAMPLE, dataclasses.replace(off, country="FR"))
    assert codes(fr) == ["ROLE_RELEVANCE_MISSING"] and not fr.ok
    assert fr.findings[0].rule == "FR_EMAIL_B2B_PROFESSION" and "L34-5" in fr.findings[0].reference
    # Consent makes the role beside the point; a consumer has no professional role.
    assert run(books, SAMPLE, dataclasses.replace(off, country="FR", lawful_basis="consent")).findings == ()
    assert run(books, SAMPLE, dataclasses.replace(off, country="FR", contact_kind="consumer")).findings == ()


def test_the_national_rule_is_reported_before_the_common_one(books: Rulebooks) -> None:
    text = without_unsubscribe_link(SAMPLE)
    nl = run(books, text).findings[0]
    assert nl.rule == "NL_EMAIL_OPT_OUT_EVERY_MESSAGE" and "Telecommunicatiewet" in nl.reference
    assert "Afmelden" in nl.message
    common = run(books, text, dataclasses.replace(FULL, country=None))
    assert codes(common) == ["JURISDICTION_UNKNOWN", "UNSUBSCRIBE_LINK_MISSING"]
    assert common.findings[1].rule == "EU_EMAIL_IDENTITY_AND_OPT_OUT" and "2002/58/EC" in common.findings[1].reference
    assert common.jurisdiction is None


def test_a_country_without_a_rulebook_fails_closed(books: Rulebooks) -> None:
    report = run(books, SAMPLE, dataclasses.replace(FULL, country="US"))
    assert codes(report) == ["NO_RULEBOOK"] and not report.ok


@pytest.mark.parametrize("unknown", ["source_kind", "first_contact"])
def test_an_unknown_fact_turns_its_requirements_into_if_warnings(books: Rulebooks, unknown: str) -> None:
    text = SAMPLE.replace(SOURCE, "")
    missing: dict[str, Any] = {unknown: None}
    report = run(books, text, dataclasses.replace(FULL, **missing))
    assert codes(report) == ["SOURCE_MISSING"] and report.ok
    finding = report.findings[0]
    assert finding.severity == "warning" and finding.message.startswith("If ")
    assert ("purchased list" if unknown == "source_kind" else "first message") in finding.message


def test_first_contact_requirements_do_not_apply_later_or_to_other_sources(books: Rulebooks) -> None:
    text = SAMPLE.replace(SOURCE, "")
    assert run(books, text, dataclasses.replace(FULL, first_contact=False)).findings == ()
    assert run(books, text, dataclasses.replace(FULL, source_kind="webform")).findings == ()
    # A public register is another source than the person: art. 14 still applies (confidence M).
    public = run(books, text, dataclasses.replace(FULL, source_kind="public_register"))
    assert codes(public) == ["SOURCE_MISSING"] and public.findings[0].confidence == "M"


def test_the_rules_in_force_on_the_day_apply(books: Rulebooks) -> None:
    text = SAMPLE.replace(SOURCE, "")
    assert codes(run(books, text, day=date(2018, 5, 25))) == ["SOURCE_MISSING"]
    assert run(books, text, day=date(2018, 5, 24)).findings == ()  # GDPR art. 14 not yet in force


def test_the_reason_is_good_practice_when_art_14_does_not_apply(books: Rulebooks) -> None:
    report = run(books, SAMPLE.replace(REASON, ""), dataclasses.replace(FULL, first_contact=False))
    assert codes(report) == ["REASON_MISSING"]
    assert report.findings[0].severity == "warning" and report.findings[0].confidence == "practice"


def test_the_organisation_name_from_the_organisation_file_counts(books: Rulebooks) -> None:
    text = with_header(without_name(SAMPLE), "From", "Newsletter <news@mail.example.nl>")
    text = text.replace("acme-energie", "example")
    assert codes(run(books, text)) == ["SENDER_IDENTITY_MISSING"]
    text = text.replace("Keizersgracht 1,", "Acme Energie B.V., Keizersgracht 1,")
    assert codes(run(books, text)) == ["SENDER_IDENTITY_MISSING"]
    assert run(books, text, dataclasses.replace(FULL, organisation="Acme Energie")).findings == ()


@pytest.mark.parametrize("address", ["London SW1A 1AA", "75008 Paris", "10115 Berlin", "2000 Antwerpen",
                                     "1015CJ Amsterdam"])
def test_postal_addresses_of_each_country(books: Rulebooks, address: str) -> None:
    text = without_postal_address(SAMPLE).replace("Keizersgracht 1, Amsterdam", f"Main Street 1, {address}")
    assert run(books, text).findings == ()


def test_a_copyright_year_is_not_a_postcode(books: Rulebooks) -> None:
    text = without_postal_address(SAMPLE).replace("Keizersgracht 1, Amsterdam", "© 2026 Acme")
    assert codes(run(books, text)) == ["SENDER_IDENTITY_MISSING"]


def test_an_unsubscribe_mention_without_a_link_is_called_so(books: Rulebooks) -> None:
    text = without_unsubscribe_link(SAMPLE).replace(REASON, REASON + " To unsubscribe, reply STOP.")
    finding = run(books, text).findings[0]
    assert finding.code == "UNSUBSCRIBE_LINK_MISSING" and "give no link" in finding.message


@pytest.mark.parametrize("words", ["Se désinscrire", "Afmelden", "Abmelden", "opt out"])
def test_unsubscribe_links_in_other_languages(books: Rulebooks, words: str) -> None:
    text = without_unsubscribe_link(SAMPLE, plain=False).replace(
        "<footer>", f'<p><a href="https://acme-energie.nl/x?t=1">{words}</a></p>\n<footer>')
    assert run(books, text).findings == ()
