"""articles.attempts: analysis starts so far (capped by analysis.max_attempts)

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN, not batch mode: batch recreates the table on SQLite, and dropping the
    # old one with foreign keys on cascades into summaries, quotes and mentions.
    op.add_column(
        "articles",
        sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("0")),
    )


def downgrade() -> None:
    # SQLite 3.35+ drops a column in place (no table copy, no cascade).
    op.execute("ALTER TABLE articles DROP COLUMN attempts")
