"""letter outbox: letters planned at approval (number and input snapshot) and their render events

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from service.db import append_only

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY_TABLES = ("letter_plan", "letter_event")


def upgrade() -> None:
    op.create_table('letter_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('letter_type', sa.String(length=40), nullable=False),
    sa.Column('addressee_kind', sa.String(length=20), nullable=False),
    sa.Column('municipality_code', sa.String(length=6), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('serial', sa.Integer(), nullable=False),
    sa.Column('document_number', sa.String(length=60), nullable=False),
    sa.Column('snapshot', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
              nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('planned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('planned_by', sa.Integer(), nullable=True),
    sa.CheckConstraint("addressee_kind IN ('recipient','landlord','council','payee')",
                       name=op.f('ck_letter_plan_plan_addressee_kind')),
    sa.ForeignKeyConstraint(['case_id'], ['benefit_case.id'], name=op.f('fk_letter_plan_case_id_benefit_case')),
    sa.ForeignKeyConstraint(['decision_id'], ['decision.id'], name=op.f('fk_letter_plan_decision_id_decision')),
    sa.ForeignKeyConstraint(['planned_by'], ['app_user.id'], name=op.f('fk_letter_plan_planned_by_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_letter_plan')),
    sa.UniqueConstraint('decision_id', 'letter_type', 'addressee_kind',
                        name=op.f('uq_letter_plan_decision_id_letter_type_addressee_kind')),
    sa.UniqueConstraint('municipality_code', 'fiscal_year', 'serial',
                        name=op.f('uq_letter_plan_municipality_code_fiscal_year_serial'))
    )
    with op.batch_alter_table('letter_plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_letter_plan_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_letter_plan_decision_id'), ['decision_id'], unique=False)
    op.create_table('letter_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('event', sa.String(length=20), nullable=False),
    sa.Column('error_code', sa.String(length=60), nullable=True),
    sa.Column('error_message', sa.String(length=1000), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('by_user', sa.Integer(), nullable=True),
    sa.CheckConstraint("event IN ('failed','retry')", name=op.f('ck_letter_event_event_kind')),
    sa.ForeignKeyConstraint(['by_user'], ['app_user.id'], name=op.f('fk_letter_event_by_user_app_user')),
    sa.ForeignKeyConstraint(['plan_id'], ['letter_plan.id'], name=op.f('fk_letter_event_plan_id_letter_plan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_letter_event'))
    )
    with op.batch_alter_table('letter_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_letter_event_plan_id'), ['plan_id'], unique=False)
    append_only.create_guards(APPEND_ONLY_TABLES)  # hb_append_only() is from 0001


def downgrade() -> None:
    append_only.drop_guards(APPEND_ONLY_TABLES)
    with op.batch_alter_table('letter_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_letter_event_plan_id'))
    op.drop_table('letter_event')
    with op.batch_alter_table('letter_plan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_letter_plan_decision_id'))
        batch_op.drop_index(batch_op.f('ix_letter_plan_case_id'))
    op.drop_table('letter_plan')
