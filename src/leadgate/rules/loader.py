"""Reading rulebook files and the organisation file into `Rulebooks`.

Rulebooks are TOML files, one per jurisdiction, plus ``common.toml`` with the good-practice rules that
apply everywhere. The organisation file (``leadgate.toml``) may tighten parameters, disable grants and
add its own blocking rules; loosening a legal rule needs a written ``reason``, which every decision
that uses the rule then repeats.
"""

from __future__ import annotations

import tomllib
from dataclasses import replace
from datetime import date, time
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from leadgate.core.decision import Category
from leadgate.core.facts import Channel, ContactKind, Sector, SourceKind
from leadgate.kit.errors import RulebookError
from leadgate.rules.model import (
    B2C_DEFAULT,
    GRANTS,
    KINDS,
    REGIMES,
    TIGHTER,
    WEEKDAYS,
    Confidence,
    EmailCheck,
    EmailRequirement,
    OverrideNote,
    Rule,
    Rulebook,
    Rulebooks,
    Severity,
    Territory,
)

KindToken = ContactKind | Literal["b2c", "b2b", "all"]
_ALL_KINDS: frozenset[ContactKind] = frozenset({"consumer", "sole_trader", "business", "company_general"})


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RuleSpec(_Spec):
    id: str = Field(pattern=r"^[A-Z][A-Z0-9_]{2,80}$")
    kind: str
    channels: list[Channel] = Field(min_length=1)
    contact_kinds: list[KindToken] = Field(min_length=1)
    sectors: list[Sector] | None = None
    except_sectors: list[Sector] = Field(default_factory=list)
    effective_from: date
    effective_to: date | None = None
    confidence: Confidence
    reference: str = Field(min_length=3)
    summary: str = Field(min_length=3)
    category: Category | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    jurisdictions: list[str] | None = None  # organisation rules only: where they apply (default: all)


def _every_kind() -> list[KindToken]:
    return ["all"]


class EmailRequirementSpec(_Spec):
    id: str = Field(pattern=r"^[A-Z][A-Z0-9_]{2,80}$")
    checks: list[EmailCheck] = Field(min_length=1)
    severity: Severity
    contact_kinds: list[KindToken] = Field(default_factory=_every_kind, min_length=1)
    source_kinds: list[SourceKind] | None = None
    first_contact_only: bool = False
    effective_from: date
    effective_to: date | None = None
    confidence: Confidence
    reference: str = Field(min_length=3)
    summary: str = Field(min_length=3)
    # What to tell the writer to add, per check, where it says more than the lint's own advice.
    add: dict[EmailCheck, Annotated[str, StringConstraints(min_length=3)]] = Field(default_factory=dict)


class TerritorySpec(_Spec):
    timezone: str
    holidays_subdiv: str | None = None


class RulebookSpec(_Spec):
    jurisdiction: str = Field(pattern=r"^([A-Z]{2}|\*)$")
    name: str
    revision: str
    timezone: str = ""
    holidays_country: str = ""
    b2c: list[ContactKind] = Field(default_factory=lambda: list(B2C_DEFAULT))
    territories: dict[str, TerritorySpec] = Field(default_factory=dict)
    rule: list[RuleSpec] = Field(default_factory=list)
    email_requirement: list[EmailRequirementSpec] = Field(default_factory=list)


class OverrideSpec(_Spec):
    rule: str
    params: dict[str, Any] = Field(default_factory=dict)
    enabled: bool = True
    # A written reason: what was decided, by whom, where it is documented. Blanks are no reason.
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=10)] | None = None


class OrganisationSpec(_Spec):
    class Org(_Spec):
        name: str

    organisation: Org
    override: list[OverrideSpec] = Field(default_factory=list)
    rule: list[RuleSpec] = Field(default_factory=list)


def _errors(exc: ValidationError, where: str) -> RulebookError:
    first = exc.errors()[0]
    path = ".".join(str(p) for p in first["loc"])
    return RulebookError(f"{where}: {path}: {first['msg']}", field=path)


def _read_toml(text: str, where: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulebookError(f"{where}: not valid TOML: {exc}") from exc


def _kinds(tokens: list[KindToken], b2c: frozenset[ContactKind]) -> frozenset[ContactKind]:
    kinds: set[ContactKind] = set()
    for token in tokens:
        if token == "all":
            kinds |= _ALL_KINDS
        elif token == "b2c":
            kinds |= b2c
        elif token == "b2b":
            kinds |= _ALL_KINDS - b2c
        else:
            kinds.add(token)
    return frozenset(kinds)


def _rule(spec: RuleSpec, jurisdiction: str, b2c: frozenset[ContactKind], where: str) -> Rule:
    if spec.kind not in KINDS:
        raise RulebookError(f"{where}: rule {spec.id}: unknown kind {spec.kind!r} "
                            f"(known: {', '.join(sorted(KINDS))})", field=f"{spec.id}.kind")
    if spec.effective_to is not None and spec.effective_to < spec.effective_from:
        raise RulebookError(f"{where}: rule {spec.id}: effective_to is before effective_from",
                            field=f"{spec.id}.effective_to")
    model, category = KINDS[spec.kind]
    try:
        params = model.model_validate(spec.params)
    except ValidationError as exc:
        raise _errors(exc, f"{where}: rule {spec.id} params") from exc
    return Rule(
        id=spec.id, kind=spec.kind, jurisdiction=jurisdiction, channels=frozenset(spec.channels),
        contact_kinds=_kinds(spec.contact_kinds, b2c),
        sectors=frozenset(spec.sectors) if spec.sectors is not None else None,
        except_sectors=frozenset(spec.except_sectors),
        effective_from=spec.effective_from, effective_to=spec.effective_to, confidence=spec.confidence,
        reference=spec.reference, summary=spec.summary, category=spec.category or category, params=params,
    )


def _email_requirement(spec: EmailRequirementSpec, jurisdiction: str, b2c: frozenset[ContactKind],
                       where: str) -> EmailRequirement:
    if spec.effective_to is not None and spec.effective_to < spec.effective_from:
        raise RulebookError(f"{where}: e-mail requirement {spec.id}: effective_to is before effective_from",
                            field=f"{spec.id}.effective_to")
    stray = set(spec.add) - set(spec.checks)
    if stray:
        raise RulebookError(f"{where}: e-mail requirement {spec.id}: `add` names {', '.join(sorted(stray))}, "
                            "which it does not check", field=f"{spec.id}.add")
    return EmailRequirement(
        id=spec.id, checks=tuple(dict.fromkeys(spec.checks)), severity=spec.severity, jurisdiction=jurisdiction,
        contact_kinds=_kinds(spec.contact_kinds, b2c),
        source_kinds=frozenset(spec.source_kinds) if spec.source_kinds is not None else None,
        first_contact_only=spec.first_contact_only, effective_from=spec.effective_from,
        effective_to=spec.effective_to, confidence=spec.confidence, reference=spec.reference,
        summary=spec.summary, add=dict(spec.add))


def _spans(value: Any) -> list[tuple[time, time]]:
    return [(time.fromisoformat(s[:5]), time.max if s[6:] == "24:00" else time.fromisoformat(s[6:]))
            for s in value]


def _is_stricter(how: str, old: Any, new: Any) -> bool:
    inf = float("inf")
    if how == "lower":
        return (inf if new is None else new) <= (inf if old is None else old)
    if how == "higher":
        return (inf if new is None else new) >= (inf if old is None else old)
    if how == "true":
        return bool(new) or not old
    if how == "fewer":
        return set(new) <= set(old)
    if how == "more":
        return set(new) >= set(old)
    if how == "windows":
        for day in WEEKDAYS:
            allowed = _spans(old.get(day, ()))
            for start, end in _spans(new.get(day, ())):
                if not any(a <= start and end <= b for a, b in allowed):
                    return False
        return True
    raise AssertionError(how)


def _apply_override(rule: Rule, spec: OverrideSpec, where: str) -> Rule:
    if not spec.enabled:
        loosened = rule.kind not in GRANTS
        if loosened and not spec.reason:
            raise RulebookError(f"{where}: disabling {rule.id} loosens the law; add a written `reason`.",
                                field=f"override.{rule.id}.reason")
        return replace(rule, override=OverrideNote(loosened, spec.reason))
    model, _ = KINDS[rule.kind]
    tighter = TIGHTER.get(rule.kind, {})
    loosened_params = []
    for name in spec.params:
        if name not in tighter:
            raise RulebookError(
                f"{where}: {rule.id}: parameter {name!r} cannot be overridden "
                f"(can: {', '.join(sorted(tighter)) or 'nothing'}).", field=f"override.{rule.id}.params.{name}")
    try:
        params = model.model_validate({**rule.params.model_dump(by_alias=True), **spec.params})
    except ValidationError as exc:
        raise _errors(exc, f"{where}: override of {rule.id}") from exc
    for name in spec.params:
        if not _is_stricter(tighter[name], getattr(rule.params, name), getattr(params, name)):
            loosened_params.append(name)
    if loosened_params and not spec.reason:
        raise RulebookError(
            f"{where}: overriding {rule.id} loosens {', '.join(loosened_params)} (confidence "
            f"{rule.confidence}, {rule.reference}); add a written `reason` to do it anyway.",
            field=f"override.{rule.id}.reason")
    return replace(rule, params=params, override=OverrideNote(bool(loosened_params), spec.reason))


def builtin_sources() -> list[tuple[str, str]]:
    folder = resources.files("leadgate.rules") / "data"
    return sorted((f"rulebooks/{p.name}", p.read_text("utf-8")) for p in folder.iterdir()
                  if p.name.endswith(".toml"))


def parse_rulebook(text: str, where: str) -> RulebookSpec:
    try:
        return RulebookSpec.model_validate(_read_toml(text, where))
    except ValidationError as exc:
        raise _errors(exc, where) from exc


def load(org_file: Path | None = None, sources: list[tuple[str, str]] | None = None) -> Rulebooks:
    """Every rulebook, with the organisation file (if any) applied."""
    specs = [(where, parse_rulebook(text, where)) for where, text in (sources or builtin_sources())]
    common = [(w, s) for w, s in specs if s.jurisdiction == "*"]
    national = [(w, s) for w, s in specs if s.jurisdiction != "*"]
    org = _read_org(org_file) if org_file else None

    seen: set[str] = set()
    all_rules: list[tuple[str, list[Any]]] = [(where, [*spec.rule, *spec.email_requirement])
                                              for where, spec in specs]
    all_rules += [(str(org_file), org.rule)] if org else []
    for where, rule_specs in all_rules:
        for r in rule_specs:
            if r.id in seen:
                raise RulebookError(f"{where}: rule id {r.id} is used twice", field=r.id)
            seen.add(r.id)

    books: dict[str, Rulebook] = {}
    regions: dict[str, str] = {}
    for where, spec in national:
        b2c = frozenset(spec.b2c)
        rules = [_rule(r, spec.jurisdiction, b2c, where) for r in spec.rule]
        for cwhere, cspec in common:
            rules += [_rule(r, "*", b2c, cwhere) for r in cspec.rule]
        email = [_email_requirement(r, spec.jurisdiction, b2c, where) for r in spec.email_requirement]
        for cwhere, cspec in common:
            email += [_email_requirement(r, "*", b2c, cwhere) for r in cspec.email_requirement]
        disabled: list[Rule] = []
        if org is not None:
            rules, disabled = _organise(rules, org, spec.jurisdiction, b2c, str(org_file))
        for region in (spec.jurisdiction, *spec.territories):
            regions[region] = spec.jurisdiction
        books[spec.jurisdiction] = Rulebook(
            jurisdiction=spec.jurisdiction, name=spec.name, revision=spec.revision,
            timezone=spec.timezone, holidays_country=spec.holidays_country or spec.jurisdiction,
            territories={k: Territory(k, v.timezone, v.holidays_subdiv) for k, v in spec.territories.items()},
            rules=tuple(rules),
            disabled=tuple(disabled),
            email_requirements=tuple(email),
        )
    if org is not None:
        for own in org.rule:
            strange = set(own.jurisdictions or ()) - set(books)
            if strange:
                raise RulebookError(f"{org_file}: own rule {own.id}: no rulebook for "
                                    f"{', '.join(sorted(strange))} (known: {', '.join(sorted(books))})",
                                    field=f"{own.id}.jurisdictions")
        unknown = {o.rule for o in org.override} - seen
        if unknown:
            raise RulebookError(f"{org_file}: override of unknown rule(s) {', '.join(sorted(unknown))}",
                                field="override.rule")
    return Rulebooks(books=books, regions=regions, organisation=org.organisation.name if org else None)


def _read_org(path: Path) -> OrganisationSpec:
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise RulebookError(f"cannot read organisation file {path}: {exc.strerror}") from exc
    try:
        return OrganisationSpec.model_validate(_read_toml(text, str(path)))
    except ValidationError as exc:
        raise _errors(exc, str(path)) from exc


def _organise(rules: list[Rule], org: OrganisationSpec, jurisdiction: str, b2c: frozenset[ContactKind],
              where: str) -> tuple[list[Rule], list[Rule]]:
    """(active rules, disabled rules) after the organisation's own rules and overrides."""
    for spec in org.rule:
        if spec.kind in REGIMES or spec.kind in GRANTS:
            raise RulebookError(f"{where}: own rule {spec.id}: kind {spec.kind!r} would open contact; "
                                f"an organisation may only add rules that block.", field=f"{spec.id}.kind")
        if spec.jurisdictions is None or jurisdiction in spec.jurisdictions:
            rules.append(_rule(spec, "*", b2c, where))
    overrides = {o.rule: o for o in org.override}
    active: list[Rule] = []
    disabled: list[Rule] = []
    for rule in rules:
        override = overrides.get(rule.id)
        if override is None:
            active.append(rule)
        else:
            (active if override.enabled else disabled).append(_apply_override(rule, override, where))
    return active, disabled
