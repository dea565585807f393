"""The answer: a decision with the reasons that block the contact and the grounds it rests on.

`allowed` is derived from the reasons, never stored on its own: a decision cannot say "yes" while
listing a blocking reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

Category = Literal[
    "consent", "register", "objection", "calling_hours", "contact_pressure", "retention", "governance",
    "data_source", "invalid_contact",
]


@dataclass(frozen=True, slots=True)
class Reason:
    category: Category
    code: str
    message: str
    reference: str
    confidence: str = "H"

    def as_dict(self) -> dict[str, str]:
        return {
            "category": self.category,
            "code": self.code,
            "message": self.message,
            "reference": self.reference,
            "confidence": self.confidence,
        }


@dataclass(frozen=True, slots=True)
class Override:
    """An organisation setting that replaced a rulebook parameter for this decision."""

    rule: str
    loosened: bool
    reason: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "loosened": self.loosened, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Decision:
    id: str | int | None
    jurisdiction: str | None
    reasons: tuple[Reason, ...]
    grounds: tuple[Reason, ...] = ()
    next_allowed_at: datetime | None = None
    rulebook: str | None = None
    overrides: tuple[Override, ...] = field(default=())

    @property
    def allowed(self) -> bool:
        return not self.reasons

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "allowed": self.allowed,
            "jurisdiction": self.jurisdiction,
            "reasons": [r.as_dict() for r in self.reasons],
            "grounds": [g.as_dict() for g in self.grounds],
            "next_allowed_at": self.next_allowed_at.isoformat() if self.next_allowed_at else None,
            "rulebook": self.rulebook,
        }
        if self.overrides:
            out["overrides"] = [o.as_dict() for o in self.overrides]
        return out
