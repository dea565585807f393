"""Data sources: a supplier's source code, its kind, purpose and purpose compatibility, and switching one
off after complaints. Each change is a ledger event (about no person). Flushes, never commits.

Intake also creates sources on the fly for codes it meets; `add_source` therefore updates an existing
(supplier, code) instead of refusing it, so the assessment can be recorded after the leads came in.
"""

from __future__ import annotations

from datetime import datetime
from typing import get_args

from sqlalchemy import select
from sqlalchemy.orm import Session

from leadgate.campaigns.models import Partner
from leadgate.campaigns.service import partner_named
from leadgate.core.facts import SourceKind
from leadgate.intake.models import DataSource
from leadgate.kit.errors import InvalidInput
from leadgate.ledger import service as ledger

SOURCE_KINDS: tuple[str, ...] = get_args(SourceKind)


def supplier_named(session: Session, name: str) -> Partner:
    return partner_named(session, name, kind="lead_supplier", field="supplier")


def _data(source: DataSource) -> dict[str, object]:
    return {"source": source.id, "supplier": source.supplier_id, "code": source.code, "kind": source.kind,
            "purpose": source.purpose, "purpose_compatible": source.purpose_compatible,
            "disabled": source.disabled}


def add_source(session: Session, *, supplier: str, code: str, kind: str, now: datetime, actor: str,
               purpose: str | None = None, compatible: bool | None = None) -> tuple[DataSource, bool]:
    """Create the source, or update the kind (and the purpose and compatibility when given) of an existing
    one. Returns (source, created). A disabled source stays disabled: switching it off was deliberate."""
    code = code.strip()
    if not code or len(code) > 100:
        raise InvalidInput("The source code must be 1 to 100 characters.", field="code")
    if kind not in SOURCE_KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(SOURCE_KINDS)}, not {kind!r}.", field="kind")
    partner = supplier_named(session, supplier)
    source = session.scalars(select(DataSource).where(DataSource.supplier_id == partner.id,
                                                      DataSource.code == code)).first()
    created = source is None
    if source is None:
        source = DataSource(supplier_id=partner.id, code=code, kind=kind, purpose=purpose,
                            purpose_compatible=compatible, disabled=False, created_at=now)
        session.add(source)
    else:
        source.kind = kind
        if purpose is not None:
            source.purpose = purpose
        if compatible is not None:
            source.purpose_compatible = compatible
    session.flush()
    ledger.append(session, kind="source.added" if created else "source.updated", actor=actor, at=now,
                  data=_data(source))
    return source, created


def disable_source(session: Session, *, supplier: str, code: str, reason: str, now: datetime, actor: str
                   ) -> DataSource:
    """Switch a source off: every later decision about its leads is blocked (DATA_SOURCE)."""
    if not reason.strip():
        raise InvalidInput("Say why the source is disabled (complaints, audit finding, ...).", field="reason")
    partner = supplier_named(session, supplier)
    source = session.scalars(select(DataSource).where(DataSource.supplier_id == partner.id,
                                                      DataSource.code == code.strip())).first()
    if source is None:
        raise InvalidInput(f"{supplier!r} has no source {code!r}; see `leadgate source list`.", field="code")
    source.disabled = True
    session.flush()
    ledger.append(session, kind="source.disabled", actor=actor, at=now, data=_data(source) | {"reason": reason})
    return source


def list_sources(session: Session) -> list[tuple[DataSource, str | None]]:
    """Every source with its supplier's name, by supplier and code."""
    rows = session.execute(select(DataSource, Partner.name).outerjoin(Partner, DataSource.supplier_id == Partner.id)
                           .order_by(Partner.name, DataSource.code))
    return [(source, name) for source, name in rows.all()]
