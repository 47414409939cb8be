"""The one fake HTTP origin of the suite: a local site, feeds of every kind and article pages."""

from __future__ import annotations

import asyncio
import html
import json
import threading
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.app import App
from bot.settings import Settings

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_FIRST = ["Amara", "Tomas", "Ingrid", "Rafael", "Mei", "Oskar", "Leila", "Jonas", "Priya", "Elena"]
_LAST = ["Okafor", "Lindqvist", "Moreau", "Castillo", "Tanaka", "Brandt", "Haddad", "Novak"]
_PLACES = ["Riverton", "Lakeshore", "Port Alden", "Millbrook", "Eastfield", "Granite Falls"]
_TOPICS = ["water treatment plant", "bus network", "library expansion", "flood barrier", "bridge"]
# Words for a paragraph of its own in every story: the stories share a template, and without
# text of their own they would be near-duplicates (copies) of one another.
_WORDS = (
    "budget harbor school tax rail road park clinic market farm river museum station bakery "
    "ferry tunnel garden stadium hospital college factory airport canal orchard theater chapel "
    "warehouse pier reservoir hotel courthouse lighthouse quarry vineyard depot arena plaza "
    "parade festival concert auction lottery election strike drought storm flood harvest"
).split()


def _own_paragraph(n: int) -> str:
    import random

    rng = random.Random(f"story-{n}")
    return (
        "Residents mentioned "
        + " and ".join(" ".join(rng.sample(_WORDS, 3)) for _ in range(40))
        + " among their concerns."
    )


@dataclass(frozen=True)
class Story:
    """A made-up news story with enough text for extraction and analysis."""

    n: int
    title: str
    paragraphs: tuple[str, ...]
    author: str
    published: datetime


def story(n: int, *, title: str | None = None) -> Story:
    """Story number n: different first words (and similarity key) for every n."""
    person = f"{_FIRST[n % len(_FIRST)]} {_LAST[n % len(_LAST)]}"
    place = _PLACES[n % len(_PLACES)]
    topic = _TOPICS[n % len(_TOPICS)]
    surname = person.split()[1]
    paragraphs = (
        f"Story {n}: the city council of {place} voted on Tuesday to approve a new {topic}, "
        f"ending a debate that had lasted {n + 3} months.",
        f'"This is the most important decision we have made in a decade," said Mayor {person}, '
        f"who had campaigned for the project since taking office.",
        f"The plan will cost about {n + 12} million dollars and construction is expected to begin "
        f"next spring, according to the council's own estimates published in {place}.",
        f"Opponents argued that the money should go to schools instead. {surname} said the "
        "council would hold three public meetings before the first contract is signed.",
        _own_paragraph(n),
    )
    return Story(
        n=n,
        title=title or f"{place} council approves {topic} plan ({n})",
        paragraphs=paragraphs,
        author="Dana Whitfield",
        published=datetime(2026, 3, 1, 9, 0, tzinfo=UTC) + timedelta(hours=n),
    )


def article_page(s: Story, *, canonical: str | None = None, lang_meta: str = "") -> bytes:
    """An article page with navigation and footer boilerplate around the story."""
    link = f'<link rel="canonical" href="{html.escape(canonical)}">' if canonical else ""
    body = "".join(f"<p>{html.escape(p)}</p>" for p in s.paragraphs)
    return (
        "<!doctype html><html><head>"
        f"{lang_meta}<title>{html.escape(s.title)}</title>{link}"
        f'<meta name="author" content="{s.author}">'
        f'<meta property="article:published_time" content="{s.published.isoformat()}">'
        "</head><body><nav><a href='/'>Home</a> | <a href='/world'>World</a></nav>"
        f"<article><h1>{html.escape(s.title)}</h1>{body}</article>"
        "<footer>Copyright 2026 The Local Paper. All rights reserved.</footer>"
        "</body></html>"
    ).encode()


@dataclass(frozen=True)
class Item:
    """One feed entry."""

    guid: str
    link: str
    title: str
    published: datetime


def rss20(items: list[Item], title: str = "Local Paper") -> bytes:
    entries = "".join(
        f"<item><title>{html.escape(i.title)}</title><link>{html.escape(i.link)}</link>"
        f"<guid>{html.escape(i.guid)}</guid>"
        f"<pubDate>{i.published.strftime('%a, %d %b %Y %H:%M:%S GMT')}</pubDate></item>"
        for i in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>http://paper.test/</link>{entries}</channel></rss>"
    ).encode()


def rss091(items: list[Item], title: str = "Local Paper") -> bytes:
    entries = "".join(
        f"<item><title>{html.escape(i.title)}</title><link>{html.escape(i.link)}</link></item>"
        for i in items
    )
    return (
        '<?xml version="1.0"?><rss version="0.91"><channel>'
        f"<title>{title}</title><link>http://paper.test/</link><description>news</description>"
        f"<language>en</language>{entries}</channel></rss>"
    ).encode()


def rss10(items: list[Item], title: str = "Local Paper") -> bytes:
    entries = "".join(
        f'<item rdf:about="{html.escape(i.link)}"><title>{html.escape(i.title)}</title>'
        f"<link>{html.escape(i.link)}</link><dc:date>{i.published.isoformat()}</dc:date></item>"
        for i in items
    )
    return (
        '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<channel rdf:about="http://paper.test/"><title>{title}</title>'
        f"<link>http://paper.test/</link><description>news</description></channel>"
        f"{entries}</rdf:RDF>"
    ).encode()


def atom(items: list[Item], title: str = "Local Paper") -> bytes:
    entries = "".join(
        f"<entry><title>{html.escape(i.title)}</title>"
        f'<link rel="alternate" href="{html.escape(i.link)}"/><id>{html.escape(i.guid)}</id>'
        f"<updated>{i.published.isoformat()}</updated></entry>"
        for i in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{title}</title><id>urn:paper</id><updated>2026-03-01T00:00:00Z</updated>"
        f"{entries}</feed>"
    ).encode()


def jsonfeed(items: list[Item], title: str = "Local Paper") -> bytes:
    return json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": title,
            "items": [
                {
                    "id": i.guid,
                    "url": i.link,
                    "title": i.title,
                    "date_published": i.published.isoformat(),
                }
                for i in items
            ],
        }
    ).encode()


FEED_KINDS: dict[str, tuple[Callable[[list[Item]], bytes], str]] = {
    "rss091": (rss091, "application/rss+xml"),
    "rss10": (rss10, "application/rdf+xml"),
    "rss20": (rss20, "application/rss+xml"),
    "atom": (atom, "application/atom+xml"),
    "jsonfeed": (jsonfeed, "application/feed+json"),
}


class Site:
    """A local web site whose routes can change during a test; counts hits per path."""

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.headers: dict[str, dict[str, str]] = {}
        self.routes: dict[str, Handler] = {}
        # Set when the test ends, so handlers that stall on purpose can finish.
        self.release = asyncio.Event()
        self.app = web.Application(middlewares=[self._count])
        # Routes are looked up per request because aiohttp freezes its router at start-up.
        self.app.router.add_get("/{tail:.*}", self._dispatch)
        self.server: TestServer | None = None

    async def start(self) -> None:
        self.server = TestServer(self.app, host="127.0.0.1")
        await self.server.start_server()

    async def close(self) -> None:
        self.release.set()
        if self.server is not None:
            await self.server.close()

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        handler = self.routes.get(request.path)
        if handler is None:
            raise web.HTTPNotFound()
        return await handler(request)

    @web.middleware
    async def _count(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        self.hits[request.path] += 1
        self.headers[request.path] = dict(request.headers)
        return await handler(request)

    @property
    def port(self) -> int:
        assert self.server is not None and self.server.port is not None
        return self.server.port

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def route(self, path: str, handler: Handler) -> None:
        self.routes[path] = handler

    def static(
        self,
        path: str,
        body: bytes,
        content_type: str | None = "text/html; charset=utf-8",
        etag: str | None = None,
        **headers: str,
    ) -> None:
        """Serve fixed bytes; with an etag, answer If-None-Match with 304."""

        async def handler(request: web.Request) -> web.Response:
            if etag is not None and request.headers.get("If-None-Match") == etag:
                return web.Response(status=304, headers={"ETag": etag})
            response = web.Response(body=body, headers=headers)
            if content_type is None:
                # aiohttp would otherwise add application/octet-stream for us.
                response.headers.popall("Content-Type", None)
            else:
                response.headers["Content-Type"] = content_type
            if etag is not None:
                response.headers["ETag"] = etag
            return response

        self.route(path, handler)

    def page(self, path: str, s: Story, **kwargs: str | None) -> str:
        self.static(path, article_page(s, **kwargs))  # type: ignore[arg-type]
        return self.url(path)

    def feed(self, path: str, kind: str, items: list[Item], etag: str | None = None) -> str:
        render, content_type = FEED_KINDS[kind]
        self.static(path, render(items), content_type, etag=etag)
        return self.url(path)

    def stories(self, prefix: str, numbers: range | list[int]) -> list[Item]:
        """Serve story pages for these numbers and return feed items linking to them."""
        items = []
        for n in numbers:
            s = story(n)
            link = self.page(f"{prefix}/{n}", s)
            items.append(Item(f"{prefix}-{n}", link, s.title, s.published))
        return items

    def page_hits(self, prefix: str) -> int:
        return sum(c for p, c in self.hits.items() if p.startswith(prefix + "/"))


class ThreadedSite:
    """A Site served from its own thread and loop, for code that calls asyncio.run itself."""

    def __init__(self) -> None:
        self.site = Site()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def __enter__(self) -> Site:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.site.start(), self._loop).result(10)
        return self.site

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.site.close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()


# ---- fixtures (loaded by tests/conftest.py) -------------------------------------------------

MakeApp = Callable[..., Awaitable[App]]


@pytest.fixture
async def site() -> AsyncIterator[Site]:
    """The local origin, started for one test."""
    s = Site()
    await s.start()
    try:
        yield s
    finally:
        await s.close()


@pytest.fixture
async def make_app(tmp_path: Path, site: Site) -> AsyncIterator[MakeApp]:
    """Open Apps whose fetcher may reach the local site (and nothing else local)."""
    opened: list[App] = []

    async def make(fetch: dict[str, Any] | None = None, **sections: Any) -> App:
        name = f"byline-{len(opened)}.db" if opened else "byline.db"  # the first is db_url's
        settings = Settings(
            database={"url": f"sqlite+aiosqlite:///{tmp_path / name}"},
            fetch={"allow_hosts": [site.host], **(fetch or {})},
            **sections,
        )
        app = await App.open(settings, processes=False)
        opened.append(app)
        return app

    try:
        yield make
    finally:
        for app in opened:
            await app.close()
