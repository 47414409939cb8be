"""Readable plain-text rendering for the command line."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.domain import (
    ArticleRef,
    ArticleStatus,
    Digest,
    EventView,
    GuildStatus,
    IngestOutcome,
    PersonCard,
    QuoteView,
    ScheduleInfo,
    SearchHit,
    SlotOutcome,
    SlotStatus,
    SourceLink,
    StoryView,
)


def _cite(ref: ArticleRef) -> str:
    where = ref.url or (ref.source or "")
    text = f"#{ref.id} {ref.title}" + (f" <{where}>" if where else "")
    if ref.copies:
        text += " (also: " + ", ".join(_link(c) for c in ref.copies) + ")"
    return text


def _link(link: SourceLink) -> str:
    name = link.source or "another source"
    return f"{name} <{link.url}>" if link.url else name


def reported_by(sources: Sequence[SourceLink], shown: int = 2) -> str:
    """ "Reported by Wire One, Daily Paper and 1 more" (names only; links listed apart)."""
    names = list(dict.fromkeys(s.source or "another source" for s in sources))
    if len(names) <= shown + 1:
        listed = names[:-1]
        return "Reported by " + (", ".join(listed) + " and " if listed else "") + names[-1]
    return f"Reported by {', '.join(names[:shown])} and {len(names) - shown} more"


def _wrap(text: str, indent: str = "  ") -> str:
    return textwrap.fill(text, width=96, initial_indent=indent, subsequent_indent=indent)


def extracted(record: dict[str, Any]) -> str:
    """One extracted file."""
    head = f"== {record['title']} ({record['path']})"
    meta = [
        f"url: {record['url']}" if record["url"] else "",
        f"published: {record['published_at'].isoformat()}" if record["published_at"] else "",
    ]
    return "\n".join([head, *[m for m in meta if m], "", record["text"], ""])


def analysis(record: dict[str, Any]) -> str:
    """One analysed file."""
    lines = [f"== {record['title']} ({record['path']})", "Summary:"]
    lines += [_wrap(s) for s in record["summary"]]
    lines.append("People:")
    for p in record["people"]:
        desc = f" — {'; '.join(p['descriptions'])}" if p["descriptions"] else ""
        lines.append(f"  {p['name']} ({p['mentions']}){desc}")
    lines.append("Quotes:")
    for q in record["quotes"]:
        lines.append(_wrap(f"“{q['text']}” — {q['speaker'] or 'unknown speaker'}"))
    lines.append("Events:")
    for e in record["events"]:
        bits = [e["name"], e["when"] or "", e["where"] or "", ", ".join(e["people"])]
        lines.append("  " + " | ".join(b for b in bits if b))
    lines.append(f"Places: {', '.join(record['places'])}")
    lines.append(f"Organizations: {', '.join(record['organizations'])}")
    return "\n".join(lines) + "\n"


def outcome(item: IngestOutcome) -> str:
    """One ingest result line."""
    ident = f"#{item.article_id} " if item.article_id else ""
    text = f"{item.status:<9} {ident}{item.title or ''} ({item.path})"
    return text + (f": {item.message}" if item.message else "")


def outcome_summary(items: Sequence[IngestOutcome]) -> str:
    """Counts of an ingest run."""
    counts: dict[str, int] = {}
    for item in items:
        counts[item.status] = counts.get(item.status, 0) + 1
    parts = [
        f"{counts.get(k, 0)} {k}" for k in ("added", "updated", "linked", "unchanged", "failed")
    ]
    return f"{len(items)} articles: " + ", ".join(parts)


def person(card: PersonCard) -> str:
    """A person's card."""
    lines = [
        f"{card.name} — in {card.article_count} article{'s' if card.article_count != 1 else ''}"
    ]
    if card.aliases:
        lines.append(f"  also: {', '.join(card.aliases)}")
    for description in card.descriptions:
        lines.append(f"  · {description}")
    if card.quotes:
        lines.append("Latest quotes:")
        for quote in card.quotes:
            lines.append(_wrap(f"“{quote.text}” — {_cite(quote.article)}"))
    if card.co_mentioned:
        lines.append("Mentioned with: " + ", ".join(f"{n} ({c})" for n, c in card.co_mentioned))
    return "\n".join(lines)


def quotes(items: Sequence[QuoteView]) -> str:
    """A list of quotes."""
    if not items:
        return "No quotes found."
    return "\n".join(
        _wrap(
            f"“{q.text}” — {q.speaker or 'unknown speaker'} ("
            + "; ".join(_cite(r) for r in (q.article, *q.also_in))
            + ")",
            "",
        )
        for q in items
    )


def event_line(view: EventView) -> str:
    """One event on one line."""
    when = view.when_start.isoformat() if view.when_start else (view.when_text or "date unknown")
    if view.when_start and view.when_end and view.when_end != view.when_start:
        when = f"{view.when_start.isoformat()}..{view.when_end.isoformat()}"
    bits = [view.name, when, view.where or "", ", ".join(view.people)]
    return " | ".join(b for b in bits if b)


def events(items: Sequence[EventView]) -> str:
    """A list of events with their sources."""
    if not items:
        return "No events found."
    lines = []
    for view in items:
        lines.append(f"#{view.id} {event_line(view)}")
        for source in view.sources[:3]:
            lines.append(_wrap(f"{source.sentence} ({_cite(source.article)})"))
    return "\n".join(lines)


def search_hits(hits: Sequence[SearchHit]) -> str:
    """Search results."""
    if not hits:
        return "No articles match."
    return "\n".join(f"{_cite(h.ref)}\n{_wrap(h.snippet)}" for h in hits)


def article_list(rows: Sequence[tuple[ArticleRef, ArticleStatus]]) -> str:
    """Newest articles."""
    if not rows:
        return "No articles yet. Run `byline ingest samples/` to add some."
    return "\n".join(f"{status:<9} {_cite(ref)}" for ref, status in rows)


def digest(doc: Digest) -> str:
    """A digest preview."""
    if not doc.items:
        return "Nothing new for a digest."
    lines = [f"Byline digest — {len(doc.items)} article{'s' if len(doc.items) != 1 else ''}", ""]
    for item in doc.items:
        lines.append(f"■ {'Update: ' if item.update else ''}{item.ref.title}")
        if item.ref.url:
            lines.append(f"  {item.ref.url}")
        for sentence in item.summary:
            lines.append(_wrap(sentence))
        for quote in item.quotes:
            lines.append(_wrap(f"❝{quote.text}❞ — {quote.speaker or 'unknown speaker'}"))
        if item.people:
            lines.append(f"  People: {', '.join(item.people)}")
        if len(item.sources) > 1:
            lines.append(f"  {reported_by(item.sources)}:")
            lines.extend(f"    {_link(link)}" for link in item.sources)
        lines.append("")
    if doc.more_count:
        lines.append(f"+{doc.more_count} more")
    return "\n".join(lines)


def _moment(value: datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value else "-"


def schedule_info(info: ScheduleInfo) -> str:
    """A server's settings."""
    config = info.config
    channel = f"#{config.channel_id}" if config.channel_id else "not set"
    return "\n".join(
        [
            f"server {config.guild_id}",
            f"  digest channel: {channel}",
            f"  schedule: {info.description} ({config.timezone})"
            + (" · paused" if config.paused else ""),
            f"  limits: {config.max_articles} articles, {config.max_quotes} quotes each",
            f"  next digest: {_moment(info.next_at)}",
        ]
    )


def guild_status(status: GuildStatus) -> str:
    """A server's digest status."""
    config = status.config
    channel = f"#{config.channel_id}" if config.channel_id else "not set"
    lines = [
        f"server {config.guild_id}",
        f"  digest channel: {channel}",
        f"  schedule: {status.schedule} ({config.timezone})"
        + (" · paused" if config.paused else ""),
        f"  last digest: {_moment(config.last_digest_at)}",
        f"  next digest: {_moment(status.next_at)}",
        f"  articles waiting: {status.waiting}",
    ]
    lines += [f"  problem: {p}" for p in status.problems] or ["  problems: none"]
    return "\n".join(lines)


def slot_outcome(outcome: SlotOutcome) -> str:
    """What posting a digest did."""
    text = f"digest {outcome.status.value}"
    if outcome.status == SlotStatus.POSTED:
        text += f": {outcome.articles} articles in {outcome.messages} messages"
    elif outcome.detail:
        text += f": {outcome.detail}"
    return text


def stories(items: Sequence[StoryView]) -> str:
    """Stories with their articles and every place each was published."""
    if not items:
        return "No stories in that time. Stories form when two sources report one happening."
    lines = []
    for view in items:
        lines.append(f"story #{view.id} · {view.title} · {reported_by(view.sources)}")
        for ref in view.articles:
            lines.append(f"  {_cite(ref)}")
        if view.people:
            lines.append(f"  People: {', '.join(view.people)}")
        lines.append("")
    return "\n".join(lines).rstrip()
