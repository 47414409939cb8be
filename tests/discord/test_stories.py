"""Copies and stories end to end: `byline run` against FakeDiscord shows every source."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from tests.discord.conftest import FAKE_TOKEN
from tests.discord.fake import FakeDiscord, StandardGuild
from tests.discord_app.harness import ROOT, BotProcess, all_text, start_bot
from tests.stories.scorer import reports_dir
from tests.stories.test_store import BODY

pytestmark = pytest.mark.asyncio(loop_scope="module")

WIRES = [
    ("Wire One", "wire-one", "postponed", "scheduled", "WASHINGTON (AP) — "),
    ("Daily Paper", "daily-paper", "delayed", "planned", "WASHINGTON — "),
    ("Metro Herald", "metro-herald", "postponed", "scheduled", "WASHINGTON (AP) — "),
    ("Valley News", "valley-news", "put off", "scheduled", ""),
]


def _write_inputs(directory: Path) -> list[Path]:
    paths = []
    for source, slug, verb, adj, dateline in WIRES:
        path = directory / f"{slug}.txt"
        body = BODY.format(verb=verb, adj=adj, dateline=dateline)
        path.write_text(
            f"Senate delays water vote\nURL: https://{slug}.test/water\nPublished: 2026-03-03\n"
            f"Source: {source}\n\n{body}\n",
            encoding="utf-8",
        )
        paths.append(path)
    return paths + sorted(reports_dir().glob("corvane-recall__*.txt"))


@dataclass
class World:
    fake: FakeDiscord
    std: StandardGuild
    bot: BotProcess
    ingest_output: str


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    work = tmp_path_factory.mktemp("stories")
    (work / "config.toml").write_text("", encoding="utf-8")
    env = {
        **os.environ,
        "BYLINE_CONFIG": str(work / "config.toml"),
        "BYLINE_DATABASE__URL": f"sqlite+aiosqlite:///{work / 'byline.db'}",
    }
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot", "ingest", *map(str, _write_inputs(work))],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    fake = FakeDiscord(token=FAKE_TOKEN)
    await fake.start()
    std = fake.seed_standard_guild()
    bot = await start_bot(fake, work, std.guild.id)
    try:
        yield World(fake, std, bot, done.stdout)
    finally:
        await bot.stop()
        await fake.stop()
        assert "Traceback" not in bot.output()
        fake.assert_no_errors()


async def command(
    w: World, name: str, options: dict[str, Any] | None = None, *, user: int | None = None
) -> dict[str, Any]:
    interaction = await w.fake.send_slash_command(
        name, options, guild_id=w.std.guild.id, channel_id=w.std.general.id, user_id=user
    )
    callback = await w.fake.wait_for_callback(interaction)
    if callback["type"] == 5:
        original = await w.fake.wait_for_original(interaction, edited=True, timeout_s=30)
        return dict(original.data)
    return dict(callback["data"])


async def test_copies_are_linked_to_the_first_article_when_ingested(world: World) -> None:
    assert "4 added, 0 updated, 3 linked" in world.ingest_output


async def test_a_digest_shows_one_item_per_story_with_every_source_linked(world: World) -> None:
    admin = world.std.admin.user_id
    await command(world, "config channel", {"channel": world.std.news.id}, user=admin)
    done = await command(world, "digest now", user=admin)
    assert done["content"].startswith("Posted")
    posted = world.fake.channel_messages(world.std.news.id)
    embeds = [e for m in posted for e in m.data.get("embeds") or []]
    assert len(embeds) == 2  # the four wire copies, and the three recall reports
    wire = next(e for e in embeds if "water" in e["title"].lower())
    sources = next(f["value"] for f in wire["fields"] if f["name"] == "Sources")
    assert sources == (
        "Reported by [Wire One](https://wire-one.test/water), "
        "[Daily Paper](https://daily-paper.test/water) and 2 more"
    )
    recall = next(e for e in embeds if "water" not in e["title"].lower())
    text = all_text({"embeds": [recall]})
    assert "[Auto Report](" in text and "[Consumer Watch](" in text
    assert "[Detroit Business Daily](" in text
    # The quote both outlets carry is one quote field naming both (the summary may hold it too).
    [quoted] = [f["value"] for f in recall["fields"] if "Safety is not" in f["value"]]
    assert "Auto Report" in quoted and "Detroit Business Daily" in quoted


async def test_article_show_names_the_other_sources(world: World) -> None:
    found = await command(world, "article search", {"text": "Magic Valley"})
    article_id = int(found["embeds"][0]["fields"][0]["name"][1:].split(" ")[0])
    shown = await command(world, "article show", {"id": article_id})
    [field] = [f for f in shown["embeds"][0]["fields"] if f["name"] == "Also published by"]
    for source, slug, *_ in WIRES[1:]:
        assert f"[{source}](https://{slug}.test/water)" in field["value"]


async def test_quotes_show_a_shared_quote_once_with_all_its_articles(world: World) -> None:
    data = await command(world, "quotes", {"person": "Imogen Achebe"})
    text = all_text(data)
    assert text.count("Safety is not negotiable for us") == 1
    assert "Detroit Business Daily" in text and "Auto Report" in text
