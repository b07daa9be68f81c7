"""Database fixtures shared by the test suite.

``database_url`` runs a test once on SQLite (a copy of a migrated template file) and once on
PostgreSQL (one fresh database per test session, migrated once, truncated before each test).
PostgreSQL on 127.0.0.1:5432 is skipped when unreachable — unless ``CI=true``, where that fails.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

# Property tests: random examples on a developer's machine (new cases every run), the same examples
# in CI (a landing never depends on luck), and a long search on demand: HB_HYPOTHESIS=thorough.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
hypothesis_settings.register_profile("thorough", max_examples=5000, deadline=None)
hypothesis_settings.load_profile(os.environ.get("HB_HYPOTHESIS")
                                 or ("ci" if os.environ.get("CI", "").lower() == "true" else "default"))

PG_HOST = os.environ.get("HB_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("HB_TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("HB_TEST_PG_USER", "postgres")


def _pg_admin_conninfo() -> str:
    return f"host={PG_HOST} port={PG_PORT} user={PG_USER} dbname=postgres connect_timeout=3"


def _in_ci() -> bool:
    """PostgreSQL is mandatory in CI (``CI=true``) or when ``HB_TEST_POSTGRES=required``."""
    return os.environ.get("CI", "").lower() == "true" or os.environ.get("HB_TEST_POSTGRES") == "required"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from service.db.migrate import upgrade

    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test session (dropped at the end)."""
    try:
        import psycopg

        admin = psycopg.connect(_pg_admin_conninfo(), autocommit=True)
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "no PostgreSQL here"
        if _in_ci():
            pytest.fail(f"CI=true but PostgreSQL at {PG_HOST}:{PG_PORT} is unreachable: {exc}")
        pytest.skip(f"PostgreSQL at {PG_HOST}:{PG_PORT} unreachable: {exc}")
    name = f"hb_test_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
    try:
        from service.db.migrate import upgrade

        upgrade(url)
        yield url
    finally:
        from sqlalchemy.pool import NullPool  # noqa: F401 - engines are disposed by their users

        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


def _truncate_postgres(url: str) -> None:
    """Empty every table between tests.

    The append-only tables refuse TRUNCATE (a BEFORE TRUNCATE trigger, migration 0006), so this runs
    with ``session_replication_role = replica``: in that mode PostgreSQL fires no ordinary trigger
    (row or statement), which only a superuser may set — the tests connect as ``postgres``, the
    application's role never can. The setting is local to this transaction (``SET LOCAL``)."""
    from sqlalchemy import text

    from service.db.models import Base
    from service.db.session import make_engine

    engine = make_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty, migrated database: a SQLite file or the session's PostgreSQL database."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "housing-benefit.db"
        shutil.copyfile(template, path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_url")
    _truncate_postgres(url)
    return url
