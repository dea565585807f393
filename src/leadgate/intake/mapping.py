"""Which of the supplier's columns feed which leadgate field: the default aliases and the mapping file.

Column names are compared normalised (case, accents, spaces and punctuation ignored), so `E-mail`,
`e_mail` and `EMAIL` are one name and `Téléphone` matches the alias `telephone`. A mapping file (TOML)
names the supplier's columns explicitly, lists the columns kept as lead context (`extra`) and gives
defaults for fields the file does not carry.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from leadgate.kit.errors import InvalidInput

FIELDS: tuple[str, ...] = (
    "phone", "email", "country", "kind", "name", "organisation_name", "organisation_id_kind", "organisation_id",
    "job_title", "source_code", "source_kind", "source_purpose", "consent_channel", "consent_text",
    "consent_given_at", "consent_source", "consent_text_version", "consent_ip", "consent_user_agent",
    "consent_single_use",
)
CONSENT_FIELDS = tuple(f for f in FIELDS if f.startswith("consent_"))

# Common Dutch, French, German and English column names (normalised) per field.
ALIASES: dict[str, tuple[str, ...]] = {
    "phone": ("telefoon", "telefoonnummer", "telnr", "tel", "telephone", "numerodetelephone", "phone",
              "phonenumber", "mobile", "mobiel", "mobielnummer", "gsm", "portable", "mobilephone", "telefon",
              "telefonnummer", "handy", "msisdn"),
    "email": ("email", "emailadres", "emailaddress", "mail", "mailadres", "courriel", "adressemail",
              "adresseemail", "emailadresse"),
    "country": ("land", "landcode", "pays", "country", "countrycode", "codepays"),
    "kind": ("kind", "contactkind", "soortcontact", "typecontact"),
    "name": ("naam", "volledigenaam", "nom", "nomcomplet", "name", "fullname", "contactnaam"),
    "organisation_name": ("bedrijf", "bedrijfsnaam", "organisatie", "company", "companyname", "organisation",
                          "organization", "entreprise", "societe", "raisonsociale", "firma", "unternehmen"),
    "organisation_id_kind": ("organisationidkind", "orgidkind"),
    "organisation_id": ("organisationid", "orgid", "companynumber", "registrationnumber"),
    "job_title": ("functie", "fonction", "jobtitle", "poste", "position", "beruf"),
    "source_code": ("bron", "broncode", "source", "sourcecode", "herkomst", "leadsource"),
    "source_kind": ("sourcekind", "bronsoort"),
    "source_purpose": ("sourcepurpose", "doel", "purpose", "finalite"),
    "consent_channel": ("consentchannel", "kanaal", "canal", "channel"),
    "consent_text": ("consenttext", "toestemmingstekst", "optintext", "optintekst", "texteconsentement",
                     "einwilligungstext"),
    "consent_given_at": ("consentgivenat", "optindate", "optindatum", "optinat", "datumoptin", "consentat",
                         "toestemmingsdatum", "toestemmingdatum",
                         "dateconsentement", "consentdate"),
    "consent_source": ("consentsource", "optinsource", "optinbron", "toestemmingsbron"),
    "consent_text_version": ("consenttextversion", "textversion", "optinversion"),
    "consent_ip": ("consentip", "ip", "ipaddress", "ipadres", "adresseip"),
    "consent_user_agent": ("consentuseragent", "useragent"),
    "consent_single_use": ("consentsingleuse", "singleuse", "eenmalig"),
}
# A column named after a register implies the kind of organisation number it holds.
ORG_ID_COLUMNS: dict[str, str] = {
    "kvk": "kvk", "kvknummer": "kvk", "kbo": "kbo", "kbonummer": "kbo", "bce": "kbo", "ondernemingsnummer": "kbo",
    "numerodentreprise": "kbo", "siren": "siren", "siret": "siret", "vat": "vat", "vatnumber": "vat",
    "btw": "vat", "btwnummer": "vat", "tva": "vat", "numerotva": "vat", "ustidnr": "vat",
    "handelsregisternummer": "handelsregister", "companieshouse": "company_number",
}


def normalise_name(name: str) -> str:
    flat = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]", "", flat.lower())


_DEFAULT: dict[str, str] = {normalise_name(f): f for f in FIELDS} | {
    alias: f for f, aliases in ALIASES.items() for alias in aliases}


@dataclass(frozen=True)
class Mapping:
    columns: dict[str, str] = field(default_factory=dict)  # supplier column (normalised) -> field
    extra: tuple[str, ...] = ()  # supplier columns kept in Lead.extra (as written in the file)
    defaults: dict[str, str] = field(default_factory=dict)  # field -> value for rows that leave it empty
    timezone: str | None = None  # for consent times written without an offset


def read_mapping(path: Path) -> Mapping:
    """The mapping file, validated: unknown fields or sections are named."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise InvalidInput(f"Mapping file {path} does not exist.", field="mapping") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path.name}: not valid TOML: {exc}", field="mapping") from exc
    unknown = set(data) - {"columns", "extra", "defaults", "timezone"}
    if unknown:
        raise InvalidInput(f"{path.name}: unknown key(s) {', '.join(sorted(unknown))}; allowed are columns, "
                           "extra, defaults and timezone.", field="mapping")
    columns, defaults = data.get("columns", {}), data.get("defaults", {})
    extra, zone = data.get("extra", []), data.get("timezone")
    if not isinstance(columns, dict) or not isinstance(defaults, dict) or not isinstance(extra, list):
        raise InvalidInput(f"{path.name}: [columns] and [defaults] are tables, extra is a list of column names.",
                           field="mapping")
    misplaced = {"extra", "timezone"} & (set(columns) | set(defaults))
    if misplaced:
        raise InvalidInput(f"{path.name}: {' and '.join(sorted(misplaced))} must come before the first [table] "
                           "(in TOML, a key after [defaults] belongs to that table).", field="mapping")
    for target in [*columns.values(), *defaults]:
        if target not in FIELDS:
            raise InvalidInput(f"{path.name}: {target!r} is not a leadgate field; the fields are "
                               f"{', '.join(FIELDS)}.", field="mapping")
    if not all(isinstance(v, str) for v in [*defaults.values(), *extra]) or (zone is not None
                                                                          and not isinstance(zone, str)):
        raise InvalidInput(f"{path.name}: defaults, extra columns and timezone are text values.", field="mapping")
    return Mapping({normalise_name(k): v for k, v in columns.items()}, tuple(extra), dict(defaults), zone)


@dataclass(frozen=True)
class Plan:
    fields: dict[str, int]  # field -> column index in the file
    extra: dict[str, int]  # extra column name -> column index
    ignored: list[str]  # columns neither mapped nor extra (not read: minimal data)
    implied: dict[str, str] = field(default_factory=dict)  # defaults implied by a column name (kvk -> kind)


def plan(headers: list[str], mapping: Mapping, where: str) -> Plan:
    """Which column feeds which field. Two columns for one field, or none for phone and e-mail, is an error."""
    fields: dict[str, int] = {}
    extra: dict[str, int] = {}
    ignored: list[str] = []
    implied: dict[str, str] = {}
    wanted_extra = {normalise_name(e): e for e in mapping.extra}
    for index, header in enumerate(headers):
        key = normalise_name(header)
        target = mapping.columns.get(key) or _DEFAULT.get(key)
        if target is None and key in ORG_ID_COLUMNS:
            target, implied["organisation_id_kind"] = "organisation_id", ORG_ID_COLUMNS[key]
        if key in wanted_extra:
            extra[header or f"column {index + 1}"] = index
        elif target is not None:
            if target in fields:
                raise InvalidInput(f"{where}: columns {headers[fields[target]]!r} and {header!r} both map to "
                                   f"{target}; name the one to use in a mapping file (--mapping).", field=target)
            fields[target] = index
        elif header:
            ignored.append(header)
    missing = [e for k, e in wanted_extra.items() if k not in {normalise_name(h) for h in headers}]
    if missing:
        raise InvalidInput(f"{where}: the mapping's extra column(s) {', '.join(map(repr, missing))} are not in "
                           "the file.", field="extra")
    if "phone" not in fields and "email" not in fields:
        raise InvalidInput(f"{where}: no phone or e-mail column found (columns: {', '.join(map(repr, headers))}). "
                           "Name them phone/email (or telefoon, téléphone, e-mail, courriel, ...) or map them in "
                           "a mapping file (--mapping).", field="phone")
    return Plan(fields, extra, ignored, implied)
