"""GuildService: the next digest of a server."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.services.guilds import next_digest_at


def test_next_digest_is_none_when_paused_or_without_channel() -> None:
    from bot.domain import GuildConfig

    def config(channel_id: int | None, paused: bool) -> GuildConfig:
        return GuildConfig(1, channel_id, "daily 09:00", "UTC", 5, 2, paused, None, None)

    now = datetime(2026, 6, 1, 8, tzinfo=UTC)
    assert next_digest_at(config(None, False), now) is None
    assert next_digest_at(config(2, True), now) is None
    assert next_digest_at(config(2, False), now) == datetime(2026, 6, 1, 9, tzinfo=UTC)
