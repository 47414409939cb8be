"""Adding, listing and removing sources: checks before storing, duplicates, intervals."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.errors import FetchRefused, InvalidInput, NotFound, SourceUnavailable
from bot.scheduling.intervals import MIN_EVERY_S, format_every, parse_every
from tests.site import MakeApp, Site, story


@pytest.mark.parametrize(
    ("text", "seconds"), [("15m", 900), ("2h", 7200), ("1d", 86400), ("1h30m", 5400), (" 5M ", 300)]
)
def test_parse_every_reads_plain_intervals(text: str, seconds: int) -> None:
    assert parse_every(text) == seconds
    assert parse_every(format_every(seconds)) == seconds


@pytest.mark.parametrize(
    "text", ["1m", "299s", "every hour", "", "15", "-5m", "9" * 50 + "m", "30d"]
)
def test_parse_every_refuses_too_short_too_long_or_unreadable(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_every(text)
    assert MIN_EVERY_S == 300


async def test_add_feed_detects_kind_title_and_interval(site: Site, app: App) -> None:
    url = site.feed("/feed.xml", "rss20", site.stories("/s", range(2)))
    view = await app.sources.add(url, guild_id=None, every="15m")
    assert (view.kind, view.title, view.every_s, view.guild_id) == (
        "feed",
        "Local Paper",
        900,
        None,
    )
    assert view.next_poll_at is not None and view.failures == 0
    assert site.page_hits("/s") == 0  # adding checks the feed, it does not ingest


async def test_add_page_is_detected_as_page(site: Site, app: App) -> None:
    url = site.page("/live/1", story(1))
    view = await app.sources.add(url, guild_id=7)
    assert view.kind == "page"
    assert view.title and "council approves" in view.title
    assert view.guild_id == 7


async def test_duplicate_for_same_guild_is_refused_even_with_tracking_params(
    site: Site, app: App
) -> None:
    url = site.feed("/feed.xml", "atom", site.stories("/s", range(1)))
    first = await app.sources.add(url, guild_id=1)
    with pytest.raises(InvalidInput, match=f"already source #{first.id}"):
        await app.sources.add(url + "?utm_source=x", guild_id=1)
    other = await app.sources.add(url, guild_id=2)  # another server may add it too
    assert other.id != first.id
    glob = await app.sources.add(site.feed("/g.xml", "rss20", []), guild_id=None)
    with pytest.raises(InvalidInput, match=f"global source #{glob.id}"):
        await app.sources.add(site.url("/g.xml"), guild_id=3)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://10.0.0.1/feed", "private network"),
        ("http://169.254.169.254/latest/meta-data", "private network"),
        ("ftp://example.com/feed", "http:// or https://"),
        ("http://user:pw@example.com/feed", "user name or password"),
        ("http://example.com:6379/", "port 6379"),
        ("http://0x7f.1/", "unusual form"),
    ],
)
async def test_refused_addresses_store_nothing_and_fetch_nothing(
    app: App, site: Site, url: str, message: str
) -> None:
    with pytest.raises(FetchRefused, match=message):
        await app.sources.add(url, guild_id=1)
    assert await app.sources.for_guild(guild_id=None) == []
    assert sum(site.hits.values()) == 0


async def test_unreachable_or_non_feed_address_is_not_stored(site: Site, app: App) -> None:
    with pytest.raises(SourceUnavailable, match="not found"):
        await app.sources.add(site.url("/missing.xml"), guild_id=1)
    site.static("/data.bin", b"\x00\x01binary", "application/octet-stream")
    with pytest.raises(SourceUnavailable):
        await app.sources.add(site.url("/data.bin"), guild_id=1)
    assert await app.sources.for_guild(guild_id=None) == []


async def test_list_shows_global_and_own_sources_only(site: Site, app: App) -> None:
    glob = await app.sources.add(site.feed("/g.xml", "rss20", []), guild_id=None)
    mine = await app.sources.add(site.feed("/a.xml", "rss20", []), guild_id=1)
    theirs = await app.sources.add(site.feed("/b.xml", "rss20", []), guild_id=2)
    assert [v.id for v in await app.sources.for_guild(guild_id=1)] == [glob.id, mine.id]
    assert [v.id for v in await app.sources.for_guild(guild_id=2)] == [glob.id, theirs.id]
    assert len(await app.sources.for_guild(guild_id=None)) == 3


async def test_a_server_cannot_remove_another_servers_source(site: Site, app: App) -> None:
    theirs = await app.sources.add(site.feed("/b.xml", "rss20", []), guild_id=2)
    with pytest.raises(NotFound) as other:
        await app.sources.remove(theirs.id, guild_id=1)
    with pytest.raises(NotFound) as missing:
        await app.sources.remove(9999, guild_id=1)
    # Identical wording apart from the id, so ids cannot be probed across servers.
    assert str(other.value).replace(str(theirs.id), "N") == str(missing.value).replace("9999", "N")
    assert [v.id for v in await app.sources.for_guild(guild_id=2)] == [theirs.id]
    removed = await app.sources.remove(theirs.id, guild_id=2)
    assert removed.id == theirs.id
    assert await app.sources.for_guild(guild_id=2) == []


async def test_a_server_cannot_remove_a_global_source(site: Site, app: App) -> None:
    glob = await app.sources.add(site.feed("/g.xml", "rss20", []), guild_id=None)
    with pytest.raises(InvalidInput, match="global"):
        await app.sources.remove(glob.id, guild_id=1)
    assert len(await app.sources.for_guild(guild_id=None)) == 1


async def test_a_server_cannot_pass_sources_max_per_guild(site: Site, make_app: MakeApp) -> None:
    app = await make_app(sources={"max_per_guild": 2})
    await app.sources.add(site.feed("/a.xml", "rss20", []), guild_id=1)
    await app.sources.add(site.feed("/b.xml", "rss20", []), guild_id=1)
    with pytest.raises(InvalidInput, match="already has 2 sources; remove one first"):
        await app.sources.add(site.feed("/c.xml", "rss20", []), guild_id=1)
    # Another server, and the global list, have their own room.
    await app.sources.add(site.feed("/c.xml", "rss20", []), guild_id=2)
