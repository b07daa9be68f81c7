"""Alembic, configured programmatically (no alembic.ini): ``upgrade(url)`` brings a database to head."""

from __future__ import annotations

import threading
from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

_lock = threading.Lock()
_upgraded: set[str] = set()


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s")
    return cfg


def upgrade(url: str, revision: str = "head", *, force: bool = False) -> None:
    """Run ``alembic upgrade head`` on ``url`` (once per process and URL unless ``force``)."""
    with _lock:
        if url in _upgraded and not force:
            return
        command.upgrade(alembic_config(url), revision)
        _upgraded.add(url)


def downgrade(url: str, revision: str = "base") -> None:
    with _lock:
        command.downgrade(alembic_config(url), revision)
        _upgraded.discard(url)
