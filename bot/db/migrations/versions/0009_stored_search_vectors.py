"""PostgreSQL: stored tsvector columns for article and event search (SQLite: nothing)

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from alembic import op

from bot.db.dialect import stored_vectors_downgrade_ddl, stored_vectors_upgrade_ddl

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Rewrites articles and events once (each row's vector computed): about a minute per
    # 100,000 articles. Searches then read the vector instead of recomputing it per row.
    for statement in stored_vectors_upgrade_ddl(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    for statement in stored_vectors_downgrade_ddl(op.get_bind().dialect.name):
        op.execute(statement)
