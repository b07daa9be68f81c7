"""case search: the applicant's name and kana on the case, and one normalised search key (issue 14)

Revision ID: 0010
Revises: 0008
Create Date: 2026-11-29 11:00:00
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('benefit_case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('applicant_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('applicant_kana', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('search_key', sa.Text(), server_default='', nullable=False))
    if op.get_bind().dialect.name == 'postgresql':
        # pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    op.create_index('ix_benefit_case_search_key', 'benefit_case', ['search_key'], unique=False,
                    postgresql_using='gin', postgresql_ops={'search_key': 'gin_trgm_ops'})
    _backfill()


def _backfill() -> None:
    """Every case's key from its latest application's intake (the same function as the workflows)."""
    from service.workflows.case_search import search_fields

    bind = op.get_bind()
    case = sa.table('benefit_case', sa.column('id', sa.Integer()), sa.column('applicant_name', sa.String()),
                    sa.column('applicant_kana', sa.String()), sa.column('search_key', sa.Text()))
    application = sa.table('application', sa.column('id', sa.Integer()), sa.column('case_id', sa.Integer()),
                           sa.column('intake', sa.JSON()))
    latest: dict[int, dict[str, Any]] = {}
    for case_id, intake in bind.execute(sa.select(application.c.case_id, application.c.intake)
                                        .order_by(application.c.id)).all():
        merged = latest.setdefault(case_id, {})
        for part in ('applicant', 'payee'):
            if isinstance((intake or {}).get(part), dict):
                merged[part] = {**merged.get(part, {}), **intake[part]}
    for case_id, intake in latest.items():
        name, kana, key = search_fields(intake)
        bind.execute(case.update().where(case.c.id == case_id)
                     .values(applicant_name=name, applicant_kana=kana, search_key=key))


def downgrade() -> None:
    op.drop_index('ix_benefit_case_search_key', table_name='benefit_case',
                  postgresql_using='gin', postgresql_ops={'search_key': 'gin_trgm_ops'})
    with op.batch_alter_table('benefit_case', schema=None) as batch_op:
        batch_op.drop_column('search_key')
        batch_op.drop_column('applicant_kana')
        batch_op.drop_column('applicant_name')
