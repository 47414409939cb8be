"""Turn one article URL into a cleaned RawArticle: guarded fetch, extraction, checks."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from bot.errors import BylineError, InvalidInput, SourceUnavailable
from bot.ingest.charset import decode_text
from bot.ingest.fetcher import FetchResult, GuardedFetcher
from bot.ingest.html import ExtractedPage, extract_html
from bot.ingest.readers import RawArticle, build_article
from bot.ingest.urls import canonical_url

logger = logging.getLogger(__name__)

NO_TEXT_MESSAGE = "no article text found on that page"
# Below this many characters an "article" is a teaser, a paywall stub or a page that the
# HTML parser cut off (libxml2 truncates huge or deep pages silently, RELIABILITY F7).
MIN_ARTICLE_CHARS = 280


class ExtractionFailed(SourceUnavailable):
    """The page was fetched but holds no usable article text (retrying will not help)."""


@dataclass(frozen=True, slots=True)
class FetchedArticle:
    """An extracted article and the canonical URL it is stored under."""

    raw: RawArticle
    canonical_url: str
    final_url: str


async def fetch_article(
    fetcher: GuardedFetcher, url: str, *, source: str | None = None
) -> FetchedArticle:
    """Fetch and extract one article page, or raise a BylineError in plain words."""
    result = await fetcher.fetch(url, kind="page")
    return await article_from_page(result, url, source=source)


async def article_from_page(
    result: FetchResult, requested_url: str, *, source: str | None = None
) -> FetchedArticle:
    """Extract the article of an already fetched page (off the event loop)."""
    html = result.text if result.text is not None else decode_text(result.body, None)
    final_url = result.final_url or requested_url
    # trafilatura is CPU work over up to fetch.max_bytes of HTML; keep the loop free.
    page = await asyncio.to_thread(extract_html, html, final_url)
    text = _without_headline(page.text, page.title) if page is not None else ""
    if page is None or not text:
        raise ExtractionFailed(NO_TEXT_MESSAGE)
    if len(text) < MIN_ARTICLE_CHARS:
        raise ExtractionFailed(
            f"{NO_TEXT_MESSAGE} (only {len(text)} characters); it is not an article, "
            "or the page is cut off"
        )
    link = _link_for(page, final_url)
    canonical = canonical_url(link)
    try:
        raw = build_article(
            final_url,
            page.title or "",
            text,
            url=link,
            published_at=_date_or_none(page.date),
            source=page.sitename or source,
            authors=page.author,
        )
    except InvalidInput:
        raise ExtractionFailed(NO_TEXT_MESSAGE) from None
    return FetchedArticle(raw=raw, canonical_url=canonical, final_url=final_url)


def _without_headline(text: str, title: str | None) -> str:
    """Drop a first paragraph that repeats the headline (trafilatura keeps the <h1>)."""
    text = text.strip()
    first, _, rest = text.partition("\n\n")
    # Two outlets running one wire story under their own headlines must give the same body,
    # so that the digest folds them by similarity key.
    if title and rest and _words(first) == _words(title):
        return rest.strip()
    return text


def _words(text: str) -> list[str]:
    return text.casefold().split()


def _date_or_none(value: str | None) -> str | None:
    if not value:
        return None
    from bot.ingest.readers import parse_datetime

    try:
        parse_datetime(value)
    except BylineError:
        return None  # an unreadable date is not a reason to lose the article
    return value


def _link_for(page: ExtractedPage, final_url: str) -> str:
    """The page's own canonical link when it stays on the same site, else the fetched URL."""
    claimed = urljoin(final_url, (page.url or "").strip())
    if not claimed or claimed == final_url or len(claimed) > 2048:
        return final_url
    try:
        candidate = canonical_url(claimed)
    except InvalidInput:
        return final_url
    # A page may only speak for its own site: otherwise any page could claim to be another
    # site's article and overwrite it in the store.
    fetched = canonical_url(final_url)
    if _same_site(urlsplit(candidate).hostname or "", urlsplit(fetched).hostname or ""):
        return claimed
    logger.info("ignored a canonical link to another site on %s", urlsplit(fetched).hostname)
    return final_url


def _same_site(a: str, b: str) -> bool:
    return a == b or a.endswith("." + b) or b.endswith("." + a)
