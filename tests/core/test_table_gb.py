"""United Kingdom: TPS for individuals and sole traders, CTPS for corporate subscribers (checked within
28 days, overridden only by the subscriber's own notification, never by being a customer), consent for
claims-management and pensions calls, no statutory hours, e-mail consent or soft opt-in for individuals,
the charity soft opt-in from 5 Feb 2026, and corporate e-mail without consent (rules-reference.md,
"United Kingdom")."""

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

TPS, CTPS = "gb-tps", "gb-ctps"
TPS_CLEAN = (registered(TPS, days=7),)
TPS_LISTED = (registered(TPS, listed=True, days=7),)
CTPS_CLEAN = (registered(CTPS, days=7),)
CTPS_LISTED = (registered(CTPS, listed=True, days=7),)
LANDLINE = "+442079460018"
BEFORE_CHARITY = "2026-02-04T11:00:00+00:00"  # the day before DUAA 2025 brought in reg 22(3A)
CHARITY = "2026-02-05T11:00:00+00:00"


def gb(at: str | None = None, **kw: Any) -> dict[str, Any]:
    return build("GB", at, **kw)


def mailed(kind: str = "consumer", **kw: Any) -> dict[str, Any]:
    return build("GB", channel="email", kind=kind, **kw)


PHONE = [
    ok("gb-consumer-checked-against-tps-not-listed", gb(registers=TPS_CLEAN), "GB_PHONE_TPS_CHECKED",
       rulebook="gb/2026-02-05", jurisdiction="GB"),
    ok("gb-consumer-tps-check-28-days-old", gb(registers=(registered(TPS, days=28),)), "GB_PHONE_TPS_CHECKED"),
    no("gb-consumer-tps-check-29-days-old-is-stale", gb(registers=(registered(TPS, days=29),)), "GB_PHONE_TPS_STALE",
       "register"),
    no("gb-consumer-never-checked-against-tps", gb(), "GB_PHONE_TPS_NOT_CHECKED"),
    no("gb-consumer-checked-only-against-ctps", gb(registers=CTPS_CLEAN), "GB_PHONE_TPS_NOT_CHECKED"),
    no("gb-consumer-listed-on-tps", gb(registers=TPS_LISTED), "GB_PHONE_TPS_LISTED"),
    no("gb-paying-customer-listed-on-tps-customer-does-not-override", gb(registers=TPS_LISTED, cust=customer()),
       "GB_PHONE_TPS_LISTED"),
    ok("gb-consumer-listed-on-tps-who-told-us-they-do-not-object", gb(registers=TPS_LISTED, consents=(given(),)),
       "GB_PHONE_TPS_OVERRIDDEN"),
    no("gb-consumer-listed-on-tps-notification-withdrawn",
       gb(registers=TPS_LISTED, consents=(given(withdrawn=1),)), "GB_PHONE_TPS_LISTED"),
    no("gb-consumer-listed-on-tps-with-email-consent-only", gb(registers=TPS_LISTED, consents=(given("email"),)),
       "GB_PHONE_TPS_LISTED"),
    no("gb-sole-trader-listed-on-tps", gb(kind="sole_trader", registers=TPS_LISTED), "GB_PHONE_TPS_LISTED"),
    no("gb-sole-trader-checked-only-against-ctps", gb(kind="sole_trader", registers=CTPS_CLEAN),
       "GB_PHONE_TPS_NOT_CHECKED"),
    no("gb-consumer-listed-on-tps-single-use-notification-already-used",
       gb(registers=TPS_LISTED, consents=(given(single_use=True, used=3),)), "GB_PHONE_TPS_LISTED"),
    ok("gb-business-checked-against-ctps-not-listed", gb(kind="business", registers=CTPS_CLEAN),
       "GB_PHONE_CTPS_CHECKED"),
    no("gb-business-listed-on-ctps", gb(kind="business", registers=CTPS_LISTED), "GB_PHONE_CTPS_LISTED"),
    no("gb-business-never-checked-against-ctps", gb(kind="business"), "GB_PHONE_CTPS_NOT_CHECKED"),
    no("gb-business-checked-only-against-tps", gb(kind="business", registers=TPS_CLEAN), "GB_PHONE_CTPS_NOT_CHECKED"),
    no("gb-business-ctps-check-29-days-old", gb(kind="business", registers=(registered(CTPS, days=29),)),
       "GB_PHONE_CTPS_STALE"),
    ok("gb-company-switchboard-not-on-ctps", gb(kind="company_general", phone=LANDLINE, registers=CTPS_CLEAN),
       "GB_PHONE_CTPS_CHECKED"),
    no("gb-consumer-not-on-tps-who-objected-to-us", gb(registers=TPS_CLEAN, objections=(objected("phone"),)),
       "OBJECTION"),
    no("gb-consumer-not-on-tps-opted-out-in-last-call", gb(registers=TPS_CLEAN, attempts=(attempt("opt_out", 1),)),
       "OBJECTION_IN_CALL"),
    ok("gb-consumer-sunday-evening-no-statutory-hours", gb("2026-11-29T19:00:00+00:00", registers=TPS_CLEAN),
       "GB_PHONE_TPS_CHECKED"),
    no("gb-business-sunday-outside-business-hours", gb("2026-11-29T11:00:00+00:00", kind="business",
                                                       registers=CTPS_CLEAN), "B2B_BUSINESS_HOURS",
       next_at="2026-11-30T09:00:00+00:00"),
    no("gb-business-0830-london-is-0930-in-paris-still-closed",
       gb("2026-11-24T09:30:00+01:00", kind="business", registers=CTPS_CLEAN), "B2B_BUSINESS_HOURS",
       next_at="2026-11-24T09:00:00+00:00"),
    no("gb-claims-management-call-without-consent", gb(registers=TPS_CLEAN, sector="claims_management"),
       "GB_PHONE_CLAIMS_MANAGEMENT_CONSENT", "consent"),
    ok("gb-claims-management-call-with-consent", gb(registers=TPS_CLEAN, consents=(given(),),
                                                    sector="claims_management"), "CONSENT"),
    no("gb-pensions-call-to-consumer-without-consent", gb(registers=TPS_CLEAN, sector="pensions"),
       "GB_PHONE_PENSIONS_CONSENT"),
    no("gb-pensions-call-to-business-without-consent", gb(kind="business", registers=CTPS_CLEAN, sector="pensions"),
       "GB_PHONE_PENSIONS_CONSENT"),
    no("gb-consumer-hidden-caller-id", gb(registers=TPS_CLEAN, caller_id=None), "GB_CALLER_ID", "governance"),
    no("gb-consumer-automated-dialer-without-consent", gb(registers=TPS_CLEAN, automated_dialer=True),
       "AUTOMATED_DIALER_CONSENT"),
]

EMAIL = [
    no("gb-consumer-email-without-consent", mailed(), "GB_EMAIL_OPT_IN", jurisdiction="GB"),
    ok("gb-consumer-email-with-email-consent", mailed(consents=(given("email"),)), "CONSENT"),
    ok("gb-consumer-email-paying-customer-soft-opt-in", mailed(cust=customer()), "GB_EMAIL_SOFT_OPT_IN"),
    no("gb-consumer-email-free-gadget-recipient-no-soft-opt-in", mailed(cust=customer(paid=False)),
       "GB_EMAIL_OPT_IN"),
    no("gb-charity-supporter-email-day-before-charity-soft-opt-in",
       mailed(at=BEFORE_CHARITY, cust=customer(paid=False), sector="charity"), "GB_EMAIL_OPT_IN",
       rulebook="gb/2019-01-09", next_at="2026-02-05T00:00:00+00:00"),  # the law changes at midnight
    ok("gb-charity-supporter-email-day-of-charity-soft-opt-in",
       mailed(at=CHARITY, cust=customer(paid=False), sector="charity"), "GB_EMAIL_CHARITY_SOFT_OPT_IN",
       rulebook="gb/2026-02-05"),
    no("gb-sole-trader-email-is-an-individual-subscriber", mailed("sole_trader"), "GB_EMAIL_OPT_IN"),
    ok("gb-business-named-address-corporate-subscriber", mailed("business"), "GB_EMAIL_CORPORATE"),
    ok("gb-company-general-address-corporate-subscriber", mailed("company_general", email="sales@example.co.uk"),
       "GB_EMAIL_CORPORATE"),
    no("gb-business-named-address-who-objected", mailed("business", objections=(objected("email"),)), "OBJECTION"),
    ok("gb-contact-country-written-uk", mailed("business", contact_country="UK"), "GB_EMAIL_CORPORATE",
       jurisdiction="GB"),
    ok("gb-consumer-sms-with-consent-needs-no-tps-check", build("GB", channel="sms", consents=(given("sms"),)),
       "CONSENT"),
    no("gb-consumer-sms-without-consent", build("GB", channel="sms"), "GB_EMAIL_OPT_IN"),
    ok("gb-business-sms-corporate-subscriber", build("GB", channel="sms", kind="business"), "GB_EMAIL_CORPORATE"),
]


@pytest.mark.parametrize(("data", "expect"), PHONE + EMAIL)
def test_gb(books, data, expect):
    check(books, data, expect)
