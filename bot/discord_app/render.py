"""Domain dataclasses → Discord embeds and messages: pure functions, always within limits.

Everything from articles is untrusted text: markdown is escaped, mentions are neutralised
(on top of allowed_mentions=none on every send), and every piece is cut at a word boundary with
an ellipsis to fit Discord's limits. Long output is split across embeds and messages; nothing is
ever rejected for its size.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

import discord

from bot.domain import (
    ArticleDetail,
    ArticleRef,
    Digest,
    DigestItem,
    DroppedArticle,
    EventView,
    FilterRule,
    FilterVerdict,
    FollowAlert,
    FollowKind,
    FollowView,
    GuildStatus,
    PersonCard,
    PostSettings,
    PostStyle,
    QuoteView,
    ScheduleInfo,
    SearchHit,
    SlotOutcome,
    SlotStatus,
    SourceLink,
    SourceView,
)

# Discord's documented limits for messages and embeds.
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
AUTHOR_MAX = 256
FIELDS_MAX = 25
EMBED_TOTAL_MAX = 6000
EMBEDS_PER_MESSAGE = 10
CONTENT_MAX = 2000
URL_MAX = 2048
CHOICE_NAME_MAX = 100
CHOICES_MAX = 25

ELLIPSIS = "…"
COLOUR = discord.Colour(0x2B6CB0)
QUOTES_PER_PAGE = 5

_LINE_START = re.compile(r"^(\s*)([#>\-+*]|\d+\.)", re.MULTILINE)
_MENTION_LIKE = re.compile(r"<(?=[@#:/]|a:|t:)")
_EVERYONE = re.compile(r"@(?=everyone|here)", re.IGNORECASE)
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")


def safe(text: str | None) -> str:
    """Escape markdown and neutralise mentions so the text renders literally and pings nobody."""
    if not text:
        return ""
    # Zero-width characters could split "@every\u200bone" past the checks below; drop them first.
    text = _ZERO_WIDTH.sub("", text)
    text = discord.utils.escape_markdown(text)
    text = _LINE_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", text)
    text = _MENTION_LIKE.sub(r"\\<", text)  # "<@&123>" → "\<@&123>" shows as typed
    text = _EVERYONE.sub("@\u200b", text)
    return discord.utils.escape_mentions(text)


def clip(text: str, limit: int) -> str:
    """Cut text to at most `limit` characters at a word boundary, ending with an ellipsis."""
    if limit <= 0:
        return ""
    if len(text) <= limit:
        return text
    if limit == 1:
        return ELLIPSIS
    cut = text[: limit - 1]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if not text[limit - 1].isspace() and space >= limit // 2:
        cut = cut[:space]
    # Never leave a dangling escape backslash or a combining mark without its base letter.
    while cut and (cut[-1] == "\\" or unicodedata.combining(cut[-1]) or cut[-1].isspace()):
        cut = cut[:-1]
    if cut and 0xD800 <= ord(cut[-1]) <= 0xDFFF:
        cut = cut[:-1]
    return cut + ELLIPSIS


def safe_clip(text: str | None, limit: int) -> str:
    """Escape, then clip."""
    return clip(safe(text), limit)


def plain_clip(text: str | None, limit: int) -> str:
    """Clip without markdown escaping (autocomplete names are not rendered as markdown)."""
    return clip(_ZERO_WIDTH.sub("", " ".join((text or "").split())), limit) or "?"


def link_url(url: str | None) -> str | None:
    """A URL safe to use as a link target (http/https only), or None."""
    if not url or not url.startswith(("http://", "https://")) or len(url) > URL_MAX:
        return None
    if any(c.isspace() for c in url):
        return None
    return url.replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")


def cite(ref: ArticleRef, limit: int = 200) -> str:
    """A linked article title for markdown text."""
    title = safe_clip(ref.title or f"Article #{ref.id}", limit)
    url = link_url(ref.url)
    return f"[{title}]({url})" if url else f"{title} (#{ref.id})"


def source_link(link: SourceLink, limit: int = 80) -> str:
    """A source's name linked to where it published the article."""
    name = safe_clip(link.source or "Another source", limit)
    url = link_url(link.url)
    return f"[{name}]({url})" if url else name


def reported_by(sources: Sequence[SourceLink], shown: int = 2) -> str:
    """ "Reported by [Wire One](…), [Daily Paper](…) and 1 more" with links."""
    unique: list[SourceLink] = []
    for link in sources:
        if all((link.source, link.url) != (u.source, u.url) for u in unique):
            unique.append(link)
    names = [source_link(link) for link in unique]
    if not names:
        return ""
    if len(names) <= shown + 1:
        head = ", ".join(names[:-1])
        return "Reported by " + (f"{head} and " if head else "") + names[-1]
    return f"Reported by {', '.join(names[:shown])} and {len(names) - shown} more"


def _own_link(ref: ArticleRef) -> SourceLink:
    return SourceLink(ref.id, ref.source, ref.url, ref.title, ref.published_at)


@dataclass
class Message:
    """One message to send: content and embeds, already within limits."""

    content: str | None = None
    embeds: list[discord.Embed] = field(default_factory=list)


class EmbedDraft:
    """Builds one embed whose every part fits its limit and whose total stays ≤ budget."""

    def __init__(self, budget: int = EMBED_TOTAL_MAX, colour: discord.Colour = COLOUR) -> None:
        self.embed = discord.Embed(colour=colour)
        self.left = budget

    def _take(self, text: str, limit: int) -> str:
        text = clip(text, min(limit, self.left))
        self.left -= len(text)
        return text

    def title(self, text: str, url: str | None = None) -> EmbedDraft:
        """Set the title (already escaped text)."""
        self.embed.title = self._take(text, TITLE_MAX) or None
        self.embed.url = link_url(url)
        return self

    def description(self, text: str) -> EmbedDraft:
        """Set the description (already escaped text)."""
        self.embed.description = self._take(text, DESCRIPTION_MAX) or None
        return self

    def add_field(self, name: str, value: str, *, inline: bool = False) -> bool:
        """Add a field if there is room for a meaningful one; return whether it was added."""
        if len(self.embed.fields) >= FIELDS_MAX or self.left < 24 or not value.strip():
            return False
        # Discord refuses a blank field name; a zero-width space is its documented stand-in.
        name = self._take(name if name.strip() else "\u200b", FIELD_NAME_MAX)
        if not name.strip():
            name = "\u200b"
        value = self._take(value, FIELD_VALUE_MAX)
        if not value.strip():
            return False
        self.embed.add_field(name=name, value=value, inline=inline)
        return True

    def footer(self, text: str) -> EmbedDraft:
        """Set the footer (plain text: not rendered as markdown)."""
        text = self._take(text, FOOTER_MAX)
        if text:
            self.embed.set_footer(text=text)
        return self

    def author(self, text: str) -> EmbedDraft:
        """Set the author line (plain text)."""
        text = self._take(text, AUTHOR_MAX)
        if text:
            self.embed.set_author(name=text)
        return self

    def lines(self, lines: Iterable[str], limit: int = DESCRIPTION_MAX, more: str = "") -> str:
        """Join lines until the next one would not fit; note how many were left out."""
        out: list[str] = []
        items = list(lines)
        room = min(limit, self.left) - 40
        for i, line in enumerate(items):
            if len("\n".join([*out, line])) > room:
                rest = len(items) - i
                out.append(f"… and {rest} more{more}")
                break
            out.append(line)
        return "\n".join(out)


def pack(embeds: Sequence[discord.Embed], content: str | None = None) -> list[Message]:
    """Split embeds across messages: at most 10 per message and 6000 characters in all."""
    messages: list[Message] = []
    current = Message(content=clip(content, CONTENT_MAX) if content else None)
    total = 0
    for embed in embeds:
        size = len(embed)
        if current.embeds and (
            len(current.embeds) >= EMBEDS_PER_MESSAGE or total + size > EMBED_TOTAL_MAX
        ):
            messages.append(current)
            current, total = Message(), 0
        current.embeds.append(embed)
        total += size
    if current.embeds or current.content:
        messages.append(current)
    return messages


# ---- people, quotes, events, articles ---------------------------------------------------


def quote_line(quote: QuoteView, limit: int = 300) -> str:
    """“Quote” — linked article (and every other article carrying the same quote)."""
    line = f"“{safe_clip(quote.text, limit)}” — {cite(quote.article, 120)}"
    if quote.also_in or quote.article.copies:
        line += f" ({safe_clip(quote.article.source or 'unnamed source', 60)})"
    others = [*quote.article.copies, *(_own_link(r) for r in quote.also_in)]
    if others:
        line += " · also " + ", ".join(source_link(o, 60) for o in others[:6])
        if len(others) > 6:
            line += f" and {len(others) - 6} more"
    return line


def person_card(card: PersonCard) -> discord.Embed:
    """/who: name, descriptions, article count, latest quotes, people mentioned with them."""
    draft = EmbedDraft()
    draft.title(safe(card.name))
    about = [safe_clip(d, 300) for d in card.descriptions[:5]]
    if card.aliases:
        about.append("Also called " + ", ".join(safe_clip(a, 80) for a in card.aliases[:8]))
    draft.description(draft.lines(about, 1500) or "No description in the articles yet.")
    count = card.article_count
    draft.add_field(
        "Articles", f"Mentioned in {count} article{'s' if count != 1 else ''}", inline=True
    )
    if card.co_mentioned:
        draft.add_field(
            "Often mentioned with",
            ", ".join(f"{safe_clip(name, 80)} ({n})" for name, n in card.co_mentioned[:10]),
            inline=True,
        )
    for quote in card.quotes[:5]:
        if not draft.add_field(
            f"Quote · {clip(safe(quote.article.title), 200)}", quote_line(quote, 700)
        ):
            break
    return draft.embed


def quote_pages(quotes: Sequence[QuoteView], heading: str) -> list[discord.Embed]:
    """/quotes: pages of key quotes with speakers and article links."""
    if not quotes:
        return [
            EmbedDraft().title(safe_clip(heading, TITLE_MAX)).description("No quotes found.").embed
        ]
    pages = [quotes[i : i + QUOTES_PER_PAGE] for i in range(0, len(quotes), QUOTES_PER_PAGE)]
    embeds = []
    for number, page in enumerate(pages, 1):
        draft = EmbedDraft()
        draft.title(safe_clip(heading, TITLE_MAX))
        for quote in page:
            speaker = quote.speaker or "Unknown speaker"
            draft.add_field(safe_clip(speaker, 200), quote_line(quote, 700))
        draft.footer(f"Page {number}/{len(pages)} · {len(quotes)} quotes")
        embeds.append(draft.embed)
    return embeds


def _when(view: EventView) -> str:
    if view.when_text:
        return safe_clip(view.when_text, 200)
    if view.when_start:
        if view.when_end and view.when_end != view.when_start:
            return f"{view.when_start.isoformat()} – {view.when_end.isoformat()}"
        return view.when_start.isoformat()
    return "Unknown"


def event_embed(view: EventView) -> discord.Embed:
    """/event: what, when, where, who, and the source sentences with links."""
    draft = EmbedDraft()
    draft.title(safe(view.name))
    sources = [f"> {safe_clip(s.sentence, 500)}\n— {cite(s.article, 150)}" for s in view.sources]
    draft.description(draft.lines(sources, 3000) or "No source sentence stored.")
    draft.add_field("What", safe_clip(view.kind or "event", 200), inline=True)
    draft.add_field("When", _when(view), inline=True)
    draft.add_field("Where", safe_clip(view.where, 300) or "Unknown", inline=True)
    draft.add_field("Who", ", ".join(safe_clip(p, 80) for p in view.people[:15]) or "Nobody named")
    return draft.embed


def timeline_embed(name: str, views: Sequence[EventView]) -> discord.Embed:
    """/timeline: a person's events in date order."""
    draft = EmbedDraft()
    draft.title(f"Timeline · {safe(name)}")
    lines = []
    for view in views:
        where = f" ({safe_clip(view.where, 80)})" if view.where else ""
        source = f" — {cite(view.sources[0].article, 80)}" if view.sources else ""
        lines.append(f"**{_when(view)}** · {safe_clip(view.name, 200)}{where}{source}")
    draft.description(draft.lines(lines) or "No dated events for this person yet.")
    draft.footer(f"{len(views)} events")
    return draft.embed


def search_embed(text: str, hits: Sequence[SearchHit]) -> discord.Embed:
    """/article search: hits with snippets and links."""
    draft = EmbedDraft()
    draft.title(f"Articles matching “{safe(text)}”")
    if not hits:
        draft.description("No article matches. Try fewer or other words.")
    for hit in hits[:10]:
        ref = hit.ref
        url = link_url(ref.url)
        value = safe_clip(hit.snippet, 600) or "…"
        if url:
            value = f"{value}\n{url}"
        draft.add_field(f"#{ref.id} · {safe(ref.title)}", value)
    draft.footer("Use /article show id: to read one")
    return draft.embed


def article_embed(detail: ArticleDetail) -> discord.Embed:
    """/article show: summary, people, quotes, events."""
    ref = detail.ref
    draft = EmbedDraft()
    draft.title(safe(ref.title or f"Article #{ref.id}"), ref.url)
    draft.description(
        draft.lines([safe_clip(s, 800) for s in detail.summary], 2500) or "No summary."
    )
    if detail.people:
        draft.add_field("People", ", ".join(safe_clip(p, 80) for p in detail.people[:20]))
    for quote in detail.quotes[:3]:
        draft.add_field(
            safe_clip(quote.speaker or "Unknown speaker", 200), f"“{safe_clip(quote.text, 700)}”"
        )
    if detail.events:
        draft.add_field(
            "Events",
            "\n".join(f"{safe_clip(e.name, 150)} · {_when(e)}" for e in detail.events[:6]),
        )
    if detail.places:
        draft.add_field(
            "Places", ", ".join(safe_clip(p, 60) for p in detail.places[:15]), inline=True
        )
    if detail.organizations:
        draft.add_field(
            "Organizations",
            ", ".join(safe_clip(o, 60) for o in detail.organizations[:15]),
            inline=True,
        )
    if ref.copies:
        draft.add_field("Also published by", "\n".join(source_link(c) for c in ref.copies[:10]))
    if detail.same_story:
        draft.add_field(
            "Same story elsewhere",
            "\n".join(
                f"{safe_clip(r.source or 'Another source', 60)}: {cite(r, 100)}"
                for r in detail.same_story[:8]
            ),
        )
    bits = [
        f"#{ref.id}",
        ref.source or "",
        ref.published_at.date().isoformat() if ref.published_at else "",
    ]
    draft.footer(" · ".join(b for b in bits if b))
    return draft.embed


# ---- digests ------------------------------------------------------------------------------


def digest_item_embed(item: DigestItem) -> discord.Embed:
    """One digest article: linked title, summary, top quotes with speakers, people."""
    ref = item.ref
    draft = EmbedDraft()
    prefix = "Update: " if item.update else ""
    draft.title(prefix + safe(ref.title or f"Article #{ref.id}"), ref.url)
    draft.description(
        draft.lines([safe_clip(s, 1000) for s in item.summary], 1800) or "No summary."
    )
    sources = item.sources or (_own_link(ref), *(_own_link(r) for r in item.also_at))
    if len(sources) > 1:
        draft.add_field("Sources", reported_by(sources))
    for quote in item.quotes:
        value = f"“{safe_clip(quote.text, 600)}”"
        if quote.also_in:
            quoted_by = [quote.article, *quote.also_in]
            value += "\n— " + ", ".join(
                safe_clip(r.source or f"#{r.id}", 60) for r in quoted_by[:5]
            )
        draft.add_field(safe_clip(quote.speaker or "Unknown speaker", 200), value)
    if item.people:
        draft.add_field("People", ", ".join(safe_clip(p, 80) for p in item.people[:10]))
    bits = [ref.source or "", ref.published_at.date().isoformat() if ref.published_at else ""]
    draft.footer(" · ".join(b for b in bits if b) or f"#{ref.id}")
    return draft.embed


def digest_messages(digest: Digest, heading: str = "Byline digest") -> list[Message]:
    """A whole digest as messages within Discord's limits, newest first."""
    count = len(digest.items)
    content = f"**{safe(heading)}** · {count} new article{'s' if count != 1 else ''}"
    if digest.more_count:
        content += f" (+{digest.more_count} more waiting)"
    return pack([digest_item_embed(item) for item in digest.items], content)


def nothing_new(text: str) -> Message:
    """The configured "nothing new today" line."""
    return Message(content=safe_clip(text, CONTENT_MAX))


# ---- configuration and status -------------------------------------------------------------


def _channel(channel_id: int | None) -> str:
    return f"<#{channel_id}>" if channel_id else "Not set (use /config channel)"


def _time(value: datetime | None) -> str:
    if value is None:
        return "—"
    return f"{discord.utils.format_dt(value, 'F')} ({discord.utils.format_dt(value, 'R')})"


def config_embed(info: ScheduleInfo) -> discord.Embed:
    """/config show."""
    config = info.config
    draft = EmbedDraft()
    draft.title("Byline settings for this server")
    draft.add_field("Digest channel", _channel(config.channel_id))
    draft.add_field("Schedule", f"{safe(info.description)} ({safe(config.timezone)})")
    draft.add_field("Articles per digest", str(config.max_articles), inline=True)
    draft.add_field("Quotes per article", str(config.max_quotes), inline=True)
    draft.add_field("State", "Paused" if config.paused else "Active", inline=True)
    draft.add_field("Next digest", _time(info.next_at))
    return draft.embed


def status_embed(status: GuildStatus, live_problems: Sequence[str] = ()) -> discord.Embed:
    """/status: channel, schedule in the server's zone, last and next digest, waiting, problems."""
    config = status.config
    problems = list(dict.fromkeys([*status.problems, *live_problems]))
    draft = EmbedDraft(colour=discord.Colour.red() if problems else COLOUR)
    draft.title("Byline status")
    draft.add_field("Digest channel", _channel(config.channel_id))
    state = " · paused" if config.paused else ""
    draft.add_field("Schedule", f"{safe(status.schedule)} ({safe(config.timezone)}){state}")
    draft.add_field("Last digest", _time(config.last_digest_at), inline=True)
    draft.add_field(
        "Next digest", "Paused" if config.paused else _time(status.next_at), inline=True
    )
    draft.add_field("Articles waiting", str(status.waiting), inline=True)
    draft.add_field(
        "Problems", "\n".join(f"⚠️ {safe_clip(p, 300)}" for p in problems) if problems else "None"
    )
    return draft.embed


def post_now_text(outcome: SlotOutcome) -> str:
    """The answer to /digest now."""
    if outcome.status == SlotStatus.POSTED:
        plural = "s" if outcome.articles != 1 else ""
        return f"Posted {outcome.articles} article{plural} to the digest channel."
    if outcome.status == SlotStatus.NOTHING:
        return "Nothing new since the last digest, so nothing was posted."
    if outcome.status == SlotStatus.PROBLEM:
        return f"The digest was not posted: {safe_clip(outcome.detail, 300)}"
    if outcome.status == SlotStatus.CLAIMED_ELSEWHERE:
        return (
            "Another digest for this server is being posted right now; "
            "it holds the new articles, so nothing more was posted."
        )
    return "The digest could not be posted; see /status."


def source_label(view: SourceView) -> str:
    """A source as a line: its title and address, or the address alone."""
    return f"{view.title} <{view.url}>" if view.title else view.url


def sources_embed(views: Sequence[SourceView]) -> discord.Embed:
    """/config sources list."""
    draft = EmbedDraft().title("Sources")
    lines = [f"#{v.id} · {safe_clip(source_label(v), 200)}" for v in views]
    draft.description(draft.lines(lines) or "No sources yet. Add one with /config sources add.")
    return draft.embed


def choices(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Autocomplete choices (name, value): at most 25, names and values 1-100 characters."""
    out: list[tuple[str, str]] = []
    for name, value in pairs:
        if len(out) >= CHOICES_MAX:
            break
        value = value[:CHOICE_NAME_MAX]
        if not value:
            continue
        out.append((plain_clip(name, CHOICE_NAME_MAX), value))
    return out


# ---- follows, filters, post styles (issue 12) ---------------------------------------------

THREAD_NAME_MAX = 100


def follow_alert_message(alert: FollowAlert) -> Message:
    """One alert: the followed people, each one's quote (or the sentence naming them), the link."""
    ref = alert.article
    names = [m.person for m in alert.matches]
    draft = EmbedDraft()
    draft.title(safe(ref.title or f"Article #{ref.id}"), ref.url)
    for match in alert.matches:
        if match.quote:
            value = f"“{safe_clip(match.quote, 700)}”"
        elif match.sentence:
            value = f"> {safe_clip(match.sentence, 700)}"
        else:
            value = "Named in the article."
        if not draft.add_field(safe_clip(match.person, 200), value):
            break
    bits = [ref.source or "", ref.published_at.date().isoformat() if ref.published_at else ""]
    draft.footer(" · ".join(b for b in bits if b) or f"#{ref.id}")
    who = ", ".join(safe_clip(n, 80) for n in names[:5])
    more = f" and {len(names) - 5} more" if len(names) > 5 else ""
    return Message(content=clip(f"**New on {who}{more}**", CONTENT_MAX), embeds=[draft.embed])


def _follow_target(view: FollowView) -> str:
    return (
        f"<#{view.target_id}>" if view.kind == FollowKind.CHANNEL else f"DM to <@{view.target_id}>"
    )


def follows_embed(views: Sequence[FollowView], heading: str = "Follows") -> discord.Embed:
    """/follow list: who is followed, where alerts go, and any problem."""
    draft = EmbedDraft().title(heading)
    lines = []
    for view in views:
        line = f"#{view.id} · **{safe_clip(view.person, 100)}** → {_follow_target(view)}"
        if view.disabled_reason:
            line += f"\n⚠️ Off: {safe_clip(view.disabled_reason, 200)}"
        elif view.last_error:
            line += f"\n⚠️ {safe_clip(view.last_error, 200)}"
        lines.append(line)
    draft.description(draft.lines(lines) or "Nobody is followed yet. Use /follow add person:.")
    return draft.embed


def follow_added_text(view: FollowView, created: bool) -> str:
    """The answer to /follow add and /follow me."""
    name = safe_clip(view.person, 100)
    where = "by DM" if view.kind == FollowKind.DM else f"in <#{view.target_id}>"
    if created:
        return f"Following **{name}** {where}: new articles that quote or name them will be posted."
    return f"**{name}** is already followed {where}; alerts are on."


def filters_embed(rules: Sequence[FilterRule]) -> discord.Embed:
    """/config filters list."""
    draft = EmbedDraft().title("Filters")
    lines = [f"#{r.id} · {safe_clip(r.describe(), 300)}" for r in rules]
    draft.description(
        draft.lines(lines)
        or "No filters: every article is posted. Add one with /config filters add."
    )
    draft.footer("Excludes win; with include rules, an article must match one of them.")
    return draft.embed


def filter_test_text(verdict: FilterVerdict, matched: Sequence[FilterRule]) -> str:
    """The answer to /config filters test."""
    head = "✅ This text would be posted." if verdict.keep else "🚫 This text would be dropped."
    lines = [head]
    if verdict.reason:
        lines.append(f"Decided by {safe_clip(verdict.reason, 300)}.")
    if matched:
        lines.append("Matching rules: " + ", ".join(f"#{r.id}" for r in matched[:20]))
    return clip("\n".join(lines), CONTENT_MAX)


def dropped_embed(dropped: Sequence[DroppedArticle]) -> discord.Embed:
    """/digest preview: the articles the filters keep out, and why."""
    draft = EmbedDraft(colour=discord.Colour.dark_grey()).title("Dropped by filters")
    lines = [f"{cite(d.ref, 120)} — {safe_clip(d.reason, 200)}" for d in dropped]
    draft.description(draft.lines(lines))
    return draft.embed


def compact_item_embed(item: DigestItem) -> discord.Embed:
    """Compact style: the linked headline, one key quote and the source."""
    ref = item.ref
    draft = EmbedDraft()
    draft.title(safe(ref.title or f"Article #{ref.id}"), ref.url)
    if item.quotes:
        quote = item.quotes[0]
        speaker = safe_clip(quote.speaker or "Unknown speaker", 100)
        draft.description(f"“{safe_clip(quote.text, 400)}” — {speaker}")
    bits = [ref.source or "", ref.published_at.date().isoformat() if ref.published_at else ""]
    draft.footer(" · ".join(b for b in bits if b) or f"#{ref.id}")
    return draft.embed


def styled_item_embed(item: DigestItem, style: PostSettings) -> discord.Embed:
    """One digest article in the server's style, with at most its number of people."""
    if style.style == PostStyle.COMPACT:
        return compact_item_embed(item)
    return digest_item_embed(replace(item, people=item.people[: style.max_people]))


def ping_prefix(style: PostSettings | None) -> str:
    """The role mention a digest starts with (empty without a ping role)."""
    if style is None or style.ping_role_id is None:
        return ""
    return f"<@&{style.ping_role_id}> "


def styled_digest_messages(
    digest: Digest, style: PostSettings, heading: str = "Byline digest"
) -> list[Message]:
    """A digest in the server's style; the first message starts with the ping role, if any."""
    count = len(digest.items)
    content = (
        f"{ping_prefix(style)}**{safe(heading)}** · {count} new article{'s' if count != 1 else ''}"
    )
    if digest.more_count:
        content += f" (+{digest.more_count} more waiting)"
    return pack([styled_item_embed(item, style) for item in digest.items], content)


def thread_name(text: str) -> str:
    """A thread or forum post name: plain text, 1-100 characters."""
    return plain_clip(text, THREAD_NAME_MAX)


def post_settings_text(style: PostSettings) -> str:
    """The answer to /config style, /config ping and /config thread."""
    ping = f"<@&{style.ping_role_id}>" if style.ping_role_id else "nobody"
    thread = "a thread on each digest" if style.thread_per_digest else "no thread"
    return (
        f"Digests are posted in the **{style.style}** style with up to {style.max_people} people "
        f"per article, pinging {ping}, with {thread}."
    )
