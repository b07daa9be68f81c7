"""Database guards that make history append-only (architecture.md §4.6): UPDATE and DELETE on the
guarded tables raise in the database itself — a PostgreSQL trigger function, SQLite triggers.

Used by the migrations; the SQL here must stay stable, since old migrations call it too.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION hb_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END
$$
"""


def _postgresql() -> bool:
    return bool(op.get_bind().dialect.name == "postgresql")


def create_function() -> None:
    """The PostgreSQL trigger function (migration 0001 creates it once)."""
    if _postgresql():
        op.execute(_PG_FUNCTION)


def drop_function() -> None:
    if _postgresql():
        op.execute("DROP FUNCTION IF EXISTS hb_append_only()")


def create_guards(tables: Sequence[str]) -> None:
    """UPDATE and DELETE on ``tables`` raise."""
    for table in tables:
        if _postgresql():
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION hb_append_only()")
            continue
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, 'table {table} is append-only: {verb} refused'); END")


def drop_guards(tables: Sequence[str]) -> None:
    for table in tables:
        if _postgresql():
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            continue
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
