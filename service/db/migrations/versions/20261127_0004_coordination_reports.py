"""coordination reports: emergency grants reported to the 支援調整会議 afterwards (R88); screen sessions
revoked at logout

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 19:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from service.db import append_only

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = ('active', 'interrupted')


def upgrade() -> None:
    op.create_table('coordination_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('grant_id', sa.Integer(), nullable=False),
    sa.Column('meeting_date', sa.Date(), nullable=False),
    sa.Column('note', sa.String(length=1000), nullable=True),
    sa.Column('recorded_by', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['benefit_case.id'], name=op.f('fk_coordination_report_case_id_benefit_case')),
    sa.ForeignKeyConstraint(['grant_id'], ['benefit_grant.id'], name=op.f('fk_coordination_report_grant_id_benefit_grant')),
    sa.ForeignKeyConstraint(['recorded_by'], ['app_user.id'], name=op.f('fk_coordination_report_recorded_by_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coordination_report'))
    )
    with op.batch_alter_table('coordination_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coordination_report_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_coordination_report_grant_id'), ['grant_id'], unique=False)
    with op.batch_alter_table('benefit_grant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('coordination_report_due', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.create_index('ix_benefit_grant_coordination_due', ['coordination_report_due'], unique=False)
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sessions_revoked_at', sa.DateTime(timezone=True), nullable=True))
    _backfill()
    append_only.create_guards(('coordination_report',))  # hb_append_only() is from 0001


def _backfill() -> None:
    """Rent grants already decided in the emergency path without a 支援調整会議 date owe the report."""
    bind = op.get_bind()
    grant = sa.table('benefit_grant', sa.column('id', sa.Integer()), sa.column('application_id', sa.Integer()),
                     sa.column('benefit', sa.String()), sa.column('status', sa.String()),
                     sa.column('coordination_report_due', sa.Boolean()))
    application = sa.table('application', sa.column('id', sa.Integer()), sa.column('intake', sa.JSON()))
    rows = bind.execute(sa.select(grant.c.id, application.c.intake)
                        .join(application, application.c.id == grant.c.application_id)
                        .where(grant.c.benefit == 'rent', grant.c.status.in_(LIVE))).all()
    due = [grant_id for grant_id, intake in rows
           if isinstance(intake, dict) and intake.get('emergency') is True
           and not (intake.get('plan') or {}).get('coordination_meeting_date')]
    for grant_id in due:
        bind.execute(sa.update(grant).where(grant.c.id == grant_id).values(coordination_report_due=True))


def downgrade() -> None:
    append_only.drop_guards(('coordination_report',))
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_column('sessions_revoked_at')
    with op.batch_alter_table('benefit_grant', schema=None) as batch_op:
        batch_op.drop_index('ix_benefit_grant_coordination_due')
        batch_op.drop_column('coordination_report_due')
    with op.batch_alter_table('coordination_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coordination_report_grant_id'))
        batch_op.drop_index(batch_op.f('ix_coordination_report_case_id'))
    op.drop_table('coordination_report')
