"""POST /v1/lint/email: what the rules require a marketing e-mail to carry and a message lacks.

Marketing writes the messages, compliance reviews them; both (and admin) may lint. Linting reads the
campaign (and the recipient, when given) and records nothing. A message that fails the lint is still a
200 answer (`ok` false); a message that cannot be read at all is a 422 naming the `message` field.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from leadgate.access.service import Principal
from leadgate.api.deps import Db, Server, require
from leadgate.api.fields import CampaignId
from leadgate.core.facts import ContactKind, SourceKind
from leadgate.lint import service
from leadgate.lint.message import MAX_MESSAGE_BYTES

router = APIRouter(tags=["lint"])


class RecipientIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    contact: str | None = Field(default=None, min_length=3, max_length=320, pattern=r"^[^\x00-\x20\x7f]+$",
                                description="The recipient's e-mail address; when it is stored, its country, "
                                            "contact kind and data source are used unless given here.")
    country: str | None = Field(default=None, pattern=r"^[A-Za-z]{2}$",
                                description="ISO 3166 country whose e-mail rules apply (UK is read as GB).")
    kind: ContactKind | None = Field(default=None, description="Who the recipient is, for the rules that "
                                     "depend on it (B2B relevance).")


class LintIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    campaign: Annotated[CampaignId, Field(description="The campaign id the message is sent for.")]
    message: str = Field(min_length=1, max_length=MAX_MESSAGE_BYTES,
                         description="The raw RFC 5322 message: headers, a blank line, the body (MIME "
                                     "multipart allowed). Leave attachments out; the server's body limit applies.")
    recipient: RecipientIn | None = Field(default=None, description="Who receives it; without a country only "
                                          "the rules common to every jurisdiction are checked.")
    first_contact: bool | None = Field(default=None, description="Whether this is the first message to the "
                                       "person; unknown makes first-contact requirements warnings.")
    source_kind: SourceKind | None = Field(default=None, description="Where the address came from "
                                           "(e.g. purchased_list); overrides the stored lead's source.")


class FindingOut(BaseModel):
    code: str = Field(description="Stable code of what is missing, e.g. UNSUBSCRIBE_LINK_MISSING.")
    severity: Literal["error", "warning"] = Field(description="error: the rules require it; warning: good "
                                                  "practice, or a requirement that depends on something unknown.")
    message: str = Field(description="What is missing and what to add.")
    reference: str = Field(description="The law or guidance it rests on.")
    rule: str | None = Field(description="The rulebook requirement it comes from.")
    confidence: Literal["H", "M", "L", "UNCONFIRMED", "practice"] | None = Field(
        description="How sure the rulebook is of that requirement (H = primary text).")


class LintOut(BaseModel):
    ok: bool = Field(description="True when no finding is an error.")
    jurisdiction: str | None = Field(description="The rulebook used, or null when only the common rules were.")
    findings: list[FindingOut]


@router.post("/v1/lint/email", response_model=LintOut, summary="Check a marketing e-mail against the rules")
def lint_email(body: LintIn, session: Db, state: Server,
               who: Annotated[Principal, Depends(require("marketing", "compliance"))]) -> LintOut:
    recipient = body.recipient or RecipientIn()
    report = service.lint_email(
        session, raw=body.message.encode("utf-8", "replace"), campaign_id=body.campaign,
        recipient=service.Recipient(contact=recipient.contact, country=recipient.country, kind=recipient.kind,
                                    first_contact=body.first_contact, source_kind=body.source_kind),
        books=state.books, at=datetime.now(UTC), key=state.settings.suppression_key_bytes())
    return LintOut.model_validate(report.as_dict())
