"""The register section of an evidence pack: for a phone number, what each do-not-call register its
jurisdiction's rulebook names said about it as of the pack's moment (`registers.lookup.register_checks`,
the same answer the decision core gets), from which snapshot, and whether that snapshot was fresh enough;
each snapshot re-checked against its `register.imported` ledger event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from leadgate.evidence.exports import snapshot_proof
from leadgate.evidence.ledgerview import Events, LedgerRef
from leadgate.kit.moments import from_store
from leadgate.registers.lookup import register_checks
from leadgate.registers.models import RegisterCheckResult, RegisterSnapshot
from leadgate.rules.model import RegisterParams, Rule, Rulebook

EMAIL = "registers apply to phone numbers only"


@dataclass(frozen=True)
class RegisterLine:
    register: str
    rules: tuple[str, ...]  # the rules naming it
    max_age_days: int  # the strictest among those rules
    status: str  # listed | not_listed | no_snapshot | stale
    listed: bool | None  # what the snapshot said (also when stale); None without a snapshot
    snapshot: int | None
    snapshot_kind: str | None  # full | check
    checked_at: datetime | None
    file_sha256: str | None
    ledger: LedgerRef | None
    text: str
    checks: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class Registers:
    as_of: datetime
    note: str  # one sentence about the section as a whole
    lines: tuple[RegisterLine, ...]

    @property
    def short(self) -> str:
        """The summary line's words."""
        if not self.lines:
            return self.note
        return "; ".join(f"{line.register} {line.status.replace('_', ' ')}" + (
            f" (snapshot #{line.snapshot}, checked {line.checked_at:%Y-%m-%d %H:%M} UTC)"
            if line.checked_at is not None else "") for line in self.lines)


def email(as_of: datetime) -> Registers:
    return Registers(as_of, EMAIL, ())


def _when(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def _snapshot(session: Session, name: str, number: int, checked_at: datetime, at: datetime
              ) -> RegisterSnapshot | None:
    """The snapshot `register_checks` answered from: a full list checked at that moment, else the latest
    check-service answer for the number then (a check at the same moment as the full list is not used)."""
    found = [s for s in session.scalars(select(RegisterSnapshot).where(RegisterSnapshot.register == name))
             if from_store(s.checked_at) == checked_at and from_store(s.checked_at) <= at]
    fulls = [s for s in found if s.kind == "full"]
    if fulls:
        return max(fulls, key=lambda s: s.id)
    answered = set(session.scalars(select(RegisterCheckResult.snapshot_id).where(
        RegisterCheckResult.number == number, RegisterCheckResult.snapshot_id.in_([s.id for s in found]))))
    checks = [s for s in found if s.id in answered]
    return max(checks, key=lambda s: s.id) if checks else None


def _named(book: Rulebook, day: datetime) -> tuple[dict[str, list[Rule]], list[Rule]]:
    """The phone registers in force on the day (by name), and those no longer (or not yet) in force."""
    current: dict[str, list[Rule]] = {}
    other: list[Rule] = []
    for rule in book.rules:
        if rule.kind != "register" or "phone" not in rule.channels or not isinstance(rule.params, RegisterParams):
            continue
        if rule.in_force(day.date()):
            current.setdefault(rule.params.name, []).append(rule)
        else:
            other.append(rule)
    return current, other


def phone(session: Session, *, number: int, book: Rulebook | None, region: str | None, at: datetime,
          events: Events) -> Registers:
    if book is None:
        return Registers(at, f"no rulebook covers region {region or 'unknown'}: no register applies", ())
    current, other = _named(book, at)
    if not current:
        past = "; ".join(f"{r.params.name} applied from {r.effective_from} to {r.effective_to or 'now'}"
                         for r in other)
        return Registers(at, f"the {book.jurisdiction} rulebook names no do-not-call register in force on "
                             f"{at:%Y-%m-%d}" + (f" ({past})" if past else ""), ())
    answers = {c.name: c for c in register_checks(session, number=number, at=at)}
    lines = []
    for name, rules in sorted(current.items()):
        max_age = min(r.params.max_age_days for r in rules)
        ids = tuple(r.id for r in rules)
        answer = answers.get(name)
        if answer is None:
            lines.append(RegisterLine(name, ids, max_age, "no_snapshot", None, None, None, None, None, None,
                                      f"not checked on {name}: no snapshot checked at or before {_when(at)}"))
            continue
        checks: list[str] = []
        problems: list[str] = []
        snapshot = _snapshot(session, name, number, answer.checked_at, at)
        ref = snapshot_proof(session, snapshot, events, checks, problems) if snapshot is not None else None
        if snapshot is None:
            problems.append(f"the {name} snapshot checked at {_when(answer.checked_at)} is not stored")
        sid = snapshot.id if snapshot is not None else None
        sha = snapshot.file_sha256 if snapshot is not None else None
        proof = (f"snapshot #{sid} checked {_when(answer.checked_at)} (file sha256 {sha}, "
                 + (f"ledger event {ref.seq})" if ref is not None else "no ledger event)"))
        said = "listed" if answer.listed else "not listed"
        age = (at - answer.checked_at).total_seconds() / 86400
        if age > max_age:
            status = "stale"
            text = (f"not checked on {name}: {proof} is older than the maximum age of {max_age} days "
                    f"(it said: {said})")
        else:
            status = "listed" if answer.listed else "not_listed"
            text = f"{said} on {name} per {proof}"
        lines.append(RegisterLine(name, ids, max_age, status, answer.listed, sid,
                                  snapshot.kind if snapshot is not None else None, answer.checked_at, sha, ref,
                                  text, tuple(checks), tuple(problems)))
    return Registers(at, f"as of {_when(at)}, per the {book.jurisdiction} rulebook", tuple(lines))
