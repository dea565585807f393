"""The one settings object. Read from the environment (prefix ``LEADGATE_``) when asked, never at import."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from leadgate.kit.errors import InvalidInput

DEFAULT_ORG_FILE = Path("leadgate.toml")
# The embedded default: a SQLite file in the working directory. Production: postgresql+psycopg://...
DEFAULT_DATABASE_URL = "sqlite:///leadgate.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LEADGATE_", extra="ignore")

    # The organisation file that tightens the rulebooks; `leadgate.toml` in the working directory if unset.
    org_file: Path | None = None
    database_url: str = DEFAULT_DATABASE_URL
    # HMAC key of the suppression list (objections that outlive erasure). A secret: environment only.
    suppression_key: SecretStr | None = None
    # Derived files (per-snapshot register caches): rebuilt from the database when missing or altered, so
    # losing this folder costs time, never evidence.
    data_dir: Path = Path("leadgate-data")
    # Signs what leaves leadgate and must come back unaltered: unsubscribe links, double opt-in links,
    # webhook signatures (each call centre's secret is derived from it). A secret: environment only.
    secret_key: SecretStr | None = None
    # Where people reach this server (unsubscribe and confirmation links are built on it).
    public_url: str = "http://127.0.0.1:8000"
    # How long a double opt-in confirmation link and a one-click unsubscribe link stay valid, in days.
    consent_confirm_days: int = 7
    unsubscribe_link_days: int = 365
    # HTTP API limits: request bodies above this are refused (413); requests per API key per minute (429).
    api_max_body_bytes: int = 1_000_000
    api_rate_per_minute: int = 60_000
    # `leadgate serve` also delivers queued opt-outs to call centres' webhooks (off: run
    # `leadgate propagation deliver` as its own process instead).
    api_deliver: bool = True
    # Webhook delivery: the time one POST to a call centre may take, and how long a claimed opt-out stays
    # reserved for the worker sending it (one that dies mid-delivery leaves it to be retried after this).
    webhook_timeout_seconds: float = 10.0
    webhook_lease_seconds: float = 60.0

    def suppression_key_bytes(self) -> bytes:
        if self.suppression_key is None:
            raise InvalidInput("Set LEADGATE_SUPPRESSION_KEY to a long random secret (e.g. `openssl rand -hex 32`); "
                               "objections are kept as keyed hashes with it.", field="suppression_key")
        return self.suppression_key.get_secret_value().encode("utf-8")

    def secret_key_bytes(self) -> bytes:
        if self.secret_key is None or len(self.secret_key.get_secret_value()) < 16:
            raise InvalidInput("Set LEADGATE_SECRET_KEY to a long random secret (e.g. `openssl rand -hex 32`); "
                               "it signs unsubscribe links, confirmation links and webhooks.", field="secret_key")
        return self.secret_key.get_secret_value().encode("utf-8")

    def resolved_org_file(self) -> Path | None:
        if self.org_file is not None:
            return self.org_file
        return DEFAULT_ORG_FILE if DEFAULT_ORG_FILE.is_file() else None
