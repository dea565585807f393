"""The facts of one contact question, validated strictly (the contract of DESIGN.md).

Unknown fields, wrong types, impossible dates and naive datetimes are errors that name the field.
Booleans and strings are strict (``"yes"`` is not a boolean, ``42`` is not a phone number); dates and
datetimes are ISO 8601 strings, datetimes always with an offset.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal, Self

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictStr

Channel = Literal["phone", "email", "sms"]
ContactKind = Literal["consumer", "sole_trader", "business", "company_general"]
Outcome = Literal[
    "no_answer", "busy", "voicemail", "connected", "not_interested", "callback_requested", "opt_out",
    "wrong_number",
]
Sector = Literal[
    "charity", "lottery", "press", "energy", "telecom", "financial", "home_renovation",
    "claims_management", "pensions", "other",
]
SourceKind = Literal[
    "webform", "purchased_list", "rented_list", "crm", "customer_record", "public_register",
    "public_website", "phonebook", "social_network", "referral",
]
LawfulBasis = Literal["consent", "legitimate_interest", "contract"]

CONTACT_KINDS: tuple[ContactKind, ...] = ("consumer", "sole_trader", "business", "company_general")
CHANNELS: tuple[Channel, ...] = ("phone", "email", "sms")


def _iso_text_only(value: Any) -> Any:
    # Pydantic would read a bare number as a Unix timestamp; in facts that is always a mistake.
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError("expected an ISO 8601 string, not a number")
    return value


def _country(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip().upper()
        return "GB" if value == "UK" else value
    return value


Timestamp = Annotated[AwareDatetime, BeforeValidator(_iso_text_only)]
Day = Annotated[date, BeforeValidator(_iso_text_only)]
Country = Annotated[StrictStr, BeforeValidator(_country), Field(pattern=r"^[A-Z]{2}$")]
Text = Annotated[StrictStr, Field(max_length=10_000)]


_set = object.__setattr__


class _Facts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @classmethod
    def trusted(cls, **values: Any) -> Self:
        """An instance of values that are valid already (the store's, or checked column-wise), not validated
        again: ~3 µs where model_construct takes ~10, for the bulk path's hundreds of thousands of facts.
        Every field must be given; the instance is equal to the validated one (tests/core/test_facts.py)."""
        # __pydantic_fields__, not model_fields: the latter is a descriptor that costs ~1.5 µs a call.
        if values.keys() != cls.__pydantic_fields__.keys():
            raise TypeError(f"{cls.__name__}.trusted needs exactly its fields: {', '.join(cls.model_fields)}")
        model = cls.__new__(cls)
        _set(model, "__dict__", values)
        _set(model, "__pydantic_fields_set__", set(values))
        _set(model, "__pydantic_extra__", None)
        _set(model, "__pydantic_private__", None)
        return model


class Contact(_Facts):
    kind: ContactKind
    phone: Annotated[StrictStr, Field(max_length=64)] | None = None
    email: Annotated[StrictStr, Field(max_length=320)] | None = None
    country: Country | None = None
    job_title: Text | None = None


class Customer(_Facts):
    paid: StrictBool
    relationship_ended: Day | None = None


class Consent(_Facts):
    channel: Channel
    purpose: Text | None = None
    # Missing proof (no text, time or source) is not a validation error: the consent exists but proves
    # nothing, and the decision says so.
    given_at: Timestamp | None = None
    text: Text | None = None
    source: Text | None = None
    single_use: StrictBool = False
    used_at: Timestamp | None = None
    withdrawn_at: Timestamp | None = None
    own_initiative: StrictBool = False
    # leadgate extension: the person agreed to calls placed or played by an automated system.
    automated_calls: StrictBool = False


class Objection(_Facts):
    channel: Channel | Literal["all"]
    at: Timestamp


class RegisterCheck(_Facts):
    name: Annotated[StrictStr, Field(pattern=r"^[a-z]{2}-[a-z0-9-]{1,40}$")]
    listed: StrictBool
    checked_at: Timestamp


class Attempt(_Facts):
    at: Timestamp
    outcome: Outcome
    campaign: Text | None = None
    call_centre: Text | None = None
    rings: Annotated[int, Field(strict=True, ge=0, le=1000)] | None = None


class Campaign(_Facts):
    id: Annotated[StrictStr, Field(min_length=1, max_length=200)]
    lawful_basis: LawfulBasis
    lia_approved_at: Day | None = None
    automated_dialer: StrictBool = False
    caller_id: Annotated[StrictStr, Field(max_length=64)] | None = None
    relevant_to_role: StrictBool = False
    sector: Sector = "other"


class Source(_Facts):
    kind: SourceKind
    # None = nobody assessed it; some source kinds need an explicit yes (see the rulebooks).
    purpose_compatible: StrictBool | None = None
    disabled: StrictBool = False


class Facts(_Facts):
    id: Annotated[StrictStr, Field(max_length=200)] | Annotated[int, Field(strict=True)]
    at: Timestamp
    channel: Channel
    contact: Contact
    customer: Customer | None = None
    consents: tuple[Consent, ...] = ()
    objections: tuple[Objection, ...] = ()
    registers: tuple[RegisterCheck, ...] = ()
    attempts: tuple[Attempt, ...] = ()
    campaign: Campaign
    source: Source | None = None
