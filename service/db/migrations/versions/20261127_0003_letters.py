"""letters: the archive of issued letters (append-only) and the 文書番号 series

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from service.db import append_only

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('letter_series',
    sa.Column('municipality_code', sa.String(length=6), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('last_serial', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('municipality_code', 'fiscal_year', name=op.f('pk_letter_series'))
    )
    op.create_table('letter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('letter_type', sa.String(length=40), nullable=False),
    sa.Column('addressee_kind', sa.String(length=20), nullable=False),
    sa.Column('addressee_name', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('municipality_code', sa.String(length=6), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('serial', sa.Integer(), nullable=False),
    sa.Column('document_number', sa.String(length=60), nullable=False),
    sa.Column('template_version', sa.String(length=60), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_by', sa.Integer(), nullable=True),
    sa.CheckConstraint("addressee_kind IN ('recipient','landlord','council','payee')", name=op.f('ck_letter_addressee_kind')),
    sa.CheckConstraint('serial > 0', name=op.f('ck_letter_serial_positive')),
    sa.ForeignKeyConstraint(['case_id'], ['benefit_case.id'], name=op.f('fk_letter_case_id_benefit_case')),
    sa.ForeignKeyConstraint(['decision_id'], ['decision.id'], name=op.f('fk_letter_decision_id_decision')),
    sa.ForeignKeyConstraint(['issued_by'], ['app_user.id'], name=op.f('fk_letter_issued_by_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_letter')),
    sa.UniqueConstraint('decision_id', 'letter_type', 'addressee_kind', name=op.f('uq_letter_decision_id_letter_type_addressee_kind')),
    sa.UniqueConstraint('municipality_code', 'fiscal_year', 'serial', name=op.f('uq_letter_municipality_code_fiscal_year_serial'))
    )
    with op.batch_alter_table('letter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_letter_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_letter_decision_id'), ['decision_id'], unique=False)
        batch_op.create_index('ix_letter_issued_on', ['issued_on'], unique=False)
    append_only.create_guards(("letter",))  # hb_append_only() is from 0001


def downgrade() -> None:
    append_only.drop_guards(("letter",))
    with op.batch_alter_table('letter', schema=None) as batch_op:
        batch_op.drop_index('ix_letter_issued_on')
        batch_op.drop_index(batch_op.f('ix_letter_decision_id'))
        batch_op.drop_index(batch_op.f('ix_letter_case_id'))
    op.drop_table('letter')
    op.drop_table('letter_series')
