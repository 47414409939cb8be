"""source_items.failures: transient failures of a feed item so far (capped per item)

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN (not batch mode, which would rebuild the table on SQLite).
    op.add_column(
        "source_items",
        sa.Column("failures", sa.Integer(), nullable=False, server_default=sa.text("0")),
    )


def downgrade() -> None:
    op.execute("ALTER TABLE source_items DROP COLUMN failures")
