"""/config (Manage Server): channel, schedule, limits, pause, resume, show, sources."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_app import autocomplete, render
from bot.discord_app.checks import in_guild, require_manage_guild
from bot.discord_app.poster import channel_problems
from bot.discord_app.replies import NO_MENTIONS, reply
from bot.errors import InvalidInput
from bot.schedules import parse_schedule, parse_timezone
from bot.scheduling import clock
from bot.scheduling.digests import next_digest_at

MANAGE_GUILD = discord.Permissions(manage_guild=True)


def _when(value: object) -> str:
    return discord.utils.format_dt(value, "F") if value else "not scheduled"  # type: ignore[arg-type]


class Config(commands.Cog):
    """Per-server digest settings."""

    config = app_commands.Group(
        name="config",
        description="Byline's settings for this server (Manage Server)",
        guild_only=True,
        default_permissions=MANAGE_GUILD,
    )
    sources = app_commands.Group(
        name="sources", description="This server's feeds and pages", parent=config
    )

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot

    @property
    def services(self):  # type: ignore[no-untyped-def]
        return self.bot.services  # type: ignore[attr-defined]

    async def _saved(self, interaction: discord.Interaction, text: str, **changes: object) -> None:
        config = await self.services.update_guild_config(in_guild(interaction), **changes)
        self.bot.scheduler.sync(config)  # type: ignore[attr-defined]
        await reply(interaction, text, ephemeral=True)

    @config.command(name="channel", description="Choose the channel digests are posted in")
    @app_commands.describe(channel="A text channel where I can send messages and embed links")
    @require_manage_guild()
    async def channel(self, interaction: discord.Interaction, channel: discord.TextChannel) -> None:
        """Set the digest channel."""
        problems = channel_problems(channel)
        if problems:
            raise InvalidInput(problems[0].rstrip(".") + ". Fix that or choose another channel")
        await self._saved(
            interaction,
            f"Digests will be posted in {channel.mention}.",
            channel_id=channel.id,
            problem=None,
        )

    @config.command(name="schedule", description="Set when digests are posted")
    @app_commands.describe(
        when='"daily 09:00", "weekly mon 09:00", "weekdays 18:30" or a cron line like "0 9 * * 1-5"',
        timezone='An IANA time zone such as "Europe/Berlin" (default: the current one)',
    )
    @app_commands.autocomplete(timezone=autocomplete.timezones)
    @require_manage_guild()
    async def schedule(
        self,
        interaction: discord.Interaction,
        when: app_commands.Range[str, 1, 100],
        timezone: app_commands.Range[str, 1, 64] | None = None,
    ) -> None:
        """Set the schedule and optionally the time zone."""
        parsed = parse_schedule(when)
        guild_id = in_guild(interaction)
        zone = (
            parse_timezone(timezone)
            if timezone
            else (await self.services.guild_config(guild_id)).timezone
        )
        config = await self.services.update_guild_config(
            guild_id, schedule=parsed.text, timezone=zone
        )
        self.bot.scheduler.sync(config)  # type: ignore[attr-defined]
        next_at = next_digest_at(config, clock.now())
        text = f"Digests are scheduled {parsed.describe()} ({zone})."
        if config.channel_id is None:
            text += " Set a channel with /config channel to start them."
        elif config.paused:
            text += " Digests are paused; use /config resume."
        else:
            text += f" Next digest: {_when(next_at)}."
        await reply(interaction, text, ephemeral=True)

    @config.command(name="limits", description="How much each digest holds")
    @app_commands.describe(
        articles="Articles per digest (1-25)", quotes="Quotes per article (0-10)"
    )
    @require_manage_guild()
    async def limits(
        self,
        interaction: discord.Interaction,
        articles: app_commands.Range[int, 1, 25] | None = None,
        quotes: app_commands.Range[int, 0, 10] | None = None,
    ) -> None:
        """Set the digest's article and quote limits."""
        changes: dict[str, object] = {}
        if articles is not None:
            changes["max_articles"] = articles
        if quotes is not None:
            changes["max_quotes"] = quotes
        if not changes:
            raise InvalidInput("give articles:, quotes: or both")
        config = await self.services.update_guild_config(in_guild(interaction), **changes)
        await reply(
            interaction,
            f"Digests hold up to {config.max_articles} articles with up to {config.max_quotes} quotes each.",
            ephemeral=True,
        )

    @config.command(name="pause", description="Stop posting scheduled digests")
    @require_manage_guild()
    async def pause(self, interaction: discord.Interaction) -> None:
        """Pause digests."""
        await self._saved(
            interaction, "Digests are paused. Use /config resume to restart them.", paused=True
        )

    @config.command(name="resume", description="Start posting scheduled digests again")
    @require_manage_guild()
    async def resume(self, interaction: discord.Interaction) -> None:
        """Resume digests."""
        await self._saved(interaction, "Digests are running again.", paused=False)

    @config.command(name="show", description="Show this server's settings")
    @require_manage_guild()
    async def show(self, interaction: discord.Interaction) -> None:
        """Show the settings."""
        config = await self.services.guild_config(in_guild(interaction))
        embed = render.config_embed(
            config, parse_schedule(config.schedule).describe(), next_digest_at(config, clock.now())
        )
        await reply(interaction, embeds=[embed], ephemeral=True)

    # ---- sources (needs bot.sources) ---------------------------------------------------

    @sources.command(name="add", description="Follow a feed or page for this server")
    @app_commands.describe(
        url="The feed's or page's address (http or https)",
        every='How often to check it, e.g. "30m" or "2h"',
    )
    @require_manage_guild()
    async def sources_add(
        self,
        interaction: discord.Interaction,
        url: app_commands.Range[str, 1, 2000],
        every: app_commands.Range[str, 1, 20] | None = None,
    ) -> None:
        """Add a source (fetching may be slow: defer first)."""
        service = _sources()
        guild_id = in_guild(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        view = await service.add_source(
            self.services,
            url,
            guild_id=guild_id,
            every=every,
        )
        await interaction.edit_original_response(
            content=f"Following {render.safe_clip(_label(view), 300)}.",
            allowed_mentions=NO_MENTIONS,
        )

    @sources.command(name="remove", description="Stop following a feed or page")
    @app_commands.describe(source="The source (pick from the list)")
    @require_manage_guild()
    async def sources_remove(self, interaction: discord.Interaction, source: int) -> None:
        """Remove a source."""
        view = await _sources().remove_source(self.services, source, guild_id=in_guild(interaction))
        await reply(
            interaction, f"Stopped following {render.safe_clip(_label(view), 300)}.", ephemeral=True
        )

    @sources_remove.autocomplete("source")
    async def _source_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        try:
            views = await _sources().list_sources(self.services, guild_id=in_guild(interaction))
        except Exception:
            return []
        key = str(current).casefold()
        pairs = [
            (f"#{v.id} {_label(v)}", str(v.id))
            for v in views
            if key in _label(v).casefold() or key == str(v.id)
        ]
        return [app_commands.Choice(name=n, value=int(v)) for n, v in render.choices(pairs)]

    @sources.command(name="list", description="The feeds and pages this server follows")
    @require_manage_guild()
    async def sources_list(self, interaction: discord.Interaction) -> None:
        """List sources."""
        views = await _sources().list_sources(self.services, guild_id=in_guild(interaction))
        draft = render.EmbedDraft().title("Sources")
        lines = [f"#{v.id} · {render.safe_clip(_label(v), 200)}" for v in views]
        draft.description(draft.lines(lines) or "No sources yet. Add one with /config sources add.")
        await reply(interaction, embeds=[draft.embed], ephemeral=True)


def _sources():  # type: ignore[no-untyped-def]
    try:
        from bot.sources import service
    except ImportError as exc:
        raise InvalidInput("feeds are not available on this bot") from exc
    return service


def _label(view: object) -> str:
    for attr in ("title", "name", "url"):
        value = getattr(view, attr, None)
        if value:
            url = getattr(view, "url", None)
            return f"{value} <{url}>" if url and attr != "url" else str(value)
    return str(getattr(view, "id", "?"))


async def setup(bot: commands.Bot) -> None:
    """Load the cog."""
    await bot.add_cog(Config(bot))
