"""GuardedFetcher against local aiohttp servers, through the real client session."""

from __future__ import annotations

import ast
import asyncio
import functools
import socket
import time
import tracemalloc
import zlib
from collections import Counter
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult

from bot.errors import FetchRefused, SourceUnavailable
from bot.ingest.addresses import DEFAULT_PORTS
from bot.ingest.feeds import parse_feed
from bot.ingest.fetcher import GuardedConnector, GuardedFetcher
from bot.settings import FetchSettings
from tests.site import Site

MiB = 1024 * 1024
REPO = Path(__file__).resolve().parents[2]

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Local news</title><link>http://news.test/</link>
<item><title>First</title><link>/a/1</link><guid>a1</guid>
<pubDate>Tue, 03 Mar 2026 10:00:00 GMT</pubDate></item>
</channel></rss>"""
PAGE = b"<!doctype html><html><head><title>Hi</title></head><body><p>Hello</p></body></html>"


@functools.cache
def zip_bomb(encoding: str) -> bytes:
    """200 MiB of zeros, gzip- or deflate-compressed to about 200 KB."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31 if encoding == "gzip" else 15)
    zeros = b"\0" * MiB
    parts = [compressor.compress(zeros) for _ in range(200)]
    parts.append(compressor.flush())
    return b"".join(parts)


class FakeResolver(AbstractResolver):
    """Answer DNS questions from a table (or a callable), never from the network."""

    def __init__(self, table: dict[str, list[str] | Callable[[], list[str]]]) -> None:
        self.table = table
        self.calls: Counter[str] = Counter()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.calls[host] += 1
        entry = self.table.get(host)
        if entry is None:
            raise OSError(f"{host} is not in the fake DNS")
        addresses = entry() if callable(entry) else entry
        return [
            {
                "hostname": host,
                "host": address,
                "port": port,
                "family": socket.AF_INET6 if ":" in address else socket.AF_INET,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
            for address in addresses
        ]

    async def close(self) -> None:
        return None


class ConnectionCounter:
    """A TraceConfig that counts connections actually opened."""

    def __init__(self) -> None:
        self.opened = 0
        self.trace = aiohttp.TraceConfig()
        self.trace.on_connection_create_end.append(self._opened)

    async def _opened(self, *_: Any) -> None:
        self.opened += 1


@pytest.fixture
async def secret() -> AsyncIterator[Site]:
    """A second local server playing the internal service an attacker wants to reach."""
    s = Site()
    s.static("/secret", b"the database password", "text/plain")
    await s.start()
    yield s
    await s.close()


def make_fetcher(
    *,
    allow: list[str] | None = None,
    resolver: AbstractResolver | None = None,
    counter: ConnectionCounter | None = None,
    ports: frozenset[int] = DEFAULT_PORTS,
    **overrides: Any,
) -> GuardedFetcher:
    settings = FetchSettings(allow_hosts=allow or [], **overrides)
    return GuardedFetcher(
        settings,
        resolver=resolver or FakeResolver({}),
        trace_configs=[counter.trace] if counter else [],
        allowed_ports=ports,
    )


def local(site: Site) -> list[str]:
    return [f"127.0.0.1:{site.port}"]


# --- SSRF -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "[::1]",
        "0.0.0.0",
        "[::]",
        "[::ffff:127.0.0.1]",
        "[::ffff:169.254.169.254]",
        "[64:ff9b::a9fe:a9fe]",
        "[2002:a9fe:a9fe::1]",
        "[fe80::1%25eth0]",
        "[fd00:ec2::254]",
        "169.254.169.254",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "100.64.0.1",
        "198.18.0.1",
        "224.0.0.1",
        "0x7f.1",
        "2130706433",
        "127.1",
        "0177.0.0.1",
        "localhost",
    ],
)
async def test_forbidden_literals_open_no_connection(address: str, secret: Site) -> None:
    counter = ConnectionCounter()
    # The secret server's port is allowed so that only the address can be the reason.
    async with make_fetcher(counter=counter, ports=frozenset({80, 443, secret.port})) as fetcher:
        with pytest.raises(FetchRefused):
            await fetcher.fetch(f"http://{address}:{secret.port}/secret", kind="page")
    assert counter.opened == 0
    assert secret.hits["/secret"] == 0


@pytest.mark.parametrize(
    ("host", "addresses"),
    [
        ("internal.test", ["10.0.0.5"]),
        ("metadata.google.internal", ["169.254.169.254"]),
        ("evil.test", ["93.184.216.34", "127.0.0.1"]),  # S3: every answer is checked
        ("v6.test", ["2606:4700:4700::1111", "::1"]),
        ("mapped.test", ["::ffff:10.0.0.1"]),
    ],
)
async def test_hostnames_resolving_to_private_addresses_are_refused(
    host: str, addresses: list[str]
) -> None:
    counter = ConnectionCounter()
    resolver = FakeResolver({host: addresses})
    async with make_fetcher(counter=counter, resolver=resolver) as fetcher:
        with pytest.raises(FetchRefused, match="private network"):
            await fetcher.fetch(f"http://{host}/feed", kind="feed")
    assert resolver.calls[host] == 1
    assert counter.opened == 0


async def test_dns_rebinding_is_refused_at_connect_time() -> None:
    answers = iter([["93.184.216.34"], ["127.0.0.1"]])
    resolver = FakeResolver({"rebind.test": lambda: next(answers)})
    counter = ConnectionCounter()
    # An admin-command validator resolving the name first sees a public address...
    checked = await resolver.resolve("rebind.test", 80)
    assert checked[0]["host"] == "93.184.216.34"
    # ...but the fetcher checks what it actually connects to.
    async with make_fetcher(counter=counter, resolver=resolver) as fetcher:
        with pytest.raises(FetchRefused, match="private network"):
            await fetcher.fetch("http://rebind.test/", kind="page")
    assert counter.opened == 0


async def test_connector_alone_blocks_ip_literals(secret: Site) -> None:
    # F1: aiohttp never passes IP literals to the resolver, so the check must sit in
    # _resolve_host; this session has no URL pre-check at all.
    async with aiohttp.ClientSession(connector=GuardedConnector()) as session:
        with pytest.raises(FetchRefused, match="private network"):
            await session.get(secret.url("/secret"))
    assert secret.hits["/secret"] == 0


async def test_resolver_only_guard_would_miss_ip_literals(secret: Site) -> None:
    # Documents F1: a guard living in a resolver is never asked about 127.0.0.1.
    class GuardResolver(FakeResolver):
        async def resolve(self, host: str, port: int = 0, family: Any = 0) -> list[ResolveResult]:
            raise AssertionError("never called for IP literals")

    connector = aiohttp.TCPConnector(resolver=GuardResolver({}))
    async with (
        aiohttp.ClientSession(connector=connector) as session,
        session.get(secret.url("/secret")) as response,
    ):
        assert await response.read() == b"the database password"


async def test_redirect_to_a_private_address_is_refused(site: Site, secret: Site) -> None:
    async def to_secret(_: web.Request) -> web.Response:
        raise web.HTTPFound(secret.url("/secret"))

    site.route("/go", to_secret)
    counter = ConnectionCounter()
    async with make_fetcher(allow=local(site), counter=counter) as fetcher:
        with pytest.raises(FetchRefused, match="private network"):
            await fetcher.fetch(site.url("/go"), kind="page")
    assert site.hits["/go"] == 1
    assert secret.hits["/secret"] == 0
    assert counter.opened == 1  # the allowed server only


async def test_redirect_to_a_host_name_resolving_privately_is_refused(
    site: Site, secret: Site
) -> None:
    async def to_internal(_: web.Request) -> web.Response:
        raise web.HTTPFound(f"http://internal.test:{secret.port}/secret")

    site.route("/go", to_internal)
    resolver = FakeResolver({"internal.test": ["127.0.0.1"]})
    # The port is allowed, so only the connector's address check stands in the way.
    ports = frozenset({80, 443, secret.port})
    async with make_fetcher(allow=local(site), resolver=resolver, ports=ports) as fetcher:
        with pytest.raises(FetchRefused, match="private network"):
            await fetcher.fetch(site.url("/go"), kind="page")
    assert resolver.calls["internal.test"] == 1
    assert secret.hits["/secret"] == 0


async def test_redirect_to_another_scheme_or_userinfo_is_refused(site: Site) -> None:
    async def to_file(_: web.Request) -> web.Response:
        raise web.HTTPFound("file:///etc/passwd")

    async def to_userinfo(_: web.Request) -> web.Response:
        raise web.HTTPFound(f"http://user:pw@127.0.0.1:{site.port}/page")

    site.route("/file", to_file)
    site.route("/userinfo", to_userinfo)
    async with make_fetcher(allow=local(site)) as fetcher:
        with pytest.raises(FetchRefused, match="http:// or https://"):
            await fetcher.fetch(site.url("/file"), kind="page")
        with pytest.raises(FetchRefused, match="user name or password"):
            await fetcher.fetch(site.url("/userinfo"), kind="page")


async def test_non_http_scheme_is_refused_before_any_connection() -> None:
    counter = ConnectionCounter()
    async with make_fetcher(counter=counter) as fetcher:
        for url in ("file:///etc/passwd", "ftp://example.com/", "gopher://x/", "feed://x/"):
            with pytest.raises(FetchRefused, match="must start with http:// or https://"):
                await fetcher.fetch(url, kind="feed")
    assert counter.opened == 0


async def test_proxy_from_the_environment_is_ignored(
    site: Site, secret: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    site.static("/page", PAGE, "text/html")
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, secret.url("/"))
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    async with make_fetcher(allow=local(site)) as fetcher:
        result = await fetcher.fetch(site.url("/page"), kind="page")
    assert result.status == 200
    assert sum(secret.hits.values()) == 0


def test_max_redirects_is_never_zero() -> None:
    # aiohttp reads max_redirects=0 as "unlimited" (aiohttp #13658).
    settings = FetchSettings.model_construct(max_redirects=0)
    with pytest.raises(ValueError, match="max_redirects"):
        GuardedFetcher(settings)


# --- normal fetches ---------------------------------------------------------------------------


async def test_page_fetch_returns_decoded_text_and_validators(site: Site) -> None:
    site.static(
        "/page",
        PAGE,
        "text/html; charset=utf-8",
        ETag='"v1"',
        **{"Last-Modified": "Tue, 03 Mar 2026 10:00:00 GMT"},
    )
    counter = ConnectionCounter()
    async with make_fetcher(allow=local(site), counter=counter) as fetcher:
        result = await fetcher.fetch(site.url("/page"), kind="page")
    assert result.status == 200
    assert result.content_type == "text/html"
    assert result.body == PAGE
    assert result.text is not None and "<p>Hello</p>" in result.text
    assert result.etag == '"v1"'
    assert result.last_modified == "Tue, 03 Mar 2026 10:00:00 GMT"
    assert not result.not_modified
    assert result.final_url == site.url("/page")
    assert counter.opened >= 1
    assert "BylineBot" in site.headers["/page"]["User-Agent"]


async def test_feed_fetch_and_parse(site: Site) -> None:
    site.static("/feed", RSS, "application/rss+xml")
    site.static("/feed-octet", RSS, "application/octet-stream")
    site.static("/feed-untyped", RSS, None)
    async with make_fetcher(allow=local(site)) as fetcher:
        for path in ("/feed", "/feed-octet", "/feed-untyped"):
            result = await fetcher.fetch(site.url(path), kind="feed")
            feed = parse_feed(result.body, result.final_url)
            assert [item.title for item in feed.items] == ["First"]
            # Relative links resolve against the address the feed was fetched from.
            assert feed.items[0].link == site.url("/a/1")
            assert result.text is None
    assert site.hits["/robots.txt"] == 0  # robots.txt is for pages, not feeds


async def test_conditional_get_reports_not_modified(site: Site) -> None:
    async def conditional(request: web.Request) -> web.Response:
        if request.headers.get("If-None-Match") == '"v7"':
            return web.Response(status=304, headers={"ETag": '"v7"'})
        return web.Response(body=RSS, content_type="application/rss+xml", headers={"ETag": '"v7"'})

    site.route("/feed", conditional)
    async with make_fetcher(allow=local(site)) as fetcher:
        first = await fetcher.fetch(site.url("/feed"), kind="feed")
        second = await fetcher.fetch(
            site.url("/feed"),
            kind="feed",
            etag=first.etag,
            last_modified="Tue, 03 Mar 2026 10:00:00 GMT",
        )
    assert not first.not_modified and first.etag == '"v7"'
    assert second.not_modified and second.status == 304 and second.body == b""
    assert site.headers["/feed"]["If-Modified-Since"] == "Tue, 03 Mar 2026 10:00:00 GMT"


async def test_robots_txt_disallow_is_honoured_and_cached(site: Site) -> None:
    site.static("/robots.txt", b"User-agent: *\nDisallow: /private\n", "text/plain")
    site.static("/private/report", PAGE, "text/html")
    site.static("/public", PAGE, "text/html")
    async with make_fetcher(allow=local(site)) as fetcher:
        with pytest.raises(FetchRefused, match="robots.txt"):
            await fetcher.fetch(site.url("/private/report"), kind="page")
        assert (await fetcher.fetch(site.url("/public"), kind="page")).status == 200
        # Feeds are meant for machines; robots rules do not apply to them.
        site.static("/private/feed", RSS, "application/rss+xml")
        assert (await fetcher.fetch(site.url("/private/feed"), kind="feed")).status == 200
    assert site.hits["/private/report"] == 0
    assert site.hits["/robots.txt"] == 1


async def test_robots_txt_for_our_agent_only(site: Site) -> None:
    site.static("/robots.txt", b"User-agent: BylineBot\nDisallow: /\n", "text/plain")
    site.static("/page", PAGE, "text/html")
    async with make_fetcher(allow=local(site)) as fetcher:
        with pytest.raises(FetchRefused, match="robots.txt"):
            await fetcher.fetch(site.url("/page"), kind="page")
    async with make_fetcher(allow=local(site), respect_robots=False) as fetcher:
        assert (await fetcher.fetch(site.url("/page"), kind="page")).status == 200


async def test_robots_txt_goes_through_the_same_guard(site: Site, secret: Site) -> None:
    async def to_secret(_: web.Request) -> web.Response:
        raise web.HTTPFound(secret.url("/secret"))

    site.route("/robots.txt", to_secret)
    site.static("/page", PAGE, "text/html")
    async with make_fetcher(allow=local(site)) as fetcher:
        # The refused robots.txt counts as unreachable, which means "no rules".
        assert (await fetcher.fetch(site.url("/page"), kind="page")).status == 200
    assert secret.hits["/secret"] == 0


async def test_unreachable_robots_txt_means_allowed(site: Site) -> None:
    async def broken(_: web.Request) -> web.Response:
        return web.Response(status=500)

    site.route("/robots.txt", broken)
    site.static("/page", PAGE, "text/html")
    async with make_fetcher(allow=local(site)) as fetcher:
        assert (await fetcher.fetch(site.url("/page"), kind="page")).status == 200


# --- content type ---------------------------------------------------------------------------


async def test_content_type_policy(site: Site) -> None:
    site.static("/png", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "image/png")
    site.static("/video", b"\0" * 100, "video/mp4")
    site.static("/binary", b"\x89PNG\r\n\x1a\n" + b"\0" * 100_000, "application/octet-stream")
    site.static("/untyped-page", PAGE, None)
    site.static("/html", PAGE, "text/html")
    async with make_fetcher(allow=local(site)) as fetcher:
        with pytest.raises(FetchRefused, match=r"that page is not HTML \(got image/png\)"):
            await fetcher.fetch(site.url("/png"), kind="page")
        with pytest.raises(FetchRefused, match=r"not a feed \(got video/mp4\)"):
            await fetcher.fetch(site.url("/video"), kind="feed")
        with pytest.raises(FetchRefused, match="not HTML"):
            await fetcher.fetch(site.url("/binary"), kind="page")
        assert (await fetcher.fetch(site.url("/untyped-page"), kind="page")).text
        with pytest.raises(FetchRefused, match="web page, not a feed"):
            await fetcher.fetch(site.url("/html"), kind="feed")


# --- size, decompression, time --------------------------------------------------------------


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
async def test_compression_bomb_stops_at_the_cap_with_bounded_memory(
    site: Site, encoding: str
) -> None:
    bomb = zip_bomb(encoding)
    assert len(bomb) < 300 * 1024
    site.static("/bomb", bomb, "text/html", **{"Content-Encoding": encoding})
    site.static("/page", PAGE, "text/html")
    async with make_fetcher(allow=local(site)) as fetcher:
        rss_before = _rss_mib()
        tracemalloc.start()
        try:
            with pytest.raises(FetchRefused, match="the page is larger than 5 MB"):
                await fetcher.fetch(site.url("/bomb"), kind="page")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        rss_growth = _rss_mib() - rss_before
        # The session stays usable after an aborted body (R3).
        assert (await fetcher.fetch(site.url("/page"), kind="page")).status == 200
    # Memory, not time: the cap holds whatever the machine's speed.
    assert peak < 3 * 5 * MiB
    assert rss_growth < 50


async def test_content_length_over_the_cap_is_refused_before_reading(site: Site) -> None:
    huge = b"<html><body><p>" + b"a" * (30 * MiB) + b"</p></body></html>"
    site.static("/huge", huge, "text/html")
    async with make_fetcher(allow=local(site)) as fetcher:
        with pytest.raises(FetchRefused, match="the page is larger than 5 MB"):
            await fetcher.fetch(site.url("/huge"), kind="page")


async def test_endless_chunked_body_stops_at_the_cap(site: Site) -> None:
    async def endless(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        await response.prepare(request)
        chunk = b"<rss>" + b"a" * 65536
        try:
            while not site.release.is_set():
                await response.write(chunk)
        except (ConnectionError, RuntimeError):
            pass
        return response

    site.route("/endless", endless)
    site.static("/feed", RSS, "application/rss+xml")
    async with make_fetcher(allow=local(site), max_bytes=MiB) as fetcher:
        with pytest.raises(FetchRefused, match="the feed is larger than 1 MB"):
            await fetcher.fetch(site.url("/endless"), kind="feed")
        assert (await fetcher.fetch(site.url("/feed"), kind="feed")).status == 200


async def test_server_that_stalls_after_headers_times_out(site: Site) -> None:
    async def stall(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        await response.prepare(request)
        await response.write(b"<html><body>")
        await site.release.wait()
        return response

    site.route("/stall", stall)
    async with make_fetcher(allow=local(site), read_timeout_s=0.5) as fetcher:
        # The server never finishes (until the test ends): only the read timeout ends this.
        with pytest.raises(SourceUnavailable, match="did not answer within 0.5 seconds"):
            await fetcher.fetch(site.url("/stall"), kind="page")


async def test_server_that_never_sends_headers_times_out(site: Site) -> None:
    async def silent(_: web.Request) -> web.Response:
        await site.release.wait()
        return web.Response()

    site.route("/silent", silent)
    async with make_fetcher(allow=local(site), read_timeout_s=0.5) as fetcher:
        started = time.monotonic()
        with pytest.raises(SourceUnavailable, match="did not answer within 0.5 seconds"):
            await fetcher.fetch(site.url("/silent"), kind="feed")
    assert time.monotonic() - started < 10


async def test_trickling_server_hits_the_total_timeout(site: Site) -> None:
    async def trickle(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        await response.prepare(request)
        try:
            while not site.release.is_set():
                await response.write(b"a")
                await asyncio.sleep(0.1)
        except (ConnectionError, RuntimeError):
            pass
        return response

    site.route("/trickle", trickle)
    async with make_fetcher(allow=local(site), read_timeout_s=0.5, total_timeout_s=1.5) as fetcher:
        started = time.monotonic()
        with pytest.raises(SourceUnavailable, match="whole page within 1.5 seconds"):
            await fetcher.fetch(site.url("/trickle"), kind="page")
    elapsed = time.monotonic() - started
    print(f"trickle: total timeout after {elapsed:.2f}s")
    assert elapsed < 10


async def test_redirect_loop_is_too_many_redirects(site: Site) -> None:
    async def loop(request: web.Request) -> web.Response:
        step = int(request.query.get("n", "0"))
        raise web.HTTPFound(f"/loop?n={step + 1}")

    site.route("/loop", loop)
    async with make_fetcher(allow=local(site), max_redirects=5) as fetcher:
        with pytest.raises(SourceUnavailable, match="too many redirects"):
            await fetcher.fetch(site.url("/loop"), kind="feed")
    assert site.hits["/loop"] <= 6


async def test_oversized_response_header_is_a_plain_sentence(site: Site) -> None:
    site.static("/long-header", PAGE, "text/html", **{"X-Padding": "a" * 20_000})
    async with make_fetcher(allow=local(site)) as fetcher:
        with pytest.raises(SourceUnavailable, match="cannot read"):
            await fetcher.fetch(site.url("/long-header"), kind="page")


async def test_http_errors_are_plain_sentences(site: Site) -> None:
    async def gone(_: web.Request) -> web.Response:
        return web.Response(status=404)

    site.route("/missing", gone)
    async with make_fetcher(allow=local(site)) as fetcher:
        with pytest.raises(SourceUnavailable, match=r"not found \(HTTP 404\)"):
            await fetcher.fetch(site.url("/missing"), kind="feed")


async def test_dns_failure_is_a_plain_sentence() -> None:
    async with make_fetcher(resolver=FakeResolver({})) as fetcher:
        with pytest.raises(SourceUnavailable, match="could not be found"):
            await fetcher.fetch("http://nowhere.test/", kind="feed")


# --- character sets -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        # The header claims UTF-8 but the bytes are Latin-1.
        (b"<html><body>caf\xe9 cr\xe8me</body></html>", "text/html; charset=utf-8", "café crème"),
        # The header claims Latin-1 but a UTF-8 BOM says otherwise; the BOM wins.
        (
            b"\xef\xbb\xbf<html><body>caf\xc3\xa9</body></html>",
            "text/html; charset=iso-8859-1",
            "café",
        ),
        # <meta> says Shift_JIS on plain ASCII.
        (
            b'<html><head><meta charset="shift_jis"></head><body>plain</body></html>',
            "text/html",
            "plain",
        ),
        # No declaration at all, UTF-8 bytes.
        (b"<html><body>na\xc3\xafve \xe2\x80\x94 ok</body></html>", "text/html", "naïve — ok"),
        # A charset that does not exist.
        (b"<html><body>caf\xc3\xa9</body></html>", "text/html; charset=x-bogus", "café"),
        # Windows-1252 quotes labelled ISO-8859-1, as browsers read them.
        (b"<html><body>\x93quoted\x94</body></html>", "text/html; charset=iso-8859-1", "“quoted”"),
        # Bytes that are valid nowhere still decode.
        (b"<html><body>bad \x81\xff end</body></html>", "text/html; charset=utf-8", "bad "),
    ],
)
async def test_lying_charsets_still_decode(
    site: Site, body: bytes, content_type: str, expected: str
) -> None:
    site.static("/page", body, content_type)
    async with make_fetcher(allow=local(site)) as fetcher:
        result = await fetcher.fetch(site.url("/page"), kind="page")
    assert result.text is not None and expected in result.text


# --- single fetch path (S11) -----------------------------------------------------------------

_NETWORK_NAMES = {
    "ClientSession",
    "TCPConnector",
    "fetch_url",
    "urlopen",
    "create_connection",
    "open_connection",
}
_NETWORK_MODULES = {"requests", "httpx", "urllib3", "urllib.request", "http.client", "socket"}


def test_fetcher_is_the_only_network_client_in_the_core() -> None:
    offenders: list[str] = []
    for path in sorted((REPO / "bot").rglob("*.py")):
        relative = path.relative_to(REPO).as_posix()
        if relative in ("bot/ingest/fetcher.py",) or relative.startswith("bot/discord_app/"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = {alias.name for alias in node.names}
                offenders += [f"{relative}: import {n}" for n in names & _NETWORK_MODULES]
            elif isinstance(node, ast.ImportFrom) and node.module in _NETWORK_MODULES:
                offenders.append(f"{relative}: from {node.module} import ...")
            elif isinstance(node, ast.Attribute) and node.attr in _NETWORK_NAMES:
                offenders.append(f"{relative}: .{node.attr}")
            elif isinstance(node, ast.Name) and node.id in _NETWORK_NAMES:
                offenders.append(f"{relative}: {node.id}")
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "parse"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "feedparser"
                and node.args
                and not (isinstance(node.args[0], ast.Name) and node.args[0].id == "body")
            ):
                offenders.append(f"{relative}: feedparser.parse must get the body bytes")
    assert offenders == []
