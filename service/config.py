"""Service settings (pydantic-settings, environment prefix ``HB_``)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///./housing-benefit.db"


class Settings(BaseSettings):
    """Runtime configuration. Every value can be set as ``HB_<NAME>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="HB_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    #: Largest accepted upload, in bytes.
    max_upload_bytes: int = 10 * 1024 * 1024
    #: Content types accepted for uploaded documents.
    allowed_upload_types: tuple[str, ...] = ("application/pdf", "image/jpeg", "image/png")
    #: ``development`` or ``production``; production refuses to start without its secrets.
    environment: str = "development"
    #: Key that signs the screens' session cookies (HB_WEB_SECRET). In development a random key per
    #: process is used when it is unset; production requires one (at least 32 characters).
    web_secret: str | None = None
    #: Run ``alembic upgrade head`` when the app is created.
    migrate_on_start: bool = True
    #: Plan the letters of a decision when it is approved (issue 13: numbers and input snapshots in the
    #: approval; the letter worker renders them after commit).
    issue_letters_on_approval: bool = True


    @model_validator(mode="after")
    def _production_needs_secrets(self) -> Settings:
        if self.environment == "production" and (not self.web_secret or len(self.web_secret) < 32):
            raise ValueError("HB_WEB_SECRET (32+ characters) is required when HB_ENVIRONMENT=production")
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
