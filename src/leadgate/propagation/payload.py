"""The one JSON shape of an opt-out sent to a call centre: the webhook body and each item of the pull
list are the same, so a call centre writes one handler. Only what it needs to stop: the contact point
it already holds, the channel, when, and how to acknowledge."""

from __future__ import annotations

from typing import Any

from leadgate.kit.moments import from_store
from leadgate.propagation.models import Propagation


def payload(row: Propagation, *, call_centre: str, public_url: str) -> dict[str, Any]:
    return {
        "id": row.id,
        "type": "opt_out",
        "call_centre": call_centre,
        "cause": row.cause,  # objection | withdrawal
        "medium": row.medium,
        "contact": row.contact,  # None once acknowledged (data minimisation)
        "channel": row.channel,
        "effective_at": from_store(row.effective_at).isoformat(),
        "due_by": from_store(row.due_by).isoformat(),
        "ack_url": f"{public_url.rstrip('/')}/v1/propagations/{row.id}/ack",
    }
