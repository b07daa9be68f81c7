"""payment statement events: the 支払明細書 of a batch are due at export and rendered by the letter
worker after the export's commit, never inside it (issue 15 item 4); rendering failures are recorded

Batches exported before this migration get no ``due`` event: their statements are rendered on the first
download when few are missing, as before.

Revision ID: 0019
Revises: 0012
Create Date: 2026-11-29 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from service.db import append_only

revision: str = '0019'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY_TABLES = ('payment_statement_event',)


def upgrade() -> None:
    op.create_table('payment_statement_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('event', sa.String(length=20), nullable=False),
    sa.Column('expected', sa.Integer(), nullable=True),
    sa.Column('error_code', sa.String(length=60), nullable=True),
    sa.Column('error_message', sa.Text(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("event IN ('due','failed')", name=op.f('ck_payment_statement_event_event')),
    sa.ForeignKeyConstraint(['batch_id'], ['payment_batch.id'],
                            name=op.f('fk_payment_statement_event_batch_id_payment_batch')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_payment_statement_event_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_statement_event'))
    )
    with op.batch_alter_table('payment_statement_event', schema=None) as batch_op:
        batch_op.create_index('ix_payment_statement_event_batch_id', ['batch_id'], unique=False)
        batch_op.create_index('uq_payment_statement_event_due', ['batch_id'], unique=True,
                              postgresql_where=sa.text("event = 'due'"), sqlite_where=sa.text("event = 'due'"))
    append_only.create_guards(APPEND_ONLY_TABLES)  # hb_append_only() is from 0001


def downgrade() -> None:
    append_only.drop_guards(APPEND_ONLY_TABLES)
    op.drop_table('payment_statement_event')
