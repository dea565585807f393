"""Consents, objections and suppressions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

import leadgate.intake.models  # noqa: F401  (consents.intake_id references intakes)
from leadgate.kit.db import Base
from leadgate.people.models import new_id


class Consent(Base):
    __tablename__ = "consents"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    contact_point_id: Mapped[str] = mapped_column(ForeignKey("contact_points.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(10))  # phone | email | sms
    purpose: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)  # exactly as shown to the person
    text_version: Mapped[str | None] = mapped_column(String(100))
    text_sha256: Mapped[str] = mapped_column(String(64))
    given_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    source_code: Mapped[str] = mapped_column(String(100), index=True)
    collection_method: Mapped[str] = mapped_column(String(40))  # webform | phone | paper | import ...
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(Text)
    single_use: Mapped[bool] = mapped_column(default=False)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    own_initiative: Mapped[bool] = mapped_column(default=False)
    automated_calls: Mapped[bool] = mapped_column(default=False)
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_via: Mapped[str | None] = mapped_column(String(40))
    # Set when the consent came in a supplier file: that intake's ledger event covers it.
    intake_id: Mapped[str | None] = mapped_column(ForeignKey("intakes.id"), index=True)


class Objection(Base):
    __tablename__ = "objections"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    # Kept (set to NULL) when the person is erased: the suppression below still blocks the number.
    person_id: Mapped[str | None] = mapped_column(ForeignKey("persons.id", ondelete="SET NULL"), index=True)
    channel: Mapped[str] = mapped_column(String(10))  # phone | email | sms | all
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    received_via: Mapped[str] = mapped_column(String(40))


class Suppression(Base):
    """A keyed hash (HMAC-SHA256) of a contact point that objected: no personal data, survives erasure."""

    __tablename__ = "suppressions"
    __table_args__ = (UniqueConstraint("digest", "channel", name="uq_suppressions_digest_channel"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    digest: Mapped[str] = mapped_column(String(64), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # A 30-bit keyed prefilter of a phone number (SipHash, see consent.buckets): lets screening hash
    # only the few numbers that may be suppressed instead of every row. EMAIL_BUCKET (-1) for e-mail
    # addresses; None only for rows recorded before migration 0005 (see consent.suppressed).
    bucket: Mapped[int | None] = mapped_column(Integer, index=True)


class ConsentRequest(Base):
    """A double opt-in in waiting: what the person submitted, until they follow the confirmation link.
    It is no consent (nothing reads it as one); confirming it records the Consent with both moments."""

    __tablename__ = "consent_requests"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    contact: Mapped[str] = mapped_column(String(320))  # normalised e-mail address
    country: Mapped[str | None] = mapped_column(String(2))
    kind: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(10))
    purpose: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    text_version: Mapped[str | None] = mapped_column(String(100))
    source_code: Mapped[str] = mapped_column(String(100))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    single_use: Mapped[bool] = mapped_column(default=False, server_default=false())
    own_initiative: Mapped[bool] = mapped_column(default=False, server_default=false())
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    consent_id: Mapped[str | None] = mapped_column(ForeignKey("consents.id", ondelete="SET NULL"))


class ConsentText(Base):
    """A consent text as shown on a form, registered once per version: a form may then send the version
    instead of the text, and a version can never come to mean another text."""

    __tablename__ = "consent_texts"

    version: Mapped[str] = mapped_column(String(100), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
