"""follows and their alert claims, filter rules, per-server post settings

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "follows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("target_id", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled_reason", sa.String(length=300), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_follows_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follows")),
        sa.UniqueConstraint(
            "guild_id", "person_id", "kind", "target_id", name=op.f("uq_follows_guild_id")
        ),
    )
    op.create_index(op.f("ix_follows_guild_id"), "follows", ["guild_id"])
    op.create_index(op.f("ix_follows_person_id"), "follows", ["person_id"])
    op.create_table(
        "follow_alerts",
        sa.Column("follow_id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("claimed_by", sa.String(length=100), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["follow_id"],
            ["follows.id"],
            name=op.f("fk_follow_alerts_follow_id_follows"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_follow_alerts_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("follow_id", "article_id", name=op.f("pk_follow_alerts")),
    )
    op.create_index(op.f("ix_follow_alerts_article_id"), "follow_alerts", ["article_id"])
    op.create_table(
        "filter_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_filter_rules_source_id_sources"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_filter_rules")),
    )
    op.create_index(op.f("ix_filter_rules_guild_id"), "filter_rules", ["guild_id"])
    op.create_table(
        "guild_post_settings",
        sa.Column("guild_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("style", sa.String(length=10), nullable=False),
        sa.Column("max_people", sa.Integer(), nullable=False),
        sa.Column("ping_role_id", sa.BigInteger(), nullable=True),
        sa.Column("thread_per_digest", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("guild_id", name=op.f("pk_guild_post_settings")),
    )


def downgrade() -> None:
    op.drop_table("guild_post_settings")
    op.drop_index(op.f("ix_filter_rules_guild_id"), table_name="filter_rules")
    op.drop_table("filter_rules")
    op.drop_index(op.f("ix_follow_alerts_article_id"), table_name="follow_alerts")
    op.drop_table("follow_alerts")
    op.drop_index(op.f("ix_follows_person_id"), table_name="follows")
    op.drop_index(op.f("ix_follows_guild_id"), table_name="follows")
    op.drop_table("follows")
