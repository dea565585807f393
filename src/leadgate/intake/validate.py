"""Row validation, column-wise: each row is accepted with its normalised values, or rejected with the
first field that fails and why. Values that need Python (e-mail, organisation numbers, consent times)
are worked out once per distinct value, which in lead files repeat a lot.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
import polars as pl

from leadgate.core.facts import CHANNELS, CONTACT_KINDS, SourceKind
from leadgate.intake.columns import normalise_emails, parse_moments
from leadgate.intake.mapping import CONSENT_FIELDS, FIELDS, Mapping, Plan
from leadgate.intake.phones import normalise_phones
from leadgate.intake.reader import Table
from leadgate.kit.errors import InvalidInput
from leadgate.people.orgid import validate_org_id

SOURCE_KINDS: tuple[str, ...] = get_args(SourceKind)
UNSPECIFIED_SOURCE = "unspecified"  # the data source of rows that name none
MAX_LENGTHS = {"name": 200, "organisation_name": 200, "job_title": 200, "source_code": 100, "consent_source": 100,
               "consent_text_version": 100, "consent_ip": 45, "organisation_id": 40}
KIND_WORDS = {"particulier": "consumer", "prive": "consumer", "privé": "consumer", "b2c": "consumer",
              "zzp": "sole_trader", "eenmanszaak": "sole_trader", "independant": "sole_trader",
              "zakelijk": "business", "b2b": "business", "entreprise": "business", "bedrijf": "business"}
CHANNEL_WORDS = {"telefoon": "phone", "telephone": "phone", "téléphone": "phone", "tel": "phone", "bellen": "phone",
                 "e-mail": "email", "mail": "email", "courriel": "email", "texto": "sms"}
BOOLEANS = {"1": True, "true": True, "yes": True, "ja": True, "oui": True, "y": True, "j": True, "x": True,
            "0": False, "false": False, "no": False, "nee": False, "non": False, "n": False}
REGIONS = frozenset(phonenumbers.SUPPORTED_REGIONS)


def _zone(name: str | None) -> ZoneInfo | None:
    if name is None:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"Unknown time zone {name!r}; use a name like Europe/Amsterdam.",
                           field="timezone") from None


def columns(table: Table, plan: Plan, mapping: Mapping, *, country: str | None, zone: str | None) -> pl.DataFrame:
    """The file's rows as leadgate fields (text), with the defaults filled in and `is_consent` set."""
    frame = table.frame
    present = {f: pl.col(f"c{i}") for f, i in plan.fields.items()}
    is_consent = pl.any_horizontal([present[f].is_not_null() for f in CONSENT_FIELDS if f in present] or
                                   [pl.lit(False)])
    defaults = plan.implied | mapping.defaults | ({"country": country} if country else {})
    defaults.setdefault("kind", "consumer")
    defaults.setdefault("source_kind", "purchased_list")
    exprs = [pl.col("_row"), is_consent.alias("is_consent")]
    for name in FIELDS:
        value = present.get(name, pl.lit(None, pl.String))
        if name in defaults:
            value = pl.coalesce(value, pl.lit(defaults[name]))
        exprs.append(value.alias(name))
    exprs += [pl.col(f"c{i}").alias(f"extra:{name}") for name, i in plan.extra.items()]
    out = frame.select(exprs).with_columns(pl.coalesce("consent_source", "source_code").alias("consent_source"))
    return out.with_columns(pl.lit(zone or mapping.timezone).alias("_zone"))


def _per_value(frame: pl.DataFrame, keys: list[str], fn: Callable[..., tuple[Any, ...]],
               schema: dict[str, Any]) -> pl.DataFrame:
    """`frame` joined with fn(*key values) worked out once per distinct non-null key."""
    distinct = frame.select(keys).filter(pl.col(keys[0]).is_not_null()).unique()
    results = [fn(*row) for row in distinct.iter_rows()]
    found = distinct.with_columns(
        pl.Series(name, [r[i] for r in results], dtype=dtype) for i, (name, dtype) in enumerate(schema.items()))
    return frame.join(found, on=keys, how="left", nulls_equal=True, maintain_order="left")


def _moment(text: str, zone: str | None) -> tuple[datetime | None, str | None]:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None, "not an ISO 8601 date and time (e.g. 2026-10-02T14:03:00+02:00)"
    if moment.tzinfo is None:
        if zone is None:
            return None, "no UTC offset (e.g. 2026-10-02T14:03:00+02:00); or give --timezone for local times"
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return moment.astimezone(UTC), None


def _org(kind: str | None, value: str) -> tuple[str | None, str | None]:
    if kind is None:
        return None, "organisation_id_kind missing: say which register the number is from (kvk, kbo, siren, ...)"
    try:
        return validate_org_id(kind.lower(), value), None
    except InvalidInput as exc:
        return None, exc.message.replace(f"{value.strip()!r} is ", "")


def _ip(value: str) -> tuple[bool]:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return (False,)
    return (True,)


def normalise(rows: pl.DataFrame, *, zone: str | None, now: datetime) -> pl.DataFrame:
    """Adds e164/phone_region/mobile, email_norm, org_id, given_at, single_use, text_sha256 and the
    verdict columns reject_field/reject_reason (null for an accepted row)."""
    _zone(zone)
    lower = ["kind", "source_kind", "consent_channel"]
    rows = rows.with_columns(
        pl.col("country").str.to_uppercase().replace({"UK": "GB"}),
        *(pl.col(c).str.to_lowercase() for c in lower),
    ).with_columns(pl.col("kind").replace(KIND_WORDS), pl.col("consent_channel").replace(CHANNEL_WORDS))
    rows = rows.with_columns(pl.when(pl.col("country").is_in(list(REGIONS))).then("country").alias("region"))
    phones = normalise_phones(rows.select(pl.col("phone").alias("raw"), "region"))
    rows = rows.join(phones, left_on=["phone", "region"], right_on=["raw", "region"], how="left", nulls_equal=True,
                     maintain_order="left")
    rows = rows.join(normalise_emails(rows["email"]), on="email", how="left", maintain_order="left")
    rows = _per_value(rows, ["organisation_id", "organisation_id_kind"], lambda v, k: _org(k, v),
                      {"org_id": pl.String, "org_error": pl.String})
    rows = rows.join(parse_moments(rows, _moment), on=["consent_given_at", "_zone"], how="left", nulls_equal=True,
                     maintain_order="left")
    rows = _per_value(rows, ["consent_ip"], _ip, {"ip_ok": pl.Boolean})
    rows = _per_value(rows, ["consent_text"], lambda t: (hashlib.sha256(t.encode("utf-8")).hexdigest(),),
                      {"text_sha256": pl.String})
    rows = rows.with_columns(pl.col("consent_single_use").str.to_lowercase().replace_strict(
        BOOLEANS, default=None, return_dtype=pl.Boolean).alias("single_use"))
    consent = pl.col("is_consent")
    channel = pl.col("consent_channel").fill_null(pl.when(pl.col("e164").is_not_null()).then(pl.lit("phone"))
                                                  .otherwise(pl.lit("email")))
    rows = rows.with_columns(pl.when(consent).then(channel).alias("consent_channel"))
    checks: list[tuple[str, pl.Expr, str | pl.Expr]] = [
        ("country", pl.col("country").is_not_null() & pl.col("region").is_null(),
         "unknown country code (use two letters: NL, BE, FR, DE, GB, ...)"),
        ("phone", pl.col("phone").is_null() & pl.col("email").is_null(), "no phone number and no e-mail address"),
        ("phone", pl.col("phone").is_not_null() & pl.col("e164").is_null(),
         pl.when(pl.col("region").is_null() & ~pl.col("phone").str.starts_with("+"))
         .then(pl.lit("not a valid phone number (no country for a national number: give --country)"))
         .otherwise(pl.lit("not a valid phone number"))),
        ("email", pl.col("email").is_not_null() & pl.col("email_norm").is_null(), "not a valid e-mail address"),
        ("kind", ~pl.col("kind").is_in(list(CONTACT_KINDS)), f"must be one of {', '.join(CONTACT_KINDS)}"),
        ("source_kind", ~pl.col("source_kind").is_in(list(SOURCE_KINDS)), f"must be one of {', '.join(SOURCE_KINDS)}"),
        *((f, pl.col(f).str.len_chars() > n, f"longer than {n} characters") for f, n in MAX_LENGTHS.items()),
        ("organisation_id", pl.col("org_error").is_not_null(), pl.col("org_error")),
        ("consent_channel", consent & ~pl.col("consent_channel").is_in(list(CHANNELS)),
         f"must be one of {', '.join(CHANNELS)}"),
        ("consent_channel", consent & pl.col("consent_channel").is_in(["phone", "sms"]) & pl.col("e164").is_null(),
         "a phone or SMS consent needs a valid phone number on the row"),
        ("consent_channel", consent & (pl.col("consent_channel") == "email") & pl.col("email_norm").is_null(),
         "an e-mail consent needs a valid e-mail address on the row"),
        ("consent_text", consent & pl.col("consent_text").is_null(),
         "missing: a consent without the text shown proves nothing"),
        ("consent_given_at", consent & pl.col("consent_given_at").is_null(), "missing: when was the consent given?"),
        ("consent_given_at", consent & pl.col("given_at_error").is_not_null(), pl.col("given_at_error")),
        ("consent_given_at", consent & (pl.col("given_at") > pl.lit(now.astimezone(UTC))), "in the future"),
        ("consent_source", consent & pl.col("consent_source").is_null(),
         "missing: the source code where the consent was given"),
        ("consent_single_use", consent & pl.col("consent_single_use").is_not_null() & pl.col("single_use").is_null(),
         "must be yes or no (ja/nee, oui/non, 1/0)"),
        ("consent_ip", consent & (pl.col("ip_ok") == False), "not an IP address"),  # noqa: E712
    ]
    field = pl.coalesce([pl.when(cond).then(pl.lit(name)) for name, cond, _ in checks])
    reason = pl.coalesce([pl.when(cond).then(r if isinstance(r, pl.Expr) else pl.lit(r)) for _, cond, r in checks])
    return rows.with_columns(field.alias("reject_field"), reason.alias("reject_reason"),
                             pl.col("source_code").fill_null(UNSPECIFIED_SOURCE),
                             pl.col("single_use").fill_null(False))
