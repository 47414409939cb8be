"""Digests per story: one item per story, and a posted story returns only with news."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.app import App
from bot.db import digest_slots
from bot.digest.builder import digest_article_ids
from bot.domain import ArticleRef, SourceLink
from bot.ingest.readers import RawArticle, build_article, read_file
from tests.stories.scorer import reports_dir

GUILD = 4242


def _report(name: str) -> RawArticle:
    [raw] = read_file(reports_dir() / f"corvane-recall__{name}.txt")
    return raw


def _paragraphs(raw: RawArticle) -> list[str]:
    return [p for p in raw.clean_text.split("\n") if p.strip()]


async def _mark_posted(app: App, ids: list[int]) -> None:
    async with app.db.writer() as session:
        await digest_slots.mark_posted(session, GUILD, ids, None)


async def test_a_posted_story_comes_back_only_with_a_new_quote_or_event(app: App) -> None:
    auto, consumer = _report("auto-report"), _report("consumer-watch")
    for raw in (auto, consumer):
        await app.articles.ingest_article(raw)
    first = await app.digests.build(GUILD)
    [item] = first.items
    assert {s.source for s in item.sources} == {"Auto Report", "Consumer Watch"}
    await _mark_posted(app, digest_article_ids(first))

    # Another outlet's write-up with nothing new: what the first one said, and the same quote.
    rehash = build_article(
        "rehash",
        "Corvane recalls Summit SUVs",
        "\n\n".join([_paragraphs(consumer)[0], _paragraphs(auto)[-1]]),
        url="https://motor-daily.test/corvane",
        source="Motor Daily",
        published_at=auto.published_at,
    )
    added = await app.articles.ingest_article(rehash)
    assert added.status == "added"
    quiet = await app.digests.build(GUILD)
    assert quiet.items == [] and quiet.absorbed == [added.article_id]

    # A write-up with a new quote is a development: the story posts again, marked as an update.
    news = build_article(
        "news",
        "Corvane widens Summit brake recall",
        "Corvane Motors said on Wednesday that its recall of 210,000 Summit SUVs over leaking "
        "brake fluid would also cover Summit Trail models, after regulators pressed the company "
        "on the faulty master cylinder seal.\n\n"
        '"We found the same seal in a second supplier\'s parts," Imogen Achebe said, '
        "adding that the company would contact owners by letter.",
        url="https://motor-daily.test/corvane-2",
        source="Motor Daily",
        published_at=auto.published_at,
    )
    assert (await app.articles.ingest_article(news)).status == "added"
    again = await app.digests.build(GUILD)
    [update] = again.items
    assert update.update and update.story_id == item.story_id
    assert [q.text for q in update.quotes if "second supplier" in q.text]
    assert not [q for q in update.quotes if "Safety is not negotiable" in q.text]


def test_reported_by_names_two_sources_and_counts_the_rest() -> None:
    from bot.cli.render import reported_by as plain
    from bot.discord_app.render import reported_by

    links = [
        SourceLink(1, name, f"https://{slug}.test/a", None, None)
        for name, slug in (("Wire One", "one"), ("Daily Paper", "daily"), ("Metro", "metro"))
    ]
    assert reported_by(links[:2]) == (
        "Reported by [Wire One](https://one.test/a) and [Daily Paper](https://daily.test/a)"
    )
    extra = [*links, SourceLink(2, "Valley", "https://valley.test/a", None, None)]
    assert reported_by(extra) == (
        "Reported by [Wire One](https://one.test/a), [Daily Paper](https://daily.test/a) and 2 more"
    )
    assert plain(links) == "Reported by Wire One, Daily Paper and Metro"
    assert plain(extra) == "Reported by Wire One, Daily Paper and 2 more"


def test_a_quote_in_two_articles_is_one_quote_naming_both() -> None:
    from bot.domain import QuoteView
    from bot.stories.quotes import merge_quotes

    def ref(n: int) -> ArticleRef:
        return ArticleRef(n, f"t{n}", None, f"s{n}", datetime(2026, 1, 1, tzinfo=UTC))

    quotes = [
        QuoteView(1, "Safety is not negotiable for us, not ever.", "Achebe", 1, None, ref(1)),
        QuoteView(2, "A different quote entirely from someone", None, None, None, ref(1)),
        QuoteView(3, "safety is not negotiable for us", None, None, None, ref(2)),
    ]
    merged = merge_quotes(quotes)
    assert [q.id for q in merged] == [1, 2]
    assert [r.id for r in merged[0].also_in] == [2] and merged[0].speaker == "Achebe"
