"""Netherlands: the 2021 opt-in, the 2026 end of the customer exception, the Code Telemarketing hours,
e-mail opt-in with the soft opt-in and the info@ exception (rules-reference.md, "Netherlands")."""

from __future__ import annotations

from typing import Any

import pytest

from tests.core.test_table_support import (
    ANY_TIME,
    attempt,
    build,
    check,
    customer,
    given,
    no,
    objected,
    ok,
    registered,
)

NOW = "2026-11-24T10:30:00+01:00"  # a Tuesday morning
BEFORE_OPT_IN = "2021-06-30T11:00:00+02:00"  # last day of the Bel-me-niet Register for natural persons
OPT_IN = "2021-07-01T11:00:00+02:00"  # Telecommunicatiewet art. 11.7(2): opt-in for natural persons
BEFORE_END = "2026-06-30T11:00:00+02:00"  # last day of the customer exception
END = "2026-07-01T11:00:00+02:00"  # customer exception only for charities, lotteries, press
BMN = "nl-bel-me-niet"
LANDLINE = "+31201234567"


def nl(at: str | None = None, **kw: Any) -> dict[str, Any]:
    return build("NL", at, **kw)


def called(at: str | None = None, **kw: Any) -> dict[str, Any]:
    """A consumer who gave provable consent to be called 30 days ago."""
    kw.setdefault("consents", (given(),))
    return build("NL", at, **kw)


def mailed(kind: str = "consumer", **kw: Any) -> dict[str, Any]:
    return build("NL", channel="email", kind=kind, **kw)


LISTED = (registered(BMN, listed=True),)
CLEAN = (registered(BMN),)

CUTOVER_2021 = [
    ok("nl-consumer-not-listed-on-bel-me-niet-day-before-opt-in", nl(BEFORE_OPT_IN, registers=CLEAN),
       "NL_PHONE_BEL_ME_NIET_CHECKED", rulebook="nl/2020-06-01", jurisdiction="NL"),
    no("nl-consumer-listed-on-bel-me-niet-day-before-opt-in", nl(BEFORE_OPT_IN, registers=LISTED),
       "NL_PHONE_BEL_ME_NIET_LISTED", "register", rulebook="nl/2020-06-01"),
    no("nl-consumer-never-checked-against-bel-me-niet-day-before-opt-in", nl(BEFORE_OPT_IN),
       "NL_PHONE_BEL_ME_NIET_NOT_CHECKED"),
    no("nl-consumer-checked-only-after-the-call-day-before-opt-in",
       nl(BEFORE_OPT_IN, registers=(registered(BMN, days=-1),)), "NL_PHONE_BEL_ME_NIET_NOT_CHECKED"),
    ok("nl-consumer-listed-but-asked-for-the-call-day-before-opt-in",
       nl(BEFORE_OPT_IN, registers=LISTED, consents=(given(own_initiative=True),)), "NL_PHONE_BEL_ME_NIET_OVERRIDDEN"),
    ok("nl-paying-customer-listed-on-bel-me-niet-day-before-opt-in",
       nl(BEFORE_OPT_IN, registers=LISTED, cust=customer()), "NL_PHONE_CUSTOMER_EXCEPTION"),
    no("nl-sole-trader-listed-on-bel-me-niet-day-before-opt-in",
       nl(BEFORE_OPT_IN, kind="sole_trader", registers=LISTED), "NL_PHONE_BEL_ME_NIET_LISTED"),
    ok("nl-business-without-consent-or-register-day-before-opt-in", nl(BEFORE_OPT_IN, kind="business"),
       "NL_PHONE_LEGAL_PERSON"),
    no("nl-consumer-not-listed-without-consent-day-of-opt-in", nl(OPT_IN, registers=CLEAN),
       "NL_PHONE_NATURAL_PERSON_OPT_IN", "consent", rulebook="nl/2021-07-01", jurisdiction="NL"),
    ok("nl-consumer-with-consent-day-of-opt-in-needs-no-register-check", called(OPT_IN), "CONSENT",
       rulebook="nl/2021-07-01"),
    ok("nl-consumer-listed-on-abolished-bel-me-niet-with-consent-day-of-opt-in", called(OPT_IN, registers=LISTED),
       "CONSENT"),
    no("nl-consumer-own-initiative-consent-without-text-day-of-opt-in-proves-nothing",
       nl(OPT_IN, consents=(given(own_initiative=True, text=None),)), "NL_PHONE_NATURAL_PERSON_OPT_IN"),
    ok("nl-paying-customer-without-consent-day-of-opt-in", nl(OPT_IN, cust=customer()),
       "NL_PHONE_CUSTOMER_EXCEPTION"),
    no("nl-sole-trader-without-consent-day-of-opt-in", nl(OPT_IN, kind="sole_trader"),
       "NL_PHONE_NATURAL_PERSON_OPT_IN"),
    ok("nl-business-without-consent-day-of-opt-in", nl(OPT_IN, kind="business"), "NL_PHONE_LEGAL_PERSON"),
    ok("nl-company-switchboard-without-consent-day-of-opt-in",
       nl(OPT_IN, kind="company_general", phone=LANDLINE), "NL_PHONE_LEGAL_PERSON"),
]

CUTOVER_2026 = [
    ok("nl-paying-customer-energy-day-before-customer-exception-ends", nl(BEFORE_END, cust=customer()),
       "NL_PHONE_CUSTOMER_EXCEPTION", rulebook="nl/2024-10-15"),
    no("nl-paying-customer-energy-day-customer-exception-ends", nl(END, cust=customer()),
       "NL_PHONE_NATURAL_PERSON_OPT_IN", rulebook="nl/2026-07-01"),
    no("nl-paying-customer-financial-day-customer-exception-ends", nl(END, cust=customer(), sector="financial"),
       "NL_PHONE_NATURAL_PERSON_OPT_IN"),
    ok("nl-charity-paying-customer-day-before-customer-exception-ends",
       nl(BEFORE_END, cust=customer(), sector="charity"), "NL_PHONE_CUSTOMER_EXCEPTION"),
    ok("nl-charity-paying-customer-day-customer-exception-ends", nl(END, cust=customer(), sector="charity"),
       "NL_PHONE_CUSTOMER_EXCEPTION_IDEAL"),
    ok("nl-charity-lottery-paying-customer-day-customer-exception-ends",
       nl(END, cust=customer(), sector="lottery"), "NL_PHONE_CUSTOMER_EXCEPTION_IDEAL"),
    ok("nl-press-subscriber-day-customer-exception-ends", nl(END, cust=customer(), sector="press"),
       "NL_PHONE_CUSTOMER_EXCEPTION_IDEAL"),
    ok("nl-charity-ex-customer-ended-700-days-ago-after-customer-exception-ends",
       nl(END, cust=customer(ended_days=700), sector="charity"), "NL_PHONE_CUSTOMER_EXCEPTION_IDEAL"),
    no("nl-charity-contest-entrant-is-not-a-customer-day-customer-exception-ends",
       nl(END, cust=customer(paid=False), sector="charity"), "NL_PHONE_NATURAL_PERSON_OPT_IN"),
    no("nl-free-gadget-recipient-is-not-a-customer-day-before-customer-exception-ends",
       nl(BEFORE_END, cust=customer(paid=False)), "NL_PHONE_NATURAL_PERSON_OPT_IN"),
    ok("nl-sole-trader-paying-customer-day-before-customer-exception-ends",
       nl(BEFORE_END, kind="sole_trader", cust=customer()), "NL_PHONE_CUSTOMER_EXCEPTION"),
    no("nl-sole-trader-paying-customer-day-customer-exception-ends", nl(END, kind="sole_trader", cust=customer()),
       "NL_PHONE_NATURAL_PERSON_OPT_IN"),
    ok("nl-business-customer-day-customer-exception-ends-legal-persons-unaffected",
       nl(END, kind="business", cust=customer()), "NL_PHONE_LEGAL_PERSON"),
    ok("nl-consumer-with-consent-day-customer-exception-ends", called(END), "CONSENT"),
    no("nl-paying-customer-who-objected-day-before-customer-exception-ends",
       nl(BEFORE_END, cust=customer(), objections=(objected("phone", days=100),)), "OBJECTION"),
    ok("nl-charity-sole-trader-paying-customer-day-customer-exception-ends",
       nl(END, kind="sole_trader", cust=customer(), sector="charity"), "NL_PHONE_CUSTOMER_EXCEPTION_IDEAL"),
    ok("nl-ex-customer-ended-700-days-ago-day-before-customer-exception-ends",
       nl(BEFORE_END, cust=customer(ended_days=700)), "NL_PHONE_CUSTOMER_EXCEPTION"),
    no("nl-paying-customer-at-2200-day-before-exception-ends-next-morning-too-late",
       nl("2026-06-30T22:00:00+02:00", cust=customer()), "calling_hours", next_at=None),
    no("nl-ex-customer-ended-1096-days-ago-beyond-the-3-year-window",
       nl(BEFORE_END, cust=customer(ended_days=1096)), "NL_PHONE_NATURAL_PERSON_OPT_IN"),
    no("nl-ex-customer-from-customer-file-ended-731-days-ago-past-retention",
       nl(BEFORE_END, cust=customer(ended_days=731), source={"kind": "customer_record", "purpose_compatible": True}),
       "retention"),
]


def at(stamp: str, **kw: Any) -> dict[str, Any]:
    return called(stamp, **kw)


HOURS = [
    no("nl-consumer-sunday-without-consent-waiting-does-not-help", nl("2026-11-29T12:00:00+01:00"),
       "NL_PHONE_NATURAL_PERSON_OPT_IN", "calling_hours", next_at=None),
    no("nl-consumer-no-answer-yesterday-2145-retry-at-2145-today",
       called("2026-11-24T09:00:00+01:00", attempts=(attempt("no_answer", 11.25 / 24),)), "RETRY_AFTER_NO_ANSWER",
       next_at="2026-11-24T21:45:00+01:00"),
    no("nl-company-switchboard-who-objected", nl(kind="company_general", phone=LANDLINE,
                                                 objections=(objected("all"),)), "OBJECTION"),
    ok("nl-consumer-weekday-at-0900-opening", at("2026-11-24T09:00:00+01:00"), "CONSENT"),
    no("nl-consumer-weekday-at-0859-before-opening", at("2026-11-24T08:59:00+01:00"), "NL_PHONE_CALLING_HOURS",
       next_at="2026-11-24T09:00:00+01:00"),
    no("nl-consumer-moment-given-in-utc-is-read-in-amsterdam-time", at("2026-11-24T07:59:00+00:00"),
       "calling_hours", next_at="2026-11-24T09:00:00+01:00"),
    ok("nl-consumer-weekday-at-2159", at("2026-11-24T21:59:00+01:00"), "CONSENT"),
    no("nl-consumer-weekday-at-2200-closing", at("2026-11-24T22:00:00+01:00"), "calling_hours",
       next_at="2026-11-25T09:00:00+01:00"),
    ok("nl-consumer-saturday-at-1000", at("2026-11-28T10:00:00+01:00"), "CONSENT"),
    no("nl-consumer-saturday-at-0930-before-saturday-opening", at("2026-11-28T09:30:00+01:00"), "calling_hours",
       next_at="2026-11-28T10:00:00+01:00"),
    no("nl-consumer-saturday-at-1600-after-saturday-closing", at("2026-11-28T16:00:00+01:00"), "calling_hours",
       next_at="2026-11-30T09:00:00+01:00"),
    no("nl-consumer-sunday-never", at("2026-11-29T12:00:00+01:00"), "calling_hours",
       next_at="2026-11-30T09:00:00+01:00"),
    ok("nl-consumer-sinterklaasavond-at-1800", at("2025-12-05T18:00:00+01:00"), "CONSENT"),
    no("nl-consumer-sinterklaasavond-at-1830", at("2025-12-05T18:30:00+01:00"), "calling_hours",
       next_at="2025-12-06T10:00:00+01:00"),
    ok("nl-consumer-christmas-eve-at-1800", at("2026-12-24T18:00:00+01:00"), "CONSENT"),
    no("nl-consumer-christmas-eve-at-1845-next-after-christmas-weekend", at("2026-12-24T18:45:00+01:00"),
       "calling_hours", next_at="2026-12-28T09:00:00+01:00"),
    no("nl-consumer-christmas-day-public-holiday", at("2026-12-25T11:00:00+01:00"), "calling_hours",
       next_at="2026-12-28T09:00:00+01:00"),
    no("nl-consumer-kings-day-public-holiday", at("2026-04-27T11:00:00+02:00"), "calling_hours",
       next_at="2026-04-28T09:00:00+02:00"),
    no("nl-consumer-remembrance-day-closed-under-revised-code", at("2026-05-04T11:00:00+02:00"), "calling_hours",
       next_at=ANY_TIME),
    ok("nl-consumer-remembrance-day-at-1800-under-2012-code", at("2023-05-04T18:00:00+02:00"), "CONSENT"),
    no("nl-consumer-remembrance-day-at-1900-under-2012-code", at("2023-05-04T19:00:00+02:00"), "calling_hours",
       next_at=ANY_TIME),
    ok("nl-sole-trader-at-1800-has-consumer-hours-not-business-hours",
       at("2026-11-24T18:00:00+01:00", kind="sole_trader"), "CONSENT"),
    ok("nl-business-at-1729-within-business-hours", nl("2026-11-24T17:29:00+01:00", kind="business"),
       "NL_PHONE_LEGAL_PERSON"),
    no("nl-business-at-1730-after-business-hours", nl("2026-11-24T17:30:00+01:00", kind="business"),
       "B2B_BUSINESS_HOURS", next_at="2026-11-25T09:00:00+01:00"),
    no("nl-business-on-saturday", nl("2026-11-28T11:00:00+01:00", kind="business"), "B2B_BUSINESS_HOURS",
       next_at="2026-11-30T09:00:00+01:00"),
    no("nl-company-switchboard-on-sunday", nl("2026-11-29T11:00:00+01:00", kind="company_general", phone=LANDLINE),
       "calling_hours", next_at="2026-11-30T09:00:00+01:00"),
]

EMAIL = [
    no("nl-consumer-email-without-consent", mailed(), "NL_EMAIL_OPT_IN", rulebook="nl/2026-07-01"),
    ok("nl-consumer-email-with-email-consent", mailed(consents=(given("email"),)), "CONSENT"),
    no("nl-consumer-email-with-only-phone-consent", mailed(consents=(given("phone"),)), "NL_EMAIL_OPT_IN"),
    ok("nl-consumer-email-paying-customer-soft-opt-in", mailed(cust=customer()), "NL_EMAIL_SOFT_OPT_IN"),
    no("nl-consumer-email-free-gadget-recipient-no-soft-opt-in", mailed(cust=customer(paid=False)),
       "NL_EMAIL_OPT_IN"),
    ok("nl-consumer-email-on-sunday-night-no-calling-hours",
       mailed(at="2026-11-29T23:00:00+01:00", consents=(given("email"),)), "CONSENT"),
    no("nl-consumer-with-info-address-is-still-a-consumer", mailed(email="info@jansen.nl"), "NL_EMAIL_OPT_IN"),
    no("nl-sole-trader-email-without-consent", mailed("sole_trader"), "NL_EMAIL_OPT_IN"),
    no("nl-business-named-person-email-without-consent-legal-persons-opt-in", mailed("business"),
       "NL_EMAIL_OPT_IN"),
    ok("nl-business-paying-customer-email-soft-opt-in", mailed("business", cust=customer()), "NL_EMAIL_SOFT_OPT_IN"),
    ok("nl-business-info-address-is-a-published-role-address",
       mailed("business", email="info@example.nl"), "ROLE_ADDRESS", "NL_EMAIL_GENERIC_ADDRESS"),
    ok("nl-company-general-address-without-consent", mailed("company_general", email="verkoop@example.nl"),
       "NL_EMAIL_GENERIC_ADDRESS"),
    no("nl-consumer-email-ex-customer-from-crm-past-retention",
       mailed(cust=customer(ended_days=800), source={"kind": "crm", "purpose_compatible": True}), "retention"),
    ok("nl-consumer-sms-with-sms-consent", build("NL", channel="sms", consents=(given("sms"),)), "CONSENT"),
    no("nl-consumer-sms-with-only-email-consent", build("NL", channel="sms", consents=(given("email"),)),
       "NL_EMAIL_OPT_IN"),
    no("nl-consumer-sms-to-a-landline", build("NL", channel="sms", phone=LANDLINE, consents=(given("sms"),)),
       "invalid_contact", "SMS_NOT_MOBILE"),
]

OBJECTIONS_AND_CONSENTS = [
    no("nl-consumer-with-consent-who-objected-to-all-channels", called(objections=(objected("all"),)),
       "OBJECTION", "objection"),
    no("nl-consumer-with-consent-who-objected-to-phone", called(objections=(objected("phone"),)), "OBJECTION"),
    ok("nl-consumer-who-objected-to-email-may-still-be-called", called(objections=(objected("email"),)), "CONSENT"),
    no("nl-consumer-email-after-email-objection",
       mailed(consents=(given("email"),), objections=(objected("email"),)), "OBJECTION"),
    ok("nl-consumer-objection-dated-after-the-moment-not-yet-known", called(objections=(objected("all", days=-1),)),
       "CONSENT"),
    no("nl-consumer-opted-out-during-last-call", called(attempts=(attempt("opt_out", days=5),)),
       "OBJECTION_IN_CALL", "objection"),
    ok("nl-consumer-opted-out-by-phone-may-still-be-emailed-with-consent",
       mailed(consents=(given("email"),), attempts=(attempt("opt_out", days=5),)), "CONSENT"),
    no("nl-business-legal-person-who-objected-to-calls", nl(kind="business", objections=(objected("phone"),)),
       "OBJECTION"),
    no("nl-consumer-consent-withdrawn-yesterday", nl(consents=(given(withdrawn=1),)),
       "NL_PHONE_NATURAL_PERSON_OPT_IN"),
    ok("nl-consumer-consent-withdrawn-only-tomorrow", nl(consents=(given(withdrawn=-1),)), "CONSENT"),
    ok("nl-consumer-one-withdrawn-and-one-valid-consent", nl(consents=(given(days=200, withdrawn=100), given(days=10))),
       "CONSENT"),
    no("nl-consumer-single-use-consent-already-used", nl(consents=(given(single_use=True, used=2),)),
       "NL_PHONE_NATURAL_PERSON_OPT_IN"),
    ok("nl-consumer-single-use-consent-not-yet-used", nl(consents=(given(single_use=True),)), "CONSENT"),
    no("nl-consumer-consent-without-text-proves-nothing", nl(consents=(given(text=None),)),
       "NL_PHONE_NATURAL_PERSON_OPT_IN"),
    no("nl-consumer-consent-without-source-proves-nothing", nl(consents=(given(source=None),)),
       "NL_PHONE_NATURAL_PERSON_OPT_IN"),
    no("nl-consumer-consent-without-timestamp-proves-nothing", nl(consents=(given(days=None),)),
       "NL_PHONE_NATURAL_PERSON_OPT_IN"),
    no("nl-consumer-consent-given-two-hours-from-now", nl(consents=(given(days=-2 / 24),)),
       "NL_PHONE_NATURAL_PERSON_OPT_IN", next_at="2026-11-24T12:30:00+01:00"),
]

PRESSURE = [
    no("nl-consumer-no-answer-23-hours-ago-retry-after-a-day", called(attempts=(attempt("no_answer", 23 / 24),)),
       "RETRY_AFTER_NO_ANSWER", "contact_pressure", next_at="2026-11-24T11:30:00+01:00"),
    ok("nl-consumer-no-answer-25-hours-ago", called(attempts=(attempt("no_answer", 25 / 24),)), "CONSENT"),
    ok("nl-consumer-busy-yesterday-is-not-a-refusal", called(attempts=(attempt("busy", 1.5),)), "CONSENT"),
    no("nl-consumer-not-interested-in-this-campaign-100-days-ago",
       called(attempts=(attempt("not_interested", 100),)), "NOT_INTERESTED_THIS_CAMPAIGN"),
    no("nl-consumer-conversation-in-other-campaign-10-days-ago",
       called(attempts=(attempt("connected", 10, campaign="spring"),)), "OWN_CONTACT_PRESSURE",
       next_at="2027-01-13T10:30:00+01:00"),
    no("nl-consumer-not-interested-in-other-campaign-30-days-ago",
       called(attempts=(attempt("not_interested", 30, campaign="spring"),)), "OWN_CONTACT_PRESSURE",
       absent=("NOT_INTERESTED_THIS_CAMPAIGN",), next_at="2026-12-24T10:30:00+01:00"),
    ok("nl-consumer-conversation-in-other-campaign-61-days-ago",
       called(attempts=(attempt("connected", 61, campaign="spring"),)), "CONSENT"),
    ok("nl-consumer-unanswered-in-other-campaign-2-days-ago-no-pressure",
       called(attempts=(attempt("no_answer", 2, campaign="spring"),)), "CONSENT"),
    no("nl-consumer-number-reported-as-wrong", called(attempts=(attempt("wrong_number", 3),)), "invalid_contact"),
    ok("nl-consumer-attempt-after-the-moment-does-not-count", called(attempts=(attempt("no_answer", -1 / 24),)),
       "CONSENT"),
]


@pytest.mark.parametrize(("data", "expect"), CUTOVER_2021 + CUTOVER_2026 + HOURS + EMAIL + OBJECTIONS_AND_CONSENTS
                         + PRESSURE)
def test_nl(books, data, expect):
    check(books, data, expect)
