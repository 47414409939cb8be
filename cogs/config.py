"""/config (Manage Server): channel, schedule, limits, pause, resume, show, sources, filters,
style, ping and thread."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import App
from bot.discord_app import autocomplete, cooldowns, render
from bot.discord_app.bot import BylineBot
from bot.discord_app.checks import in_guild, require_manage_guild
from bot.discord_app.poster import channel_problems, ping_problems
from bot.discord_app.replies import reply
from bot.domain import FilterAction, FilterKind, PostStyle, ScheduleInfo
from bot.errors import InvalidInput

MANAGE_GUILD = discord.Permissions(manage_guild=True)
SCHEDULE_EXAMPLES = (
    '"daily 09:00", "weekly mon 09:00", "weekdays 18:30" or a cron line like "0 9 * * 1-5"'
)


def schedule_text(info: ScheduleInfo) -> str:
    """The answer to /config schedule."""
    config = info.config
    text = f"Digests are scheduled {info.description} ({config.timezone})."
    if config.channel_id is None:
        return text + " Set a channel with /config channel to start them."
    if config.paused:
        return text + " Digests are paused; use /config resume."
    when = discord.utils.format_dt(info.next_at, "F") if info.next_at else "not scheduled"
    return text + f" Next digest: {when}."


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
    filters = app_commands.Group(
        name="filters",
        description="Which articles are posted (digests and follow alerts)",
        parent=config,
    )

    def __init__(self, bot: BylineBot) -> None:
        self.bot = bot

    @property
    def app(self) -> App:
        """The application (read when a command runs: `byline sync` loads cogs without it)."""
        return self.bot.app

    @config.command(name="channel", description="Choose the channel digests are posted in")
    @app_commands.describe(
        channel="A text channel, or a forum (each article becomes a post), where I can post"
    )
    @require_manage_guild()
    async def channel(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel | discord.ForumChannel,
    ) -> None:
        """Set the digest channel."""
        problems = channel_problems(channel)
        if problems:
            raise InvalidInput(problems[0].rstrip(".") + ". Fix that or choose another channel")
        await self.app.guilds.set_channel(in_guild(interaction), channel.id)
        await reply(interaction, f"Digests will be posted in {channel.mention}.", ephemeral=True)

    @config.command(name="schedule", description="Set when digests are posted")
    @app_commands.describe(
        when=f"{SCHEDULE_EXAMPLES}",
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
        info = await self.app.guilds.set_schedule(in_guild(interaction), when, timezone)
        await reply(interaction, schedule_text(info), ephemeral=True)

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
        config = await self.app.guilds.set_limits(in_guild(interaction), articles, quotes)
        await reply(
            interaction,
            f"Digests hold up to {config.max_articles} articles "
            f"with up to {config.max_quotes} quotes each.",
            ephemeral=True,
        )

    @config.command(name="pause", description="Stop posting scheduled digests")
    @require_manage_guild()
    async def pause(self, interaction: discord.Interaction) -> None:
        """Pause digests."""
        await self.app.guilds.pause(in_guild(interaction))
        await reply(
            interaction, "Digests are paused. Use /config resume to restart them.", ephemeral=True
        )

    @config.command(name="resume", description="Start posting scheduled digests again")
    @require_manage_guild()
    async def resume(self, interaction: discord.Interaction) -> None:
        """Resume digests."""
        await self.app.guilds.resume(in_guild(interaction))
        await reply(interaction, "Digests are running again.", ephemeral=True)

    @config.command(name="show", description="Show this server's settings")
    @require_manage_guild()
    async def show(self, interaction: discord.Interaction) -> None:
        """Show the settings."""
        info = await self.app.guilds.show(in_guild(interaction))
        await reply(interaction, embeds=[render.config_embed(info)], ephemeral=True)

    # ---- sources ------------------------------------------------------------------------

    @sources.command(name="add", description="Follow a feed or page for this server")
    @app_commands.describe(
        url="The feed's or page's address (http or https)",
        every='How often to check it, e.g. "30m" or "2h"',
    )
    @require_manage_guild()
    @cooldowns.per_server(cooldowns.SOURCES_ADD)
    async def sources_add(
        self,
        interaction: discord.Interaction,
        url: app_commands.Range[str, 1, 2000],
        every: app_commands.Range[str, 1, 20] | None = None,
    ) -> None:
        """Add a source (fetching may be slow: defer first)."""
        guild_id = in_guild(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        view = await self.app.sources.add(url, guild_id=guild_id, every=every)
        text = f"Following {render.safe_clip(render.source_label(view), 300)}."
        await reply(interaction, text, ephemeral=True)

    @sources.command(name="remove", description="Stop following a feed or page")
    @app_commands.describe(source="The source (pick from the list)")
    @require_manage_guild()
    async def sources_remove(self, interaction: discord.Interaction, source: int) -> None:
        """Remove a source."""
        view = await self.app.sources.remove(source, guild_id=in_guild(interaction))
        text = f"Stopped following {render.safe_clip(render.source_label(view), 300)}."
        await reply(interaction, text, ephemeral=True)

    @sources_remove.autocomplete("source")
    async def _source_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        return await self._sources_matching(interaction, current)

    @sources.command(name="list", description="The feeds and pages this server follows")
    @require_manage_guild()
    async def sources_list(self, interaction: discord.Interaction) -> None:
        """List sources."""
        views = await self.app.sources.for_guild(guild_id=in_guild(interaction))
        await reply(interaction, embeds=[render.sources_embed(views)], ephemeral=True)

    async def _sources_matching(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        """This server's sources whose label or number matches what was typed."""
        try:
            views = await self.app.sources.for_guild(guild_id=in_guild(interaction))
        except Exception:
            # Autocomplete has no error channel: an empty list is the honest answer.
            return []
        key = str(current).casefold()
        pairs = [
            (f"#{v.id} {render.source_label(v)}", str(v.id))
            for v in views
            if key in render.source_label(v).casefold() or key == str(v.id)
        ]
        return [app_commands.Choice(name=n, value=int(v)) for n, v in render.choices(pairs)]

    # ---- filters ------------------------------------------------------------------------

    @filters.command(name="add", description="Add a rule: include or exclude articles")
    @app_commands.describe(
        action="include: only matching articles are posted; exclude: matching ones are not",
        kind="What the rule looks at",
        value="Words, an RE2 regular expression, a person, a source, or a number of quotes",
        source="Only for this source's articles (default: all)",
    )
    @app_commands.choices(
        action=[app_commands.Choice(name=a.value, value=a.value) for a in FilterAction],
        kind=[app_commands.Choice(name=k.value, value=k.value) for k in FilterKind],
    )
    @require_manage_guild()
    async def filters_add(
        self,
        interaction: discord.Interaction,
        action: str,
        kind: str,
        value: app_commands.Range[str, 1, 200],
        source: int | None = None,
    ) -> None:
        """Add a filter rule."""
        rule = await self.app.filters.add(
            in_guild(interaction), action, kind, value, source_id=source
        )
        text = f"Added filter #{rule.id}: {render.safe_clip(rule.describe(), 300)}."
        await reply(interaction, text, ephemeral=True)

    @filters_add.autocomplete("source")
    async def _filter_source_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        return await self._sources_matching(interaction, current)

    @filters.command(name="remove", description="Remove a filter rule")
    @app_commands.describe(rule="The rule's number (see /config filters list)")
    @require_manage_guild()
    async def filters_remove(self, interaction: discord.Interaction, rule: int) -> None:
        """Remove a filter rule."""
        removed = await self.app.filters.remove(in_guild(interaction), rule)
        text = f"Removed filter #{removed.id}: {render.safe_clip(removed.describe(), 300)}."
        await reply(interaction, text, ephemeral=True)

    @filters.command(name="list", description="This server's filter rules")
    @require_manage_guild()
    async def filters_list(self, interaction: discord.Interaction) -> None:
        """List filter rules."""
        rules = await self.app.filters.rules(in_guild(interaction))
        await reply(interaction, embeds=[render.filters_embed(rules)], ephemeral=True)

    @filters.command(name="test", description="Would this text be posted or dropped?")
    @app_commands.describe(text="A headline or a paragraph to judge")
    @require_manage_guild()
    async def filters_test(
        self, interaction: discord.Interaction, text: app_commands.Range[str, 1, 2000]
    ) -> None:
        """Judge a text by the server's filters."""
        verdict, matched = await self.app.filters.test(in_guild(interaction), text)
        await reply(interaction, render.filter_test_text(verdict, matched), ephemeral=True)

    # ---- how digests are posted ---------------------------------------------------------

    @config.command(name="style", description="How digest articles look")
    @app_commands.describe(
        style="full: summary, quotes, people; compact: headline, one key quote, link",
        people="People shown per article (0-20)",
    )
    @app_commands.choices(
        style=[app_commands.Choice(name=s.value, value=s.value) for s in PostStyle]
    )
    @require_manage_guild()
    async def style(
        self,
        interaction: discord.Interaction,
        style: str | None = None,
        people: app_commands.Range[int, 0, 20] | None = None,
    ) -> None:
        """Set the post style and the people shown."""
        settings = await self.app.posting.set_style(in_guild(interaction), style, people)
        await reply(interaction, render.post_settings_text(settings), ephemeral=True)

    @config.command(name="ping", description="Mention a role on each digest (or stop)")
    @app_commands.describe(role="The role to mention; leave empty to stop pinging")
    @require_manage_guild()
    async def ping(
        self, interaction: discord.Interaction, role: discord.Role | None = None
    ) -> None:
        """Set or clear the digest's ping role."""
        if role is not None and role.is_default():
            raise InvalidInput("Byline never pings @everyone; choose another role")
        settings = await self.app.posting.set_ping(
            in_guild(interaction), role.id if role is not None else None
        )
        text = render.post_settings_text(settings)
        if role is not None and interaction.guild is not None:
            problems = ping_problems(interaction.guild, settings)
            if problems:
                text += f"\n⚠️ {render.safe_clip(problems[0], 300)}"
        await reply(interaction, text, ephemeral=True)

    @config.command(name="thread", description="Open a discussion thread on each digest")
    @app_commands.describe(enabled="True to open a thread on each digest's first message")
    @require_manage_guild()
    async def thread(self, interaction: discord.Interaction, enabled: bool) -> None:
        """Turn the digest thread on or off."""
        settings = await self.app.posting.set_thread(in_guild(interaction), enabled)
        await reply(interaction, render.post_settings_text(settings), ephemeral=True)


async def setup(bot: BylineBot) -> None:
    """Load the cog."""
    await bot.add_cog(Config(bot))
