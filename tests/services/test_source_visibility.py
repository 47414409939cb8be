"""Guild isolation of source articles, and syndicated copies folding in the digest."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.errors import NotFound
from tests.site import Item, Site, article_page, story

GUILD_A, GUILD_B = 111, 222


async def test_guild_source_articles_are_invisible_to_other_guilds(site: Site, app: App) -> None:
    items = site.stories("/a", [1])
    view = await app.sources.add(site.feed("/a.xml", "rss20", items), guild_id=GUILD_A)
    outcome = await app.sources.poll(view.id)
    [stored] = outcome.stored
    person = "Tomas Lindqvist"  # the mayor quoted in story 1

    assert [h.ref.id for h in await app.articles.search("Lindqvist", GUILD_A)] == [
        stored.article_id
    ]
    assert (await app.people.who(person, GUILD_A)).name == person
    assert [i.ref.id for i in (await app.digests.build(GUILD_A)).items] == [stored.article_id]

    assert await app.articles.search("Lindqvist", GUILD_B) == []
    with pytest.raises(NotFound):
        await app.people.who(person, GUILD_B)
    assert (await app.digests.build(GUILD_B)).items == []
    with pytest.raises(NotFound):
        await app.articles.article(stored.article_id or 0, GUILD_B)
    with pytest.raises(NotFound):
        await app.sources.remove(view.id, guild_id=GUILD_B)

    # A global source's articles reach every server.
    glob = await app.sources.add(
        site.feed("/g.xml", "rss20", site.stories("/g", [2])), guild_id=None
    )
    [shared] = (await app.sources.poll(glob.id)).stored
    assert [h.ref.id for h in await app.articles.search("Okafor", GUILD_B)] == []  # story 1 person
    assert shared.article_id in [i.ref.id for i in (await app.digests.build(GUILD_B)).items]


async def test_syndicated_copies_from_two_sources_fold_into_one_digest_item(
    site: Site, app: App
) -> None:
    wire = story(5)
    copy_a = article_page(wire)
    # The second outlet runs the same wire story under its own headline with a tagline.
    b_story = story(5, title=wire.title + " | Eastfield Courier")
    b_story = type(b_story)(
        b_story.n,
        b_story.title,
        (*b_story.paragraphs, "Reporting by the Courier's city desk contributed to this article."),
        b_story.author,
        b_story.published,
    )
    site.static("/a/wire-5", copy_a)
    site.static("/b/wire-5", article_page(b_story))
    feed_a = site.feed(
        "/a.xml", "rss20", [Item("a5", site.url("/a/wire-5"), wire.title, wire.published)]
    )
    feed_b = site.feed(
        "/b.xml", "atom", [Item("b5", site.url("/b/wire-5"), b_story.title, wire.published)]
    )
    a = await app.sources.add(feed_a, guild_id=None)
    b = await app.sources.add(feed_b, guild_id=None)
    [first] = (await app.sources.poll(a.id)).stored
    [second] = (await app.sources.poll(b.id)).stored
    # Two outlets, one stored article with both links (the second is a copy).
    assert first.article_id == second.article_id

    digest = await app.digests.build(None, unposted_only=False)
    [item] = digest.items
    linked = {s.url for s in item.sources}
    assert linked == {site.url("/a/wire-5"), site.url("/b/wire-5")}
