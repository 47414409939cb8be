"""ingest_url: normal pages, hostile pages and the same article under several URLs."""

from __future__ import annotations

import gzip

from aiohttp import web
from sqlalchemy import func, select

from bot.app import App
from bot.db.models import Article
from tests.site import MakeApp, Site, article_page, story

MiB = 1024 * 1024


async def articles(app: App) -> int:
    async with app.db.reader() as session:
        return int(await session.scalar(select(func.count()).select_from(Article)) or 0)


async def test_normal_page_is_extracted_analysed_and_stored(site: Site, app: App) -> None:
    url = site.page("/news/1", story(1))
    outcome = await app.articles.ingest_url(url)
    assert outcome.status == "added", outcome.message
    detail = await app.articles.article(outcome.article_id or 0)
    assert detail.ref.title == story(1).title
    assert detail.authors == ["Dana Whitfield"]
    assert detail.ref.published_at is not None
    assert "Copyright" not in " ".join(detail.summary)  # boilerplate left out
    assert detail.quotes and detail.people


async def test_gzip_bomb_page_is_refused_and_nothing_stored(site: Site, app: App) -> None:
    bomb = gzip.compress(b"<html><body><p>" + b"a" * (200 * MiB), compresslevel=9)

    async def handler(_: web.Request) -> web.Response:
        return web.Response(
            body=bomb, headers={"Content-Type": "text/html", "Content-Encoding": "gzip"}
        )

    site.route("/bomb", handler)
    outcome = await app.articles.ingest_url(site.url("/bomb"))
    assert outcome.status == "failed"
    assert outcome.message == "the page is larger than 5 MB"
    assert await articles(app) == 0


async def test_stalling_server_times_out_in_plain_words(site: Site, make_app: MakeApp) -> None:
    app = await make_app(fetch={"read_timeout_s": 0.5, "total_timeout_s": 2})

    async def stall(_: web.Request) -> web.Response:
        await site.release.wait()  # never answers before the test ends
        return web.Response(text="late")

    site.route("/stall", stall)
    outcome = await app.articles.ingest_url(site.url("/stall"))
    assert outcome.status == "failed"
    assert "did not answer within 0.5 seconds" in (outcome.message or "")
    assert await articles(app) == 0


async def test_redirect_to_another_local_port_is_refused(site: Site, app: App) -> None:
    other = Site()
    await other.start()
    try:
        other.page("/secret", story(9))

        async def redirect(_: web.Request) -> web.Response:
            raise web.HTTPFound(other.url("/secret"))

        site.route("/go", redirect)
        outcome = await app.articles.ingest_url(site.url("/go"))
        assert outcome.status == "failed"
        assert "private network" in (outcome.message or "")
        assert other.hits["/secret"] == 0
        assert await articles(app) == 0
    finally:
        await other.close()


async def test_page_lying_about_its_encoding_is_decoded(site: Site, app: App) -> None:
    s = story(4, title="Café owners welcome the council's plan")
    body = article_page(s).decode().replace("voted on Tuesday", "voted at the café on Tuesday")
    site.static("/latin", body.encode("cp1252"), "text/html; charset=utf-8")
    outcome = await app.articles.ingest_url(site.url("/latin"))
    assert outcome.status == "added", outcome.message
    detail = await app.articles.article(outcome.article_id or 0)
    assert detail.ref.title == "Café owners welcome the council's plan"
    async with app.db.reader() as session:
        text = await session.scalar(select(Article.clean_text))
    assert text is not None and "café" in text and "\ufffd" not in text


async def test_30_mb_single_line_page_is_refused_before_parsing(site: Site, app: App) -> None:
    site.static("/huge", b"<html><body><p>" + b"word " * (6 * MiB) + b"</p></body></html>")
    outcome = await app.articles.ingest_url(site.url("/huge"))
    assert (outcome.status, outcome.message) == ("failed", "the page is larger than 5 MB")
    assert await articles(app) == 0


async def test_page_without_article_is_a_clear_error_and_stores_nothing(
    site: Site, app: App
) -> None:
    site.static(
        "/home", b"<!doctype html><html><head><title>Home</title></head><body></body></html>"
    )
    outcome = await app.articles.ingest_url(site.url("/home"))
    assert outcome.status == "failed"
    assert outcome.message == "no article text found on that page"
    assert await articles(app) == 0


async def test_deeply_nested_page_is_an_error_not_an_empty_article(site: Site, app: App) -> None:
    depth = 100_000
    body = (
        b"<html><body>" + b"<div>" * depth + b"<p>" + b"text " * 200 + b"</p>" + b"</div>" * depth
    )
    site.static("/deep", body + b"</body></html>")
    outcome = await app.articles.ingest_url(site.url("/deep"))
    assert outcome.status == "failed", "a cut-off page must not become an article"
    assert await articles(app) == 0


async def test_same_article_under_several_urls_is_stored_once(site: Site, app: App) -> None:
    canonical = site.url("/news/7")
    s = story(7)
    site.page("/news/7", s, canonical=canonical)
    site.page("/news/7/amp", s, canonical=canonical)
    # A later edit, reached through a tracking link: same canonical link, new text.
    edited = story(7, title=s.title + " (updated)")
    site.page("/m/news-7", edited, canonical=canonical)
    first = await app.articles.ingest_url(canonical + "?utm_source=newsletter&fbclid=abc")
    amp = await app.articles.ingest_url(site.url("/news/7/amp"))
    mobile = await app.articles.ingest_url(site.url("/m/news-7"))
    assert first.status == "added", first.message
    assert amp.status == "unchanged" and amp.article_id == first.article_id
    assert mobile.status == "updated" and mobile.article_id == first.article_id
    assert await articles(app) == 1


async def test_canonical_link_to_another_site_is_ignored(site: Site, app: App) -> None:
    victim = site.page("/real", story(5))
    first = await app.articles.ingest_url(victim)
    site.page("/evil", story(6), canonical="https://news.example.org/real-story")
    evil = await app.articles.ingest_url(site.url("/evil"))
    assert evil.status == "added" and evil.article_id != first.article_id
    detail = await app.articles.article(evil.article_id or 0)
    assert detail.ref.url == site.url("/evil")
