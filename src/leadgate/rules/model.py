"""What a rulebook is made of: rules with effective dates, references, confidence and typed parameters.

A rule's *kind* names one of the engine's evaluators (``opt_in``, ``register``, ``calling_hours`` ...);
its parameters are validated per kind here, so a typo in a rulebook is an error at load time rather than
a silently ignored setting. ``TIGHTER`` says, per parameter, which direction makes a rule stricter; the
organisation file may only move parameters that way unless it writes down why.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, time
from functools import cached_property
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator

from leadgate.core.facts import Channel, ContactKind, Outcome, SourceKind

Confidence = Literal["H", "M", "L", "UNCONFIRMED", "practice"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPAN = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$")


def _hm(text: str) -> time:
    return time.max if text == "24:00" else time(int(text[:2]), int(text[3:5]))


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class NoParams(_Params):
    pass


class OptInParams(_Params):
    consent_max_age_days: int | None = Field(default=None, ge=0)
    # A refusal during a call ("not_interested") withdraws the consents given before it.
    refusal_withdraws_consent: bool = False


class RegisterParams(_Params):
    # `register` in the rulebook files; BaseModel's metaclass already owns that attribute name.
    name: str = Field(alias="register", pattern=r"^[a-z]{2}-[a-z0-9-]+$")
    max_age_days: int = Field(ge=0)
    # What lets a listed number be called anyway: any consent for the channel, or only a request the
    # person made themselves. Customer exemptions are declared on the customer_exception rule.
    overrides: tuple[Literal["consent", "own_initiative"], ...] = ()


class InterestSignalParams(_Params):
    signals: tuple[Literal["consent", "customer", "relevant_to_role"], ...] = Field(min_length=1)


class CustomerExceptionParams(_Params):
    window_days: int | None = Field(default=None, ge=0)  # None: no window (retention still applies)
    paid_required: bool = True
    exempts: tuple[Literal["opt_in", "register", "forbidden"], ...] = Field(min_length=1)


class SpecialDay(_Params):
    date: str = Field(pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")  # MM-DD, every year
    until: str | None = Field(default=None, pattern=r"^([01]\d|2[0-3]):[0-5]\d$")  # None: closed all day
    name: str = ""


class CallingHoursParams(_Params):
    windows: dict[Weekday, tuple[str, ...]]
    closed_on_public_holidays: bool = True
    special_days: tuple[SpecialDay, ...] = ()
    _week: tuple[tuple[tuple[time, time], ...], ...] = PrivateAttr(default=())
    _special: dict[str, time | None] = PrivateAttr(default_factory=dict)
    # Memo of the calendar's answers per (day, country, subdivision): a pure function of this object.
    _days: dict[tuple[date, str, str | None], tuple[tuple[time, time], ...]] = PrivateAttr(default_factory=dict)
    _text: str = PrivateAttr(default="")

    def model_post_init(self, context: Any, /) -> None:
        self._week = tuple(
            tuple((_hm(s[:5]), _hm(s[6:])) for s in self.windows.get(day, ())) for day in WEEKDAYS
        )
        self._special = {s.date: (_hm(s.until) if s.until else None) for s in self.special_days}
        self._text = self._describe()

    def description(self) -> str:
        text: str = (self.__pydantic_private__ or {})["_text"]
        return text

    def _describe(self) -> str:
        groups: list[tuple[str, str, str]] = []  # (first day, last day, spans)
        for day in WEEKDAYS:
            spans = ", ".join(self.windows.get(day, ()))
            if groups and groups[-1][2] == spans and WEEKDAYS.index(groups[-1][1]) == WEEKDAYS.index(day) - 1:
                groups[-1] = (groups[-1][0], day, spans)
            else:
                groups.append((day, day, spans))
        parts = [f"{a.capitalize()}{'' if a == b else '–' + b.capitalize()} {spans}"
                 for a, b, spans in groups if spans]
        text = "; ".join(parts)
        return text + "; not on public holidays" if self.closed_on_public_holidays else text

    def memo(self) -> dict[tuple[date, str, str | None], tuple[tuple[time, time], ...]]:
        private: dict[str, Any] = self.__pydantic_private__ or {}
        memo: dict[tuple[date, str, str | None], tuple[tuple[time, time], ...]] = private["_days"]
        return memo

    def spans(self, weekday: int, month_day: str) -> tuple[tuple[time, time], ...]:
        """Open spans of a weekday (0 = Monday), clipped by a special day ("MM-DD") if it is one."""
        # Read the private tables straight from their dict: BaseModel.__getattr__ is slow on a hot path.
        private: dict[str, Any] = self.__pydantic_private__ or {}
        spans: tuple[tuple[time, time], ...] = private["_week"][weekday]
        special: dict[str, time | None] = private["_special"]
        if month_day in special:
            cut = special[month_day]
            if cut is None:
                return ()
            spans = tuple((a, min(b, cut)) for a, b in spans if a < cut)
        return spans

    @field_validator("windows")
    @classmethod
    def _spans(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        for day, spans in value.items():
            for span in spans:
                if not _SPAN.match(span) or span[:5] >= span[6:]:
                    raise ValueError(f"{day}: {span!r} is not a span like '09:00-17:30'")
        return value


class MaxAttemptsParams(_Params):
    max_attempts: int = Field(ge=0)
    period_days: int = Field(ge=1)


class CooldownParams(_Params):
    outcomes: tuple[Outcome, ...] = Field(min_length=1)
    days: int | None = Field(default=None, ge=0)  # None: for good
    scope: Literal["all", "campaign", "other_campaigns"] = "all"


class LiaParams(_Params):
    max_age_days: int = Field(default=365, ge=0)


class CallerIdParams(_Params):
    # National significant number prefixes an automated system must call from (FR ARCEP plan).
    automated_prefixes: tuple[str, ...] = ()


class DataSourceParams(_Params):
    needs_explicit_compatibility: tuple[SourceKind, ...] = ()


class RetentionParams(_Params):
    ex_customer_days: int = Field(ge=0)


class ForbiddenParams(_Params):
    except_current_contract: bool = True


# kind -> (parameter model, the reason category it blocks with by default)
KINDS: dict[str, tuple[type[_Params], str]] = {
    "opt_in": (OptInParams, "consent"),
    "register": (RegisterParams, "register"),
    "interest_signal": (InterestSignalParams, "consent"),
    "no_consent_required": (NoParams, "consent"),
    "customer_exception": (CustomerExceptionParams, "consent"),
    "objection": (NoParams, "objection"),
    "calling_hours": (CallingHoursParams, "calling_hours"),
    "max_attempts": (MaxAttemptsParams, "contact_pressure"),
    "cooldown": (CooldownParams, "contact_pressure"),
    "lia_required": (LiaParams, "governance"),
    "campaign_consent_basis": (NoParams, "consent"),
    "caller_id": (CallerIdParams, "governance"),
    "automated_dialer_consent": (NoParams, "governance"),
    "data_source": (DataSourceParams, "data_source"),
    "retention": (RetentionParams, "retention"),
    "forbidden": (ForbiddenParams, "consent"),
}

# The kinds that decide whether a channel is open at all for a contact kind ("regimes"). A channel with
# no regime in force is closed: fail closed.
REGIMES = frozenset({"opt_in", "register", "interest_signal", "no_consent_required"})
# Kinds that only ever grant: disabling them is stricter, not looser.
GRANTS = frozenset({"customer_exception", "no_consent_required"})

# Direction in which each parameter gets stricter. "lower"/"higher" treat None as infinity.
Tighter = Literal["lower", "higher", "true", "fewer", "more", "windows"]
TIGHTER: dict[str, dict[str, Tighter]] = {
    "opt_in": {"consent_max_age_days": "lower", "refusal_withdraws_consent": "true"},
    "register": {"max_age_days": "lower", "overrides": "fewer"},
    "interest_signal": {"signals": "fewer"},
    "customer_exception": {"window_days": "lower", "paid_required": "true", "exempts": "fewer"},
    "calling_hours": {"windows": "windows", "closed_on_public_holidays": "true"},
    "max_attempts": {"max_attempts": "lower", "period_days": "higher"},
    "cooldown": {"days": "higher", "outcomes": "more"},
    "lia_required": {"max_age_days": "lower"},
    "data_source": {"needs_explicit_compatibility": "more"},
    "retention": {"ex_customer_days": "lower"},
}

B2C_DEFAULT: tuple[ContactKind, ...] = ("consumer",)

# What an e-mail message must carry, checked by leadgate.lint: one name per element the lint can find or
# miss in a message (or, for role_relevance, in the campaign).
EmailCheck = Literal[
    "from_address", "sender_disguised", "sender_identity", "unsubscribe_link", "list_unsubscribe",
    "list_unsubscribe_https", "one_click", "reason", "source_disclosure", "rights_notice", "role_relevance",
]
EMAIL_CHECKS: tuple[EmailCheck, ...] = get_args(EmailCheck)
Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class EmailRequirement:
    """What the rules require an e-mail message to carry (error) or what good practice adds (warning), for
    the contact kinds, data sources and first contacts it names (None: any)."""

    id: str
    checks: tuple[EmailCheck, ...]
    severity: Severity
    jurisdiction: str  # "*" for the requirements of common.toml
    contact_kinds: frozenset[ContactKind]
    source_kinds: frozenset[str] | None
    first_contact_only: bool
    effective_from: date
    effective_to: date | None
    confidence: Confidence
    reference: str
    summary: str
    # What to add to the message, per check, where the lint's own advice is not specific enough.
    add: dict[EmailCheck, str]

    def in_force(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


@dataclass(frozen=True, slots=True)
class OverrideNote:
    loosened: bool
    reason: str | None


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    kind: str
    jurisdiction: str  # "*" for the good-practice rules that apply everywhere
    channels: frozenset[Channel]
    contact_kinds: frozenset[ContactKind]
    sectors: frozenset[str] | None  # None: every sector
    effective_from: date
    effective_to: date | None
    confidence: Confidence
    reference: str
    summary: str
    category: str
    params: Any
    override: OverrideNote | None = None
    except_sectors: frozenset[str] = frozenset()

    def covers_sector(self, sector: str) -> bool:
        return (self.sectors is None or sector in self.sectors) and sector not in self.except_sectors

    def in_force(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


@dataclass(frozen=True, slots=True)
class Territory:
    """A phone region that shares a rulebook (e.g. La Réunion under the French rules)."""

    region: str
    timezone: str
    holidays_subdiv: str | None


@dataclass(frozen=True)
class Rulebook:
    jurisdiction: str
    name: str
    revision: str
    timezone: str
    holidays_country: str
    territories: dict[str, Territory]
    rules: tuple[Rule, ...]
    # Rules the organisation file switched off; decisions they would have applied to say so.
    disabled: tuple[Rule, ...] = ()
    # What an e-mail message must carry (leadgate.lint); the decision core does not read these.
    email_requirements: tuple[EmailRequirement, ...] = ()
    # Memos of pure functions of the immutable rules, keyed by "epoch": the stretch of days between two
    # cut-over dates, in which the same rules are in force.
    _memo: dict[tuple[int, str, str], tuple[Rule, ...]] = field(default_factory=dict, compare=False, repr=False)
    _versions: dict[int, str] = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def _cuts(self) -> tuple[date, ...]:
        """Every day on which some rule starts or stops applying, sorted."""
        days = {d for r in (*self.rules, *self.disabled) for d in _edges(r)}
        return tuple(sorted(days))

    def _epoch(self, day: date) -> int:
        return bisect_right(self._cuts, day)

    def rules_for(self, day: date, channel: str, kind: str, *, disabled: bool = False) -> tuple[Rule, ...]:
        """Rules in force on `day` (the contact's local date) for this channel and contact kind; with
        `disabled`, the ones the organisation switched off instead."""
        key = (self._epoch(day), channel if not disabled else f"-{channel}", kind)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = tuple(
                r for r in (self.disabled if disabled else self.rules)
                if r.in_force(day) and channel in r.channels and kind in r.contact_kinds
            )
        return found

    def version(self, day: date) -> str:
        """The rulebook as in force on `day`, named by its latest cut-over date (e.g. ``fr/2026-08-11``)."""
        epoch = self._epoch(day)
        found = self._versions.get(epoch)
        if found is None:
            latest = max((d for r in self.rules if r.jurisdiction != "*" for d in _edges(r) if d <= day),
                         default=date.min)
            found = self._versions[epoch] = f"{self.jurisdiction.lower()}/{latest.isoformat()}"
        return found

    def next_change(self, day: date, channel: str, kind: str) -> date | None:
        """The first day after `day` on which a rule for this channel and contact kind starts or stops."""
        for cut in self._cuts[self._epoch(day):]:
            if any(channel in r.channels and kind in r.contact_kinds and cut in _edges(r)
                   for r in (*self.rules, *self.disabled)):
                return cut
        return None


def _edges(rule: Rule) -> tuple[date, ...]:
    """The days a rule starts applying and (the day after its last day) stops applying."""
    if rule.effective_to is None:
        return (rule.effective_from,)
    return rule.effective_from, date.fromordinal(rule.effective_to.toordinal() + 1)


@dataclass(frozen=True)
class Rulebooks:
    """Every loaded rulebook, and the phone regions each one covers."""

    books: dict[str, Rulebook]
    regions: dict[str, str]  # phone region code -> jurisdiction
    organisation: str | None = None

    def for_region(self, region: str) -> Rulebook | None:
        jurisdiction = self.regions.get(region)
        return self.books.get(jurisdiction) if jurisdiction else None

    def holiday_places(self) -> set[tuple[str, str | None]]:
        """Every (country, subdivision) whose public holidays a calling-hours rule may look up."""
        return {(book.holidays_country, subdiv) for book in self.books.values()
                for subdiv in (None, *(t.holidays_subdiv for t in book.territories.values()))}
