"""payment statements: the 支払明細書 of a batch rendered once at export and archived with their hash
(issue 15 item 4)

Revision ID: 0011
Revises: 0004
Create Date: 2026-11-29 11:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from service.db import append_only

revision: str = '0011'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY_TABLES = ('payment_statement',)


def upgrade() -> None:
    op.create_table('payment_statement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('payee_id', sa.Integer(), nullable=True),
    sa.Column('payee_name', sa.String(length=200), nullable=False),
    sa.Column('total_yen', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('number > 0', name=op.f('ck_payment_statement_number_positive')),
    sa.ForeignKeyConstraint(['batch_id'], ['payment_batch.id'], name=op.f('fk_payment_statement_batch_id_payment_batch')),
    sa.ForeignKeyConstraint(['created_by'], ['app_user.id'], name=op.f('fk_payment_statement_created_by_app_user')),
    sa.ForeignKeyConstraint(['payee_id'], ['payee.id'], name=op.f('fk_payment_statement_payee_id_payee')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_statement')),
    sa.UniqueConstraint('batch_id', 'number', name=op.f('uq_payment_statement_batch_id_number'))
    )
    append_only.create_guards(APPEND_ONLY_TABLES)  # hb_append_only() is from 0001


def downgrade() -> None:
    append_only.drop_guards(APPEND_ONLY_TABLES)
    op.drop_table('payment_statement')
