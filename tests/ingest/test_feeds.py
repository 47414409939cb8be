"""parse_feed and detect_kind on real feed formats and hostile inputs."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.errors import SourceUnavailable
from bot.ingest.feeds import MAX_ITEMS, ParsedFeed, detect_kind, parse_feed

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"
BASE = "https://feeds.example/news/feed.xml"


def load(name: str) -> ParsedFeed:
    return parse_feed((FIXTURES / name).read_bytes(), BASE)


def assert_newest_first(feed: ParsedFeed) -> None:
    dates = [i.published_at for i in feed.items if i.published_at is not None]
    assert dates == sorted(dates, reverse=True)
    for item in feed.items:
        assert item.published_at is None or item.published_at.utcoffset() == timedelta(0)


def test_rss_091() -> None:
    feed = load("rss091.xml")
    assert feed.version.startswith("rss091")
    assert feed.title == "Harbour Gazette"
    assert [i.title for i in feed.items] == ["Ferry timetable changes", "Café reopens on the quay"]
    # A relative link resolves against the address the feed came from.
    assert feed.items[1].link == "https://feeds.example/news/cafe-reopens"
    assert feed.items[1].summary == "After the storm repairs, the café is open again."


def test_rss_10_rdf() -> None:
    feed = load("rss10.rdf")
    assert feed.version == "rss10"
    assert [i.title for i in feed.items] == [
        "Coral survey finds recovery",
        "Comet seen from the southern hemisphere",
    ]
    comet = feed.items[1]
    assert comet.published_at == datetime(2026, 2, 10, 7, 30, tzinfo=UTC)
    assert comet.guid == comet.link == "https://science.example/a/comet"
    assert_newest_first(feed)


def test_rss_20() -> None:
    feed = load("rss20.xml")
    assert feed.version == "rss20"
    assert feed.title == "City Desk & Politics"
    by_title = {i.title: i for i in feed.items}
    budget = by_title["Council approves budget"]
    assert budget.guid == "city-1001"
    assert budget.published_at == datetime(2026, 3, 3, 10, 0, tzinfo=UTC)
    # feedparser's sanitiser removes scripts and handlers; we then keep plain text only.
    assert budget.summary == "The council voted 7-2."
    bridge = by_title["Bridge closed for repairs"]
    assert bridge.link == "https://feeds.example/2026/03/bridge"
    assert bridge.published_at == datetime(2026, 3, 4, 8, 15, tzinfo=UTC)
    assert bridge.summary == "Traffic is diverted until Friday."
    library = by_title["Library hours extended"]
    assert library.link is None  # javascript: links are dropped
    assert library.guid.startswith("sha1:")
    # A date in 2099 is not believed, so it cannot pin the item on top.
    assert by_title["Time traveller's report"].published_at is None
    assert [i.title for i in feed.items[:2]] == [
        "Bridge closed for repairs",
        "Council approves budget",
    ]
    assert_newest_first(feed)


def test_atom() -> None:
    feed = load("atom.xml")
    assert feed.version == "atom10"
    assert feed.title == "Tech Notes"
    first, second = feed.items
    assert first.title == "Release 2.0"
    assert first.guid == "tag:tech.example,2026:2"
    # xml:base applies to relative links; HTML titles become plain text.
    assert second.link == "https://tech.example/blog/posts/faster-builds"
    assert second.title == "Faster builds with caching"
    assert second.summary == "Cache & reuse."
    assert second.published_at == datetime(2026, 3, 1, 14, 0, tzinfo=UTC)


def test_json_feed_11() -> None:
    feed = load("jsonfeed11.json")
    assert feed.version == "json11"
    assert feed.title == "Morning Briefing"
    assert feed.link == "https://briefing.example/"
    markets, weather = feed.items
    assert markets.summary == "Stocks rose 1%."
    assert markets.published_at == datetime(2026, 3, 6, 6, 0, tzinfo=UTC)
    assert weather.guid == "1"  # numeric ids occur in the wild
    assert weather.link == "https://feeds.example/2026/03/05/weather"


def test_json_feed_10() -> None:
    feed = load("jsonfeed10.json")
    assert feed.version == "json1"
    (item,) = feed.items
    assert item.link == "https://elsewhere.example/story"
    assert item.summary == "A plain text body."
    assert item.published_at == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    "body",
    [
        b"<!doctype html><html><body><p>Not a feed</p></body></html>",
        b'{"version": "1.0", "items": []}',
        b"[1, 2, 3]",
        b"{" * 100_000,
        b"[" * 100_000 + b"]" * 100_000,
        b"",
    ],
)
def test_things_that_are_not_feeds_raise_source_unavailable(body: bytes) -> None:
    with pytest.raises(SourceUnavailable, match="not a feed"):
        parse_feed(body, BASE)


def test_parse_feed_never_takes_a_string() -> None:
    # feedparser would fetch a URL or open a file named by a string (F5).
    with pytest.raises(TypeError):
        parse_feed("/etc/passwd", BASE)  # type: ignore[arg-type]


def _big_feed(count: int, *, oldest_first: bool = False) -> bytes:
    newest = datetime(2026, 3, 1, tzinfo=UTC)
    order = range(count - 1, -1, -1) if oldest_first else range(count)
    items = "".join(
        f"<item><title>Item {n}</title><link>https://big.example/{n}</link>"
        f"<guid>big-{n}</guid><pubDate>{format_datetime(newest - timedelta(minutes=n))}</pubDate>"
        f"<description>Summary number {n} with a few words of text.</description></item>"
        for n in order
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>'
        f"<link>https://big.example/</link>{items}</channel></rss>"
    ).encode()


def test_ten_thousand_items_parse_fast_and_are_capped() -> None:
    body = _big_feed(10_000)
    assert len(body) > 1_500_000
    started = time.monotonic()
    feed = parse_feed(body, BASE)
    elapsed = time.monotonic() - started
    print(f"10,000-item feed ({len(body) / 1e6:.1f} MB) parsed in {elapsed:.2f}s")
    assert elapsed < 10
    assert len(feed.items) == MAX_ITEMS
    assert feed.total_items == 10_000
    assert feed.items[0].title == "Item 0"
    assert not feed.malformed
    assert_newest_first(feed)


def test_oldest_first_feed_still_yields_the_newest_items() -> None:
    feed = parse_feed(_big_feed(500, oldest_first=True), BASE, max_items=10)
    assert [i.title for i in feed.items] == [f"Item {n}" for n in range(10)]


def test_truncated_atom_feed_stays_well_formed() -> None:
    entries = "".join(
        f"<entry><title>E{n}</title><id>e{n}</id><link href='/e/{n}'/>"
        f"<updated>2026-01-01T00:00:00Z</updated></entry>"
        for n in range(1500)
    )
    body = f'<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>{entries}</feed>'.encode()
    feed = parse_feed(body, BASE)
    assert len(feed.items) == MAX_ITEMS
    assert feed.total_items == 1500
    assert not feed.malformed


def test_billion_laughs_parses_fast_and_leaves_literal_text() -> None:
    started = time.monotonic()
    feed = load("billion_laughs.xml")
    assert time.monotonic() - started < 1
    (item,) = feed.items
    assert item.title == "&lol9;"  # not expanded; downstream escaping still matters
    assert "lollol" not in item.summary
    assert feed.malformed


@pytest.fixture
async def external() -> AsyncIterator[tuple[TestServer, list[str]]]:
    """A local server standing in for the attacker's "external entity" host."""
    requests: list[str] = []

    async def record(request: web.Request) -> web.Response:
        requests.append(request.path)
        return web.Response(text="EXTERNAL-ENTITY-CONTENT")

    app = web.Application()
    app.router.add_get("/{tail:.*}", record)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield server, requests
    await server.close()


async def test_xxe_reads_no_file_and_makes_no_request(
    external: tuple[TestServer, list[str]], tmp_path: Path
) -> None:
    server, requests = external
    secret = tmp_path / "hostname"
    secret.write_text("SECRET-HOST-NAME\n")
    body = f"""<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY file SYSTEM "file://{secret}">
  <!ENTITY remote SYSTEM "http://127.0.0.1:{server.port}/xxe">
  <!ENTITY % dtd SYSTEM "http://127.0.0.1:{server.port}/dtd"> %dtd;
]>
<rss version="2.0"><channel><title>&file;</title>
<item><title>&file; and &remote;</title><link>https://x.example/1</link>
<description>&remote;</description></item>
<item><title>Plain item</title><link>https://x.example/2</link></item>
</channel></rss>""".encode()
    feed = parse_feed(body, BASE)
    rendered = json.dumps([feed.title, *[repr(i) for i in feed.items]])
    assert "SECRET-HOST-NAME" not in rendered
    assert "EXTERNAL-ENTITY-CONTENT" not in rendered
    assert requests == []
    assert "Plain item" in rendered


def test_malformed_feed_with_valid_entries_is_usable() -> None:
    body = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Half broken</title>
<item><title>One &undefined; entity</title><link>https://x.example/1</link></item>
<item><title>Two</title><link>https://x.example/2</link></item>
<item><title>Three</title><link>https://x.example/3</link></item>
</channel></rss>"""
    feed = parse_feed(body, BASE)
    assert feed.malformed
    assert len(feed.items) == 3


def test_long_titles_and_summaries_are_clipped() -> None:
    body = (
        '<rss version="2.0"><channel><title>T</title><item>'
        f"<title>{'word ' * 100_000}</title><description>{'text ' * 100_000}</description>"
        "<link>https://x.example/1</link></item></channel></rss>"
    ).encode()
    (item,) = parse_feed(body, BASE).items
    assert len(item.title) <= 1000
    assert len(item.summary) <= 4000


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("rss091.xml", "text/xml"),
        ("rss10.rdf", None),
        ("rss20.xml", "text/html"),
        ("atom.xml", "application/octet-stream"),
        ("jsonfeed11.json", "application/json"),
        ("billion_laughs.xml", None),
    ],
)
def test_detect_kind_finds_feeds(name: str, content_type: str | None) -> None:
    assert detect_kind((FIXTURES / name).read_bytes(), content_type) == "feed"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"<!DOCTYPE html><html><head><title>x</title></head><body></body></html>", None),
        (
            b'<html><head><link rel="alternate" type="application/rss+xml" href="/rss">'
            b"</head><body><pre>&lt;rss&gt;</pre></body></html>",
            "text/html",
        ),
        (
            b'\xef\xbb\xbf<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"></html>',
            None,
        ),
        (b'{"hello": "world"}', "application/json"),
        (b"just some text", "text/plain"),
    ],
)
def test_detect_kind_finds_pages(body: bytes, content_type: str | None) -> None:
    assert detect_kind(body, content_type) == "page"


def test_detect_kind_reads_utf16_feeds() -> None:
    body = '<?xml version="1.0" encoding="utf-16"?><rss version="2.0"></rss>'.encode("utf-16")
    assert detect_kind(body, None) == "feed"
