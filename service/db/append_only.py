"""Database guards that make history append-only (architecture.md §4.6): UPDATE and DELETE on the
guarded tables raise in the database itself — a PostgreSQL trigger function, SQLite triggers — and
on PostgreSQL TRUNCATE too (a statement-level trigger, migration 0006; SQLite has no TRUNCATE).

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
    """UPDATE and DELETE on ``tables`` raise; on PostgreSQL TRUNCATE too."""
    for table in tables:
        if _postgresql():
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION hb_append_only()")
            create_truncate_guards((table,))  # a table guarded by a later migration gets it too
            continue
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, 'table {table} is append-only: {verb} refused'); END")


def create_truncate_guards(tables: Sequence[str]) -> None:
    """TRUNCATE on ``tables`` raises (PostgreSQL; ``hb_append_only()`` serves statement triggers too)."""
    if not _postgresql():
        return
    for table in tables:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION hb_append_only()")


def drop_truncate_guards(tables: Sequence[str]) -> None:
    if _postgresql():
        for table in tables:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")


def guarded_tables() -> list[str]:
    """Every table that carries the append-only row trigger now (PostgreSQL), whatever migration made it."""
    rows = op.get_bind().exec_driver_sql(
        "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE NOT t.tgisinternal AND t.tgname = c.relname || '_append_only' ORDER BY c.relname").all()
    return [str(row[0]) for row in rows]


def drop_guards(tables: Sequence[str]) -> None:
    for table in tables:
        if _postgresql():
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
            continue
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
