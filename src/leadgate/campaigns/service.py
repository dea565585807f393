"""Creating partners and campaigns and approving a campaign's balancing test, each a ledger event."""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from leadgate.campaigns.models import Campaign, CampaignCallCentre, Partner
from leadgate.core.facts import LawfulBasis, Sector
from leadgate.core.phone import parse_phone
from leadgate.kit.errors import InvalidInput
from leadgate.ledger import service as ledger

PartnerKind = Literal["call_centre", "lead_supplier"]
# A campaign id: the organisation's own code, also used in file and folder names.
CAMPAIGN_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"


class CallCentreShare(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, Field(min_length=1)]
    share: Annotated[int, Field(ge=1, le=100)]
    # Regions (ISO 3166 codes) this call centre takes in screening; empty: a share of all other regions.
    regions: list[Annotated[str, Field(pattern=r"^[A-Za-z]{2}$")]] = Field(default_factory=list)


class CampaignSpec(BaseModel):
    """The campaign file (TOML), validated strictly."""

    model_config = ConfigDict(extra="forbid")
    id: Annotated[str, Field(pattern=CAMPAIGN_ID)]
    name: Annotated[str, Field(min_length=1, max_length=200)]
    lawful_basis: LawfulBasis
    sector: Sector = "other"
    caller_id: str | None = None
    automated_dialer: bool = False
    relevant_to_role: bool = False
    # Call centres must acknowledge an opt-out within this many hours, else it is reported overdue.
    propagation_deadline_hours: Annotated[int, Field(ge=1, le=720)] = 24
    call_centre: list[CallCentreShare] = Field(default_factory=list)


def read_campaign_file(text: str, where: str) -> CampaignSpec:
    try:
        return CampaignSpec.model_validate(tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"{where}: not valid TOML: {exc}") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        path = ".".join(str(p) for p in first["loc"])
        raise InvalidInput(f"{where}: {path}: {first['msg']}", field=path) from exc


def partner_named(session: Session, name: str, *, kind: PartnerKind, field: str) -> Partner:
    """The partner of that name and kind, or an error saying how to add it."""
    partner = session.scalars(select(Partner).where(Partner.name == name)).first()
    add = f"add it with `leadgate partner add {name!r} --kind {kind}`"
    what = kind.replace("_", " ")
    if partner is None:
        raise InvalidInput(f"{name!r} is not a known {what}; {add}.", field=field)
    if partner.kind != kind:
        raise InvalidInput(f"Partner {name!r} is a {partner.kind}, not a {what}; {add} under another name.",
                           field=field)
    return partner


def add_partner(session: Session, *, name: str, kind: PartnerKind, now: datetime, actor: str) -> Partner:
    if session.scalars(select(Partner).where(Partner.name == name)).first() is not None:
        raise InvalidInput(f"A partner named {name!r} exists already.", field="name")
    partner = Partner(name=name, kind=kind, created_at=now)
    session.add(partner)
    session.flush()
    ledger.append(session, kind="partner.added", actor=actor, at=now,
                  data={"partner": partner.id, "name": name, "kind": kind})
    return partner


def create_campaign(session: Session, spec: CampaignSpec, *, now: datetime, actor: str) -> Campaign:
    if session.get(Campaign, spec.id) is not None:
        raise InvalidInput(f"Campaign {spec.id!r} exists already.", field="id")
    caller = None
    if spec.caller_id is not None:
        phone = parse_phone(spec.caller_id, None)
        if phone is None:
            raise InvalidInput(f"caller_id {spec.caller_id!r} is not a valid number in +CC format.",
                               field="caller_id")
        caller = phone.e164
    if spec.call_centre and sum(c.share for c in spec.call_centre) != 100:
        raise InvalidInput("The call centres' shares must add up to 100.", field="call_centre")
    campaign = Campaign(id=spec.id, name=spec.name, lawful_basis=spec.lawful_basis, sector=spec.sector,
                        caller_id=caller, automated_dialer=spec.automated_dialer,
                        relevant_to_role=spec.relevant_to_role,
                        propagation_deadline_hours=spec.propagation_deadline_hours, created_at=now)
    session.add(campaign)
    session.flush()
    for entry in spec.call_centre:
        partner = partner_named(session, entry.name, kind="call_centre", field="call_centre")
        regions = ",".join(sorted({r.upper() for r in entry.regions})) or None
        session.add(CampaignCallCentre(campaign_id=campaign.id, partner_id=partner.id, share=entry.share,
                                       regions=regions))
    session.flush()
    ledger.append(session, kind="campaign.created", actor=actor, at=now,
                  data={"campaign": spec.model_dump(mode="json") | {"caller_id": caller}})
    return campaign


def approve_lia(session: Session, *, campaign_id: str, on: date, now: datetime, actor: str) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise InvalidInput(f"No campaign {campaign_id!r}.", field="campaign")
    if campaign.lawful_basis != "legitimate_interest":
        raise InvalidInput(f"Campaign {campaign_id!r} relies on {campaign.lawful_basis}, not legitimate interest.",
                           field="campaign")
    if on > now.date():
        raise InvalidInput(f"An approval dated {on.isoformat()} is in the future.", field="date")
    campaign.lia_approved_on = on
    session.flush()
    ledger.append(session, kind="campaign.lia_approved", actor=actor, at=now,
                  data={"campaign": campaign_id, "approved_on": on.isoformat()})
    return campaign
