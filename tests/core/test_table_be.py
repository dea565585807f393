"""Belgium: the DNCM list for every subscriber (consumers and businesses, customers included), no
statutory calling hours, e-mail opt-in with the soft opt-in and impersonal addresses
(rules-reference.md, "Belgium")."""

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
    objected,
    ok,
    registered,
)

DNCM = "be-dncm"
CLEAN = (registered(DNCM, days=2),)
LISTED = (registered(DNCM, listed=True, days=2),)
LANDLINE = "+3222345678"


def be(at: str | None = None, **kw: Any) -> dict[str, Any]:
    return build("BE", at, **kw)


def mailed(kind: str = "consumer", **kw: Any) -> dict[str, Any]:
    return build("BE", channel="email", kind=kind, **kw)


PHONE = [
    ok("be-consumer-checked-against-dncm-two-days-ago-not-listed", be(registers=CLEAN), "BE_PHONE_DNCM_CHECKED",
       rulebook="be/2014-05-31", jurisdiction="BE"),
    ok("be-consumer-dncm-check-exactly-5-days-old", be(registers=(registered(DNCM, days=5),)),
       "BE_PHONE_DNCM_CHECKED"),
    no("be-consumer-dncm-check-6-days-old-is-stale", be(registers=(registered(DNCM, days=6),)),
       "BE_PHONE_DNCM_STALE", "register"),
    no("be-consumer-never-checked-against-dncm", be(), "BE_PHONE_DNCM_NOT_CHECKED", "register"),
    no("be-consumer-with-consent-never-checked-against-dncm", be(consents=(given(),)), "BE_PHONE_DNCM_NOT_CHECKED"),
    no("be-consumer-checked-only-after-the-call", be(registers=(registered(DNCM, days=-1),)),
       "BE_PHONE_DNCM_NOT_CHECKED", next_at="2026-11-25T10:30:00+01:00"),  # from the check on
    no("be-consumer-other-country-register-check-does-not-count", be(registers=(registered("fr-bloctel"),)),
       "BE_PHONE_DNCM_NOT_CHECKED"),
    no("be-consumer-listed-on-dncm", be(registers=LISTED), "BE_PHONE_DNCM_LISTED"),
    ok("be-consumer-listed-on-dncm-but-asked-the-company-to-call",
       be(registers=LISTED, consents=(given(own_initiative=True),)), "BE_PHONE_DNCM_OVERRIDDEN"),
    no("be-consumer-listed-on-dncm-with-contest-consent-not-own-initiative",
       be(registers=LISTED, consents=(given(),)), "BE_PHONE_DNCM_LISTED"),
    no("be-consumer-listed-on-dncm-own-initiative-consent-withdrawn",
       be(registers=LISTED, consents=(given(own_initiative=True, withdrawn=1),)), "BE_PHONE_DNCM_LISTED"),
    no("be-paying-customer-listed-on-dncm-customers-are-not-exempt", be(registers=LISTED, cust=customer()),
       "BE_PHONE_DNCM_LISTED"),
    no("be-sole-trader-listed-on-dncm", be(kind="sole_trader", registers=LISTED), "BE_PHONE_DNCM_LISTED"),
    no("be-business-listed-on-dncm-legal-persons-covered", be(kind="business", registers=LISTED),
       "BE_PHONE_DNCM_LISTED"),
    ok("be-business-not-listed-on-dncm", be(kind="business", registers=CLEAN), "BE_PHONE_DNCM_CHECKED"),
    no("be-company-switchboard-never-checked-against-dncm", be(kind="company_general", phone=LANDLINE),
       "BE_PHONE_DNCM_NOT_CHECKED"),
    ok("be-company-switchboard-not-listed", be(kind="company_general", phone=LANDLINE, registers=CLEAN),
       "BE_PHONE_DNCM_CHECKED"),
    no("be-consumer-not-listed-but-objected-to-the-company", be(registers=CLEAN, objections=(objected("all"),)),
       "OBJECTION"),
    no("be-consumer-not-listed-but-opted-out-in-last-call", be(registers=CLEAN, attempts=(attempt("opt_out", 3),)),
       "OBJECTION_IN_CALL"),
    ok("be-consumer-saturday-evening-no-statutory-hours", be("2026-11-28T19:30:00+01:00", registers=CLEAN),
       "BE_PHONE_DNCM_CHECKED"),
    ok("be-consumer-sunday-no-statutory-hours", be("2026-11-29T11:00:00+01:00", registers=CLEAN),
       "BE_PHONE_DNCM_CHECKED"),
    no("be-business-saturday-outside-business-hours", be("2026-11-28T11:00:00+01:00", kind="business",
                                                         registers=CLEAN), "B2B_BUSINESS_HOURS",
       next_at="2026-11-30T09:00:00+01:00"),
    no("be-sole-trader-on-national-day-public-holiday", be("2026-07-21T11:00:00+02:00", kind="sole_trader",
                                                           registers=CLEAN), "B2B_BUSINESS_HOURS",
       next_at="2026-07-22T09:00:00+02:00"),
    no("be-consumer-no-caller-id", be(registers=CLEAN, caller_id=None), "BE_CALLER_ID", "governance"),
]

EMAIL = [
    no("be-consumer-email-without-consent", mailed(), "BE_EMAIL_OPT_IN", jurisdiction="BE"),
    ok("be-consumer-email-with-email-consent", mailed(consents=(given("email"),)), "CONSENT"),
    ok("be-consumer-email-needs-no-dncm-check", mailed(consents=(given("email"),)), "CONSENT",
       absent=("BE_PHONE_DNCM_NOT_CHECKED",)),
    ok("be-consumer-email-paying-customer-soft-opt-in", mailed(cust=customer()), "BE_EMAIL_SOFT_OPT_IN"),
    no("be-consumer-email-contest-entrant-no-soft-opt-in", mailed(cust=customer(paid=False)), "BE_EMAIL_OPT_IN"),
    no("be-sole-trader-email-without-consent", mailed("sole_trader"), "BE_EMAIL_OPT_IN"),
    no("be-business-named-address-without-consent", mailed("business"), "BE_EMAIL_OPT_IN"),
    ok("be-business-paying-customer-email-soft-opt-in", mailed("business", cust=customer()), "BE_EMAIL_SOFT_OPT_IN"),
    ok("be-business-info-address-is-impersonal", mailed("business", email="info@example.be"), "ROLE_ADDRESS",
       "BE_EMAIL_IMPERSONAL_ADDRESS"),
    ok("be-company-general-address-without-consent", mailed("company_general", email="contact@example.be"),
       "BE_EMAIL_IMPERSONAL_ADDRESS"),
    no("be-consumer-sms-without-consent-outside-dncm-opt-in", build("BE", channel="sms", registers=CLEAN),
       "BE_EMAIL_OPT_IN"),
    ok("be-consumer-sms-with-sms-consent", build("BE", channel="sms", consents=(given("sms"),)), "CONSENT"),
    no("be-consumer-email-objected-to-email", mailed(consents=(given("email"),), objections=(objected("email"),)),
       "OBJECTION"),
]


@pytest.mark.parametrize(("data", "expect"), PHONE + EMAIL)
def test_be(books, data, expect):
    check(books, data, expect)
