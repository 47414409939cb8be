"""person name lookups, one 'global' for sources, newest-first index, quote speaker kind

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

from bot.text_keys import name_lookup_keys

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "person_names",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_person_names_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", "name_key", name=op.f("pk_person_names")),
    )
    op.create_index("ix_person_names_name_key", "person_names", ["name_key", "person_id"])
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, name, aliases FROM people")).fetchall()
    for pid, name, aliases in rows:
        if isinstance(aliases, str):
            aliases = json.loads(aliases or "[]")
        keys = name_lookup_keys(name, *(aliases or []))
        if keys:
            conn.execute(
                sa.text("INSERT INTO person_names (person_id, name_key) VALUES (:p, :k)"),
                [{"p": pid, "k": k} for k in keys],
            )

    # "Visible to every server" is a NULL owner, for sources as for nothing else.
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.alter_column("guild_id", existing_type=sa.BigInteger(), nullable=True)
    conn.execute(sa.text("UPDATE sources SET guild_id = NULL WHERE guild_id = 0"))
    op.create_index(
        "uq_sources_global_url",
        "sources",
        ["canonical_url"],
        unique=True,
        sqlite_where=sa.text("guild_id IS NULL"),
        postgresql_where=sa.text("guild_id IS NULL"),
    )

    # Newest-first lists sort on this expression; without an index each list sorts the table.
    op.execute(
        "CREATE INDEX ix_articles_newest ON articles "
        "(coalesce(published_at, created_at) DESC, id DESC)"
    )
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("speaker_kind", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.drop_column("speaker_kind")
    op.execute("DROP INDEX IF EXISTS ix_articles_newest")
    op.drop_index("uq_sources_global_url", table_name="sources")
    op.execute("UPDATE sources SET guild_id = 0 WHERE guild_id IS NULL")
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.alter_column("guild_id", existing_type=sa.BigInteger(), nullable=False)
    op.drop_index("ix_person_names_name_key", table_name="person_names")
    op.drop_table("person_names")
