"""canonical_url maps the many spellings of one article onto one URL."""

from __future__ import annotations

import pytest

from bot.errors import InvalidInput
from bot.ingest.urls import canonical_url

CASES = [
    ("HTTPS://Example.COM/News/Story", "https://example.com/News/Story"),
    ("https://example.com/story#comments", "https://example.com/story"),
    ("https://example.com:443/story", "https://example.com/story"),
    ("http://example.com:80/story", "http://example.com/story"),
    ("https://example.com:8443/story", "https://example.com:8443/story"),
    ("https://example.com/story/", "https://example.com/story"),
    ("https://example.com", "https://example.com/"),
    ("https://example.com/", "https://example.com/"),
    ("https://www.example.com/story", "https://example.com/story"),
    ("https://m.example.com/story", "https://example.com/story"),
    ("https://mobile.example.com/story", "https://example.com/story"),
    ("https://amp.example.com/story", "https://example.com/story"),
    ("https://www.m.example.com/story", "https://example.com/story"),
    ("https://amp.dev/about", "https://amp.dev/about"),
    ("https://m.co/x", "https://m.co/x"),
    ("https://example.com/story/amp", "https://example.com/story"),
    ("https://example.com/amp/story", "https://example.com/story"),
    ("https://example.com/story.amp", "https://example.com/story"),
    ("https://example.com/story.amp.html", "https://example.com/story"),
    ("https://example.com/guitar-amp", "https://example.com/guitar-amp"),
    ("https://example.com/story?amp", "https://example.com/story"),
    ("https://example.com/story?amp=1", "https://example.com/story"),
    ("https://example.com/story?outputType=amp", "https://example.com/story"),
    ("https://example.com/story?outputType=print", "https://example.com/story?outputType=print"),
    (
        "https://example.com/story?utm_source=tw&utm_medium=social&utm_campaign=x&id=7",
        "https://example.com/story?id=7",
    ),
    (
        "https://example.com/s?fbclid=abc&gclid=def&mc_cid=1&mc_eid=2&ref=home&cmpid=r"
        "&ocid=w&smid=tw-share&UTM_Content=y",
        "https://example.com/s",
    ),
    ("https://example.com/s?b=2&a=1&c=3", "https://example.com/s?a=1&b=2&c=3"),
    ("https://example.com/s?q=a%20b", "https://example.com/s?q=a%20b"),
    ("https://example.com/s?q=a+b", "https://example.com/s?q=a%20b"),
    ("https://user:pw@example.com/s", "https://example.com/s"),
    ("https://example.com//a//b/", "https://example.com/a/b"),
    ("https://example.com./s", "https://example.com/s"),
]


@pytest.mark.parametrize(("url", "expected"), CASES)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_canonical_url_is_idempotent() -> None:
    for url, _ in CASES:
        once = canonical_url(url)
        assert canonical_url(once) == once


def test_spellings_of_one_article_collapse() -> None:
    spellings = [
        "https://www.example.com/world/story-1/?utm_source=rss#top",
        "https://m.example.com/world/story-1?fbclid=x",
        "https://amp.example.com/world/story-1/amp",
        "HTTPS://EXAMPLE.COM:443/world/story-1",
    ]
    assert len({canonical_url(u) for u in spellings}) == 1


@pytest.mark.parametrize("url", ["ftp://example.com/x", "mailto:a@example.com", "not a url", ""])
def test_canonical_url_refuses_non_http(url: str) -> None:
    with pytest.raises(InvalidInput):
        canonical_url(url)
