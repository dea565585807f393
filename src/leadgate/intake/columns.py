"""Column-wise fast paths for e-mail addresses and consent times, equal to their per-value references.

Like `intake.phones`, each settles the plain cases in polars exactly as the reference function does and
hands everything else to that function, once per distinct value:

- e-mail: `core.contact._plain_email`'s steps (the plain ASCII pattern, length limits, no "--" in the
  domain, special-use domains, RFC 2142 mailbox names lowercased), else `core.contact.normalise_email`;
- consent time: `2026-10-02T14:03:00+02:00` (seconds, offset with a colon), else `moment` in Python.
Property tests hold both equal to their references.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import polars as pl
from email_validator import SPECIAL_USE_DOMAIN_NAMES
from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES

from leadgate.core.contact import _PLAIN_EMAIL, normalise_email

_PATTERN = "^" + _PLAIN_EMAIL.pattern + "$"
_ISO = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$"


def _plain(raw: pl.Expr) -> pl.Expr:
    """The normalised address where `_plain_email` settles it, else null."""
    parts = raw.str.extract_groups(_PATTERN)
    local, domain = parts.struct.field("local"), parts.struct.field("domain").str.to_lowercase()
    special = pl.lit(False)
    for name in SPECIAL_USE_DOMAIN_NAMES:
        special = special | (domain == name) | domain.str.ends_with("." + name)
    ok = local.is_not_null() & (raw.str.len_chars() <= 200) & (local.str.len_chars() <= 64) \
        & ~domain.str.contains("--", literal=True) & ~special
    local = pl.when(local.str.to_lowercase().is_in(list(CASE_INSENSITIVE_MAILBOX_NAMES))) \
        .then(local.str.to_lowercase()).otherwise(local)
    return pl.when(ok).then(local + "@" + domain)


def normalise_emails(values: pl.Series) -> pl.DataFrame:
    """Distinct addresses (column `email`) with `email_norm` (null: not a valid address)."""
    distinct = pl.DataFrame({"email": values}).filter(pl.col("email").is_not_null()).unique()
    settled = distinct.with_columns(_plain(pl.col("email")).alias("email_norm"))
    done = settled.filter(pl.col("email_norm").is_not_null())
    rest = settled.filter(pl.col("email_norm").is_null())
    slow = rest.with_columns(pl.Series("email_norm", [normalise_email(v) for v in rest["email"]], dtype=pl.String))
    return pl.concat([done, slow])


def parse_moments(frame: pl.DataFrame, moment: Callable[[str, str | None], tuple[datetime | None, str | None]]
                  ) -> pl.DataFrame:
    """Distinct (consent_given_at, _zone) with `given_at` (UTC) and `given_at_error`."""
    distinct = frame.select("consent_given_at", "_zone").filter(pl.col("consent_given_at").is_not_null()).unique()
    text = pl.col("consent_given_at")
    fast = pl.when(text.str.contains(_ISO)).then(
        text.str.to_datetime("%Y-%m-%dT%H:%M:%S%:z", time_unit="us", strict=False).dt.convert_time_zone("UTC"))
    settled = distinct.with_columns(fast.alias("given_at"), pl.lit(None, pl.String).alias("given_at_error"))
    done = settled.filter(pl.col("given_at").is_not_null())
    rest = settled.filter(pl.col("given_at").is_null())
    results = [moment(text, zone) for text, zone in rest.select("consent_given_at", "_zone").iter_rows()]
    slow = rest.with_columns(pl.Series("given_at", [r[0] for r in results], dtype=pl.Datetime("us", "UTC")),
                             pl.Series("given_at_error", [r[1] for r in results], dtype=pl.String))
    return pl.concat([done, slow])
