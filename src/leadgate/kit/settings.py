"""The one settings object. Read from the environment (prefix ``LEADGATE_``) when asked, never at import."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_ORG_FILE = Path("leadgate.toml")
# The embedded default: a SQLite file in the working directory. Production: postgresql+psycopg://...
DEFAULT_DATABASE_URL = "sqlite:///leadgate.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LEADGATE_", extra="ignore")

    # The organisation file that tightens the rulebooks; `leadgate.toml` in the working directory if unset.
    org_file: Path | None = None
    database_url: str = DEFAULT_DATABASE_URL

    def resolved_org_file(self) -> Path | None:
        if self.org_file is not None:
            return self.org_file
        return DEFAULT_ORG_FILE if DEFAULT_ORG_FILE.is_file() else None
