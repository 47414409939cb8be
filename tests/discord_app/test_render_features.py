"""The feature send paths stay within Discord's limits, escape text, allow only the chosen role."""

from __future__ import annotations

from datetime import UTC, datetime

import discord
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.discord_app import render
from bot.discord_app.poster import role_mentions
from bot.domain import (
    ArticleRef,
    Digest,
    DigestItem,
    DroppedArticle,
    FollowAlert,
    FollowKind,
    FollowMatch,
    PostSettings,
    PostStyle,
    QuoteView,
)
from tests.discord_app.test_render import check_embed

BAIT = "@everyone <@&123> **bold** # heading"
text = st.text(min_size=0, max_size=3000)


def ref(title: str, article_id: int = 1) -> ArticleRef:
    return ArticleRef(
        article_id,
        title,
        "https://example.com/a",
        "Example Daily",
        datetime(2026, 3, 1, tzinfo=UTC),
    )


def check_message(message: render.Message) -> None:
    assert message.content is None or len(message.content) <= render.CONTENT_MAX
    assert len(message.embeds) <= render.EMBEDS_PER_MESSAGE
    total = 0
    for embed in message.embeds:
        total += check_embed(dict(embed.to_dict()))
    assert total <= render.EMBED_TOTAL_MAX


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(title=text, quote=text, sentence=text, names=st.lists(text, min_size=1, max_size=40))
def test_follow_alerts_fit_any_text(
    title: str, quote: str, sentence: str, names: list[str]
) -> None:
    matches = [
        FollowMatch(i, name or "x", quote if i % 2 else None, sentence)
        for i, name in enumerate(names)
    ]
    message = render.follow_alert_message(
        FollowAlert(1, FollowKind.CHANNEL, 2, ref(title), matches)
    )
    check_message(message)


def test_follow_alerts_escape_article_text_and_names() -> None:
    alert = FollowAlert(1, FollowKind.DM, 2, ref(BAIT), [FollowMatch(1, "@here Dana", BAIT, None)])
    message = render.follow_alert_message(alert)
    flat = str([message.content, *(e.to_dict() for e in message.embeds)])
    assert (
        "@everyone" not in flat
        and "@here" not in flat
        and "<@&123>" not in flat.replace("\\\\<@&123>", "")
    )


@settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    title=text,
    summary=text,
    quote=text,
    people=st.lists(st.text(alphabet="abcdefgh ", min_size=1, max_size=20), max_size=30),
)
def test_compact_and_full_styles_fit_and_show_at_most_the_servers_people(
    title: str, summary: str, quote: str, people: list[str]
) -> None:
    q = QuoteView(1, quote or "q", "Speaker", 1, "said", ref(title))
    items = [DigestItem(ref(title, i), [summary], [q, q], people) for i in range(12)]
    digest = Digest(items, datetime(2026, 3, 1, tzinfo=UTC))
    for style in (PostStyle.FULL, PostStyle.COMPACT):
        settings_ = PostSettings(1, style=style, max_people=3, ping_role_id=55)
        messages = render.styled_digest_messages(digest, settings_)
        for message in messages:
            check_message(message)
        assert messages[0].content is not None and messages[0].content.startswith("<@&55> ")
        assert all("<@&55>" not in (m.content or "") for m in messages[1:])
        for embed in (e for m in messages for e in m.embeds):
            people_fields = [f for f in embed.fields if f.name == "People"]
            if style == PostStyle.COMPACT:
                assert not embed.fields
            elif people_fields:
                assert len((people_fields[0].value or "").split(", ")) <= 3 or "," in (
                    people[0] if people else ""
                )


def test_the_ping_allows_exactly_that_role_and_nothing_else() -> None:
    mentions = role_mentions(PostSettings(1, ping_role_id=987654321))
    merged = discord.AllowedMentions.none().merge(mentions)
    payload: dict[str, object] = dict(merged.to_dict())
    assert payload == {"parse": [], "roles": [987654321]}
    assert dict(role_mentions(PostSettings(1)).to_dict()) == {"parse": []}


def test_thread_names_and_dropped_lists_fit() -> None:
    assert len(render.thread_name("x" * 500)) == 100 and render.thread_name("  ") == "?"
    dropped = [DroppedArticle(ref("t" * 300, i), "rule #1: " + "r" * 400) for i in range(300)]
    check_embed(dict(render.dropped_embed(dropped).to_dict()))
