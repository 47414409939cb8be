"""analysis worker leases on articles

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN, not batch mode: a batch rebuild of articles on SQLite would drop the
    # search triggers of 0003 and cascade the drop into summaries.
    op.add_column("articles", sa.Column("lease_owner", sa.String(length=100), nullable=True))
    op.add_column(
        "articles", sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "articles",
        sa.Column("analysis_attempts", sa.Integer(), server_default="0", nullable=False),
    )


def downgrade() -> None:
    # DROP COLUMN in place (SQLite 3.35+ and PostgreSQL), for the same reason as above.
    for column in ("analysis_attempts", "lease_expires_at", "lease_owner"):
        op.execute(f"ALTER TABLE articles DROP COLUMN {column}")
