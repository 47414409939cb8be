"""Faults while running, through the real bot in-process against FakeDiscord.

A gateway drop in the middle of a digest, and the database locked by another connection while a
digest posts: each digest ends posted exactly once with nothing lost, and the bot keeps
answering commands.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.discord_app import render
from tests.discord.fake import FakeMessage
from tests.discord_app.harness import all_text, template_article_count
from tests.discord_app.world import World, running_world

EPHEMERAL = 64
DIGEST_ARTICLES = 25  # more embeds than one message holds: the digest is several messages


@pytest.fixture
async def world(template_store: Path, tmp_path: Path) -> AsyncIterator[World]:
    async with running_world(template_store, tmp_path) as w:
        await w.app.guilds.update(
            w.guild_id,
            channel_id=w.std.news.id,
            schedule="weekdays 18:30",
            timezone="Europe/Berlin",
            max_articles=DIGEST_ARTICLES,
        )
        yield w


def news_posts(w: World) -> str:
    return rf"/channels/{w.std.news.id}/messages"


async def press_digest_now(w: World) -> Any:
    """/digest now by the admin; returns the interaction once it is deferred."""
    interaction, callback = await w.command("digest now", user=w.std.admin.user_id)
    assert callback["type"] == 5 and callback["data"]["flags"] & EPHEMERAL
    return interaction


async def status_text(w: World) -> str:
    """/status answered in time, ephemeral, as text."""
    interaction, callback = await w.command("status")
    assert callback["type"] == 4 and callback["data"]["flags"] & EPHEMERAL, callback
    return all_text(await w.answer(interaction, callback))


def assert_posted_once(w: World, messages: list[FakeMessage]) -> None:
    """One digest: every message once, in order, with its slot's nonces; 25 articles."""
    nonces = [str(m.data["nonce"]) for m in messages]
    key = nonces[0].rpartition(".")[0]
    assert nonces == [f"{key}.{i}" for i in range(len(messages))]
    assert len(messages) >= 3
    assert all(m.nonce_replays == 0 for m in messages)
    assert sum(len(m.embeds) for m in messages) == DIGEST_ARTICLES
    assert sum("new articles" in m.content for m in messages) == 1  # one heading
    # Every POST the bot made created one of these messages: none retried, none lost.
    assert len(w.fake.requests_to("POST", news_posts(w))) == len(messages)


async def test_gateway_drop_and_resume_mid_digest_posts_it_once(world: World) -> None:
    fake = world.fake
    identified, resumed = fake.identify_count, fake.resume_count
    # The first message goes out; the second stays in flight while the gateway drops.
    held = fake.hold_requests("POST", news_posts(world), after=1)
    interaction = await press_digest_now(world)
    await fake.wait_until(lambda: held.held == 1, 20, "the digest's second message in flight")
    await fake.disconnect(None)  # the TCP connection drops, no close frame
    # Sent while the bot is away: only RESUME's replay delivers it.
    during = await fake.send_slash_command(
        "status", guild_id=world.guild_id, channel_id=world.std.general.id
    )
    held.release()
    done = await world.answer(interaction, await fake.wait_for_callback(interaction))
    assert done["content"].startswith(f"Posted {DIGEST_ARTICLES} articles"), done
    await fake.wait_until(lambda: fake.resume_count > resumed, 20, "the bot to RESUME")
    assert (await fake.wait_for_callback(during))["data"]["flags"] & EPHEMERAL
    assert fake.identify_count == identified  # resumed, not a new session
    assert_posted_once(world, fake.channel_messages(world.std.news.id))
    text = await status_text(world)
    assert f"Articles waiting\n{template_article_count() - DIGEST_ARTICLES}" in text
    assert "Problems\nNone" in text


def _rollback_and_close(conn: sqlite3.Connection) -> None:
    conn.rollback()
    conn.close()


class WriteLock:
    """Another connection holding SQLite's write lock (BEGIN IMMEDIATE) on the bot's file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.conn: sqlite3.Connection | None = None

    async def __aenter__(self) -> WriteLock:
        def take() -> sqlite3.Connection:
            conn = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            conn.execute("BEGIN IMMEDIATE")
            return conn

        self.conn = await asyncio.to_thread(take)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.conn is not None:
            conn, self.conn = self.conn, None
            await asyncio.to_thread(_rollback_and_close, conn)


async def expected_messages(w: World) -> int:
    """How many messages the digest of the waiting articles is (the poster's own rendering)."""
    digest, _ = await w.app.digests.preview(w.guild_id, unposted_only=True)
    return len(render.styled_digest_messages(digest, await w.app.posting.get(w.guild_id)))


async def test_database_locked_while_posting_posts_once_and_keeps_answering(
    world: World, tmp_path: Path
) -> None:
    fake = world.fake
    expected = await expected_messages(world)
    assert expected >= 3
    held = fake.hold_requests("POST", news_posts(world), after=0)
    async with WriteLock(tmp_path / "byline.db"):
        # Locked before the digest claims its slot and reserves its articles.
        interaction = await press_digest_now(world)
        text = await status_text(world)
        assert f"Articles waiting\n{template_article_count()}" in text
        limits, callback = await world.command(
            "config limits", {"articles": DIGEST_ARTICLES}, user=world.std.admin.user_id
        )
        busy = await world.answer(limits, callback)  # in time, and in plain words
        assert callback["type"] == 4 and busy["flags"] & EPHEMERAL
        assert busy["content"].startswith("The database is busy right now"), busy
        assert fake.requests_to("POST", news_posts(world)) == []
    await fake.wait_until(lambda: held.held == 1, 20, "the digest's first message")
    async with WriteLock(tmp_path / "byline.db"):
        # Locked while the messages go out, so recording the slot as posted waits.
        held.release()
        await fake.wait_until(
            lambda: (
                sum(r.status == 200 for r in fake.requests_to("POST", news_posts(world)))
                == expected
            ),
            20,
            "every message of the digest",
        )
        text = await status_text(world)
    done = await world.answer(interaction, await fake.wait_for_callback(interaction))
    assert done["content"].startswith(f"Posted {DIGEST_ARTICLES} articles"), done
    assert_posted_once(world, fake.channel_messages(world.std.news.id))
