"""One evaluator per rule kind. Each reads the facts and its rule's parameters and either blocks (with
how long waiting would take, or None when waiting cannot help) or records a ground. Country-specific
values never appear here: they are the rulebooks' parameters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from leadgate.core.calendar import describe, holiday_name, next_open
from leadgate.core.contact import ContactPoint
from leadgate.core.decision import Reason
from leadgate.core.facts import Consent, Facts
from leadgate.core.phone import parse_phone
from leadgate.rules.model import (
    CallerIdParams,
    CallingHoursParams,
    CooldownParams,
    CustomerExceptionParams,
    DataSourceParams,
    InterestSignalParams,
    LiaParams,
    MaxAttemptsParams,
    OptInParams,
    RegisterParams,
    RetentionParams,
    Rule,
    Rulebook,
)


@dataclass(slots=True)
class Outcome:
    rules: tuple[Rule, ...]
    channel: str
    kind: str  # the contact kind the rules were chosen for (a role address reads as company_general)
    reasons: list[Reason] = field(default_factory=list)
    waits: list[datetime | None] = field(default_factory=list)
    blockers: list[Rule | None] = field(default_factory=list)  # the rule behind each reason
    grounds: list[Reason] = field(default_factory=list)
    current: Rule | None = None  # the rule being evaluated, set by the engine

    def block(self, reason: Reason, until: datetime | None) -> None:
        self.reasons.append(reason)
        self.waits.append(until)
        self.blockers.append(self.current)

    def ground(self, reason: Reason) -> None:
        self.grounds.append(reason)


@dataclass(slots=True)
class Context:
    facts: Facts
    book: Rulebook
    point: ContactPoint
    at: datetime  # in the contact's local time
    kind: str
    exempt: dict[str, Reason] = field(default_factory=dict)  # regime kind -> customer-exception ground
    exempt_misses: list[str] = field(default_factory=list)  # why a customer exception did not apply
    consents_seen: dict[tuple[int | None, bool], tuple[list[Consent], list[str]]] = field(default_factory=dict)


def _reason(rule: Rule, message: str, *, code: str | None = None, category: str | None = None) -> Reason:
    return Reason(
        category or rule.category,  # type: ignore[arg-type]
        code or rule.id, message, rule.reference, rule.confidence)


_SAID: dict[tuple[int, object], tuple[Rule, Reason]] = {}


def _said(rule: Rule, key: object, make: Callable[[], Reason]) -> Reason:
    """`make()`, made once per rule and key: a reason whose text depends only on its rule and `key` (the
    campaign's balancing test, a register snapshot's moment) is the same for most contacts of a run, and
    formatting it again for each of hundreds of thousands of decisions was a tenth of their time. Keyed by
    the rule's identity (rules hold unhashable parameters) and kept with it, as engine._plan does."""
    seen = _SAID.get((id(rule), key))
    if seen is None or seen[0] is not rule:
        if len(_SAID) > 10_000:
            _SAID.clear()
        seen = _SAID[(id(rule), key)] = (rule, make())
    return seen[1]


def _when(moment: datetime) -> str:
    return moment.isoformat(timespec="minutes")


def _consent_problems(ctx: Context, max_age_days: int | None, *, refusal_withdraws: bool = False
                      ) -> tuple[list[Consent], list[str]]:
    """The consents that count for this channel at this moment, and why the others do not."""
    key = (max_age_days, refusal_withdraws)
    seen = ctx.consents_seen.get(key)
    if seen is None:
        seen = ctx.consents_seen[key] = _consents(ctx, max_age_days, refusal_withdraws)
    return seen


def _consents(ctx: Context, max_age_days: int | None, refusal_withdraws: bool) -> tuple[list[Consent], list[str]]:
    usable: list[Consent] = []
    problems: list[str] = []
    refused = max((a.at for a in ctx.facts.attempts if a.outcome == "not_interested" and a.at <= ctx.at),
                  default=None) if refusal_withdraws else None
    for c in ctx.facts.consents:
        if c.channel != ctx.facts.channel:
            continue
        if not (c.given_at and c.text and c.source):
            problems.append("a consent without its text, time or source proves nothing")
        elif c.given_at > ctx.at:
            problems.append(f"a consent is dated {_when(c.given_at)}, after this moment")
        elif c.withdrawn_at is not None and c.withdrawn_at <= ctx.at:
            problems.append(f"the consent from {c.source} was withdrawn on {_when(c.withdrawn_at)}")
        elif c.single_use and c.used_at is not None and c.used_at <= ctx.at:
            problems.append(f"the single-use consent from {c.source} was used on {_when(c.used_at)}")
        elif refused is not None and c.given_at <= refused:
            problems.append(f"the consent from {c.source} ended with the refusal on {_when(refused)}")
        elif max_age_days is not None and ctx.at - c.given_at > timedelta(days=max_age_days):
            problems.append(f"the consent from {c.source} is older than {max_age_days} days")
        else:
            usable.append(c)
    return usable, problems


def _later_consent(ctx: Context, *, own_initiative: bool = False, automated: bool = False) -> datetime | None:
    """When a consent on record, dated after this moment, starts to count (deciding about the past)."""
    return min((c.given_at for c in ctx.facts.consents
                if c.channel == ctx.facts.channel and c.given_at is not None and c.given_at > ctx.at
                and c.text and c.source and (c.own_initiative or not own_initiative)
                and (c.automated_calls or not automated)), default=None)


def _consent_ground(rule: Rule, c: Consent) -> Reason:
    assert c.given_at is not None
    text = c.text if c.text and len(c.text) <= 120 else f"{(c.text or '')[:117]}..."
    how = " at the person's own request" if c.own_initiative else ""
    return _reason(rule, f"Consent given {_when(c.given_at)} via source {c.source}{how}: “{text}”",
                   code="CONSENT", category="consent")


def _why_not(problems: list[str], ctx: Context) -> str:
    notes = list(problems)
    if "opt_in" not in ctx.exempt and ctx.facts.customer is not None:
        notes += ctx.exempt_misses or ["no customer exception is in force for this contact"]
    return (" (" + "; ".join(notes) + ")") if notes else ""


def exemptions(ctx: Context, rules: tuple[Rule, ...], out: Outcome) -> dict[str, Reason]:
    """Which regimes a customer relationship exempts the contact from, per the exception rules in force."""
    found: dict[str, Reason] = {}
    customer, day = ctx.facts.customer, ctx.at.date()
    if customer is None:
        return found
    retention = [r for r in rules if r.kind == "retention"]
    miss = ctx.exempt_misses.append
    for rule in rules:
        if rule.kind != "customer_exception":
            continue
        p: CustomerExceptionParams = rule.params
        if not rule.covers_sector(ctx.facts.campaign.sector):
            miss(f"{rule.id} does not cover the sector {ctx.facts.campaign.sector}")
            continue
        if p.paid_required and not customer.paid:
            miss(f"{rule.id} needs a paying customer")
            continue
        ended = customer.relationship_ended
        if ended is not None and ended < day:
            days = (day - ended).days
            if p.window_days is not None and days > p.window_days:
                miss(f"{rule.id}: the relationship ended {days} days ago, beyond its "
                     f"{p.window_days}-day window" if p.window_days else
                     f"{rule.id} covers only a contract in force; it ended {ended.isoformat()}")
                continue
            if any(days > r.params.ex_customer_days for r in retention):
                miss(f"{rule.id}: the ex-customer data is past its retention period")
                continue
            status = f"relationship ended {ended.isoformat()} ({days} days ago)"
        else:
            status = "relationship ongoing"
        ground = _reason(rule, f"Customer exception: {'paying ' if customer.paid else ''}customer, {status}.",
                         code=rule.id, category="consent")
        for regime in p.exempts:
            found.setdefault(regime, ground)
    return found


def opt_in(rule: Rule, ctx: Context, out: Outcome) -> None:
    p: OptInParams = rule.params
    usable, problems = _consent_problems(ctx, p.consent_max_age_days,
                                         refusal_withdraws=p.refusal_withdraws_consent)
    if usable:
        ground = _consent_ground(rule, usable[0])
        if p.consent_max_age_days is not None:  # a Reason of its own: dataclasses.replace costs ~10x more
            ground = Reason(ground.category, ground.code,
                            f"{ground.message} (within its {p.consent_max_age_days}-day validity)", ground.reference,
                            ground.confidence)
        out.ground(ground)
    elif "opt_in" in ctx.exempt:
        out.ground(ctx.exempt["opt_in"])
    else:
        out.block(_reason(rule, rule.summary + _why_not(problems, ctx)), _later_consent(ctx))


def register(rule: Rule, ctx: Context, out: Outcome) -> None:
    p: RegisterParams = rule.params
    checks = [c for c in ctx.facts.registers if c.name == p.name]
    done = [c for c in checks if c.checked_at <= ctx.at]
    check = max(done, key=lambda c: c.checked_at) if done else None
    fresh = check is not None and ctx.at - check.checked_at <= timedelta(days=p.max_age_days)
    if fresh and check is not None and not check.listed:
        checked_at = check.checked_at
        out.ground(_said(rule, ("checked", checked_at, checked_at.utcoffset()), lambda: _reason(
            rule, f"Checked against {p.name} at {_when(checked_at)}: not listed.", code=f"{rule.id}_CHECKED",
            category="register")))
        return
    # Listed, or not (freshly) checked: only the person's own request or an exemption lets the call go
    # ahead, and then the listing does not matter (PECR reg 21(4), CDE VI.111, C. consom. L223-1).
    usable, _ = _consent_problems(ctx, None)
    for c in usable:
        if "consent" in p.overrides or ("own_initiative" in p.overrides and c.own_initiative):
            status = "Listed on" if fresh else "Whatever the status on"
            out.ground(_reason(rule, f"{status} {p.name}, the person asked for this contact: "
                                     + _consent_ground(rule, c).message, code=f"{rule.id}_OVERRIDDEN"))
            return
    if "register" in ctx.exempt:
        out.ground(ctx.exempt["register"])
        return
    # A request the person makes later lifts any of these; a later check lifts a missing one.
    request = (_later_consent(ctx) if "consent" in p.overrides
               else _later_consent(ctx, own_initiative=True) if "own_initiative" in p.overrides else None)
    if check is None:
        later = " (only checked after this moment)" if checks else ""
        first_check = min((c.checked_at for c in checks), default=None)
        out.block(_reason(rule, f"The number was not checked against {p.name}{later}; "
                                f"a check is required before contact.", code=f"{rule.id}_NOT_CHECKED"),
                  min((t for t in (first_check, request) if t is not None), default=None))
    elif not fresh:
        out.block(_reason(rule, f"The {p.name} check of {_when(check.checked_at)} is older than "
                                f"{p.max_age_days} days; check again.", code=f"{rule.id}_STALE"), request)
    else:
        checked_at = check.checked_at
        out.block(_said(rule, ("listed", checked_at, checked_at.utcoffset()), lambda: _reason(
            rule, f"The number is listed on {p.name} (checked {_when(checked_at)}). {rule.summary}",
            code=f"{rule.id}_LISTED")), request)


def interest_signal(rule: Rule, ctx: Context, out: Outcome) -> None:
    p: InterestSignalParams = rule.params
    facts = ctx.facts
    if "consent" in p.signals:
        usable, _ = _consent_problems(ctx, None)
        if usable:
            out.ground(_consent_ground(rule, usable[0]))
            return
    customer = facts.customer
    if "customer" in p.signals and customer is not None and customer.paid and (
            customer.relationship_ended is None or customer.relationship_ended >= ctx.at.date()):
        out.ground(_reason(rule, "Existing business relationship: " + rule.summary, code=f"{rule.id}_CUSTOMER"))
        return
    if "relevant_to_role" in p.signals and facts.campaign.relevant_to_role:
        out.ground(_reason(rule, "The campaign is relevant to the person's role: " + rule.summary,
                           code=f"{rule.id}_ROLE"))
        return
    wanted = " or ".join(s.replace("_", " ") for s in p.signals)
    out.block(_reason(rule, f"{rule.summary} None of these holds: {wanted}."),
              _later_consent(ctx) if "consent" in p.signals else None)


def no_consent_required(rule: Rule, ctx: Context, out: Outcome) -> None:
    out.ground(_said(rule, None, lambda: _reason(rule, rule.summary)))


def objection(rule: Rule, ctx: Context, out: Outcome) -> None:
    channel = ctx.facts.channel
    for o in ctx.facts.objections:
        if o.at <= ctx.at and o.channel in ("all", channel):
            out.block(_reason(rule, f"The person objected ({o.channel}) on {_when(o.at)}. {rule.summary}"), None)
            return
    if channel == "phone":
        first = None  # the first opt-out is when the objection began
        for a in ctx.facts.attempts:
            if a.outcome == "opt_out" and (first is None or a.at < first) and a.at <= ctx.at:
                first = a.at
        if first is not None:
            out.block(_reason(rule, f"The person opted out during the call of {_when(first)}. "
                                    f"{rule.summary}", code=f"{rule.id}_IN_CALL"), None)


def calling_hours(rule: Rule, ctx: Context, out: Outcome) -> None:
    p: CallingHoursParams = rule.params
    is_open, opens = next_open(p, ctx.at, ctx.book.holidays_country, ctx.point.holidays_subdiv)
    if is_open:
        return
    holiday = holiday_name(ctx.book.holidays_country, ctx.point.holidays_subdiv, ctx.at.date())
    local = ctx.at.strftime("%a %Y-%m-%d %H:%M") + (f", {holiday}" if holiday else "")
    out.block(_reason(rule, f"Outside calling hours ({describe(p)}); it is {local} for the contact."), opens)


def _attempts(ctx: Context, scope: str) -> list[datetime]:
    own = ctx.facts.campaign.id
    result = []
    for a in ctx.facts.attempts:
        if a.at > ctx.at:
            continue
        theirs = a.campaign or own
        if (scope == "campaign" and theirs != own) or (scope == "other_campaigns" and theirs == own):
            continue
        result.append(a.at)
    return result


def max_attempts(rule: Rule, ctx: Context, out: Outcome) -> None:
    if not ctx.facts.attempts:
        return
    p: MaxAttemptsParams = rule.params
    period = timedelta(days=p.period_days)
    recent = sorted(t for t in _attempts(ctx, "all") if ctx.at - t < period)
    if len(recent) >= p.max_attempts:
        until = recent[len(recent) - p.max_attempts] + period if p.max_attempts else None
        out.block(_reason(rule, f"{len(recent)} attempts in the last {p.period_days} days; "
                                f"at most {p.max_attempts} are allowed. {rule.summary}"), until)


def cooldown(rule: Rule, ctx: Context, out: Outcome) -> None:
    if not ctx.facts.attempts:
        return
    p: CooldownParams = rule.params
    own = ctx.facts.campaign.id
    hits = [
        a for a in ctx.facts.attempts
        if a.outcome in p.outcomes and a.at <= ctx.at
        and (p.scope == "all"
             or (p.scope == "campaign") == ((a.campaign or own) == own))
    ]
    if not hits:
        return
    last = max(hits, key=lambda a: a.at)
    if p.days is None:
        out.block(_reason(rule, f"Outcome '{last.outcome}' on {_when(last.at)}. {rule.summary}"), None)
        return
    until = last.at + timedelta(days=p.days)
    if until > ctx.at:
        wait = f"{p.days} day" + ("s" if p.days != 1 else "")
        out.block(_reason(rule, f"Outcome '{last.outcome}' on {_when(last.at)}; wait {wait}. {rule.summary}"), until)


def lia_required(rule: Rule, ctx: Context, out: Outcome) -> None:
    campaign = ctx.facts.campaign
    if campaign.lawful_basis != "legitimate_interest":
        return
    p: LiaParams = rule.params
    approved, day = campaign.lia_approved_at, ctx.at.date()
    if approved is None:
        problem = "has no approved balancing test"
    elif approved > day:
        problem = f"has a balancing test dated {approved.isoformat()}, in the future"
        out.block(_reason(rule, f"Campaign {campaign.id} relies on legitimate interest but {problem}."),
                  datetime.combine(approved, time.min, ctx.at.tzinfo))
        return
    elif (day - approved).days > p.max_age_days:
        problem = f"has a balancing test approved {approved.isoformat()}, older than {p.max_age_days} days"
    else:
        out.ground(_said(rule, approved, lambda: _reason(
            rule, f"Legitimate interest: balancing test approved {approved.isoformat()}.")))
        return
    out.block(_reason(rule, f"Campaign {campaign.id} relies on legitimate interest but {problem}."), None)


def campaign_consent_basis(rule: Rule, ctx: Context, out: Outcome) -> None:
    if ctx.facts.campaign.lawful_basis != "consent":
        return
    usable, problems = _consent_problems(ctx, None)
    if not usable:
        out.block(_reason(rule, rule.summary + _why_not(problems, ctx)), _later_consent(ctx))


def caller_id(rule: Rule, ctx: Context, out: Outcome) -> None:
    p: CallerIdParams = rule.params
    campaign = ctx.facts.campaign
    if not campaign.caller_id:
        out.block(_reason(rule, f"Campaign {campaign.id} has no caller ID. {rule.summary}"), None)
        return
    number = parse_phone(campaign.caller_id, ctx.point.region)
    if number is None:
        out.block(_reason(rule, f"Campaign caller ID {campaign.caller_id!r} is not a valid number."), None)
        return
    if campaign.automated_dialer and p.automated_prefixes:
        home = number.region == ctx.book.jurisdiction or number.region in ctx.book.territories
        if not home or not number.national.startswith(p.automated_prefixes):
            out.block(_reason(rule, f"An automated dialer must call from a number in the reserved ranges "
                                    f"({', '.join('0' + x for x in p.automated_prefixes)}); "
                                    f"{campaign.caller_id} is not.", code=f"{rule.id}_AUTOMATED_PREFIX"), None)


def automated_dialer_consent(rule: Rule, ctx: Context, out: Outcome) -> None:
    if not ctx.facts.campaign.automated_dialer:
        return
    usable, _ = _consent_problems(ctx, None)
    if not any(c.automated_calls for c in usable):
        out.block(_reason(rule, rule.summary), _later_consent(ctx, automated=True))


def data_source(rule: Rule, ctx: Context, out: Outcome) -> None:
    p: DataSourceParams = rule.params
    source = ctx.facts.source
    if source is None:
        return
    if source.disabled:
        out.block(_reason(rule, f"The {source.kind} source of this contact is disabled.",
                          code=f"{rule.id}_DISABLED"), None)
    elif source.purpose_compatible is False:
        out.block(_reason(rule, f"The {source.kind} data was collected for an incompatible purpose. "
                                f"{rule.summary}", code=f"{rule.id}_INCOMPATIBLE"), None)
    elif source.purpose_compatible is None and source.kind in p.needs_explicit_compatibility:
        out.block(_reason(rule, f"Data from a {source.kind.replace('_', ' ')} was published for another "
                                f"purpose; record that this use is compatible before using it.",
                          code=f"{rule.id}_UNASSESSED"), None)


def retention(rule: Rule, ctx: Context, out: Outcome) -> None:
    p: RetentionParams = rule.params
    facts = ctx.facts
    customer = facts.customer
    if customer is None or customer.relationship_ended is None:
        return
    if facts.source is not None and facts.source.kind not in ("customer_record", "crm"):
        return  # the contact data came from elsewhere, not from the old customer file
    days = (ctx.at.date() - customer.relationship_ended).days
    if days <= p.ex_customer_days:
        return
    usable, _ = _consent_problems(ctx, None)
    if not usable:
        out.block(_reason(rule, f"The customer relationship ended {days} days ago; ex-customer data is kept "
                                f"{p.ex_customer_days} days. {rule.summary}"), None)


def forbidden(rule: Rule, ctx: Context, out: Outcome) -> None:
    if "forbidden" in ctx.exempt:
        out.ground(ctx.exempt["forbidden"])
        return
    out.block(_reason(rule, rule.summary), None)


EVALUATORS: dict[str, Callable[[Rule, Context, Outcome], None]] = {
    "opt_in": opt_in,
    "register": register,
    "interest_signal": interest_signal,
    "no_consent_required": no_consent_required,
    "objection": objection,
    "calling_hours": calling_hours,
    "max_attempts": max_attempts,
    "cooldown": cooldown,
    "lia_required": lia_required,
    "campaign_consent_basis": campaign_consent_basis,
    "caller_id": caller_id,
    "automated_dialer_consent": automated_dialer_consent,
    "data_source": data_source,
    "retention": retention,
    "forbidden": forbidden,
}
