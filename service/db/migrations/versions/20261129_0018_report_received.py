"""work queue: a benefit month knows whether its monthly report has been received (issue 11 figure)

``benefit_month.report_received`` is kept by the database itself: a trigger on ``monthly_report`` (append-only)
sets it when a report for the grant and month is stored, in the same transaction, and a trigger on
``benefit_month`` sets it when a month is (re)written after its report came in (a resumption or a corrected
decision re-adds months). The queue's 月次報告未提出 heading then reads a partial index of the months still
waiting for their report instead of anti-joining every month with every report (100,000 grants: ~60 ms → a
few ms).

Revision ID: 0018
Revises: 0011
Create Date: 2026-11-29 15:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0018'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COORDINATION = "coordination_report_due IS true AND status IN ('active', 'interrupted')"
_WAITING = "NOT report_received AND status IN ('scheduled', 'paid')"

_PG = (
    """
    CREATE OR REPLACE FUNCTION hb_monthly_report_received() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE benefit_month SET report_received = true
         WHERE grant_id = NEW.grant_id AND month = NEW.month AND NOT report_received;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER monthly_report_received AFTER INSERT ON monthly_report
    FOR EACH ROW EXECUTE FUNCTION hb_monthly_report_received()
    """,
    """
    CREATE OR REPLACE FUNCTION hb_benefit_month_report_received() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.report_received := EXISTS (SELECT 1 FROM monthly_report r
                                        WHERE r.grant_id = NEW.grant_id AND r.month = NEW.month);
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE TRIGGER benefit_month_report_received BEFORE INSERT ON benefit_month
    FOR EACH ROW EXECUTE FUNCTION hb_benefit_month_report_received()
    """,
)

_SQLITE = (
    """
    CREATE TRIGGER monthly_report_received AFTER INSERT ON monthly_report
    BEGIN
        UPDATE benefit_month SET report_received = 1
         WHERE grant_id = NEW.grant_id AND month = NEW.month AND NOT report_received;
    END
    """,
    """
    CREATE TRIGGER benefit_month_report_received AFTER INSERT ON benefit_month
    WHEN EXISTS (SELECT 1 FROM monthly_report r WHERE r.grant_id = NEW.grant_id AND r.month = NEW.month)
    BEGIN
        UPDATE benefit_month SET report_received = 1 WHERE grant_id = NEW.grant_id AND month = NEW.month;
    END
    """,
)


def upgrade() -> None:
    op.add_column('benefit_month', sa.Column('report_received', sa.Boolean(), server_default=sa.false(),
                                             nullable=False))
    op.execute("UPDATE benefit_month SET report_received = EXISTS (SELECT 1 FROM monthly_report r "
               "WHERE r.grant_id = benefit_month.grant_id AND r.month = benefit_month.month)")
    op.create_index('ix_benefit_month_report_waiting', 'benefit_month', ['month', 'grant_id'], unique=False,
                    postgresql_where=sa.text(_WAITING), sqlite_where=sa.text(_WAITING))
    op.create_index('ix_benefit_grant_active', 'benefit_grant', ['id'], unique=False,
                    postgresql_where=sa.text("status = 'active'"), sqlite_where=sa.text("status = 'active'"))
    op.create_index('ix_benefit_grant_not_active', 'benefit_grant', ['id'], unique=False,
                    postgresql_where=sa.text("status <> 'active'"), sqlite_where=sa.text("status <> 'active'"))
    op.create_index('ix_benefit_grant_coordination_waiting', 'benefit_grant', ['id'], unique=False,
                    postgresql_where=sa.text(_COORDINATION), sqlite_where=sa.text(_COORDINATION))
    op.create_index('ix_benefit_grant_active_ending', 'benefit_grant', ['period_last_month', 'extensions_used'],
                    unique=False, postgresql_include=['id', 'case_id'], postgresql_where=sa.text("status = 'active'"),
                    sqlite_where=sa.text("status = 'active'"))
    for statement in _PG if op.get_bind().dialect.name == "postgresql" else _SQLITE:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS monthly_report_received ON monthly_report"
               if op.get_bind().dialect.name == "postgresql" else "DROP TRIGGER IF EXISTS monthly_report_received")
    op.execute("DROP TRIGGER IF EXISTS benefit_month_report_received ON benefit_month"
               if op.get_bind().dialect.name == "postgresql"
               else "DROP TRIGGER IF EXISTS benefit_month_report_received")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS hb_monthly_report_received()")
        op.execute("DROP FUNCTION IF EXISTS hb_benefit_month_report_received()")
    op.drop_index('ix_benefit_grant_coordination_waiting', table_name='benefit_grant',
                  postgresql_where=sa.text(_COORDINATION), sqlite_where=sa.text(_COORDINATION))
    op.drop_index('ix_benefit_grant_active_ending', table_name='benefit_grant',
                  postgresql_where=sa.text("status = 'active'"), sqlite_where=sa.text("status = 'active'"))
    op.drop_index('ix_benefit_grant_not_active', table_name='benefit_grant',
                  postgresql_where=sa.text("status <> 'active'"), sqlite_where=sa.text("status <> 'active'"))
    op.drop_index('ix_benefit_grant_active', table_name='benefit_grant',
                  postgresql_where=sa.text("status = 'active'"), sqlite_where=sa.text("status = 'active'"))
    op.drop_index('ix_benefit_month_report_waiting', table_name='benefit_month',
                  postgresql_where=sa.text(_WAITING), sqlite_where=sa.text(_WAITING))
    op.drop_column('benefit_month', 'report_received')
