"""France: Bloctel until 10 Aug 2026, consumer opt-in from 11 Aug 2026 (consent valid 365 days, current
contract exception), D223-9 calling hours and contact pressure, ARCEP prefixes for automated dialers,
the energy-renovation ban, B2B e-mail related to the profession, and the overseas departments with
their own time zones and holidays (rules-reference.md, "France")."""

from __future__ import annotations

from typing import Any

import pytest

from tests.core.test_table_support import (
    GUADELOUPE_MOBILE,
    GUYANE_MOBILE,
    MARTINIQUE_MOBILE,
    REUNION_LANDLINE,
    REUNION_MOBILE,
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

BEFORE_OPT_IN = "2026-08-10T11:00:00+02:00"  # Monday, last day of Bloctel
OPT_IN = "2026-08-11T11:00:00+02:00"  # Tuesday, L223-1 as amended by Loi 2025-594: opt-in
BLOCTEL = "fr-bloctel"
CLEAN = (registered(BLOCTEL, days=3),)
LISTED = (registered(BLOCTEL, listed=True, days=3),)
LANDLINE = "+33140000000"


def fr(at: str | None = None, **kw: Any) -> dict[str, Any]:
    return build("FR", at, **kw)


def called(at: str | None = None, **kw: Any) -> dict[str, Any]:
    """A consumer who consented to calls 30 days ago (after the opt-in came into force)."""
    kw.setdefault("consents", (given(),))
    return build("FR", at, **kw)


def mailed(kind: str = "consumer", **kw: Any) -> dict[str, Any]:
    return build("FR", channel="email", kind=kind, **kw)


def screened(at: str, phone: str | None = None) -> dict[str, Any]:
    """A consumer called while Bloctel was in force: consent and a clean Bloctel check."""
    return called(at, phone=phone, registers=CLEAN)


def robot(caller_id: str, at: str | None = None, **kw: Any) -> dict[str, Any]:
    """An automated-dialer campaign calling a consumer who consented to automated calls."""
    return called(at, consents=(given(automated_calls=True),), automated_dialer=True, caller_id=caller_id, **kw)


CUTOVER = [
    ok("fr-consumer-not-on-bloctel-without-consent-day-before-opt-in", fr(BEFORE_OPT_IN, registers=CLEAN),
       "FR_PHONE_BLOCTEL_CHECKED", rulebook="fr/2025-07-01", jurisdiction="FR"),
    no("fr-consumer-not-on-bloctel-without-consent-day-of-opt-in", fr(OPT_IN, registers=CLEAN),
       "FR_PHONE_CONSUMER_OPT_IN", "consent", rulebook="fr/2026-08-11", jurisdiction="FR"),
    no("fr-consumer-bloctel-listed-day-before-opt-in", fr(BEFORE_OPT_IN, registers=LISTED),
       "FR_PHONE_BLOCTEL_LISTED", "register"),
    ok("fr-consumer-bloctel-listed-with-consent-day-of-opt-in-bloctel-ended",
       called(OPT_IN, registers=LISTED), "CONSENT"),
    no("fr-consumer-never-checked-against-bloctel-day-before-opt-in", fr(BEFORE_OPT_IN),
       "FR_PHONE_BLOCTEL_NOT_CHECKED"),
    ok("fr-consumer-with-consent-needs-no-bloctel-check-day-of-opt-in", called(OPT_IN), "CONSENT",
       rulebook="fr/2026-08-11"),
    ok("fr-consumer-bloctel-check-30-days-old-day-before-opt-in",
       fr(BEFORE_OPT_IN, registers=(registered(BLOCTEL, days=30),)), "FR_PHONE_BLOCTEL_CHECKED"),
    no("fr-consumer-bloctel-check-31-days-old-is-stale-day-before-opt-in",
       fr(BEFORE_OPT_IN, registers=(registered(BLOCTEL, days=31),)), "FR_PHONE_BLOCTEL_STALE"),
    ok("fr-consumer-bloctel-listed-but-asked-to-be-called-day-before-opt-in",
       fr(BEFORE_OPT_IN, registers=LISTED, consents=(given(own_initiative=True),)), "FR_PHONE_BLOCTEL_OVERRIDDEN"),
    ok("fr-consumer-bloctel-listed-with-contract-in-force-day-before-opt-in",
       fr(BEFORE_OPT_IN, registers=LISTED, cust=customer()), "FR_PHONE_CURRENT_CONTRACT"),
    no("fr-ex-customer-bloctel-listed-contract-ended-10-days-ago-day-before-opt-in",
       fr(BEFORE_OPT_IN, registers=LISTED, cust=customer(ended_days=10)), "FR_PHONE_BLOCTEL_LISTED"),
    ok("fr-consumer-with-contract-in-force-without-consent-day-of-opt-in", fr(OPT_IN, cust=customer()),
       "FR_PHONE_CURRENT_CONTRACT"),
    no("fr-ex-customer-contract-ended-yesterday-day-of-opt-in-no-window", fr(OPT_IN, cust=customer(ended_days=1)),
       "FR_PHONE_CONSUMER_OPT_IN"),
    ok("fr-consumer-consent-given-before-the-opt-in-still-counts-day-of-opt-in",
       fr(OPT_IN, consents=(given(days=60),)), "CONSENT"),
    no("fr-consumer-consent-without-text-day-of-opt-in", fr(OPT_IN, consents=(given(text=None),)),
       "FR_PHONE_CONSUMER_OPT_IN"),
    no("fr-consumer-consent-withdrawn-day-of-opt-in", fr(OPT_IN, consents=(given(withdrawn=2),)),
       "FR_PHONE_CONSUMER_OPT_IN"),
    ok("fr-sole-trader-without-consent-day-of-opt-in-is-a-professional", fr(OPT_IN, kind="sole_trader"),
       "FR_PHONE_B2B"),
    ok("fr-business-without-consent-day-of-opt-in-bloctel-never-applied", fr(OPT_IN, kind="business"),
       "FR_PHONE_B2B"),
    no("fr-consumer-bloctel-clean-at-2000-day-before-opt-in-tomorrow-needs-consent",
       fr("2026-08-10T20:00:00+02:00", registers=CLEAN), "calling_hours", next_at=None),
    ok("fr-sole-trader-without-bloctel-check-day-before-opt-in", fr(BEFORE_OPT_IN, kind="sole_trader"),
       "FR_PHONE_B2B"),
    ok("fr-company-switchboard-without-consent-day-of-opt-in", fr(OPT_IN, kind="company_general", phone=LANDLINE),
       "FR_PHONE_B2B"),
    ok("fr-business-without-bloctel-check-day-before-opt-in", fr(BEFORE_OPT_IN, kind="business"), "FR_PHONE_B2B"),
]

CONSENT_VALIDITY = [
    ok("fr-consumer-consent-given-364-days-ago", fr(consents=(given(days=364),)), "CONSENT"),
    no("fr-consumer-consent-given-366-days-ago-expired", fr(consents=(given(days=366),)),
       "FR_PHONE_CONSENT_VALIDITY"),
    no("fr-consumer-consent-expires-over-the-weekend-waiting-does-not-help",
       fr("2026-11-27T20:30:00+01:00", consents=(given(days=364.9),)), "calling_hours", next_at=None),
    no("fr-consumer-refused-during-call-after-consent-consent-ends",
       fr("2026-12-15T11:00:00+01:00", consents=(given(days=70),), attempts=(attempt("not_interested", 65, "old"),)),
       "FR_PHONE_CONSUMER_OPT_IN"),
    no("fr-consumer-refused-in-this-campaign-never-again", called(attempts=(attempt("not_interested", 90),)),
       "NOT_INTERESTED_THIS_CAMPAIGN"),
]

HOURS = [
    ok("fr-consumer-monday-at-1000-opening", called("2026-11-23T10:00:00+01:00"), "CONSENT"),
    no("fr-consumer-weekday-at-0959", called("2026-11-24T09:59:00+01:00"), "FR_PHONE_CALLING_HOURS",
       next_at="2026-11-24T10:00:00+01:00"),
    ok("fr-consumer-weekday-at-1259", called("2026-11-24T12:59:00+01:00"), "CONSENT"),
    no("fr-consumer-weekday-at-1300-lunch-break", called("2026-11-24T13:00:00+01:00"), "calling_hours",
       next_at="2026-11-24T14:00:00+01:00"),
    ok("fr-consumer-weekday-at-1400", called("2026-11-24T14:00:00+01:00"), "CONSENT"),
    ok("fr-consumer-weekday-at-1959", called("2026-11-24T19:59:00+01:00"), "CONSENT"),
    no("fr-consumer-weekday-at-2000-closing", called("2026-11-24T20:00:00+01:00"), "calling_hours",
       next_at="2026-11-25T10:00:00+01:00"),
    no("fr-consumer-friday-evening-next-monday", called("2026-11-27T20:30:00+01:00"), "calling_hours",
       next_at="2026-11-30T10:00:00+01:00"),
    no("fr-consumer-saturday-never", called("2026-11-28T11:00:00+01:00"), "calling_hours",
       next_at="2026-11-30T10:00:00+01:00"),
    no("fr-consumer-armistice-day-public-holiday", called("2026-11-11T11:00:00+01:00"), "calling_hours",
       next_at="2026-11-12T10:00:00+01:00"),
    no("fr-customer-contract-in-force-also-bound-by-hours", fr("2026-11-24T13:30:00+01:00", cust=customer()),
       "calling_hours", next_at="2026-11-24T14:00:00+01:00"),
    ok("fr-business-at-1330-business-hours-not-consumer-hours", fr("2026-11-24T13:30:00+01:00", kind="business"),
       "FR_PHONE_B2B"),
    no("fr-business-saturday-outside-business-hours", fr("2026-11-28T11:00:00+01:00", kind="business"),
       "B2B_BUSINESS_HOURS", next_at="2026-11-30T09:00:00+01:00"),
    ok("fr-consumer-email-on-saturday-no-calling-hours",
       mailed(at="2026-11-28T22:00:00+01:00", consents=(given("email"),)), "CONSENT"),
]

OVERSEAS = [
    ok("fr-reunion-landline-1030-in-reunion-while-0730-in-paris",
       called("2026-11-24T07:30:00+01:00", phone=REUNION_LANDLINE), "CONSENT", jurisdiction="FR"),
    no("fr-reunion-landline-1330-in-reunion-lunch-break", called("2026-11-24T10:30:00+01:00", phone=REUNION_LANDLINE),
       "calling_hours", next_at="2026-11-24T14:00:00+04:00", jurisdiction="FR"),
    ok("fr-reunion-mobile-1030-in-reunion-time-zone", called("2026-11-24T07:30:00+01:00", phone=REUNION_MOBILE),
       "CONSENT"),
    no("fr-reunion-mobile-0930-in-reunion-opens-at-1000-reunion-time",
       called("2026-11-24T06:30:00+01:00", phone=REUNION_MOBILE), "calling_hours",
       next_at="2026-11-24T10:00:00+04:00"),
    no("fr-reunion-abolition-of-slavery-20-december-public-holiday",
       called("2027-12-20T11:00:00+04:00", phone=REUNION_LANDLINE), "calling_hours",
       next_at="2027-12-21T10:00:00+04:00"),
    ok("fr-mainland-20-december-is-a-working-day", called("2027-12-20T11:00:00+01:00"), "CONSENT"),
    no("fr-guadeloupe-0530-local-while-1030-in-paris", called("2026-11-24T10:30:00+01:00", phone=GUADELOUPE_MOBILE),
       "calling_hours", next_at="2026-11-24T10:00:00-04:00"),
    ok("fr-guadeloupe-1030-local", called("2026-11-24T10:30:00-04:00", phone=GUADELOUPE_MOBILE), "CONSENT"),
    no("fr-guadeloupe-abolition-of-slavery-27-may", screened("2026-05-27T11:00:00-04:00", GUADELOUPE_MOBILE),
       "calling_hours", next_at="2026-05-28T10:00:00-04:00"),
    no("fr-martinique-abolition-of-slavery-22-may", screened("2026-05-22T11:00:00-04:00", MARTINIQUE_MOBILE),
       "calling_hours", next_at="2026-05-26T10:00:00-04:00"),  # Sat, Sun, then Whit Monday
    ok("fr-mainland-22-may-is-a-working-day", screened("2026-05-22T11:00:00+02:00"), "FR_PHONE_BLOCTEL_CHECKED"),
    no("fr-guyane-abolition-of-slavery-10-june", screened("2026-06-10T11:00:00-03:00", GUYANE_MOBILE),
       "calling_hours", next_at="2026-06-11T10:00:00-03:00"),
    no("fr-reunion-consumer-without-consent-after-opt-in", fr("2026-11-24T07:30:00+01:00", phone=REUNION_LANDLINE),
       "FR_PHONE_CONSUMER_OPT_IN"),
]

PRESSURE = [
    no("fr-customer-contract-in-force-refused-other-campaign-30-days-ago-cooldown-still-applies",
       fr(cust=customer(), attempts=(attempt("not_interested", 30, campaign="old"),)), "FR_PHONE_REFUSAL_COOLDOWN",
       next_at="2026-12-24T10:30:00+01:00"),
    no("fr-customer-contract-in-force-four-attempts-limit-still-applies",
       fr(cust=customer(), attempts=tuple(attempt("no_answer", d) for d in (22, 15, 8, 4))), "FR_PHONE_MAX_ATTEMPTS",
       next_at="2026-12-02T10:30:00+01:00"),
    no("fr-consumer-no-answer-friday-1930-retry-falls-on-saturday-next-monday",
       called("2026-11-27T19:40:00+01:00", attempts=(attempt("no_answer", 10 / 1440),)), "RETRY_AFTER_NO_ANSWER",
       next_at="2026-11-30T10:00:00+01:00"),
    no("fr-business-who-objected-to-calls", fr(kind="business", objections=(objected("phone"),)), "OBJECTION"),
    ok("fr-consumer-three-attempts-in-30-days", called(attempts=tuple(attempt("no_answer", d) for d in (22, 15, 8))),
       "CONSENT"),
    no("fr-consumer-four-attempts-in-30-days-no-fifth",
       called(attempts=tuple(attempt("no_answer", d) for d in (22, 15, 8, 4))), "FR_PHONE_MAX_ATTEMPTS",
       "contact_pressure", next_at="2026-12-02T10:30:00+01:00"),
    no("fr-consumer-four-attempts-across-campaigns-count-per-professional",
       called(attempts=tuple(attempt("no_answer", d, campaign=f"c{d}") for d in (22, 15, 8, 4))),
       "FR_PHONE_MAX_ATTEMPTS", next_at="2026-12-02T10:30:00+01:00"),
    ok("fr-consumer-oldest-of-four-attempts-35-days-ago",
       called(attempts=tuple(attempt("no_answer", d) for d in (35, 15, 8, 4))), "CONSENT"),
    ok("fr-business-five-attempts-in-30-days-no-statutory-limit",
       fr(kind="business", attempts=tuple(attempt("no_answer", d) for d in (22, 15, 10, 8, 4))), "FR_PHONE_B2B"),
    no("fr-consumer-refused-in-other-campaign-40-days-ago-day-before-opt-in",
       fr(BEFORE_OPT_IN, registers=CLEAN, attempts=(attempt("not_interested", 40, campaign="old"),)),
       "FR_PHONE_REFUSAL_COOLDOWN"),  # 60 days later the opt-in is in force and there is no consent
    ok("fr-consumer-refused-in-other-campaign-61-days-ago-day-before-opt-in",
       fr(BEFORE_OPT_IN, registers=CLEAN, attempts=(attempt("not_interested", 61, campaign="old"),)),
       "FR_PHONE_BLOCTEL_CHECKED"),
    no("fr-consumer-new-consent-after-refusal-30-days-ago-still-60-day-cooldown",
       fr(consents=(given(days=5),), attempts=(attempt("not_interested", 30, campaign="old"),)),
       "FR_PHONE_REFUSAL_COOLDOWN", next_at="2026-12-24T10:30:00+01:00"),
    no("fr-consumer-no-answer-20-hours-ago", called(attempts=(attempt("no_answer", 20 / 24),)),
       "RETRY_AFTER_NO_ANSWER", next_at="2026-11-24T14:30:00+01:00"),
    no("fr-consumer-opted-out-in-call", called(attempts=(attempt("opt_out", 2),)), "OBJECTION_IN_CALL"),
    no("fr-consumer-objected-by-email-to-all-channels", called(objections=(objected("all"),)), "OBJECTION"),
]

AUTOMATED = [
    ok("fr-automated-dialer-from-arcep-0162", robot("+33162000000"), "CONSENT"),
    ok("fr-automated-dialer-from-arcep-0948", robot("+33948000000"), "CONSENT"),
    ok("fr-automated-dialer-from-arcep-0270", robot("+33270000000"), "CONSENT"),
    no("fr-automated-dialer-from-ordinary-paris-0140", robot(LANDLINE), "FR_CALLER_ID_ARCEP_AUTOMATED_PREFIX",
       "governance"),
    no("fr-automated-dialer-from-a-06-mobile", robot("+33612345678"), "FR_CALLER_ID_ARCEP_AUTOMATED_PREFIX"),
    no("fr-automated-dialer-from-a-belgian-number", robot("+3222345678"), "FR_CALLER_ID_ARCEP_AUTOMATED_PREFIX"),
    ok("fr-automated-dialer-to-reunion-from-overseas-range-09475",
       robot("+33947500000", "2026-11-24T07:30:00+01:00", phone=REUNION_LANDLINE), "CONSENT"),
    no("fr-automated-dialer-consent-without-automated-calls",
       called(automated_dialer=True, caller_id="+33162000000"), "AUTOMATED_DIALER_CONSENT"),
    ok("fr-live-agent-from-ordinary-paris-number", called(caller_id=LANDLINE), "CONSENT"),
    ok("fr-business-automated-dialer-from-0140-before-arcep-ranges",
       fr("2022-12-30T10:30:00+01:00", kind="business", consents=(given(automated_calls=True),),
          automated_dialer=True, caller_id=LANDLINE), "FR_PHONE_B2B"),
    no("fr-business-automated-dialer-from-0140-after-arcep-ranges",
       fr("2023-01-02T10:30:00+01:00", kind="business", consents=(given(automated_calls=True),),
          automated_dialer=True, caller_id=LANDLINE), "FR_CALLER_ID_ARCEP_AUTOMATED_PREFIX"),
    no("fr-consumer-no-caller-id", called(caller_id=None), "FR_CALLER_ID_ARCEP", "governance"),
]

RENOVATION = [
    no("fr-consumer-home-renovation-call-banned-even-with-consent", called(sector="home_renovation"),
       "FR_PHONE_ENERGY_RENOVATION_BAN"),
    no("fr-consumer-home-renovation-call-banned-day-before-opt-in",
       fr(BEFORE_OPT_IN, registers=CLEAN, sector="home_renovation"), "FR_PHONE_ENERGY_RENOVATION_BAN"),
    ok("fr-consumer-home-renovation-call-within-contract-in-force", fr(cust=customer(), sector="home_renovation"),
       "FR_PHONE_CURRENT_CONTRACT"),
    no("fr-consumer-home-renovation-email-banned-even-with-consent",
       mailed(consents=(given("email"),), sector="home_renovation"), "FR_ELECTRONIC_ENERGY_RENOVATION_BAN"),
    ok("fr-consumer-home-renovation-email-day-before-electronic-ban",
       mailed(at="2025-06-30T11:00:00+02:00", consents=(given("email"),), sector="home_renovation"), "CONSENT"),
    no("fr-consumer-home-renovation-email-day-of-electronic-ban",
       mailed(at="2025-07-01T11:00:00+02:00", consents=(given("email"),), sector="home_renovation"),
       "FR_ELECTRONIC_ENERGY_RENOVATION_BAN"),
    no("fr-consumer-home-renovation-sms-banned", build("FR", channel="sms", consents=(given("sms"),),
                                                       sector="home_renovation"),
       "FR_ELECTRONIC_ENERGY_RENOVATION_BAN"),
    ok("fr-business-home-renovation-call-ban-is-for-consumers", fr(kind="business", sector="home_renovation"),
       "FR_PHONE_B2B"),
]

PRESS = [  # the reported press carve-out from the opt-in (confidence M)
    ok("fr-press-consumer-without-consent-day-of-opt-in", fr(OPT_IN, sector="press"), "FR_PHONE_PRESS_CARVE_OUT",
       rulebook="fr/2026-08-11"),
    no("fr-press-consumer-unchecked-day-before-opt-in", fr(BEFORE_OPT_IN, sector="press"),
       "FR_PHONE_BLOCTEL_NOT_CHECKED", next_at="2026-08-11T10:00:00+02:00"),
    no("fr-press-consumer-who-objected-after-opt-in", fr(OPT_IN, sector="press", objections=(objected(),)),
       "OBJECTION"),
    no("fr-energy-consumer-without-consent-day-of-opt-in-is-not-press", fr(OPT_IN, sector="energy"),
       "FR_PHONE_CONSUMER_OPT_IN"),
]

EMAIL = [
    no("fr-consumer-sms-without-consent", build("FR", channel="sms"), "FR_EMAIL_OPT_IN"),
    ok("fr-consumer-home-renovation-email-within-contract-in-force",
       mailed(cust=customer(), sector="home_renovation"), "FR_RENOVATION_BAN_CURRENT_CONTRACT"),
    no("fr-guadeloupe-business-0530-local-outside-business-hours",
       fr("2026-11-24T10:30:00+01:00", kind="business", phone=GUADELOUPE_MOBILE), "B2B_BUSINESS_HOURS",
       next_at="2026-11-24T09:00:00-04:00"),
    no("fr-consumer-email-without-consent", mailed(), "FR_EMAIL_OPT_IN", jurisdiction="FR"),
    ok("fr-consumer-email-with-email-consent", mailed(consents=(given("email"),)), "CONSENT"),
    ok("fr-consumer-email-paying-customer-soft-opt-in", mailed(cust=customer()), "FR_EMAIL_SOFT_OPT_IN"),
    no("fr-consumer-email-free-gadget-recipient-no-soft-opt-in", mailed(cust=customer(paid=False)),
       "FR_EMAIL_OPT_IN"),
    no("fr-business-email-unrelated-to-role", mailed("business"), "FR_EMAIL_B2B_PROFESSIONAL"),
    ok("fr-business-email-relevant-to-role", mailed("business", relevant_to_role=True),
       "FR_EMAIL_B2B_PROFESSIONAL_ROLE"),
    ok("fr-business-email-unrelated-to-role-with-consent", mailed("business", consents=(given("email"),)),
       "CONSENT"),
    ok("fr-sole-trader-email-relevant-to-role", mailed("sole_trader", relevant_to_role=True),
       "FR_EMAIL_B2B_PROFESSIONAL_ROLE"),
    no("fr-sole-trader-email-unrelated-to-role", mailed("sole_trader"), "FR_EMAIL_B2B_PROFESSIONAL"),
    ok("fr-business-contact-address-is-generic", mailed("business", email="contact@example.fr"), "ROLE_ADDRESS",
       "FR_EMAIL_GENERIC_ADDRESS"),
    ok("fr-company-general-address", mailed("company_general", email="accueil@example.fr"),
       "FR_EMAIL_GENERIC_ADDRESS"),
    no("fr-business-email-relevant-to-role-but-objected", mailed("business", relevant_to_role=True,
                                                                 objections=(objected("email"),)), "OBJECTION"),
]


@pytest.mark.parametrize(("data", "expect"), CUTOVER + CONSENT_VALIDITY + HOURS + OVERSEAS + PRESSURE + AUTOMATED
                         + RENOVATION + PRESS + EMAIL)
def test_fr(books, data, expect):
    check(books, data, expect)
