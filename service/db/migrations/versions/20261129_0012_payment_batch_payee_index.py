"""payment ledger indexed by (batch, payee): a returned transfer finds its payments by index (issue 15)

Importing returns joins the freshly imported ``payment_return`` rows to the batch's payments on
(batch, payee); with only ``batch_id`` indexed, each returned line scanned the whole batch (10,000
lines × 100,000 payments). The composite index serves every ``batch_id`` lookup too.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 15:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain index operations (no batch mode): the append-only table is never copied.
    op.create_index('ix_payment_batch_payee', 'payment', ['batch_id', 'payee_id'], unique=False)
    op.drop_index('ix_payment_batch_id', table_name='payment')


def downgrade() -> None:
    op.create_index('ix_payment_batch_id', 'payment', ['batch_id'], unique=False)
    op.drop_index('ix_payment_batch_payee', table_name='payment')
