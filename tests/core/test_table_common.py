"""Rules that cut across jurisdictions: fail closed on unusable contact points and unknown jurisdictions,
the jurisdiction of the contact point, governance (balancing test, caller ID, automated dialers), data
sources, retention and the good-practice contact-pressure rules (DESIGN.md "Principles" and "The decision
contract"; rules-reference.md "Good practice from the source documents")."""

from __future__ import annotations

from typing import Any

import pytest

from tests.core.test_table_support import (
    attempt,
    build,
    check,
    customer,
    given,
    no,
    ok,
    registered,
)

UNKNOWN = dict(jurisdiction=None)


def nl_business(**kw: Any) -> dict[str, Any]:
    """A named person at a Dutch BV: phone needs no consent (legal person), only governance and hygiene."""
    return build("NL", kind="business", **kw)


def nl_consumer(**kw: Any) -> dict[str, Any]:
    kw.setdefault("consents", (given(),))
    return build("NL", **kw)


def contact(base: str = "NL", *, channel: str = "phone", **fields: Any) -> dict[str, Any]:
    """Facts built for `base` with consent for the channel, then with these contact fields changed."""
    data = build(base, channel=channel, consents=(given(channel),))
    data["contact"].update(fields)
    return data


INVALID = [
    no("us-number-has-no-rulebook", contact(phone="+12024561111"), "invalid_contact", "NO_RULEBOOK", **UNKNOWN),
    no("us-number-with-consent-still-no-rulebook", contact(phone="+12024561111", country="US"), "NO_RULEBOOK",
       **UNKNOWN),
    no("us-email-contact-has-no-rulebook", contact(channel="email", country="US"), "invalid_contact", "NO_RULEBOOK",
       **UNKNOWN),
    no("spanish-email-contact-has-no-rulebook", contact(channel="email", country="ES"), "NO_RULEBOOK", **UNKNOWN),
    no("too-short-number-is-invalid", contact(phone="12345"), "invalid_contact", "PHONE_INVALID", **UNKNOWN),
    no("truncated-dutch-mobile-is-invalid", contact(phone="06-123"), "PHONE_INVALID"),
    no("letters-are-not-a-number", contact(phone="call me"), "PHONE_INVALID"),
    no("national-number-without-country-cannot-be-parsed", contact(phone="0612345678", country=None),
       "PHONE_INVALID"),
    no("phone-call-without-a-number", contact(phone=None), "invalid_contact", "PHONE_MISSING"),
    no("email-without-an-address", contact(channel="email", email=None), "invalid_contact", "EMAIL_MISSING"),
    no("email-address-without-at-sign", contact(channel="email", email="jan.example.com"), "EMAIL_INVALID"),
    no("email-without-country-has-no-known-law", contact(channel="email", country=None), "invalid_contact"),
    no("sms-to-a-german-landline", contact("DE", channel="sms", phone="+493012345678"), "invalid_contact"),
]

JURISDICTION = [
    ok("dutch-national-format-mobile-with-country-nl", contact(phone="06-12345678"), "CONSENT", jurisdiction="NL"),
    ok("dutch-number-of-a-contact-living-in-belgium-follows-the-number", contact(country="BE"), "CONSENT",
       jurisdiction="NL", rulebook="nl/2026-07-01"),
    no("belgian-number-of-a-dutch-contact-needs-the-dncm-check", contact(phone="+32470123456"),
       "BE_PHONE_DNCM_NOT_CHECKED", jurisdiction="BE"),
    ok("belgian-national-format-with-country-be",
       {**contact("BE", phone="0470 12 34 56"), "registers": [
           {"name": "be-dncm", "listed": False, "checked_at": "2026-11-23T06:00:00+01:00"}]},
       "BE_PHONE_DNCM_CHECKED", jurisdiction="BE"),
    no("german-number-of-a-french-contact-follows-german-law",
       {**contact("FR", phone="+4915123456789"), "consents": []}, "DE_PHONE_CONSUMER_CONSENT", jurisdiction="DE"),
    ok("email-follows-the-contact-country-not-the-domain",
       contact(channel="email", email="jan@example.be", country="NL"), "CONSENT", jurisdiction="NL"),
    ok("reunion-number-is-french-law-in-reunion-time",
       build("FR", "2026-11-24T07:30:00+01:00", phone="+262262123456", consents=(given(),)), "CONSENT",
       jurisdiction="FR"),
]

GOVERNANCE = [
    no("legitimate-interest-campaign-without-balancing-test", nl_business(lia_days=None), "LIA_REQUIRED",
       "governance"),
    ok("balancing-test-approved-365-days-ago", nl_business(lia_days=365), "LIA_REQUIRED", "NL_PHONE_LEGAL_PERSON"),
    no("balancing-test-approved-366-days-ago-expired", nl_business(lia_days=366), "LIA_REQUIRED"),
    no("balancing-test-dated-tomorrow-is-not-yet-approved", nl_business(lia_days=-1), "LIA_REQUIRED",
       next_at="2026-11-25T09:00:00+01:00"),  # the approval day, once business hours open
    no("expired-balancing-test-blocks-email-too", build("GB", channel="email", kind="business", lia_days=400),
       "LIA_REQUIRED"),
    ok("contract-based-campaign-needs-no-balancing-test", nl_business(lia_days=None, lawful_basis="contract"),
       "NL_PHONE_LEGAL_PERSON"),
    no("consent-based-campaign-without-consent", nl_business(lia_days=None, lawful_basis="consent"),
       "CAMPAIGN_CONSENT_BASIS", "consent"),
    ok("consent-based-campaign-with-consent", nl_business(lia_days=None, lawful_basis="consent", consents=(given(),)),
       "NL_PHONE_LEGAL_PERSON"),
    no("consent-based-campaign-with-withdrawn-consent",
       nl_business(lia_days=None, lawful_basis="consent", consents=(given(withdrawn=1),)), "CAMPAIGN_CONSENT_BASIS"),
    no("no-caller-id-no-call", nl_business(caller_id=None), "NL_CALLER_ID", "governance"),
    no("unparseable-caller-id-no-call", nl_business(caller_id="+3120"), "NL_CALLER_ID"),
    ok("caller-id-is-not-needed-for-email", build("GB", channel="email", kind="business", caller_id=None),
       "GB_EMAIL_CORPORATE"),
    no("automated-dialer-with-ordinary-consent", nl_consumer(automated_dialer=True), "AUTOMATED_DIALER_CONSENT",
       "governance"),
    ok("automated-dialer-with-automated-calls-consent",
       nl_consumer(automated_dialer=True, consents=(given(automated_calls=True),)), "CONSENT"),
    no("automated-dialer-to-business-without-consent", nl_business(automated_dialer=True),
       "AUTOMATED_DIALER_CONSENT"),
    no("automated-dialer-consent-withdrawn",
       nl_consumer(automated_dialer=True, consents=(given(automated_calls=True, withdrawn=1),)),
       "AUTOMATED_DIALER_CONSENT"),
]

DATA_SOURCE = [
    no("source-collected-for-an-incompatible-purpose", nl_consumer(source={"kind": "webform",
                                                                         "purpose_compatible": False}),
       "DATA_SOURCE_INCOMPATIBLE", "data_source"),
    no("source-disabled-after-complaints", nl_consumer(source={"kind": "purchased_list", "purpose_compatible": True,
                                                               "disabled": True}), "DATA_SOURCE_DISABLED"),
    no("public-register-kvk-data-not-assessed", nl_business(source={"kind": "public_register"}),
       "DATA_SOURCE_UNASSESSED", "data_source"),
    ok("public-register-kvk-data-assessed-compatible",
       nl_business(source={"kind": "public_register", "purpose_compatible": True}), "NL_PHONE_LEGAL_PERSON"),
    no("public-register-kvk-data-assessed-incompatible",
       nl_business(source={"kind": "public_register", "purpose_compatible": False}), "DATA_SOURCE_INCOMPATIBLE"),
    no("linkedin-contact-not-assessed", nl_business(source={"kind": "social_network"}), "DATA_SOURCE_UNASSESSED"),
    no("public-website-info-address-not-assessed",
       build("NL", channel="email", kind="company_general", email="info@example.nl",
             source={"kind": "public_website"}), "DATA_SOURCE_UNASSESSED"),
    no("phonebook-number-not-assessed", nl_business(source={"kind": "phonebook"}), "data_source"),
    ok("purchased-list-with-consent-needs-no-compatibility-assessment",
       nl_consumer(source={"kind": "purchased_list"}), "CONSENT"),
    ok("referral-with-consent-needs-no-compatibility-assessment", nl_consumer(source={"kind": "referral"}),
       "CONSENT"),
    no("disabled-source-blocks-uk-email-too",
       build("GB", channel="email", kind="business", source={"kind": "rented_list", "disabled": True}),
       "DATA_SOURCE_DISABLED"),
]

CRM = {"kind": "crm", "purpose_compatible": True}
RETENTION = [
    ok("ex-customer-data-730-days-after-the-relationship", nl_business(cust=customer(ended_days=730), source=CRM),
       "NL_PHONE_LEGAL_PERSON"),
    no("ex-customer-data-731-days-after-the-relationship", nl_business(cust=customer(ended_days=731), source=CRM),
       "RETENTION_EX_CUSTOMER", "retention"),
    no("ex-customer-uk-corporate-email-past-retention",
       build("GB", channel="email", kind="business", cust=customer(ended_days=900), source=CRM), "retention"),
    ok("current-customer-data-is-not-past-retention", nl_business(cust=customer(), source=CRM),
       "NL_PHONE_LEGAL_PERSON"),
]

PRESSURE = [
    no("business-no-answer-an-hour-ago", nl_business(attempts=(attempt("no_answer", 1 / 24),)),
       "RETRY_AFTER_NO_ANSWER", next_at="2026-11-25T09:30:00+01:00"),
    ok("business-no-answer-two-days-ago", nl_business(attempts=(attempt("no_answer", 2),)), "NL_PHONE_LEGAL_PERSON"),
    no("business-not-interested-in-this-campaign-a-year-ago", nl_business(attempts=(attempt("not_interested", 365),)),
       "NOT_INTERESTED_THIS_CAMPAIGN", "contact_pressure"),
    no("business-callback-requested-in-other-campaign-5-days-ago",
       nl_business(attempts=(attempt("callback_requested", 5, campaign="other"),)), "OWN_CONTACT_PRESSURE",
       next_at="2027-01-18T10:30:00+01:00"),
    no("business-wrong-number-reported", nl_business(attempts=(attempt("wrong_number", 20),)), "invalid_contact"),
    no("de-business-conversation-in-other-campaign-59-days-ago",
       build("DE", kind="business", relevant_to_role=True, attempts=(attempt("connected", 59, campaign="other"),)),
       "OWN_CONTACT_PRESSURE", next_at="2026-11-25T10:30:00+01:00"),
    no("gb-consumer-not-on-tps-not-interested-in-this-campaign",
       build("GB", registers=(registered("gb-tps"),), attempts=(attempt("not_interested", 200),)),
       "NOT_INTERESTED_THIS_CAMPAIGN"),
    ok("email-after-an-unanswered-call-an-hour-ago",
       build("NL", channel="email", consents=(given("email"),), attempts=(attempt("no_answer", 1 / 24),)),
       "CONSENT"),
]


@pytest.mark.parametrize(("data", "expect"), INVALID + JURISDICTION + GOVERNANCE + DATA_SOURCE + RETENTION + PRESSURE)
def test_common(books, data, expect):
    check(books, data, expect)
