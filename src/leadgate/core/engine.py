"""decide(): facts in, decision out. No I/O, no clock, no database.

Every rule in force for the contact point's jurisdiction, channel and contact kind is evaluated by the
evaluator its kind names (see ``evaluators``). A blocking reason carries how long waiting would take
(calling hours, cool-downs) or that waiting cannot help; ``next_allowed_at`` is found by deciding again
at the latest such moment until the facts are allowed, so it is never a promise the core would not keep.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta

from leadgate.core.calendar import zone
from leadgate.core.contact import ContactPoint, resolve
from leadgate.core.decision import Decision, Override, Reason
from leadgate.core.evaluators import EVALUATORS, Context, Outcome, exemptions
from leadgate.core.facts import Facts
from leadgate.core.phone import Phone
from leadgate.rules.model import REGIMES, Rule, Rulebook, Rulebooks

_CATEGORY_ORDER = {c: i for i, c in enumerate((
    "invalid_contact", "objection", "data_source", "consent", "register", "retention", "governance",
    "contact_pressure", "calling_hours",
))}
_MAX_STEPS = 16
# Blocks a later rule can lift: regimes (a new exception or regime may start) and bans with exemptions.
_LIFTABLE = REGIMES | {"forbidden"}
_HORIZON = timedelta(days=3 * 366)


def decide(facts: Facts, books: Rulebooks, *, phone: Phone | None = None) -> Decision:
    """`phone`: parse_phone(facts.contact.phone, facts.contact.country) when the caller has it (see resolve)."""
    resolved = resolve(facts, books, phone=phone)
    if resolved.problem is not None or resolved.point is None or resolved.rulebook is None:
        problem = resolved.problem or Reason("invalid_contact", "UNRESOLVED", "Contact point unresolved.", "")
        return Decision(facts.id, None, (problem,))
    point, book = resolved.point, resolved.rulebook
    tz = zone(point.timezone)
    at = facts.at.astimezone(tz)
    first = evaluate(facts, book, point, at)
    next_at = _next_allowed(facts, book, point, at, first) if first.reasons else None
    return Decision(
        facts.id,
        book.jurisdiction,
        tuple(sorted(first.reasons, key=lambda r: _CATEGORY_ORDER[r.category])),
        tuple(first.grounds),
        next_at,
        book.version(at.date()),
        _overrides(book, first, at),
    )


def evaluate(facts: Facts, book: Rulebook, point: ContactPoint, at: datetime) -> Outcome:
    """All rules in force for this contact point at `at` (local time), without next_allowed_at."""
    kind = facts.contact.kind
    if facts.channel == "email" and point.role_address and kind == "business":
        kind = "company_general"  # info@, sales@: the address names a function, not the person
    rules = book.rules_for(at.date(), facts.channel, kind)
    ctx = Context(facts, book, point, at, kind)
    out = Outcome(rules=rules, channel=facts.channel, kind=kind)
    if kind != facts.contact.kind:
        out.ground(Reason(
            "consent", "ROLE_ADDRESS",
            f"The address is a role address ({point.address.split('@')[0]}@): treated as a company's "
            "general address.",
            "leadgate: role addresses are not a named person's data"))
    ctx.exempt = exemptions(ctx, rules, out)
    sector = facts.campaign.sector
    opened = False
    for rule, evaluator, regime, any_sector in _plan(rules):
        if any_sector or rule.covers_sector(sector):
            opened = opened or regime
            out.current = rule
            evaluator(rule, ctx, out)
    out.current = None
    if not opened:
        out.block(Reason(
            "consent", f"{book.jurisdiction}_NO_RULE_IN_FORCE",
            f"No rule in the {book.name} rulebook opens {facts.channel} contact with a {kind} on "
            f"{at.date().isoformat()}: not allowed until the rulebook covers it.",
            "leadgate: fail closed"), None)
    return out


Step = tuple[Rule, Callable[[Rule, Context, Outcome], None], bool, bool]
_PLANS: dict[int, tuple[tuple[Rule, ...], tuple[Step, ...]]] = {}


def _plan(rules: tuple[Rule, ...]) -> tuple[Step, ...]:
    """(rule, evaluator, is a regime, applies to every sector) per rule to evaluate, memoised per rule set.

    Keyed by identity (rules hold unhashable parameters); the rulebook keeps each rule set alive.
    """
    seen = _PLANS.get(id(rules))
    if seen is None or seen[0] is not rules:
        if len(_PLANS) > 10_000:
            _PLANS.clear()
        seen = _PLANS[id(rules)] = (rules, tuple(
            (r, EVALUATORS[r.kind], r.kind in REGIMES, r.sectors is None and not r.except_sectors)
            for r in rules if r.kind != "customer_exception"))
    return seen[1]


def _overrides(book: Rulebook, outcome: Outcome, at: datetime) -> tuple[Override, ...]:
    changed = [r for r in outcome.rules if r.override is not None]
    if book.disabled:
        changed += book.rules_for(at.date(), outcome.channel, outcome.kind, disabled=True)
    return tuple(Override(r.id, r.override.loosened, r.override.reason) for r in changed if r.override)


def _next_allowed(facts: Facts, book: Rulebook, point: ContactPoint, at: datetime, first: Outcome
                  ) -> datetime | None:
    outcome, moment = first, at
    for _ in range(_MAX_STEPS):
        stuck = [rule for rule, wait in zip(outcome.blockers, outcome.waits, strict=True) if wait is None]
        if stuck:
            # Waiting cannot lift these blocks under today's rules, but the law may change on a cut-over
            # date (FR Bloctel → opt-in on 2026-08-11): try again from that day on, unless a block comes
            # from a rule that stays in force and that no exception can lift (an objection, say).
            if any(r is not None and r.effective_to is None and r.kind not in _LIFTABLE for r in stuck):
                return None
            change = book.next_change(moment.date(), outcome.channel, outcome.kind)
            if change is None:
                return None
            later = datetime.combine(change, time.min, at.tzinfo)
        else:
            later = max(w for w in outcome.waits if w is not None)
        if later <= moment or later - at > _HORIZON:
            return None
        moment = later.astimezone(at.tzinfo)
        outcome = evaluate(facts, book, point, moment)
        if not outcome.reasons:
            return moment
    return None
