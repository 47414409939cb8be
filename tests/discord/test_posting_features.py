"""Issue 12 commands end to end with one bot: /follow, /config filters|ping|style|thread, forums.

One `run_bot` process (the production App with a test clock set before the template's articles
were analysed, so they count as new for follows) serves the module; tests run in file order and
say what they leave behind.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from tests.discord.conftest import FAKE_TOKEN
from tests.discord.fake import FakeDiscord, FakeInteraction, StandardGuild, validate_message_payload
from tests.discord_app.harness import (
    BotProcess,
    all_text,
    build_template,
    copy_db,
    set_clock,
    start_bot,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

EARLY = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
EPHEMERAL = 64


@dataclass
class World:
    fake: FakeDiscord
    std: StandardGuild
    bot: BotProcess

    @property
    def admin(self) -> int:
        return self.std.admin.user_id

    @property
    def member(self) -> int:
        return self.std.member.user_id


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_template(tmp_path_factory.mktemp("template"))


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def world(template: Path, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    fake = FakeDiscord(token=FAKE_TOKEN)
    await fake.start()
    std = fake.seed_standard_guild()
    work = tmp_path_factory.mktemp("bot")
    copy_db(template, work)
    clock = set_clock(work, EARLY)
    bot = await start_bot(
        fake,
        work,
        std.guild.id,
        clock_file=str(clock),
        BYLINE_FOLLOWS__ALERTS_EVERY_S="0.3",
    )
    try:
        yield World(fake, std, bot)
    finally:
        await bot.stop()
        await fake.stop()
        log = bot.output()
        assert "Traceback" not in log, log[-3000:]
        assert FAKE_TOKEN not in log
        fake.assert_no_errors()


async def command(
    w: World, name: str, options: dict[str, Any] | None = None, *, user: int | None = None
) -> tuple[FakeInteraction, dict[str, Any]]:
    """Run a command; return the interaction and its visible answer (after a defer too)."""
    interaction = await w.fake.send_slash_command(
        name, options, guild_id=w.std.guild.id, channel_id=w.std.general.id, user_id=user
    )
    callback = await w.fake.wait_for_callback(interaction)
    if callback["type"] == 5:
        original = await w.fake.wait_for_original(interaction, edited=True, timeout_s=120)
        return interaction, {**original.data, "flags": original.data.get("flags", 0)}
    return interaction, callback["data"]


async def logged(w: World, marker: str, count: int = 1) -> None:
    # A generous ceiling, not a speed requirement.
    for _ in range(2400):
        if w.bot.output().count(marker) >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never logged {marker!r}:\n" + w.bot.output()[-3000:])


# ---- /follow ----------------------------------------------------------------------------


async def test_follow_is_registered_with_autocomplete_and_admin_checks(world: World) -> None:
    [follow] = [c for c in world.fake.guild_commands(world.std.guild.id) if c["name"] == "follow"]
    subs = {o["name"]: o for o in follow["options"]}
    assert set(subs) == {"add", "remove", "list", "me"}
    person = next(o for o in subs["add"]["options"] if o["name"] == "person")
    assert person["autocomplete"] is True
    interaction = await world.fake.send_autocomplete(
        "follow add", {"person": "pottin"}, "person", guild_id=world.std.guild.id
    )
    choices = (await world.fake.wait_for_callback(interaction))["data"]["choices"]
    assert "Matthew Pottinger" in [c["name"] for c in choices]
    _, refused = await command(
        world, "follow add", {"person": "Matthew Pottinger"}, user=world.member
    )
    assert refused["flags"] & EPHEMERAL and "Manage Server" in refused["content"]


async def test_follow_add_posts_an_alert_with_the_quote_and_list_remove(world: World) -> None:
    news = world.std.news.id
    _, added = await command(
        world,
        "follow add",
        {"person": "Pottinger", "channel": news},
        user=world.admin,
    )
    assert "Following **Matthew Pottinger**" in added["content"]
    [alert] = await world.fake.wait_for_message(news, timeout_s=120)
    assert alert.content.startswith("**New on Matthew Pottinger**")
    assert "Air Force One" in all_text(dict(alert.data))
    assert alert.allowed_mentions == {"parse": []}
    validate_message_payload(alert.payload, has_files=False, creating=True)
    _, listed = await command(world, "follow list", user=world.member)
    text = all_text(listed)
    assert f"Matthew Pottinger** → <#{news}>" in text
    follow_id = int(re.search(r"#(\d+) · \*\*Matthew", text).group(1))  # type: ignore[union-attr]
    _, removed = await command(world, "follow remove", {"follow": follow_id}, user=world.admin)
    assert "Stopped following **Matthew Pottinger**" in removed["content"]
    # Left behind: one alert message in #news.


async def test_follow_me_by_dm_and_a_closed_dm_disables_the_follow_once(world: World) -> None:
    _, answer = await command(world, "follow me", {"person": "Kim Jong Un"}, user=world.admin)
    assert "by DM" in answer["content"]
    admin_dm = world.fake.world.dm_channel(world.admin).id
    [dm] = await world.fake.wait_for_message(admin_dm, timeout_s=120)
    assert "Kim Jong Un" in dm.content and dm.allowed_mentions == {"parse": []}
    world.fake.close_dms(world.member)
    await command(world, "follow me", {"person": "Kim Jong Un"}, user=world.member)
    await logged(world, "(follow disabled)")
    member_dm = world.fake.world.dm_channel(world.member).id
    _, listed = await command(world, "follow list", user=world.member)
    assert "Off: Discord would not deliver a DM" in all_text(listed)
    await logged(world, "follow alerts:", 3)  # later runs come and go without retrying it
    posts = world.fake.requests_to("POST", rf"/channels/{member_dm}/messages")
    assert len(posts) == 1
    _, stopped = await command(
        world, "follow me", {"person": "Kim Jong Un", "stop": True}, user=world.admin
    )
    assert "no more DMs" in stopped["content"]


# ---- filters ----------------------------------------------------------------------------


async def test_filters_add_list_test_and_the_preview_shows_what_they_drop(world: World) -> None:
    _, added = await command(
        world,
        "config filters add",
        {"action": "exclude", "kind": "keyword", "value": "Air Force One"},
        user=world.admin,
    )
    assert added["content"].startswith("Added filter #")
    _, refused = await command(
        world,
        "config filters add",
        {"action": "exclude", "kind": "regex", "value": r"(a+)\1"},
        user=world.admin,
    )
    assert refused["flags"] & EPHEMERAL and "backreferences" in refused["content"]
    _, listed = await command(world, "config filters list", user=world.admin)
    assert "exclude keyword “Air Force One”" in all_text(listed)
    _, tested = await command(
        world, "config filters test", {"text": "A ride on Air Force One"}, user=world.admin
    )
    assert "would be dropped" in tested["content"]
    interaction, first = await command(world, "digest preview")

    def dropped_shown() -> str | None:
        texts = [all_text(first), *(all_text(m.payload) for m in interaction.followups)]
        joined = "\n".join(texts)
        return joined if "Dropped by filters" in joined else None

    text = await world.fake.wait_until(dropped_shown, 10, "the dropped list")
    assert "Trump offered North Korea" in text and "Air Force One" in text


# ---- role ping, styles, threads, forums -------------------------------------------------


async def test_the_digest_pings_exactly_the_chosen_role(world: World) -> None:
    role = world.fake.add_role(world.std.guild.id, "news-alerts")
    news = world.std.news.id
    await command(world, "config channel", {"channel": news}, user=world.admin)
    await command(world, "config limits", {"articles": 2}, user=world.admin)
    _, pinged = await command(world, "config ping", {"role": role.id}, user=world.admin)
    assert f"pinging <@&{role.id}>" in pinged["content"]
    # The fake gives @everyone Mention Everyone, as Discord does: the role is reachable.
    assert "not mentionable" not in pinged["content"]
    _, status = await command(world, "status")
    assert "@news-alerts is not mentionable" not in all_text(status)
    _, everyone = await command(
        world, "config ping", {"role": world.std.guild.id}, user=world.admin
    )
    assert "never pings @everyone" in everyone["content"]
    before = len(world.fake.channel_messages(news))
    _, done = await command(world, "digest now", user=world.admin)
    assert done["content"].startswith("Posted 2 articles")
    posted = world.fake.channel_messages(news)[before:]
    first, rest = posted[0], posted[1:]
    assert first.content.startswith(f"<@&{role.id}> **Byline digest**")
    assert first.payload["allowed_mentions"] == {"parse": [], "roles": [role.id]}
    assert all(m.allowed_mentions == {"parse": []} for m in rest)
    assert not first.data["mention_everyone"]


async def test_compact_style_fewer_people_and_a_thread_per_digest(world: World) -> None:
    news = world.std.news.id
    _, styled = await command(
        world, "config style", {"style": "compact", "people": 2}, user=world.admin
    )
    assert "**compact** style with up to 2 people" in styled["content"]
    _, threaded = await command(world, "config thread", {"enabled": True}, user=world.admin)
    assert "a thread on each digest" in threaded["content"]
    before = len(world.fake.channel_messages(news))
    _, done = await command(world, "digest now", user=world.admin)
    assert done["content"].startswith("Posted 2 articles")
    posted = world.fake.channel_messages(news)[before:]
    for embed in (e for m in posted for e in m.embeds):
        assert not embed.get("fields")  # compact: headline, one quote, link
    threads = world.fake.threads_of(news)
    assert len(threads) == 1 and threads[0].name.startswith("Byline digest")
    assert threads[0].id == posted[0].id  # opened on the digest's first message
    await command(world, "config style", {"style": "full", "people": 8}, user=world.admin)
    await command(world, "config thread", {"enabled": False}, user=world.admin)


async def test_a_forum_channel_gets_one_post_per_article_with_tags(world: World) -> None:
    await command(world, "config limits", {"articles": 4}, user=world.admin)
    # The preview shows the articles the digest will hold: tag the forum with the first
    # one's top person, as an admin naming tags after people would.
    _, preview = await command(world, "digest preview")
    people = next(f for f in preview["embeds"][0]["fields"] if f["name"] == "People")
    top = people["value"].split(", ")[0].replace("\\", "")
    forum = world.fake.add_forum(world.std.guild.id, "stories", tags=[top, "Unrelated"])
    await asyncio.sleep(0.3)  # let the bot's cache take in CHANNEL_CREATE
    _, chosen = await command(world, "config channel", {"channel": forum.id}, user=world.admin)
    assert f"<#{forum.id}>" in chosen["content"]
    _, done = await command(world, "digest now", user=world.admin)
    assert done["content"].startswith("Posted 4 articles")
    posts = world.fake.threads_of(forum.id)
    assert len(posts) == 4
    for post in posts:
        [starter] = world.fake.channel_messages(post.id)
        headline = starter.embeds[0]["title"].replace("\\", "")
        assert post.name == headline[:100] or headline.startswith(post.name.rstrip("…"))
        validate_message_payload(starter.payload, has_files=False, creating=True)
    first = world.fake.channel_messages(posts[0].id)[0]
    role_mention = re.match(r"<@&(\d+)>", first.content)
    assert role_mention is not None
    assert first.payload["allowed_mentions"] == {"parse": [], "roles": [int(role_mention[1])]}
    names = {t.id: t.name for t in forum.available_tags}
    assert [names[t] for t in posts[0].applied_tags] == [top]
    assert all(names[t] != "Unrelated" for p in posts for t in p.applied_tags)
    await command(world, "config ping", user=world.admin)  # no role: pings stop
