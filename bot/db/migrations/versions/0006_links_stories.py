"""article links, copy signatures and LSH bands, stories; existing articles backfilled

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.db.links import link_key
from bot.stories.copies import signature

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

BATCH = 500


def upgrade() -> None:
    op.create_table(
        "article_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("link_key", sa.String(length=2048), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=1000), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_links_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_article_links_source_id_sources"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article_links")),
        sa.UniqueConstraint("article_id", "link_key", name=op.f("uq_article_links_article_id")),
    )
    op.create_index(op.f("ix_article_links_article_id"), "article_links", ["article_id"])
    op.create_index(op.f("ix_article_links_link_key"), "article_links", ["link_key"])
    op.create_table(
        "article_signatures",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("shingle_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_signatures_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_article_signatures")),
    )
    op.create_table(
        "article_bands",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("band_key", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_bands_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", "band_key", name=op.f("pk_article_bands")),
    )
    op.create_index("ix_article_bands_band_key", "article_bands", ["band_key", "article_id"])
    op.create_table(
        "stories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stories")),
    )
    op.create_index(op.f("ix_stories_updated_at"), "stories", ["updated_at"])
    op.create_table(
        "story_articles",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_story_articles_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["story_id"],
            ["stories.id"],
            name=op.f("fk_story_articles_story_id_stories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_story_articles")),
    )
    op.create_index(op.f("ix_story_articles_story_id"), "story_articles", ["story_id"])
    _backfill(op.get_bind())


def _backfill(conn: sa.Connection) -> None:
    """Every existing article gets its own link, its signature and its band keys."""
    last = 0
    while True:
        rows = conn.execute(
            sa.text(
                "SELECT id, url, canonical_url, source, source_id, title, published_at,"
                " content_hash, coalesce(clean_text, '') FROM articles WHERE id > :last"
                " ORDER BY id LIMIT :n"
            ),
            {"last": last, "n": BATCH},
        ).fetchall()
        if not rows:
            return
        links, signatures, bands = [], [], []
        for aid, url, canonical, source, source_id, title, published, digest, text in rows:
            links.append(
                {
                    "a": aid,
                    "k": link_key(canonical or url, source, digest),
                    "u": url,
                    "s": source,
                    "sid": source_id,
                    "t": title or "",
                    "p": published,
                }
            )
            sig = signature(text)
            if sig.shingle_count:
                signatures.append({"a": aid, "sig": sig.to_bytes(), "n": sig.shingle_count})
                bands.extend({"a": aid, "k": k} for k in sorted(set(sig.band_keys())))
        conn.execute(
            sa.text(
                "INSERT INTO article_links (article_id, link_key, url, source, source_id, title,"
                " published_at, added_at) VALUES (:a, :k, :u, :s, :sid, :t, :p, CURRENT_TIMESTAMP)"
            ),
            links,
        )
        if signatures:
            conn.execute(
                sa.text(
                    "INSERT INTO article_signatures (article_id, signature, shingle_count)"
                    " VALUES (:a, :sig, :n)"
                ),
                signatures,
            )
            conn.execute(
                sa.text("INSERT INTO article_bands (article_id, band_key) VALUES (:a, :k)"),
                bands,
            )
        last = rows[-1][0]


def downgrade() -> None:
    op.drop_index(op.f("ix_story_articles_story_id"), table_name="story_articles")
    op.drop_table("story_articles")
    op.drop_index(op.f("ix_stories_updated_at"), table_name="stories")
    op.drop_table("stories")
    op.drop_index("ix_article_bands_band_key", table_name="article_bands")
    op.drop_table("article_bands")
    op.drop_table("article_signatures")
    op.drop_index(op.f("ix_article_links_link_key"), table_name="article_links")
    op.drop_index(op.f("ix_article_links_article_id"), table_name="article_links")
    op.drop_table("article_links")
