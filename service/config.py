"""Service settings (pydantic-settings, environment prefix ``HB_``)."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///./housing-benefit.db"
ENVIRONMENTS = ("development", "test", "production")


class SettingsRefused(RuntimeError):
    """A configuration the service refuses to start with. Raised as itself (not as a pydantic
    ValidationError, whose ``errors()`` carry the raw input, secrets included)."""


class Settings(BaseSettings):
    """Runtime configuration. Every value can be set as ``HB_<NAME>`` in the environment.

    Errors never echo a value (``hide_input_in_errors``): a rejected secret must not reach a log.
    """

    model_config = SettingsConfigDict(env_prefix="HB_", extra="ignore", hide_input_in_errors=True)

    database_url: str = DEFAULT_DATABASE_URL
    #: Largest accepted upload, in bytes (enforced while the body streams in).
    max_upload_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, le=200 * 1024 * 1024)
    #: Content types accepted for uploaded documents.
    allowed_upload_types: tuple[str, ...] = ("application/pdf", "image/jpeg", "image/png")
    #: Exactly ``development``, ``test`` or ``production`` (lowercase); anything else refuses to start,
    #: so that ``Production`` never runs as development without its secrets.
    environment: Literal["development", "test", "production"] = "development"
    #: Key that signs the screens' session cookies (HB_WEB_SECRET). In development a random key per
    #: process is used when it is unset; production requires one (at least 32 characters).
    web_secret: SecretStr | None = None
    #: A screen session ends this many hours after login, however active (idle: 30 minutes).
    session_max_hours: float = Field(default=10.0, gt=0, le=24)
    #: Days a new API token lives unless the administrator gives fewer (at most 2 years).
    api_token_days: int = Field(default=90, ge=1, le=730)
    #: Run ``alembic upgrade head`` when the app is created.
    migrate_on_start: bool = True
    #: Issue the letters of a decision when it is approved (issue 5; rendering costs ~0.3 s a letter).
    issue_letters_on_approval: bool = True

    @field_validator("environment", mode="before")
    @classmethod
    def _exact_environment(cls, value: object) -> object:
        if value not in ENVIRONMENTS:
            raise ValueError(f"HB_ENVIRONMENT must be exactly one of {', '.join(ENVIRONMENTS)}")
        return value

    @model_validator(mode="after")
    def _production_needs_secrets(self) -> Settings:
        secret = self.web_secret.get_secret_value() if self.web_secret is not None else ""
        if self.environment == "production" and len(secret) < 32:
            raise SettingsRefused("HB_WEB_SECRET (32+ characters) is required when HB_ENVIRONMENT=production")
        return self

    @property
    def production(self) -> bool:
        return self.environment == "production"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
