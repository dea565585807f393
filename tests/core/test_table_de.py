"""Germany: express consent for consumers (no customer exception), presumed consent for businesses
(existing customer or relevance to the role), consent for automated calls, caller ID, e-mail opt-in for
consumers and businesses alike with the §7(3) soft opt-in (rules-reference.md, "Germany")."""

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
)

LANDLINE = "+493012345678"


def de(at: str | None = None, **kw: Any) -> dict[str, Any]:
    return build("DE", at, **kw)


def mailed(kind: str = "consumer", **kw: Any) -> dict[str, Any]:
    return build("DE", channel="email", kind=kind, **kw)


PHONE = [
    no("de-consumer-without-consent", de(), "DE_PHONE_CONSUMER_CONSENT", "consent", rulebook="de/2009-08-04",
       jurisdiction="DE"),
    ok("de-consumer-with-express-consent", de(consents=(given(),)), "CONSENT", jurisdiction="DE"),
    no("de-paying-customer-without-consent-no-customer-exception", de(cust=customer()), "DE_PHONE_CONSUMER_CONSENT"),
    no("de-consumer-consent-for-email-only", de(consents=(given("email"),)), "DE_PHONE_CONSUMER_CONSENT"),
    no("de-consumer-consent-withdrawn", de(consents=(given(withdrawn=3),)), "DE_PHONE_CONSUMER_CONSENT"),
    no("de-consumer-consent-without-source", de(consents=(given(source=None),)), "DE_PHONE_CONSUMER_CONSENT"),
    ok("de-consumer-with-consent-on-sunday-no-statutory-hours", de("2026-11-29T12:00:00+01:00", consents=(given(),)),
       "CONSENT"),
    ok("de-consumer-with-consent-five-attempts-no-statutory-limit",
       de(consents=(given(),), attempts=tuple(attempt("no_answer", d) for d in (25, 20, 15, 10, 5))), "CONSENT"),
    no("de-business-without-any-sign-of-interest", de(kind="business"), "DE_PHONE_B2B_PRESUMED_CONSENT"),
    ok("de-business-existing-customer-presumed-consent", de(kind="business", cust=customer()),
       "DE_PHONE_B2B_PRESUMED_CONSENT_CUSTOMER"),
    ok("de-business-offer-relevant-to-role-presumed-consent", de(kind="business", relevant_to_role=True),
       "DE_PHONE_B2B_PRESUMED_CONSENT_ROLE"),
    ok("de-business-with-express-consent", de(kind="business", consents=(given(),)), "CONSENT"),
    no("de-business-former-customer-ended-100-days-ago-not-relevant",
       de(kind="business", cust=customer(ended_days=100)), "DE_PHONE_B2B_PRESUMED_CONSENT"),
    no("de-business-free-gadget-recipient-is-not-a-customer", de(kind="business", cust=customer(paid=False)),
       "DE_PHONE_B2B_PRESUMED_CONSENT"),
    ok("de-sole-trader-is-a-business-relevant-to-role", de(kind="sole_trader", relevant_to_role=True),
       "DE_PHONE_B2B_PRESUMED_CONSENT_ROLE"),
    no("de-sole-trader-without-sign-of-interest", de(kind="sole_trader"), "DE_PHONE_B2B_PRESUMED_CONSENT"),
    ok("de-company-switchboard-relevant-to-role", de(kind="company_general", phone=LANDLINE, relevant_to_role=True),
       "DE_PHONE_B2B_PRESUMED_CONSENT_ROLE"),
    no("de-business-relevant-to-role-on-saturday", de("2026-11-28T11:00:00+01:00", kind="business",
                                                      relevant_to_role=True), "B2B_BUSINESS_HOURS",
       next_at="2026-11-30T09:00:00+01:00"),
    no("de-business-relevant-to-role-on-german-unity-day", de("2025-10-03T11:00:00+02:00", kind="business",
                                                              relevant_to_role=True), "B2B_BUSINESS_HOURS",
       next_at="2025-10-06T09:00:00+02:00"),
    no("de-business-relevant-to-role-but-objected", de(kind="business", relevant_to_role=True,
                                                       objections=(objected("phone"),)), "OBJECTION"),
    no("de-consumer-with-consent-hidden-caller-id", de(consents=(given(),), caller_id=None), "DE_CALLER_ID",
       "governance"),
    no("de-business-relevant-automated-dialer-needs-consent",
       de(kind="business", relevant_to_role=True, automated_dialer=True), "AUTOMATED_DIALER_CONSENT"),
    ok("de-consumer-automated-dialer-with-automated-calls-consent",
       de(consents=(given(automated_calls=True),), automated_dialer=True), "CONSENT"),
]

EMAIL = [
    no("de-consumer-email-without-consent", mailed(), "DE_EMAIL_CONSENT", jurisdiction="DE"),
    ok("de-consumer-email-with-email-consent", mailed(consents=(given("email"),)), "CONSENT"),
    ok("de-consumer-email-paying-customer-soft-opt-in", mailed(cust=customer()), "DE_EMAIL_SOFT_OPT_IN"),
    no("de-consumer-email-free-gadget-recipient-no-soft-opt-in", mailed(cust=customer(paid=False)),
       "DE_EMAIL_CONSENT"),
    no("de-consumer-email-paying-customer-who-objected", mailed(cust=customer(), objections=(objected("email"),)),
       "OBJECTION"),
    no("de-business-email-relevant-to-role-still-needs-consent", mailed("business", relevant_to_role=True),
       "DE_EMAIL_CONSENT"),
    ok("de-business-email-paying-customer-soft-opt-in", mailed("business", cust=customer()), "DE_EMAIL_SOFT_OPT_IN"),
    no("de-business-info-address-still-needs-consent", mailed("business", email="info@example.de"),
       "DE_EMAIL_CONSENT"),
    no("de-company-general-address-needs-consent", mailed("company_general", email="vertrieb@example.de"),
       "DE_EMAIL_CONSENT"),
    no("de-sole-trader-sms-without-consent", build("DE", channel="sms", kind="sole_trader"), "DE_EMAIL_CONSENT"),
    ok("de-consumer-sms-with-sms-consent", build("DE", channel="sms", consents=(given("sms"),)), "CONSENT"),
]


@pytest.mark.parametrize(("data", "expect"), PHONE + EMAIL)
def test_de(books, data, expect):
    check(books, data, expect)
