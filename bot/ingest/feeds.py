"""Parse RSS, Atom and JSON Feed documents that the guarded fetcher already downloaded."""

from __future__ import annotations

import calendar
import codecs
import hashlib
import json
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

import feedparser

from bot.errors import SourceUnavailable

MAX_ITEMS = 200
# Items parsed before sorting: bounds the parse of a 10,000-item archive feed while still
# finding the newest items of a feed that lists oldest first (up to this many).
MAX_ITEMS_PARSED = 1000
MAX_JSON_BYTES = 10 * 1024 * 1024
MAX_TITLE_CHARS = 1000
MAX_SUMMARY_CHARS = 4000
# A publication date further ahead than this is a lie that would pin the item on top.
_FUTURE_SLACK = timedelta(days=1)

_NOT_A_FEED = "that address is not a feed Byline can read (RSS, Atom or JSON Feed)"


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One entry of a feed, with plain-text title and summary."""

    guid: str
    link: str | None
    title: str
    published_at: datetime | None
    summary: str


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A parsed feed: its items newest first, capped at MAX_ITEMS."""

    title: str
    link: str | None
    version: str
    items: tuple[FeedItem, ...]
    total_items: int
    malformed: bool


def parse_feed(body: bytes, base_url: str, *, max_items: int = MAX_ITEMS) -> ParsedFeed:
    """Parse feed bytes into items (newest first), or raise SourceUnavailable."""
    if not isinstance(body, bytes):
        # feedparser treats a str as a URL or a file name to open (F5): never hand it one.
        raise TypeError("parse_feed takes the feed's bytes")
    if _first_byte(body) == b"{":
        return _parse_json_feed(body, base_url, max_items)
    return _parse_xml_feed(body, base_url, max_items)


def detect_kind(body: bytes, content_type: str | None) -> Literal["feed", "page"]:
    """Tell whether a body is a feed (RSS, Atom, RDF, JSON Feed) or an HTML page."""
    head = _sniff_text(body)
    if head.lstrip().startswith("{"):
        return "feed" if "jsonfeed.org/version" in head else "page"
    feed_at = _FEED_ROOT.search(head)
    html_at = _HTML_ROOT.search(head)
    if feed_at and (html_at is None or feed_at.start() < html_at.start()):
        return "feed"
    if html_at:
        return "page"
    mimetype = (content_type or "").split(";", 1)[0].strip().lower()
    if mimetype.endswith(("rss+xml", "atom+xml", "rdf+xml", "feed+json", "/xml")):
        return "feed"
    return "page"


_FEED_ROOT = re.compile(r"<(?:[\w.-]{1,40}:)?(?:rss|feed|RDF)[\s>]")
_HTML_ROOT = re.compile(r"<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>])", re.IGNORECASE)


def _sniff_text(body: bytes) -> str:
    head = body[:8192]
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):
            return head[len(bom) :].decode(encoding, errors="replace")
    return head.decode("utf-8", errors="replace").lstrip("\ufeff")


def _first_byte(body: bytes) -> bytes:
    return body[:64].lstrip(codecs.BOM_UTF8).lstrip()[:1]


_CLOSE_ITEM = re.compile(rb"</(?:[\w.-]{1,40}:)?(?:item|entry)\s*>")
_ROOT_TAG = re.compile(rb"<([\w.-]{1,40}:)?(rss|RDF|feed)[\s>]")


def _truncate(body: bytes, keep: int) -> tuple[bytes, int]:
    """Cut a huge feed after `keep` items, closing the root so it stays well-formed."""
    ends = [m.end() for m in _CLOSE_ITEM.finditer(body)]
    if len(ends) <= keep:
        return body, len(ends)
    root = _ROOT_TAG.search(body[:65536])
    if root is None:
        return body, len(ends)
    prefix = (root.group(1) or b"").decode("ascii")
    name = root.group(2).decode("ascii")
    closer = f"</channel></{prefix}{name}>" if name == "rss" else f"</{prefix}{name}>"
    return body[: ends[keep - 1]] + closer.encode("ascii"), len(ends)


def _parse_xml_feed(body: bytes, base_url: str, max_items: int) -> ParsedFeed:
    body, total = _truncate(body, MAX_ITEMS_PARSED)
    parsed = feedparser.parse(
        body,
        # content-location gives feedparser the base for relative links; the content type
        # keeps it from flagging every feed as malformed for a missing header.
        response_headers={"content-location": base_url, "content-type": "application/xml"},
        sanitize_html=True,
    )
    entries: list[Any] = list(parsed.entries)
    version = str(parsed.get("version") or "")
    if not version and not entries:
        raise SourceUnavailable(_NOT_A_FEED)
    feed = parsed.feed
    items = [_xml_item(entry, base_url) for entry in entries]
    return ParsedFeed(
        title=_clip(_text_of(feed, "title"), MAX_TITLE_CHARS),
        link=_absolute(feed.get("link"), base_url),
        version=version or "unknown",
        items=_newest(items, max_items),
        total_items=max(total, len(entries)),
        malformed=bool(parsed.get("bozo")),
    )


def _xml_item(entry: Any, base_url: str) -> FeedItem:
    link = _absolute(entry.get("link"), base_url)
    title = _clip(_text_of(entry, "title"), MAX_TITLE_CHARS)
    summary = _clip(_text_of(entry, "summary"), MAX_SUMMARY_CHARS)
    published = _from_struct(entry.get("published_parsed") or entry.get("updated_parsed"))
    guid = str(entry.get("id") or "") or link or _hash_id(title, published, summary)
    return FeedItem(guid, link, title, published, summary)


def _text_of(node: Any, key: str) -> str:
    value = str(node.get(key) or "")
    detail = node.get(f"{key}_detail") or {}
    if "html" in str(detail.get("type", "")) or key == "summary":
        return html_to_text(value)
    return " ".join(value.split())


def _from_struct(value: time.struct_time | None) -> datetime | None:
    if value is None:
        return None
    try:
        # timegm, unlike mktime, takes UTC and copes with dates before 1970.
        moment = datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None
    return _plausible(moment)


def _plausible(moment: datetime) -> datetime | None:
    return None if moment > datetime.now(UTC) + _FUTURE_SLACK else moment


def _parse_json_feed(body: bytes, base_url: str, max_items: int) -> ParsedFeed:
    if len(body) > MAX_JSON_BYTES:
        raise SourceUnavailable("the feed is too large to read")
    try:
        data = json.loads(body.decode("utf-8", errors="replace").lstrip("\ufeff"))
    except (ValueError, RecursionError):
        raise SourceUnavailable(_NOT_A_FEED) from None
    if not isinstance(data, dict):
        raise SourceUnavailable(_NOT_A_FEED)
    version = str(data.get("version") or "")
    raw_items = data.get("items")
    if not version.startswith("https://jsonfeed.org/version/") or not isinstance(raw_items, list):
        raise SourceUnavailable(_NOT_A_FEED)
    items = [
        _json_item(raw, base_url) for raw in raw_items[:MAX_ITEMS_PARSED] if isinstance(raw, dict)
    ]
    home = data.get("home_page_url")
    return ParsedFeed(
        title=_clip(" ".join(str(data.get("title") or "").split()), MAX_TITLE_CHARS),
        link=_absolute(home if isinstance(home, str) else None, base_url),
        version="json" + version.rsplit("/", 1)[-1].replace(".", ""),
        items=_newest(items, max_items),
        total_items=len(raw_items),
        malformed=False,
    )


def _json_item(raw: dict[str, Any], base_url: str) -> FeedItem:
    url = raw.get("url") or raw.get("external_url")
    link = _absolute(url if isinstance(url, str) else None, base_url)
    title = _clip(" ".join(_str(raw.get("title")).split()), MAX_TITLE_CHARS)
    summary_source = _str(raw.get("summary")) or _str(raw.get("content_text"))
    summary = html_to_text(summary_source or _str(raw.get("content_html")))
    summary = _clip(summary, MAX_SUMMARY_CHARS)
    published = _from_iso(_str(raw.get("date_published")) or _str(raw.get("date_modified")))
    guid = _str(raw.get("id")) or link or _hash_id(title, published, summary)
    return FeedItem(guid, link, title, published, summary)


def _str(value: object) -> str:
    # JSON Feed ids are strings by spec, but numbers show up in the wild.
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _from_iso(value: str) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # RFC 3339 requires an offset; assume UTC
    return _plausible(moment.astimezone(UTC))


def _newest(items: list[FeedItem], limit: int) -> tuple[FeedItem, ...]:
    # Stable sort: undated items keep their feed order, after the dated ones.
    floor = datetime.min.replace(tzinfo=UTC)
    ordered = sorted(
        items, key=lambda i: (i.published_at is not None, i.published_at or floor), reverse=True
    )
    return tuple(ordered[:limit])


def _absolute(link: str | None, base_url: str) -> str | None:
    if not link or not isinstance(link, str):
        return None
    absolute = urljoin(base_url, link.strip())
    # A javascript: or data: link is never something we want to follow or show.
    return absolute if urlsplit(absolute).scheme in ("http", "https") else None


def _hash_id(title: str, published: datetime | None, summary: str) -> str:
    key = f"{title}\x00{published.isoformat() if published else ''}\x00{summary[:200]}"
    return "sha1:" + hashlib.sha1(key.encode("utf-8"), usedforsecurity=False).hexdigest()


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    # HTMLParser's signature; only the tag matters here.
    def handle_starttag(
        self,
        tag: str,
        _attrs: list[tuple[str, str | None]],
    ) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in ("br", "p", "div", "li"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Turn a sanitised HTML fragment into one line of plain text."""
    if "<" not in markup and "&" not in markup:
        return " ".join(markup.split())
    collector = _TextCollector()
    collector.feed(markup)
    collector.close()
    return " ".join("".join(collector.parts).split())
