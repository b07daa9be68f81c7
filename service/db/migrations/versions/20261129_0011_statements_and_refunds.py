"""payment statements: the 支払明細書 of a batch rendered once at export and archived with their hash
(issue 15 item 4); refund orders paid by transfer in the next run (issue 15 item 5)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 11:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from service.db import append_only

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY_TABLES = ('payment_statement', 'refund_order', 'refund_order_event')


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
    op.create_table('refund_order',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('grant_id', sa.Integer(), nullable=False),
    sa.Column('payee_id', sa.Integer(), nullable=False),
    sa.Column('amount_yen', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('drafted_by', sa.Integer(), nullable=True),
    sa.Column('drafted_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount_yen > 0', name=op.f('ck_refund_order_amount_positive')),
    sa.ForeignKeyConstraint(['case_id'], ['benefit_case.id'], name=op.f('fk_refund_order_case_id_benefit_case')),
    sa.ForeignKeyConstraint(['claim_id'], ['repayment_claim.id'], name=op.f('fk_refund_order_claim_id_repayment_claim')),
    sa.ForeignKeyConstraint(['drafted_by'], ['app_user.id'], name=op.f('fk_refund_order_drafted_by_app_user')),
    sa.ForeignKeyConstraint(['grant_id'], ['benefit_grant.id'], name=op.f('fk_refund_order_grant_id_benefit_grant')),
    sa.ForeignKeyConstraint(['payee_id'], ['payee.id'], name=op.f('fk_refund_order_payee_id_payee')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refund_order'))
    )
    with op.batch_alter_table('refund_order', schema=None) as batch_op:
        batch_op.create_index('ix_refund_order_grant_id', ['grant_id'], unique=False)
    op.create_table('refund_order_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('event', sa.String(length=20), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('customer_code', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("event IN ('approved','batched','cancelled')", name=op.f('ck_refund_order_event_event')),
    sa.CheckConstraint("(event = 'batched') = (batch_id IS NOT NULL)",
                       name=op.f('ck_refund_order_event_batch_when_batched')),
    sa.ForeignKeyConstraint(['batch_id'], ['payment_batch.id'], name=op.f('fk_refund_order_event_batch_id_payment_batch')),
    sa.ForeignKeyConstraint(['order_id'], ['refund_order.id'], name=op.f('fk_refund_order_event_order_id_refund_order')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_refund_order_event_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refund_order_event')),
    sa.UniqueConstraint('order_id', 'batch_id', name=op.f('uq_refund_order_event_order_id_batch_id'))
    )
    with op.batch_alter_table('refund_order_event', schema=None) as batch_op:
        batch_op.create_index('uq_refund_order_event_once', ['order_id', 'event'], unique=True,
                              postgresql_where=sa.text("event <> 'batched'"),
                              sqlite_where=sa.text("event <> 'batched'"))
    append_only.create_guards(APPEND_ONLY_TABLES)  # hb_append_only() is from 0001


def downgrade() -> None:
    append_only.drop_guards(APPEND_ONLY_TABLES)
    op.drop_table('refund_order_event')
    op.drop_table('refund_order')
    op.drop_table('payment_statement')
