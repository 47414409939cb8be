"""Polling feeds and pages: every feed kind, backfill, new items, 304, bombs, backoff."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import web
from sqlalchemy import func, select

from bot.app import App
from bot.db.models import Article, SourceItem
from bot.services.source_polling import backoff_s
from tests.site import FEED_KINDS, Item, MakeApp, Site, rss20, story


async def count(app: App, table: type) -> int:
    async with app.db.reader() as session:
        return int(await session.scalar(select(func.count()).select_from(table)) or 0)


@pytest.mark.parametrize("kind", sorted(FEED_KINDS))
async def test_every_feed_kind_ends_in_stored_articles(site: Site, app: App, kind: str) -> None:
    items = site.stories("/s", [1, 2])
    view = await app.sources.add(site.feed("/feed", kind, items), guild_id=None)
    assert view.kind == "feed"
    outcome = await app.sources.poll(view.id)
    assert outcome.status == "ok", outcome.message
    assert sorted(a.status for a in outcome.articles) == ["added", "added"]
    details = [await app.articles.article(a.article_id or 0) for a in outcome.articles]
    assert {d.ref.title for d in details} == {story(1).title, story(2).title}
    for detail in details:
        n = int((detail.ref.url or "").rsplit("/", 1)[1])
        published = detail.ref.published_at
        assert published is not None
        if kind == "rss091":  # RSS 0.91 items carry no date: the page's (day only) is used
            assert published.date() == story(n).published.date()
        else:
            assert published.replace(tzinfo=UTC) == story(n).published
        assert detail.authors == ["Dana Whitfield"]
        assert detail.summary and detail.people  # analysed, not just stored
        assert story(n).paragraphs[0][:40] in " ".join(detail.summary) or detail.quotes


async def test_first_poll_backfills_newest_items_and_marks_older_seen(site: Site, app: App) -> None:
    items = site.stories("/s", range(12))
    view = await app.sources.add(site.feed("/feed.xml", "rss20", items), guild_id=None)
    outcome = await app.sources.poll(view.id)
    backfill = app.settings.sources.backfill
    assert (outcome.new_items, len(outcome.stored), outcome.skipped_items) == (
        12,
        backfill,
        12 - backfill,
    )
    assert site.page_hits("/s") == backfill  # older items were never fetched
    fetched = {int(a.path.rsplit("/", 1)[1]) for a in outcome.articles}
    assert fetched == set(range(12 - backfill, 12))  # the newest by date
    assert await count(app, SourceItem) == 12
    assert await count(app, Article) == backfill


async def test_second_poll_ingests_only_new_items(site: Site, app: App) -> None:
    items = site.stories("/s", range(3))
    view = await app.sources.add(site.feed("/feed.xml", "atom", items), guild_id=None)
    await app.sources.poll(view.id)
    assert site.page_hits("/s") == 3
    site.feed("/feed.xml", "atom", items + site.stories("/s", [10, 11]))
    outcome = await app.sources.poll(view.id)
    assert outcome.new_items == 2
    assert sorted(a.path.rsplit("/", 1)[1] for a in outcome.stored) == ["10", "11"]
    assert site.page_hits("/s") == 5
    third = await app.sources.poll(view.id)
    assert (third.status, third.new_items, site.page_hits("/s")) == ("ok", 0, 5)


async def test_conditional_get_304_fetches_nothing_again(site: Site, app: App) -> None:
    items = site.stories("/s", range(2))
    view = await app.sources.add(site.feed("/feed.xml", "rss20", items, etag='"v1"'), guild_id=None)
    await app.sources.poll(view.id)
    hits_after_first = sum(site.hits.values())
    outcome = await app.sources.poll(view.id)
    assert outcome.status == "not_modified"
    assert sum(site.hits.values()) == hits_after_first + 1  # only the feed, answered with 304
    assert await count(app, Article) == 2


async def test_feed_with_10000_items_is_bounded(site: Site, app: App) -> None:
    base = datetime(2026, 1, 1, tzinfo=UTC)
    links = [site.page(f"/s/{n}", story(n)) for n in range(9995, 10000)]
    items = [
        Item(f"g{n}", site.url(f"/s/{n}"), f"Item {n}", base + timedelta(minutes=n))
        for n in range(10_000)
    ]
    body = rss20(items)
    site.static("/big.xml", body, "application/rss+xml")
    view = await app.sources.add(site.url("/big.xml"), guild_id=None)
    outcome = await app.sources.poll(view.id)
    assert outcome.status == "ok", outcome.message
    assert len(outcome.stored) <= app.settings.sources.backfill
    assert site.page_hits("/s") <= app.settings.sources.backfill
    assert {a.path for a in outcome.stored} <= set(links)
    assert await count(app, Article) <= app.settings.sources.backfill


@pytest.mark.parametrize("payload", ["laughs", "xxe"])
async def test_billion_laughs_and_xxe_feeds_are_harmless(
    site: Site, app: App, payload: str
) -> None:
    site.static("/secret", b"TOP-SECRET-LOCAL", "text/plain")
    page = site.page("/s/1", story(1))
    if payload == "laughs":
        entities = '<!ENTITY lol "lol">' + "".join(
            f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
            for i in range(1, 10)
        )
        title = "&lol9;"
    else:
        entities = (
            '<!ENTITY xxe SYSTEM "file:///etc/hostname">'
            f'<!ENTITY web SYSTEM "{site.url("/secret")}">'
        )
        title = "&xxe;&web;"
    body = (
        f'<?xml version="1.0"?><!DOCTYPE rss [{entities}]><rss version="2.0"><channel>'
        f"<title>{title}</title><item><title>{title}</title><link>{page}</link><guid>x1</guid>"
        "</item></channel></rss>"
    ).encode()
    site.static("/feed.xml", body, "application/rss+xml")
    view = await app.sources.add(site.url("/feed.xml"), guild_id=None)
    outcome = await app.sources.poll(view.id)
    assert outcome.status == "ok"
    assert site.hits["/secret"] == 0
    hostname = socket.gethostname() if payload == "xxe" else "lollollol"
    views = await app.sources.for_guild(guild_id=None)
    async with app.db.reader() as session:
        texts = [t or "" for t in await session.scalars(select(Article.clean_text))]
    assert all(hostname not in (v.title or "") for v in views)
    assert all(hostname not in t for t in texts)


async def test_an_item_failing_transiently_is_retried_up_to_its_cap_then_given_up(
    site: Site, make_app: MakeApp
) -> None:
    app = await make_app(sources={"max_item_failures": 3})
    items = site.stories("/s", [1]) + site.stories("/broken", [2])

    async def unavailable(_: web.Request) -> web.Response:
        return web.Response(status=503)

    site.route("/broken/2", unavailable)
    view = await app.sources.add(site.feed("/feed.xml", "rss20", items), guild_id=None)
    reasons = []
    for _ in range(5):
        outcome = await app.sources.poll(view.id)
        assert outcome.status == "ok", outcome.message  # one bad item never fails the source
        reasons += [a.message or "" for a in outcome.articles if a.status == "failed"]
    assert site.page_hits("/broken") == 3 and site.page_hits("/s") == 1
    assert len(reasons) == 3 and "HTTP 503" in reasons[0]
    assert "1 of 3" in reasons[0] and "not tried again" in reasons[2]
    assert await count(app, Article) == 1


async def test_an_item_that_recovers_is_stored_once_and_not_fetched_again(
    site: Site, make_app: MakeApp
) -> None:
    app = await make_app(sources={"max_item_failures": 3})
    [item] = site.stories("/s", [1])
    working = site.routes["/s/1"]

    async def unavailable(_: web.Request) -> web.Response:
        return web.Response(status=503)

    site.route("/s/1", unavailable)
    view = await app.sources.add(site.feed("/feed.xml", "rss20", [item]), guild_id=None)
    assert [a.status for a in (await app.sources.poll(view.id)).articles] == ["failed"]
    site.route("/s/1", working)
    assert [a.status for a in (await app.sources.poll(view.id)).articles] == ["added"]
    assert (await app.sources.poll(view.id)).articles == []
    assert site.page_hits("/s") == 2 and await count(app, Article) == 1
    async with app.db.reader() as session:
        row = (await session.scalars(select(SourceItem))).one()
    assert row.failures == 0 and row.article_id is not None


async def test_failures_are_counted_backed_off_and_disable_the_source(
    site: Site, make_app: MakeApp
) -> None:
    app = await make_app(sources={"max_failures": 3})
    site.feed("/feed.xml", "rss20", site.stories("/s", [1]))
    view = await app.sources.add(site.url("/feed.xml"), guild_id=None, every="10m")

    async def broken(_: web.Request) -> web.Response:
        return web.Response(status=503)

    site.route("/feed.xml", broken)
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    waits = []
    for expected in (1, 2, 3):
        outcome = await app.sources.poll(view.id, now=now)
        assert outcome.message is not None and "HTTP 503" in outcome.message
        assert outcome.next_poll_at is not None
        waits.append((outcome.next_poll_at - now).total_seconds())
        [listed] = await app.sources.for_guild(guild_id=None)
        assert listed.failures == expected
    assert waits == [backoff_s(600, 1), backoff_s(600, 2), backoff_s(600, 3)] == [1200, 2400, 4800]
    assert outcome.status == "disabled"
    assert listed.disabled_reason is not None and "3 failed polls" in listed.disabled_reason
    assert "HTTP 503" in listed.disabled_reason
    # A disabled source is never due again, however late it is.
    assert await app.sources.poll_due(now=now + timedelta(days=30)) == []
    assert await count(app, Article) == 0


async def test_poll_due_only_polls_sources_whose_time_has_come(site: Site, app: App) -> None:
    a = await app.sources.add(site.feed("/a.xml", "rss20", site.stories("/a", [1])), guild_id=None)
    b = await app.sources.add(site.feed("/b.xml", "rss20", site.stories("/b", [2])), guild_id=None)
    first = await app.sources.poll_due()
    assert sorted(o.source_id for o in first) == [a.id, b.id]
    assert await app.sources.poll_due() == []  # both now wait their interval
    later = datetime.now(UTC) + timedelta(minutes=31)
    assert sorted(o.source_id for o in await app.sources.poll_due(now=later)) == [a.id, b.id]


async def test_a_manual_poll_that_works_reenables_a_disabled_source(
    site: Site, make_app: MakeApp
) -> None:
    app = await make_app(sources={"max_failures": 1})
    site.feed("/feed.xml", "rss20", site.stories("/s", [1]))
    view = await app.sources.add(site.url("/feed.xml"), guild_id=None)
    del site.routes["/feed.xml"]
    assert (await app.sources.poll(view.id)).status == "disabled"
    site.feed("/feed.xml", "rss20", site.stories("/s", [1]))
    assert (await app.sources.poll(view.id)).status == "ok"
    [listed] = await app.sources.for_guild(guild_id=None)
    assert (listed.failures, listed.disabled_reason, listed.last_error) == (0, None, None)


async def test_item_without_article_fails_with_reason_and_stores_nothing(
    site: Site, app: App
) -> None:
    site.static("/s/empty", b"<!doctype html><html><body><nav>Home</nav></body></html>")
    items = [Item("e", site.url("/s/empty"), "Empty", datetime(2026, 3, 1, tzinfo=UTC))]
    view = await app.sources.add(site.feed("/feed.xml", "rss20", items), guild_id=None)
    outcome = await app.sources.poll(view.id)
    assert outcome.status == "ok"
    [item] = outcome.articles
    assert item.status == "failed"
    assert (item.message or "").startswith("no article text found on that page")
    assert await count(app, Article) == 0
    again = await app.sources.poll(view.id)
    assert again.new_items == 0  # a page without an article is not fetched again and again


async def test_page_source_is_stored_once_and_updated_when_it_changes(site: Site, app: App) -> None:
    url = site.page("/live", story(3))
    view = await app.sources.add(url, guild_id=None)
    first = await app.sources.poll(view.id)
    assert [a.status for a in first.articles] == ["added"]
    second = await app.sources.poll(view.id)
    assert [a.status for a in second.articles] == ["unchanged"]
    site.page("/live", story(3, title="Updated: council approves plan"))
    third = await app.sources.poll(view.id)
    assert [a.status for a in third.articles] == ["updated"]
    assert third.articles[0].article_id == first.articles[0].article_id
    assert await count(app, Article) == 1
