"""The one guarded HTTP client of Byline: every fetch of a page or feed goes through here."""

from __future__ import annotations

import asyncio
import codecs
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Literal, Self
from urllib.robotparser import RobotFileParser

import aiohttp
import yarl
from aiohttp.abc import AbstractResolver, ResolveResult

from bot.errors import FetchRefused, SourceUnavailable
from bot.ingest.addresses import (
    DEFAULT_PORTS,
    PRIVATE_MESSAGE,
    USERINFO_MESSAGE,
    AllowEntry,
    check_url,
    is_allowed_host,
    is_forbidden,
    parse_allow_hosts,
)
from bot.ingest.charset import decode_text
from bot.ingest.feeds import detect_kind
from bot.settings import FetchSettings

logger = logging.getLogger(__name__)

FetchKind = Literal["page", "feed"]

_CHUNK_BYTES = 64 * 1024
_SNIFF_BYTES = 8 * 1024
_ROBOTS_MAX_BYTES = 512 * 1024  # Google reads only the first 500 KiB of a robots.txt too
_ROBOTS_TTL_S = 3600.0
_ROBOTS_FAILURE_TTL_S = 300.0
_ROBOTS_CACHE_SIZE = 1024
# A global cap on open sockets so 200 configured feeds cannot open 200 connections at once.
_TOTAL_CONNECTIONS = 20

_PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/x-rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/xml",
        "text/xml",
        "application/feed+json",
        "application/json",
    }
)
# Types a server sends when it does not know better; the body decides.
_PAGE_SNIFF_TYPES = frozenset({None, "application/octet-stream", "binary/octet-stream"})
_FEED_SNIFF_TYPES = frozenset(
    {None, "application/octet-stream", "binary/octet-stream", "text/html", "text/plain"}
)
_ACCEPT = {
    "page": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
    "feed": (
        "application/rss+xml,application/atom+xml,application/feed+json,"
        "application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.1"
    ),
}
_NOUN = {"page": "page", "feed": "feed", "robots": "robots.txt"}


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What one fetch returned; body is empty when not_modified is true."""

    final_url: str
    status: int
    content_type: str | None
    body: bytes
    text: str | None
    etag: str | None
    last_modified: str | None
    not_modified: bool


class GuardedConnector(aiohttp.TCPConnector):
    """A TCP connector that refuses to connect to any forbidden resolved address."""

    def __init__(
        self,
        *,
        allow: Sequence[AllowEntry] = (),
        resolver: AbstractResolver | None = None,
        limit: int = _TOTAL_CONNECTIONS,
        limit_per_host: int = 0,
        ttl_dns_cache: int | None = 10,
    ) -> None:
        super().__init__(
            resolver=resolver,
            limit=limit,
            limit_per_host=limit_per_host,
            ttl_dns_cache=ttl_dns_cache,
        )
        self._allow = tuple(allow)

    async def _resolve_host(
        self, host: str, port: int, traces: Sequence[object] | None = None
    ) -> list[ResolveResult]:
        # Checking here, after resolution and before the socket, covers IP literals (which
        # aiohttp never sends to the resolver, F1), DNS rebinding and every redirect hop (F3).
        results: list[ResolveResult] = await super()._resolve_host(
            host,
            port,
            traces=traces,  # type: ignore[arg-type]
        )
        if is_allowed_host(host, port, self._allow):
            return results
        if not results or any(is_forbidden(r["host"]) for r in results):
            logger.info("refused connection to %s:%s (forbidden address)", host, port)
            raise FetchRefused(PRIVATE_MESSAGE)
        return results


class GuardedFetcher:
    """Fetch pages and feeds with SSRF, size, time and content-type limits."""

    def __init__(
        self,
        settings: FetchSettings | None = None,
        *,
        resolver: AbstractResolver | None = None,
        trace_configs: Sequence[aiohttp.TraceConfig] = (),
        allowed_ports: frozenset[int] = DEFAULT_PORTS,
    ) -> None:
        self._settings = settings or FetchSettings()
        if self._settings.max_redirects < 1:
            # aiohttp treats max_redirects=0 as "no limit" (aiohttp #13658).
            raise ValueError("max_redirects must be at least 1")
        self._allow = parse_allow_hosts(self._settings.allow_hosts)
        self._resolver = resolver
        self._trace_configs = list(trace_configs)
        self._allowed_ports = allowed_ports
        self._session: aiohttp.ClientSession | None = None
        self._robots: OrderedDict[str, tuple[float, RobotFileParser | None]] = OrderedDict()
        self._robots_agent = self._settings.user_agent.split("/", 1)[0].strip() or "*"

    async def __aenter__(self) -> Self:
        """Open the session."""
        s = self._settings
        connector = GuardedConnector(
            allow=self._allow,
            resolver=self._resolver,
            limit_per_host=s.per_host_limit,
            ttl_dns_cache=60,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            # With trust_env a proxy from the environment would resolve the host for us and the
            # connector would only ever see the proxy's address (T1.5).
            trust_env=False,
            timeout=aiohttp.ClientTimeout(
                total=None,  # the outer asyncio.timeout owns the wall-clock budget
                connect=s.connect_timeout_s,
                sock_connect=s.connect_timeout_s,
                sock_read=s.read_timeout_s,
            ),
            # Cookies would carry state from one source to the next; feeds do not need them.
            cookie_jar=aiohttp.DummyCookieJar(),
            headers={"User-Agent": s.user_agent},
            middlewares=(self._check_hop,),
            trace_configs=self._trace_configs or None,
            raise_for_status=False,
        )
        return self

    async def __aexit__(
        self,
        _exc_type: type[BaseException] | None,
        _exc: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        """Close the session."""
        await self.close()

    async def close(self) -> None:
        """Close the session and its connections."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _check_hop(
        self, request: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType
    ) -> aiohttp.ClientResponse:
        # Middlewares run for every redirect hop, so a Location header gets the same scheme,
        # userinfo, port and IP-literal checks as the URL the admin typed.
        check_url(request.url, self._allow, allowed_ports=self._allowed_ports)
        if aiohttp.hdrs.AUTHORIZATION in request.headers:
            # aiohttp moves user:password from a redirect's Location into this header before
            # middlewares see the URL; we never send credentials of our own.
            raise FetchRefused(USERINFO_MESSAGE)
        return await handler(request)

    async def fetch(
        self,
        url: str,
        *,
        kind: FetchKind,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> FetchResult:
        """Fetch a page or a feed, or raise FetchRefused / SourceUnavailable in plain words."""
        parsed = check_url(url, self._allow, allowed_ports=self._allowed_ports)
        started = time.monotonic()
        if (
            kind == "page"
            and self._settings.respect_robots
            and not await self._robots_allow(parsed)
        ):
            raise FetchRefused("that site's robots.txt does not allow bots to read this page")
        headers = {"Accept": _ACCEPT[kind]}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        result = await self._request(parsed, kind, headers, self._settings.max_bytes)
        logger.info(
            "fetched %s %s status=%s bytes=%d in %.2fs",
            kind,
            parsed.host,
            result.status,
            len(result.body),
            time.monotonic() - started,
        )
        return result

    async def _request(  # noqa: C901 (each branch is one step of a guarded request)
        self,
        url: yarl.URL,
        kind: FetchKind | Literal["robots"],
        headers: dict[str, str],
        limit: int,
        total_s: float | None = None,
    ) -> FetchResult:
        if self._session is None:
            raise RuntimeError("use GuardedFetcher as an async context manager")
        s = self._settings
        noun = _NOUN[kind]
        total_s = total_s or s.total_timeout_s
        try:
            async with asyncio.timeout(total_s):
                async with self._session.get(
                    url,
                    headers=headers,
                    allow_redirects=True,
                    max_redirects=s.max_redirects,
                ) as response:
                    return await self._read(response, kind, limit)
        except SourceUnavailable:
            raise
        except aiohttp.TooManyRedirects:
            raise SourceUnavailable(
                f"too many redirects (more than {s.max_redirects}); check the address"
            ) from None
        except aiohttp.NonHttpUrlRedirectClientError:
            raise FetchRefused(
                "the site redirected to an address that does not start with http:// or https://"
            ) from None
        except aiohttp.InvalidUrlRedirectClientError:
            raise SourceUnavailable("the site redirected to an address that is not valid") from None
        except aiohttp.InvalidURL:
            raise FetchRefused("that is not a valid URL") from None
        except aiohttp.ConnectionTimeoutError:
            raise SourceUnavailable(
                f"could not connect to {url.host} within {s.connect_timeout_s:g} seconds"
            ) from None
        except aiohttp.SocketTimeoutError:
            raise SourceUnavailable(
                f"the server did not answer within {s.read_timeout_s:g} seconds"
            ) from None
        except TimeoutError:
            raise SourceUnavailable(
                f"the server did not send the whole {noun} within {total_s:g} seconds"
            ) from None
        except aiohttp.ClientConnectorDNSError:
            raise SourceUnavailable(f"the host name {url.host} could not be found") from None
        except aiohttp.ClientConnectorCertificateError:
            raise SourceUnavailable(
                f"the HTTPS certificate of {url.host} could not be verified"
            ) from None
        except aiohttp.ClientConnectorError:
            raise SourceUnavailable(f"could not connect to {url.host}") from None
        except aiohttp.ServerDisconnectedError:
            raise SourceUnavailable("the server closed the connection early") from None
        except (aiohttp.ClientResponseError, aiohttp.ClientPayloadError):
            raise SourceUnavailable(
                "the server sent a response Byline cannot read (broken headers or body)"
            ) from None
        except aiohttp.ClientError as exc:
            logger.info("fetch of %s failed: %r", url.host, exc)
            raise SourceUnavailable(f"could not fetch the {noun}; try again later") from None

    async def _read(
        self,
        response: aiohttp.ClientResponse,
        kind: FetchKind | Literal["robots"],
        limit: int,
    ) -> FetchResult:
        status = response.status
        final_url = str(response.url)
        raw_type = response.headers.get(aiohttp.hdrs.CONTENT_TYPE)
        mimetype = (raw_type.split(";", 1)[0].strip().lower() or None) if raw_type else None
        etag = response.headers.get(aiohttp.hdrs.ETAG)
        last_modified = response.headers.get(aiohttp.hdrs.LAST_MODIFIED)
        if status == 304:
            return FetchResult(final_url, status, mimetype, b"", None, etag, last_modified, True)
        if not 200 <= status < 300:
            raise SourceUnavailable(_status_message(status, _NOUN[kind]))
        sniff = _type_policy(kind, mimetype)
        if response.content_length is not None and response.content_length > limit:
            raise FetchRefused(f"the {_NOUN[kind]} is larger than {_describe_size(limit)}")
        body = await _read_capped(response, kind, limit, sniff, mimetype)
        text = None
        if kind == "page":
            text = decode_text(body, response.charset)
        return FetchResult(final_url, status, mimetype, body, text, etag, last_modified, False)

    async def _robots_allow(self, url: yarl.URL) -> bool:
        origin = str(url.origin())
        now = time.monotonic()
        cached = self._robots.get(origin)
        if cached is None or cached[0] <= now:
            parser = await self._load_robots(url.origin())
            ttl = _ROBOTS_TTL_S if parser is not None else _ROBOTS_FAILURE_TTL_S
            self._robots[origin] = (now + ttl, parser)
            self._robots.move_to_end(origin)
            while len(self._robots) > _ROBOTS_CACHE_SIZE:
                self._robots.popitem(last=False)
        else:
            parser = cached[1]
        return parser is None or parser.can_fetch(self._robots_agent, str(url))

    async def _load_robots(self, origin: yarl.URL) -> RobotFileParser | None:
        # An unreachable, missing or refused robots.txt means "no rules" (RFC 9309 treats
        # 4xx that way; we treat every failure that way so a flaky host is not blacklisted).
        try:
            # A short budget: robots.txt only gates the page fetch that follows.
            result = await self._request(
                origin / "robots.txt",
                "robots",
                {"Accept": "text/plain"},
                _ROBOTS_MAX_BYTES,
                total_s=min(self._settings.total_timeout_s, self._settings.read_timeout_s),
            )
        except SourceUnavailable as exc:
            logger.debug("robots.txt of %s unavailable: %s", origin, exc)
            return None
        parser = RobotFileParser()
        parser.parse(decode_text(result.body, None).splitlines())
        return parser


def _type_policy(kind: FetchKind | Literal["robots"], mimetype: str | None) -> bool:
    """Return whether the body must be sniffed, or raise FetchRefused for a refused type."""
    if kind == "robots":
        return False
    if kind == "page":
        if mimetype in _PAGE_TYPES:
            return False
        if mimetype in _PAGE_SNIFF_TYPES:
            return True
        raise FetchRefused(f"that page is not HTML (got {mimetype})")
    if mimetype in _FEED_TYPES or (mimetype is not None and mimetype.endswith("+xml")):
        return False
    if mimetype in _FEED_SNIFF_TYPES:
        return True
    raise FetchRefused(f"that address is not a feed (got {mimetype})")


async def _read_capped(
    response: aiohttp.ClientResponse,
    kind: FetchKind | Literal["robots"],
    limit: int,
    sniff: bool,
    mimetype: str | None,
) -> bytes:
    # aiohttp decompresses in bounded steps, so counting the chunks we receive counts
    # decoded bytes: a gzip bomb stops at the cap instead of filling memory (F4).
    chunks: list[bytes] = []
    total = 0
    async for chunk in response.content.iter_chunked(_CHUNK_BYTES):
        total += len(chunk)
        if total > limit:
            if kind == "robots":
                chunks.append(chunk[: len(chunk) - (total - limit)])
                total = limit
                break
            response.close()
            raise FetchRefused(f"the {_NOUN[kind]} is larger than {_describe_size(limit)}")
        chunks.append(chunk)
        if sniff and total >= _SNIFF_BYTES:
            _check_sniffed(b"".join(chunks), kind, mimetype, response)
            sniff = False
    body = b"".join(chunks)
    if sniff:
        _check_sniffed(body, kind, mimetype, response)
    return body


def _check_sniffed(
    head: bytes,
    kind: FetchKind | Literal["robots"],
    mimetype: str | None,
    response: aiohttp.ClientResponse,
) -> None:
    head = head[:_SNIFF_BYTES]
    got = mimetype or "no content type"
    if kind == "page" and not looks_like_html(head):
        response.close()
        raise FetchRefused(f"that page is not HTML (got {got})")
    if kind == "feed" and detect_kind(head, mimetype) != "feed":
        response.close()
        if looks_like_html(head):
            raise FetchRefused(
                "that address is a web page, not a feed; look for its RSS or Atom link"
            )
        raise FetchRefused(f"that address is not a feed (got {got})")


_HTML_START = re.compile(
    rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body|meta|title|p\b|div)",
    re.IGNORECASE | re.DOTALL,
)


def looks_like_html(head: bytes) -> bool:
    """Tell whether the first bytes of a body look like an HTML document."""
    if b"\x00" in head[:1024]:
        return False  # binary, or UTF-16 without a BOM, neither of which we treat as a page
    sample = _strip_bom(head)[:1024]
    return bool(_HTML_START.match(sample))


def _strip_bom(data: bytes) -> bytes:
    return data[3:] if data.startswith(codecs.BOM_UTF8) else data


def _status_message(status: int, noun: str) -> str:
    if status == 404 or status == 410:
        return f"the {noun} was not found (HTTP {status}); check the address"
    if status in (401, 403):
        return f"the site refused access to the {noun} (HTTP {status})"
    if status == 429:
        return "the site asked us to slow down (HTTP 429); try again later"
    if status >= 500:
        return f"the site had an error (HTTP {status}); try again later"
    return f"the site answered with HTTP {status}, which Byline cannot use"


def _describe_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    return f"{size / 1024:g} KB"
