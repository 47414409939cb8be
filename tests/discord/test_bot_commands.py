"""Every slash command end to end: `byline run` as a subprocess against FakeDiscord.

One bot process serves the whole module (commands are read-mostly); tests that change the
server's settings run in file order and say what they leave behind.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from tests.discord.conftest import FAKE_TOKEN
from tests.discord.fake import (
    MANAGE_GUILD,
    SEND_MESSAGES,
    FakeDiscord,
    FakeInteraction,
    StandardGuild,
    validate_message_payload,
)
from tests.discord_app.harness import (
    BAIT_TITLE,
    BotProcess,
    all_text,
    build_template,
    copy_db,
    outgoing_payloads,
    start_bot,
    template_article_count,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

EPHEMERAL = 64


@dataclass
class World:
    fake: FakeDiscord
    std: StandardGuild
    bot: BotProcess
    work: Path

    @property
    def guild_id(self) -> int:
        return self.std.guild.id


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
    bot = await start_bot(fake, work, std.guild.id)
    try:
        yield World(fake, std, bot, work)
    finally:
        await bot.stop()
        await fake.stop()
        log = bot.output()
        (Path(__file__).parents[2] / ".pytest-last-bot.log").write_text(log, encoding="utf-8")
        assert "Traceback" not in log  # no command hit an unexpected error
        assert FAKE_TOKEN not in log  # never log the token
        fake.assert_no_errors()


async def command(
    w: World, name: str, options: dict[str, Any] | None = None, *, user: int | None = None
) -> tuple[FakeInteraction, dict[str, Any]]:
    interaction = await w.fake.send_slash_command(
        name, options, guild_id=w.guild_id, channel_id=w.std.general.id, user_id=user
    )
    callback = await w.fake.wait_for_callback(interaction)
    return interaction, callback


async def answer(
    w: World, interaction: FakeInteraction, callback: dict[str, Any]
) -> dict[str, Any]:
    """The visible answer: the response data, or the edited original after a defer."""
    if callback["type"] == 5:
        original = await w.fake.wait_for_original(interaction, edited=True, timeout_s=30)
        return {**original.data, "flags": original.data.get("flags", 0)}
    data: dict[str, Any] = callback["data"]
    return data


async def autocomplete(
    w: World, name: str, options: dict[str, Any], focused: str
) -> list[dict[str, Any]]:
    interaction = await w.fake.send_autocomplete(name, options, focused, guild_id=w.guild_id)
    callback = await w.fake.wait_for_callback(interaction)
    assert callback["type"] == 8
    choices: list[dict[str, Any]] = callback["data"]["choices"]
    assert len(choices) <= 25 and all(1 <= len(c["name"]) <= 100 for c in choices)
    return choices


# ---- registration ---------------------------------------------------------------------


def _walk(options: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for option in options:
        found.append(option)
        found += _walk(option.get("options") or [])
    return found


async def test_commands_sync_to_the_dev_guild_guild_only_with_descriptions(world: World) -> None:
    commands = {c["name"]: c for c in world.fake.guild_commands(world.guild_id)}
    assert set(commands) == {
        "who",
        "quotes",
        "timeline",
        "event",
        "article",
        "digest",
        "config",
        "status",
    }
    assert world.fake.guild_commands(None) == []  # global only through `byline sync`
    for cmd in commands.values():
        assert cmd["description"], cmd["name"]
        assert cmd.get("contexts") == [0] or cmd.get("dm_permission") is False, cmd["name"]
        for option in _walk(cmd.get("options") or []):
            assert option["description"], (cmd["name"], option["name"])
    assert int(commands["config"]["default_member_permissions"]) == MANAGE_GUILD


# ---- reading --------------------------------------------------------------------------


async def test_who_autocompletes_and_shows_a_card(world: World) -> None:
    choices = await autocomplete(world, "who", {"person": "pottin"}, "person")
    assert "Matthew Pottinger" in [c["name"] for c in choices]
    _, callback = await command(world, "who", {"person": "Matthew Pottinger"})
    embed = callback["data"]["embeds"][0]
    assert embed["title"] == "Matthew Pottinger"
    text = all_text(callback["data"])
    assert "Mentioned in" in text and "Donald Trump" in text
    assert "“" in text and (
        "](" in text or "(#1)" in text
    )  # quote cites its article (linked when it has a URL)
    assert callback["data"]["allowed_mentions"] == {"parse": []}


async def test_unknown_person_gets_an_ephemeral_hint(world: World) -> None:
    _, callback = await command(world, "who", {"person": "Pottingr"})
    data = callback["data"]
    assert data["flags"] & EPHEMERAL
    assert "did you mean" in data["content"] and "Pottinger" in data["content"]
    assert "Traceback" not in data["content"]


async def test_quotes_page_with_buttons_only_the_caller_can_press(world: World) -> None:
    interaction, callback = await command(world, "quotes", user=world.std.member.user_id)
    data = callback["data"]
    assert data["embeds"][0]["footer"]["text"].startswith("Page 1/")
    buttons = data["components"][0]["components"]
    assert [b["label"] for b in buttons] == ["Previous", "Next"]
    assert buttons[0]["disabled"] is True
    message = interaction.original
    assert message is not None
    stranger = await world.fake.send_component(
        buttons[1]["custom_id"], message, user_id=world.std.admin.user_id
    )
    refusal = await world.fake.wait_for_callback(stranger)
    assert refusal["type"] == 4 and refusal["data"]["flags"] & EPHEMERAL
    assert "Only the person who ran this command" in refusal["data"]["content"]
    assert message.embeds[0]["footer"]["text"].startswith("Page 1/")
    click = await world.fake.send_component(
        buttons[1]["custom_id"], message, user_id=world.std.member.user_id
    )
    turned = await world.fake.wait_for_callback(click)
    assert turned["type"] == 7
    assert turned["data"]["embeds"][0]["footer"]["text"].startswith("Page 2/")
    assert turned["data"]["allowed_mentions"] == {"parse": []}
    back = await world.fake.send_component(
        buttons[0]["custom_id"], message, user_id=world.std.member.user_id
    )
    assert (await world.fake.wait_for_callback(back))["data"]["embeds"][0]["footer"][
        "text"
    ].startswith("Page 1/")


async def test_quotes_by_person_and_article_autocomplete(world: World) -> None:
    _, callback = await command(world, "quotes", {"person": "Matthew Pottinger"})
    fields = callback["data"]["embeds"][0]["fields"]
    assert fields and all(f["name"] == "Matthew Pottinger" for f in fields)
    choices = await autocomplete(world, "quotes", {"article": "water"}, "article")
    assert choices and isinstance(choices[0]["value"], int)
    _, callback = await command(world, "quotes", {"article": choices[0]["value"]})
    assert f"from article #{choices[0]['value']}" in callback["data"]["embeds"][0]["title"]


async def test_event_autocomplete_and_card(world: World) -> None:
    choices = await autocomplete(world, "event", {"query": "summit"}, "query")
    assert choices
    _, callback = await command(world, "event", {"query": choices[0]["value"]})
    embed = callback["data"]["embeds"][0]
    assert [f["name"] for f in embed["fields"]] == ["What", "When", "Where", "Who"]
    assert embed["description"]
    _, missing = await command(world, "event", {"query": "zzzz nothing like this"})
    assert (
        missing["data"]["flags"] & EPHEMERAL
        and "no event matching" in missing["data"]["content"].lower()
    )


async def test_timeline_lists_events_in_date_order(world: World) -> None:
    _, callback = await command(world, "timeline", {"person": "Donald Trump"})
    embed = callback["data"]["embeds"][0]
    assert embed["title"].startswith("Timeline · Donald Trump")
    assert embed["footer"]["text"].endswith("events")


async def test_article_search_show_and_autocomplete(world: World) -> None:
    _, callback = await command(world, "article search", {"text": "water"})
    embed = callback["data"]["embeds"][0]
    assert embed["fields"] and embed["fields"][0]["name"].startswith("#")
    article_id = int(embed["fields"][0]["name"][1:].split(" ")[0])
    choices = await autocomplete(world, "article show", {"id": str(article_id)}, "id")
    assert article_id in [c["value"] for c in choices]
    _, shown = await command(world, "article show", {"id": article_id})
    detail = shown["data"]["embeds"][0]
    assert detail["footer"]["text"].startswith(f"#{article_id}")
    assert detail["description"]
    _, missing = await command(world, "article show", {"id": 999999})
    assert (
        missing["data"]["flags"] & EPHEMERAL
        and "no article #999999" in missing["data"]["content"].lower()
    )


# ---- configuration (admin) ------------------------------------------------------------


async def test_admin_commands_refuse_members_without_manage_server(world: World) -> None:
    for name, options in [
        ("config channel", {"channel": world.std.news.id}),
        ("config show", None),
        ("config pause", None),
        ("digest now", None),
        ("article add", {"url": "https://example.com/a"}),
    ]:
        _, callback = await command(world, name, options, user=world.std.member.user_id)
        assert callback["data"]["flags"] & EPHEMERAL, name
        assert "Manage Server" in callback["data"]["content"], name
    _, shown = await command(world, "config show", user=world.std.admin.user_id)
    assert "Not set" in all_text(shown["data"])  # the refused /config channel wrote nothing


async def test_config_channel_refuses_a_channel_where_the_bot_cannot_post(world: World) -> None:
    _, callback = await command(
        world, "config channel", {"channel": world.std.no_send.id}, user=world.std.admin.user_id
    )
    assert callback["data"]["flags"] & EPHEMERAL and "Send Messages" in callback["data"]["content"]
    _, callback = await command(
        world, "config channel", {"channel": world.std.no_embeds.id}, user=world.std.admin.user_id
    )
    assert "Embed Links" in callback["data"]["content"]


async def test_config_schedule_validates_and_suggests_time_zones(world: World) -> None:
    admin = world.std.admin.user_id
    _, bad = await command(
        world, "config schedule", {"when": "daily 09:00", "timezone": "Europe/Berln"}, user=admin
    )
    assert bad["data"]["flags"] & EPHEMERAL and "Europe/Berlin" in bad["data"]["content"]
    _, bad = await command(world, "config schedule", {"when": "sometimes"}, user=admin)
    assert "daily 09:00" in bad["data"]["content"]
    choices = await autocomplete(
        world, "config schedule", {"when": "daily 09:00", "timezone": "new_y"}, "timezone"
    )
    assert "America/New_York" in [c["value"] for c in choices]
    _, ok = await command(
        world,
        "config schedule",
        {"when": "weekdays 18:30", "timezone": "europe/berlin"},
        user=admin,
    )
    assert "weekdays at 18:30 (Europe/Berlin)" in ok["data"]["content"]


async def test_config_channel_limits_pause_resume_and_show(world: World) -> None:
    admin = world.std.admin.user_id
    _, ok = await command(world, "config channel", {"channel": world.std.news.id}, user=admin)
    assert f"<#{world.std.news.id}>" in ok["data"]["content"]
    _, ok = await command(world, "config limits", {"articles": 25, "quotes": 3}, user=admin)
    assert "25 articles" in ok["data"]["content"] and "3 quotes" in ok["data"]["content"]
    _, bad = await command(world, "config limits", None, user=admin)
    assert bad["data"]["flags"] & EPHEMERAL
    _, paused = await command(world, "config pause", user=admin)
    assert "paused" in paused["data"]["content"]
    _, shown = await command(world, "config show", user=admin)
    assert "Paused" in all_text(shown["data"])
    _, _ = await command(world, "config resume", user=admin)
    _, shown = await command(world, "config show", user=admin)
    text = all_text(shown["data"])
    assert "Active" in text and "weekdays at 18:30" in text and "Europe/Berlin" in text
    assert "<t:" in text  # next digest, shown in each reader's own time zone


# ---- digests --------------------------------------------------------------------------


async def test_digest_preview_is_ephemeral_and_split_within_limits(world: World) -> None:
    interaction, callback = await command(world, "digest preview")

    def all_sent() -> list[dict[str, Any]] | None:
        messages = [callback["data"], *(m.payload for m in interaction.followups)]
        return messages if sum(len(m.get("embeds") or []) for m in messages) >= 25 else None

    messages = await world.fake.wait_until(all_sent, 10, "the whole preview")
    assert len(messages) >= 3
    assert all(m["flags"] & EPHEMERAL for m in messages)
    for m in messages:
        validate_message_payload(m, has_files=False, creating=True)
    assert sum(len(m.get("embeds") or []) for m in messages) == 25
    assert world.fake.channel_messages(world.std.news.id) == []  # nothing posted


async def test_digest_now_posts_once_split_and_mention_safe(world: World) -> None:
    admin = world.std.admin.user_id
    interaction, callback = await command(world, "digest now", user=admin)
    assert callback["type"] == 5 and callback["data"]["flags"] & EPHEMERAL  # deferred first
    done = await answer(world, interaction, callback)
    assert done["content"].startswith("Posted 25 articles")
    posted = world.fake.channel_messages(world.std.news.id)
    assert len(posted) >= 3  # 25 embeds cannot fit one message
    for message in posted:
        validate_message_payload(message.payload, has_files=False, creating=True)
        assert message.allowed_mentions == {"parse": []}
    text = "\n".join(all_text(m.data) for m in posted)
    assert "@everyone" not in text and not re.search(r"(?<!\\)<@&123>", text)
    assert "\\<@&123>" in text and "@\u200beveryone" in text  # shown literally, pings nobody
    assert all(not m.data["mention_everyone"] for m in posted)
    # More articles than the limit of 25: the next run posts the rest, then there is nothing new
    left = template_article_count() - 25
    interaction, callback = await command(world, "digest now", user=admin)
    again = await answer(world, interaction, callback)
    assert again["content"].startswith(f"Posted {left} article")
    count = len(world.fake.channel_messages(world.std.news.id))
    await asyncio.sleep(1.1)  # manual runs claim one slot per second (a double click posts once)
    interaction, callback = await command(world, "digest now", user=admin)
    last = await answer(world, interaction, callback)
    assert "Nothing new" in last["content"]
    assert len(world.fake.channel_messages(world.std.news.id)) == count
    _, preview = await command(world, "digest preview")
    assert "Nothing new" in preview["data"]["content"]


async def test_status_shows_channel_schedule_last_next_waiting(world: World) -> None:
    _, callback = await command(world, "status")
    text = all_text(callback["data"])
    assert callback["data"]["flags"] & EPHEMERAL
    assert f"<#{world.std.news.id}>" in text
    assert "weekdays at 18:30" in text and "Europe/Berlin" in text
    assert "Articles waiting\n0" in text
    assert text.count("<t:") >= 2  # last and next digest
    assert "Problems\nNone" in text


async def test_status_and_digest_show_missing_permissions_without_403s(world: World) -> None:
    admin = world.std.admin.user_id
    world.fake.deny_bot(world.std.news.id, SEND_MESSAGES)
    await world.fake.wait_until(
        lambda: world.fake.session and world.fake.session.sent_seq >= world.fake.session.seq,
        5,
        "channel update sent",
    )
    _, callback = await command(world, "status")
    assert "Missing permission in #news: Send Messages" in all_text(callback["data"])
    posts_before = len(world.fake.requests_to("POST", rf"/channels/{world.std.news.id}/messages"))
    await asyncio.sleep(1.1)
    interaction, callback = await command(world, "digest now", user=admin)
    done = await answer(world, interaction, callback)
    assert "Nothing new" in done["content"] or "not posted" in done["content"]
    assert (
        len(world.fake.requests_to("POST", rf"/channels/{world.std.news.id}/messages"))
        == posts_before
    )


async def test_deleted_channel_shows_in_status(world: World) -> None:
    world.fake.delete_channel(world.std.news.id)
    await world.fake.wait_until(
        lambda: world.fake.session and world.fake.session.sent_seq >= world.fake.session.seq,
        5,
        "channel delete sent",
    )
    _, callback = await command(world, "status")
    assert "The digest channel was deleted" in all_text(callback["data"])


async def test_sources_commands_list_remove_and_refuse_private_addresses(world: World) -> None:
    admin = world.std.admin.user_id
    _, listed = await command(world, "config sources list", user=admin)
    assert "No sources yet" in all_text(listed["data"])
    _, removed = await command(world, "config sources remove", {"source": 999}, user=admin)
    assert removed["data"]["flags"] & EPHEMERAL and "No source #999" in removed["data"]["content"]
    choices = await autocomplete(world, "config sources remove", {"source": "1"}, "source")
    assert choices == []
    interaction, callback = await command(
        world, "config sources add", {"url": "http://169.254.169.254/latest/meta-data/"}, user=admin
    )
    assert callback["type"] == 5
    refused = await answer(world, interaction, callback)
    assert (
        refused["flags"] & EPHEMERAL
        and refused["content"]
        and "Something went wrong" not in refused["content"]
    )
    _, member = await command(world, "config sources list", user=world.std.member.user_id)
    assert "Manage Server" in member["data"]["content"]


async def test_article_add_defers_then_reports(world: World) -> None:
    interaction, callback = await command(
        world, "article add", {"url": "http://127.0.0.1:9/nothing"}
    )
    assert callback["type"] == 5 and callback["data"]["flags"] & EPHEMERAL
    done = await answer(world, interaction, callback)
    assert done["content"].startswith(("Could not add that article", "Article #"))


async def test_a_new_session_fires_on_ready_again_without_a_second_scheduler(world: World) -> None:
    identified = world.fake.identify_count
    await world.fake.invalidate_session(resumable=False)  # discord.py identifies again: READY
    await world.fake.wait_until(
        lambda: (
            world.fake.identify_count > identified
            and world.fake.session
            and world.fake.session.ready
        ),
        20,
        "a new session",
    )
    await asyncio.sleep(0.5)
    log = world.bot.output()
    assert log.count("Scheduler started") == 1
    assert log.count("digest jobs rebuilt") == 1
    _, callback = await command(world, "status")
    assert callback["data"]["flags"] & EPHEMERAL  # still answering


async def test_every_outgoing_payload_disables_mentions(world: World) -> None:
    payloads = [p for p in outgoing_payloads(world.fake) if p.get("content") or p.get("embeds")]
    assert len(payloads) > 30
    assert all(p.get("allowed_mentions") == {"parse": []} for p in payloads)
    assert BAIT_TITLE not in "\n".join(str(p) for p in payloads)
