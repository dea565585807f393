"""Organisation registration numbers, validated and compacted with python-stdnum.

A B2B lead names its legal entity by a national register number: KvK (NL), KBO/BCE enterprise number
(BE), SIREN or SIRET (FR), Handelsregisternummer (DE), Companies House number (GB), or an EU VAT
number. Checksums are verified where the number has one, so a typo is caught at intake.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from stdnum import exceptions as stdnum_errors
from stdnum.be import vat as be_vat
from stdnum.de import handelsregisternummer
from stdnum.eu import vat as eu_vat
from stdnum.fr import siren, siret

from leadgate.kit.errors import InvalidInput

_KVK = re.compile(r"^\d{8}$")  # no checksum since 2016; eight digits
_COMPANIES_HOUSE = re.compile(r"^(\d{8}|(SC|NI|OC|SO|NC|R0|FC|SE|LP|SL|NL)\d{6})$")


def _kvk(value: str) -> str:
    compact = re.sub(r"[\s.-]", "", value)
    if not _KVK.match(compact):
        raise stdnum_errors.InvalidFormat()
    return compact


def _companies_house(value: str) -> str:
    compact = re.sub(r"\s", "", value).upper()
    if compact.isdigit() and len(compact) < 8:
        compact = compact.zfill(8)
    if not _COMPANIES_HOUSE.match(compact):
        raise stdnum_errors.InvalidFormat()
    return compact


def _stdnum(module: Any) -> Callable[[str], str]:
    def validate(value: str) -> str:
        return str(module.validate(value))
    return validate


VALIDATORS: dict[str, tuple[str, Callable[[str], str]]] = {
    "kvk": ("KvK number (8 digits)", _kvk),
    "kbo": ("KBO/BCE enterprise number (10 digits, e.g. 0403.170.701)", _stdnum(be_vat)),
    "siren": ("SIREN (9 digits)", _stdnum(siren)),
    "siret": ("SIRET (14 digits)", _stdnum(siret)),
    "handelsregister": ("Handelsregisternummer (e.g. Berlin HRB 12345)", _stdnum(handelsregisternummer)),
    "company_number": ("Companies House number (e.g. 01234567 or SC123456)", _companies_house),
    "vat": ("EU VAT number with its country prefix (e.g. NL004495445B01)", _stdnum(eu_vat)),
}
KINDS = tuple(VALIDATORS)


def validate_org_id(kind: str, value: str, *, field: str = "organisation_id") -> str:
    """The compact form of a valid number, or InvalidInput saying what is wrong with it."""
    if kind not in VALIDATORS:
        raise InvalidInput(f"organisation id kind must be one of {', '.join(KINDS)}, not {kind!r}.",
                           field=f"{field}_kind")
    what, validate = VALIDATORS[kind]
    try:
        return validate(value.strip())
    except stdnum_errors.InvalidChecksum:
        raise InvalidInput(f"{value!r} is not a valid {what}: the check digit does not match.", field=field) \
            from None
    except stdnum_errors.ValidationError:
        raise InvalidInput(f"{value!r} is not a valid {what}.", field=field) from None
