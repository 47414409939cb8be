"""Fetch an address once and tell whether it is a feed or an article page."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from bot.errors import FetchRefused, SourceUnavailable
from bot.ingest.feeds import ParsedFeed, detect_kind, parse_feed
from bot.ingest.fetcher import FetchResult, GuardedFetcher

# The fetcher's refusal for an HTML page fetched as a feed starts like this; it is the
# one refusal after which the address is worth a second try as a page.
_WEB_PAGE_REFUSAL = "that address is a web page"


@dataclass(frozen=True, slots=True)
class Probe:
    """What one fetch of a new source showed."""

    kind: str  # "feed" | "page"
    title: str | None
    final_url: str


async def probe(fetcher: GuardedFetcher, url: str) -> Probe:
    """Fetch a new source and classify it, or raise a BylineError in plain words."""
    try:
        result = await fetcher.fetch(url, kind="feed")
    except FetchRefused as exc:
        if not exc.message.startswith(_WEB_PAGE_REFUSAL):
            raise
        page = await fetcher.fetch(url, kind="page")
        return Probe("page", _page_title(page), page.final_url)
    if detect_kind(result.body, result.content_type) == "page":
        # Served with an XML type but an XHTML page: treat it as the page it is.
        return Probe("page", None, result.final_url)
    feed = await parse_in_thread(result)
    return Probe("feed", feed.title or None, result.final_url)


async def parse_in_thread(result: FetchResult) -> ParsedFeed:
    """Parse feed bytes off the event loop (a 1,000-item feed takes a while)."""
    feed = await asyncio.to_thread(parse_feed, result.body, result.final_url)
    if not feed.items and feed.version == "unknown":
        raise SourceUnavailable(
            "that address is not a feed Byline can read (RSS, Atom or JSON Feed)"
        )
    return feed


def _page_title(result: FetchResult) -> str | None:
    import re

    match = re.search(r"<title[^>]*>([^<]{1,500})</title>", (result.text or "")[:65536], re.I)
    if match is None:
        return None
    import html

    return " ".join(html.unescape(match.group(1)).split())[:500] or None
