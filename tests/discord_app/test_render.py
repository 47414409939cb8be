"""Rendering stays within every Discord limit for any text, escapes markdown and mentions."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import discord
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.discord_app import render
from bot.domain import (
    ArticleDetail,
    ArticleRef,
    Digest,
    DigestItem,
    EventSource,
    EventView,
    PersonCard,
    QuoteView,
    SearchHit,
    SourceLink,
)


def check_embed(embed: dict[str, Any]) -> int:
    """Assert one embed is within Discord's limits; return its character count."""
    total = 0
    for key, limit in (("title", 256), ("description", 4096)):
        text = embed.get(key) or ""
        assert len(text) <= limit, (key, len(text))
        total += len(text)
    footer = (embed.get("footer") or {}).get("text") or ""
    author = (embed.get("author") or {}).get("name") or ""
    assert len(footer) <= 2048 and len(author) <= 256
    fields = embed.get("fields") or []
    assert len(fields) <= 25
    for fld in fields:
        assert 0 < len(fld["name"]) <= 256 and fld["name"].strip()
        assert 0 < len(fld["value"]) <= 1024 and fld["value"].strip()
        total += len(fld["name"]) + len(fld["value"])
    url = embed.get("url")
    assert url is None or url.startswith(("http://", "https://"))
    return total + len(footer) + len(author)


def check_message(message: render.Message) -> None:
    assert len(message.content or "") <= 2000
    assert len(message.embeds) <= 10
    assert message.content or message.embeds
    assert sum(check_embed(dict(e.to_dict())) for e in message.embeds) <= 6000


text = st.text(alphabet=st.characters(codec="utf-8"), max_size=3000)
short = st.text(alphabet=st.characters(codec="utf-8"), min_size=0, max_size=400)
urls = st.one_of(
    st.none(),
    st.just("https://example.com/a b"),
    st.just("https://example.com/x_(y)"),
    st.text(max_size=50),
)
links = st.builds(
    SourceLink,
    article_id=st.integers(1, 10**6),
    source=st.one_of(st.none(), short),
    url=urls,
    title=st.one_of(st.none(), short),
    published_at=st.none(),
)
plain_refs = st.builds(
    ArticleRef,
    id=st.integers(1, 10**6),
    title=short,
    url=urls,
    source=st.one_of(st.none(), short),
    published_at=st.one_of(st.none(), st.just(datetime(2026, 1, 2, tzinfo=UTC))),
)
refs = st.builds(
    ArticleRef,
    id=st.integers(1, 10**6),
    title=short,
    url=urls,
    source=st.one_of(st.none(), short),
    published_at=st.one_of(st.none(), st.just(datetime(2026, 1, 2, tzinfo=UTC))),
    copies=st.lists(links, max_size=4).map(tuple),
)
quotes = st.builds(
    QuoteView,
    id=st.integers(1, 100),
    text=text,
    speaker=st.one_of(st.none(), short),
    speaker_id=st.none(),
    cue=st.none(),
    article=refs,
    also_in=st.lists(plain_refs, max_size=8).map(tuple),
)
items = st.builds(
    DigestItem,
    ref=refs,
    summary=st.lists(text, max_size=6),
    quotes=st.lists(quotes, max_size=6),
    people=st.lists(short, max_size=12),
    also_at=st.lists(refs, max_size=3),
    sources=st.lists(links, max_size=12).map(tuple),
    update=st.booleans(),
)
events = st.builds(
    EventView,
    id=st.integers(1, 100),
    name=short,
    kind=short,
    when_text=st.one_of(st.none(), short),
    when_start=st.one_of(st.none(), st.just(date(2026, 3, 1))),
    when_end=st.none(),
    where=st.one_of(st.none(), short),
    people=st.lists(short, max_size=30),
    sources=st.lists(st.builds(EventSource, article=refs, sentence=text), max_size=8),
)

relaxed = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@relaxed
@given(st.lists(items, max_size=30), st.integers(0, 500))
def test_any_digest_splits_into_messages_within_limits(
    digest_items: list[DigestItem], more: int
) -> None:
    digest = Digest(
        items=digest_items, generated_at=datetime(2026, 1, 1, tzinfo=UTC), more_count=more
    )
    messages = render.digest_messages(digest)
    for message in messages:
        check_message(message)
    assert sum(len(m.embeds) for m in messages) == len(digest_items)  # nothing dropped


@relaxed
@given(st.lists(quotes, max_size=40), short)
def test_quote_pages_within_limits(found: list[QuoteView], heading: str) -> None:
    pages = render.quote_pages(found, heading)
    assert len(pages) == max(1, -(-len(found) // render.QUOTES_PER_PAGE))
    for page in pages:
        check_message(render.Message(embeds=[page]))


@relaxed
@given(
    st.builds(
        PersonCard,
        id=st.integers(1, 9),
        name=short,
        aliases=st.lists(short, max_size=10),
        descriptions=st.lists(text, max_size=8),
        article_count=st.integers(0, 1000),
        quotes=st.lists(quotes, max_size=8),
        co_mentioned=st.lists(st.tuples(short, st.integers(1, 99)), max_size=12),
    ),
    events,
    st.lists(events, max_size=60),
)
def test_cards_events_and_timelines_within_limits(
    card: PersonCard, event: EventView, timeline: list[EventView]
) -> None:
    for embed in (
        render.person_card(card),
        render.event_embed(event),
        render.timeline_embed(card.name, timeline),
    ):
        check_message(render.Message(embeds=[embed]))


@relaxed
@given(
    st.builds(
        ArticleDetail,
        ref=refs,
        authors=st.lists(short, max_size=3),
        summary=st.lists(text, max_size=8),
        people=st.lists(short, max_size=40),
        quotes=st.lists(quotes, max_size=6),
        events=st.lists(events, max_size=8),
        places=st.lists(short, max_size=20),
        organizations=st.lists(short, max_size=20),
    ),
    st.lists(st.builds(SearchHit, ref=refs, snippet=text), max_size=15),
    short,
)
def test_article_and_search_within_limits(
    detail: ArticleDetail, hits: list[SearchHit], query: str
) -> None:
    check_message(render.Message(embeds=[render.article_embed(detail)]))
    check_message(render.Message(embeds=[render.search_embed(query, hits)]))


@given(text, st.integers(1, 5000))
def test_clip_respects_limit_and_marks_cuts(value: str, limit: int) -> None:
    out = render.clip(value, limit)
    assert len(out) <= limit
    if len(value) <= limit:
        assert out == value
    else:
        assert out.endswith(render.ELLIPSIS)


def test_clip_cuts_at_a_word_boundary() -> None:
    assert render.clip("the quick brown fox jumps", 16) == "the quick brown…"


def test_mentions_and_markdown_render_literally() -> None:
    out = render.safe("Hi @everyone and @here, <@&123> <@12345678901234567> *bold* # head\n> quote")
    assert "@everyone" not in out and "@here" not in out
    assert "\\<@&123>" in out  # escaped: Discord shows "<@&123>" as typed
    assert "\\<@\u200b12345678901234567>" in out
    assert "\\*bold\\*" in out and "\\> quote" in out
    assert render.safe("# head").startswith("\\#")
    # zero-width tricks cannot smuggle a mention past the escaping
    assert render.safe("@every\u200bone") == "@\u200beveryone"


@given(st.lists(st.tuples(short, short), max_size=60))
def test_autocomplete_choices_are_bounded(pairs: list[tuple[str, str]]) -> None:
    out = render.choices(pairs)
    assert len(out) <= 25
    assert all(1 <= len(name) <= 100 and 1 <= len(value) <= 100 for name, value in out)


def test_embed_len_matches_discord_py() -> None:
    embed = render.digest_item_embed(
        DigestItem(
            ref=ArticleRef(1, "T" * 300, "https://e.com", "src", None),
            summary=["word " * 2000],
            quotes=[],
            people=["A"],
        )
    )
    assert isinstance(embed, discord.Embed) and len(embed) <= 6000
