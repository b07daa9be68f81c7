"""Service settings (pydantic-settings, environment prefix ``HB_``)."""

from __future__ import annotations

from functools import lru_cache

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
    #: Run ``alembic upgrade head`` when the app is created.
    migrate_on_start: bool = True


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
