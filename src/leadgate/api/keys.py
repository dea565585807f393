"""GET /v1/whoami: what the presented key is (role, call centre) — lets an integrator check its setup."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from leadgate.api.deps import Caller

router = APIRouter(tags=["keys"])


class WhoAmI(BaseModel):
    key: str
    role: str
    call_centre: str | None


@router.get("/v1/whoami", response_model=WhoAmI, summary="The role and call centre of the calling key")
def whoami(who: Caller) -> WhoAmI:
    return WhoAmI(key=who.key_id, role=who.role, call_centre=who.partner_name)
