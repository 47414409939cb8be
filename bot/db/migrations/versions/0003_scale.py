"""search indexes that read the stored text, events searchable, no duplicate raw text

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

from bot.db.dialect import drop_redundant_raw_text, search_downgrade_ddl, search_upgrade_ddl

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    # Raw text identical to the clean text (up to surrounding blanks) is not kept twice; the
    # readers fall back to clean_text when raw_text is empty.
    op.execute(drop_redundant_raw_text(dialect))
    for statement in search_upgrade_ddl(dialect):
        op.execute(statement)
    # The person card counts and lists a person's articles from this index alone.
    op.create_index("ix_mentions_person_article", "mentions", ["person_id", "article_id"])
    op.drop_index("ix_mentions_person_id", table_name="mentions")
    # Both duplicate the first column of a unique index on the same table.
    op.drop_index("ix_mentions_article_id", table_name="mentions")
    op.drop_index("ix_article_entities_article_id", table_name="article_entities")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_index("ix_article_entities_article_id", "article_entities", ["article_id"])
    op.create_index("ix_mentions_article_id", "mentions", ["article_id"])
    op.create_index("ix_mentions_person_id", "mentions", ["person_id"])
    op.drop_index("ix_mentions_person_article", table_name="mentions")
    for statement in search_downgrade_ddl(dialect):
        op.execute(statement)
    op.execute(
        "UPDATE articles SET raw_text = clean_text WHERE raw_text = '' AND clean_text IS NOT NULL"
    )
