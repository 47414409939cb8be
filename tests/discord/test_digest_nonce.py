"""The digest poster sends the slot's nonces, so a retried post is not posted twice."""

from __future__ import annotations

from bot.discord_app.poster import ChannelPoster
from bot.domain import GuildConfig
from tests.discord.conftest import running_bot
from tests.discord.fake import FakeDiscord, StandardGuild


def _config(std: StandardGuild) -> GuildConfig:
    return GuildConfig(
        guild_id=std.guild.id,
        channel_id=std.news.id,
        schedule="daily 09:00",
        timezone="UTC",
        max_articles=5,
        max_quotes=2,
        paused=False,
        last_digest_at=None,
        problem=None,
    )


async def test_a_retried_post_with_the_same_nonce_key_posts_once(
    fake_discord: FakeDiscord, std: StandardGuild
) -> None:
    async with running_bot(fake_discord) as bot:
        poster = ChannelPoster(bot)
        first = await poster(_config(std), None, "Nothing new today.", nonce_key="byline7")
        again = await poster(_config(std), None, "Nothing new today.", nonce_key="byline7")
        other = await poster(_config(std), None, "Nothing new today.", nonce_key="byline8")
    assert first == again == other == 1
    stored = fake_discord.channel_messages(std.news.id)
    assert [m.data["nonce"] for m in stored] == ["byline7.0", "byline8.0"]
    assert stored[0].nonce_replays == 1
