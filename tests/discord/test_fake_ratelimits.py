"""FakeDiscord's rate limits look like Discord's, and the real discord.py client honours them."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import discord
import pytest
from discord.ext import commands

from tests.discord.conftest import raw_request, running_bot
from tests.discord.fake import Bucket, FakeDiscord, RateLimiter, RateLimits, StandardGuild

MESSAGES = "POST /channels/{channel_id}/messages"


MakeFake = Callable[..., Awaitable[FakeDiscord]]


class ManualClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_counts_down_refuses_then_opens_a_new_window() -> None:
    clock = ManualClock()
    limits = RateLimits(buckets=(Bucket("b", "POST", "/r/{channel_id}", limit=2, per_s=5.0),))
    limiter = RateLimiter(limits, clock=clock, wall_clock=lambda: 1000.0)
    first = limiter.check("POST", "/r/{channel_id}", {"channel_id": "1"})
    clock.now += 1.0
    second = limiter.check("POST", "/r/{channel_id}", {"channel_id": "1"})
    other_channel = limiter.check("POST", "/r/{channel_id}", {"channel_id": "2"})
    refused = limiter.check("POST", "/r/{channel_id}", {"channel_id": "1"})
    clock.now += 4.0
    reopened = limiter.check("POST", "/r/{channel_id}", {"channel_id": "1"})
    assert first.refusal is None and first.headers["X-RateLimit-Remaining"] == "1"
    assert first.headers["X-RateLimit-Limit"] == "2"
    assert first.headers["X-RateLimit-Reset-After"] == "5.000"
    assert first.headers["X-RateLimit-Reset"] == "1005.000"
    assert second.headers["X-RateLimit-Remaining"] == "0"
    assert second.headers["X-RateLimit-Reset-After"] == "4.000"
    assert other_channel.refusal is None  # buckets are per major parameter
    assert refused.refusal == {
        "message": "You are being rate limited.",
        "retry_after": 4.0,
        "global": False,
    }
    assert refused.headers["X-RateLimit-Scope"] == "user" and refused.headers["Via"]
    assert refused.headers["Retry-After"] == "4"
    assert first.headers["X-RateLimit-Bucket"] == refused.headers["X-RateLimit-Bucket"]
    assert reopened.refusal is None and reopened.headers["X-RateLimit-Remaining"] == "1"
    assert (
        limiter.count("POST /r/{channel_id}") == 1 and limiter.served["POST /r/{channel_id}"] == 1
    )


def test_the_global_limit_spares_interaction_endpoints() -> None:
    clock = ManualClock()
    limiter = RateLimiter(RateLimits.discord().with_global(limit=2, per_s=1.0), clock=clock)
    for _ in range(2):
        assert limiter.check("GET", "/users/@me", {}).refusal is None
    refused = limiter.check("GET", "/channels/{channel_id}", {"channel_id": "1"})
    callback = limiter.check("POST", "/interactions/{interaction_id}/{token}/callback", {})
    followup = limiter.check("POST", "/webhooks/{application_id}/{token}", {"token": "t"})
    assert refused.refusal is not None and refused.refusal["global"] is True
    assert refused.headers["X-RateLimit-Global"] == "true"
    assert refused.headers["X-RateLimit-Scope"] == "global"
    assert callback.refusal is None and followup.refusal is None
    clock.now += 1.0
    assert limiter.check("GET", "/users/@me", {}).refusal is None
    assert limiter.count(scope="global") == 1


def test_off_means_no_limits_and_no_headers() -> None:
    limiter = RateLimiter(RateLimits.off())
    verdicts = [
        limiter.check("POST", "/channels/{channel_id}/messages", {"channel_id": "1"})
        for _ in range(100)
    ]
    assert all(v.refusal is None and v.headers == {} for v in verdicts)


def test_an_unknown_bucket_name_is_refused() -> None:
    with pytest.raises(KeyError):
        RateLimits.discord().with_bucket("no-such-bucket", limit=1, per_s=1.0)


async def test_discord_py_waits_for_the_bucket_instead_of_posting_past_it(
    make_fake: MakeFake,
) -> None:
    fake = await make_fake(
        rate_limits=RateLimits.discord().with_bucket("message-create", limit=2, per_s=0.5)
    )
    std = fake.seed_standard_guild()
    async with running_bot(fake) as bot:
        channel = bot.get_channel(std.news.id)
        assert isinstance(channel, discord.TextChannel)
        for i in range(5):
            await channel.send(f"story {i}")
    assert [m.content for m in fake.channel_messages(std.news.id)] == [
        f"story {i}" for i in range(5)
    ]
    posts = [r for r in fake.requests_to("POST", rf"/channels/{std.news.id}/messages")]
    created = [r for r in posts if r.status == 200]
    assert created[0].headers["X-RateLimit-Limit"] == "2"
    assert [r.headers["X-RateLimit-Remaining"] for r in created[:2]] == ["1", "0"]
    # Two per half second: five posts span at least two full windows, however fast the machine.
    assert created[-1].at - created[0].at >= 1.0
    assert fake.ratelimits.count(MESSAGES) == len(posts) - 5


async def test_a_429_for_a_bucket_another_process_used_up_is_retried_after_retry_after(
    make_fake: MakeFake,
) -> None:
    fake = await make_fake(
        rate_limits=RateLimits.discord().with_bucket("message-create", limit=2, per_s=1.0)
    )
    std = fake.seed_standard_guild()
    path = f"/channels/{std.news.id}/messages"
    async with running_bot(fake) as bot:
        channel = bot.get_channel(std.news.id)
        assert isinstance(channel, discord.TextChannel)
        answers = [await raw_request(fake, "POST", path, {"content": "other"}) for _ in range(3)]
        await channel.send("ours")
    (status, headers, body) = answers[2]
    assert [a[0] for a in answers] == [200, 200, 429]
    assert isinstance(body, dict) and set(body) == {"message", "retry_after", "global"}
    assert body["global"] is False and 0 < body["retry_after"] <= 1.0
    assert headers["X-RateLimit-Scope"] == "user" and headers["X-RateLimit-Remaining"] == "0"
    assert headers["X-RateLimit-Limit"] == "2" and "X-RateLimit-Global" not in headers
    assert float(headers["X-RateLimit-Reset-After"]) == body["retry_after"]
    assert headers["X-RateLimit-Bucket"] and headers["Via"]
    ours = [r for r in fake.requests_to("POST", path) if (r.json or {}).get("content") == "ours"]
    assert [r.status for r in ours] == [429, 200]  # discord.py waited retry_after, then retried
    assert ours[1].at - ours[0].at >= float(ours[0].headers["X-RateLimit-Reset-After"])
    assert [m.content for m in fake.channel_messages(std.news.id)] == ["other", "other", "ours"]
    assert fake.ratelimits.count(MESSAGES, scope="user") == 2
    assert fake.ratelimits.served[MESSAGES] == 2


async def test_global_429s_make_discord_py_pause_every_request_then_all_succeed(
    make_fake: MakeFake,
) -> None:
    fake = await make_fake(rate_limits=RateLimits.discord().with_global(limit=4, per_s=0.5))
    std = fake.seed_standard_guild()
    async with running_bot(fake) as bot:
        # GET /channels/{id} has no bucket of its own, so only the global limit applies.
        channels = await asyncio.gather(*(bot.fetch_channel(std.news.id) for _ in range(10)))
    assert all(c.id == std.news.id for c in channels)
    gets = fake.requests_to("GET", rf"/channels/{std.news.id}")
    refused = [r for r in gets if r.status == 429]
    assert len([r for r in gets if r.status == 200]) == 10
    assert refused and all(r.headers["X-RateLimit-Global"] == "true" for r in refused)
    assert all(r.headers["X-RateLimit-Scope"] == "global" for r in refused)
    assert fake.ratelimits.count("GET /channels/{channel_id}", scope="global") == len(refused)


async def test_interaction_callbacks_are_not_bound_by_the_global_limit(make_fake: MakeFake) -> None:
    fake = await make_fake(rate_limits=RateLimits.off())
    std = fake.seed_standard_guild()

    def setup(bot: commands.Bot) -> None:
        @bot.tree.command(name="ping", description="Ping", guild=discord.Object(std.guild.id))
        async def ping(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("pong")
            await interaction.followup.send("and a followup")

    async with running_bot(fake, setup) as bot:
        # From now on one request a minute: use it up, so anything but interactions gets 429.
        fake.set_rate_limits(RateLimits.discord().with_global(limit=1, per_s=60.0))
        statuses = [(await raw_request(fake, "GET", "/users/@me"))[0] for _ in range(2)]
        interaction = await fake.send_slash_command(
            "ping", guild_id=std.guild.id, require_registered=False
        )
        await fake.wait_for_followups(interaction)
        assert bot.is_ready()
    assert statuses == [200, 429]
    callback = fake.requests_to("POST", rf"/interactions/{interaction.id}/.+/callback")
    followup = fake.requests_to("POST", r"/webhooks/\d+/[^/]+")
    assert [r.status for r in callback] == [200] and [r.status for r in followup] == [200]
    assert fake.ratelimits.count(scope="global") == statuses.count(429)


async def test_default_world_uses_discord_limits_and_tells_the_client(
    fake_discord: FakeDiscord, std: StandardGuild
) -> None:
    async with running_bot(fake_discord) as bot:
        channel = bot.get_channel(std.general.id)
        assert isinstance(channel, discord.TextChannel)
        await channel.send("hello")
    post = fake_discord.requests_to("POST", rf"/channels/{std.general.id}/messages")[0]
    assert post.headers["X-RateLimit-Limit"] == "5"
    assert post.headers["X-RateLimit-Remaining"] == "4"
    assert 0 < float(post.headers["X-RateLimit-Reset-After"]) <= 5.0
