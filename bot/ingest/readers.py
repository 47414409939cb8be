"""Read articles from text, HTML, JSON and JSONL files into RawArticle records."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.errors import InvalidInput
from bot.ingest.cleaning import clean_title, clean_with_hints, normalize_text

MAX_FILE_BYTES = 20 * 1024 * 1024
TEXT_SUFFIXES = {".txt", ".text", ".md"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSON_SUFFIXES = {".json"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSON_SUFFIXES | JSONL_SUFFIXES

_HEADER = re.compile(r"^(url|published|date|source|authors?|by)\s*:\s*(.*)$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class RawArticle:
    """An article as read from its input, before analysis."""

    origin: str
    title: str
    raw_text: str
    clean_text: str
    url: str | None = None
    published_at: datetime | None = None
    source: str | None = None
    authors: list[str] = field(default_factory=list)
    name_hints: dict[str, str] = field(default_factory=dict)


def parse_datetime(value: Any) -> datetime | None:
    """Parse a date or datetime into aware UTC; naive values are taken as UTC."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        parsed: datetime | None = value
    else:
        text = str(value).strip()
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            import dateparser  # type: ignore[import-untyped, unused-ignore]

            parsed = dateparser.parse(text, settings={"RETURN_AS_TIMEZONE_AWARE": False})
        if parsed is None:
            raise InvalidInput(f"cannot read the date {text[:40]!r}; use ISO 8601 like 2026-03-10")
    assert parsed is not None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _authors(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        parts = re.split(r"\s*(?:;|,|\band\b)\s*", value)
    elif isinstance(value, list):
        parts = [str(v.get("name", "")) if isinstance(v, dict) else str(v) for v in value]
    else:
        raise InvalidInput("authors must be a string or a list of strings")
    return [p.strip() for p in parts if p and p.strip()]


def build_article(
    origin: str,
    title: str,
    body: str,
    *,
    url: str | None = None,
    published_at: Any = None,
    source: str | None = None,
    authors: Any = None,
) -> RawArticle:
    """Clean and validate one article's fields."""
    raw = normalize_text(body)
    title = clean_title(title or "")[:1000]
    clean, hints = clean_with_hints(raw, title)
    if not clean:
        raise InvalidInput(
            f"{origin} has no article text; give it a title line, a blank line, then paragraphs"
        )
    if not title:
        title = clean.split("\n", 1)[0][:120]
    return RawArticle(
        origin=origin,
        title=title,
        raw_text=raw,
        clean_text=clean,
        url=(url or None) and str(url).strip(),
        published_at=parse_datetime(published_at),
        source=(source or None) and str(source).strip()[:200],
        authors=_authors(authors),
        name_hints=hints,
    )


def parse_plain_text(text: str, origin: str) -> RawArticle:
    """Parse the plain-text format: title line, optional headers, blank line, paragraphs."""
    lines = normalize_text(text).lstrip("\n").split("\n")
    title = lines[0].strip() if lines else ""
    headers: dict[str, str] = {}
    index = 1
    while index < len(lines) and (match := _HEADER.match(lines[index].strip())):
        key = match.group(1).lower()
        key = {"date": "published", "author": "authors", "by": "authors"}.get(key, key)
        headers[key] = match.group(2).strip()
        index += 1
    body = "\n".join(lines[index:])
    return build_article(
        origin,
        title,
        body,
        url=headers.get("url"),
        published_at=headers.get("published"),
        source=headers.get("source"),
        authors=headers.get("authors"),
    )


def parse_html(html: str, origin: str, url: str | None = None) -> RawArticle:
    """Extract the main text and metadata of an HTML page with trafilatura."""
    from bot.ingest.html import extract_html

    page = extract_html(html, url=url)
    if page is None or not page.text.strip():
        raise InvalidInput(f"{origin}: no article text found in that HTML page")
    return build_article(
        origin,
        page.title or "",
        page.text,
        url=page.url or url,
        published_at=page.date,
        source=page.sitename,
        authors=page.author,
    )


def _from_mapping(data: Any, origin: str) -> RawArticle:
    if not isinstance(data, dict):
        raise InvalidInput(f"{origin}: expected a JSON object with title and body or text")
    body = data.get("body", data.get("text"))
    if not isinstance(body, str) or not body.strip():
        raise InvalidInput(f"{origin}: the JSON object needs a non-empty 'body' or 'text'")
    return build_article(
        origin,
        str(data.get("title") or ""),
        body,
        url=data.get("url"),
        published_at=data.get("published_at", data.get("published")),
        source=data.get("source"),
        authors=data.get("authors", data.get("author")),
    )


def parse_json(text: str, origin: str) -> list[RawArticle]:
    """Parse a JSON object or a list of objects."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{origin} is not valid JSON (line {exc.lineno}: {exc.msg})") from None
    items = data if isinstance(data, list) else [data]
    return [
        _from_mapping(item, f"{origin}[{i}]" if len(items) > 1 else origin)
        for i, item in enumerate(items)
    ]


def read_bytes(path: Path) -> bytes:
    """Read a file with a size cap and plain-words errors."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InvalidInput(
                f"{path} is larger than {MAX_FILE_BYTES // 2**20} MB; split it first"
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"no such file: {path}") from None
    except IsADirectoryError:
        raise InvalidInput(f"{path} is a directory; pass the files inside it") from None
    except PermissionError:
        raise InvalidInput(f"cannot read {path}: permission denied") from None


def decode_text(data: bytes, origin: str) -> str:
    """Decode UTF-8 (with or without BOM) or fail with a clear message."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"{origin} is not UTF-8 text (bad byte at offset {exc.start}); convert it to UTF-8"
        ) from None


def read_file(path: Path) -> list[RawArticle]:
    """Read one file of any supported kind into articles."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise InvalidInput(
            f"{path}: unsupported file type {suffix or '(none)'}; use .txt, .html, .json or .jsonl"
        )
    data = read_bytes(path)
    origin = str(path)
    if suffix in HTML_SUFFIXES:
        from bot.ingest.charset import decode_text as decode_document

        return [parse_html(decode_document(data, None), origin)]
    text = decode_text(data, origin)
    if suffix in JSON_SUFFIXES:
        return parse_json(text, origin)
    if suffix in JSONL_SUFFIXES:
        articles = []
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip():
                articles.extend(parse_json(line, f"{origin}:{number}"))
        if not articles:
            raise InvalidInput(f"{origin} holds no articles")
        return articles
    return [parse_plain_text(text, origin)]
