"""household identity across cases (PD27) and the reason an application went back to its agency

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 11:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.add_column(sa.Column('household_key', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('returned_reason', sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f('ix_application_household_key'), ['household_key'], unique=False)
    _backfill()


def _backfill() -> None:
    """Submitted initial applications get their household key, so a household decided before this
    revision is recognised by the next application (PD27)."""
    from service.workflows.households import household_key

    bind = op.get_bind()
    application = sa.table('application', sa.column('id', sa.Integer()), sa.column('kind', sa.String()),
                           sa.column('status', sa.String()), sa.column('facts', sa.JSON()),
                           sa.column('intake', sa.JSON()), sa.column('household_key', sa.String()))
    rows = bind.execute(sa.select(application.c.id, application.c.facts, application.c.intake)
                        .where(application.c.kind == 'initial', application.c.status != 'draft')).all()
    for row in rows:
        key = household_key(row.facts or {}, row.intake or {})
        if key is not None:
            bind.execute(sa.update(application).where(application.c.id == row.id).values(household_key=key))


def downgrade() -> None:
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_household_key'))
        batch_op.drop_column('returned_reason')
        batch_op.drop_column('household_key')
