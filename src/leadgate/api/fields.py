"""Request field types shared by the routes: what a contact, a campaign id, a stored label and a moment
may look like on the way in, so every route refuses the same malformed input with the same 422."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, Field

from leadgate.campaigns.service import CAMPAIGN_ID
from leadgate.core import facts as f

Contact = Annotated[str, Field(min_length=1, max_length=320, description=(
    "A phone number in any format (national formats need `country`) or an e-mail address."),
    examples=["06-12345678", "+32 470 12 34 56", "anna@example.nl"])]
CampaignId = Annotated[str, Field(min_length=1, max_length=100, pattern=CAMPAIGN_ID,
                                  description="The campaign's id.", examples=["winter-2026"])]
# Free text that is stored or looked up: no control characters (PostgreSQL refuses NUL in text).
Label = Annotated[str, Field(pattern=r"^[^\x00-\x1f\x7f]+$")]
EARLIEST, LATEST = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)


def _plausible(moment: datetime) -> datetime:
    # Outside this the rulebooks say nothing, and the far ends overflow when converted to UTC.
    if not EARLIEST <= moment < LATEST:
        raise ValueError("must lie between 2000 and 2100")
    return moment


Moment = Annotated[f.Timestamp, AfterValidator(_plausible)]
