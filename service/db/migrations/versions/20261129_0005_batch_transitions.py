"""payment batch transitions: each event names the event it follows, once (PD31, issue 15)

A transition (approve, export, settle, cancel) is one insert of an event that names the batch's
current latest event; the unique index lets only one transition follow a given state, so two
transitions fired at once never both succeed (export + cancel, approve + cancel).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 11:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('payment_batch_event', sa.Column('previous_event_id', sa.Integer(), nullable=True))
    op.create_index('uq_payment_batch_event_previous_event_id', 'payment_batch_event', ['previous_event_id'],
                    unique=True)


def downgrade() -> None:
    op.drop_index('uq_payment_batch_event_previous_event_id', table_name='payment_batch_event')
    with op.batch_alter_table('payment_batch_event', schema=None) as batch_op:
        batch_op.drop_column('previous_event_id')
