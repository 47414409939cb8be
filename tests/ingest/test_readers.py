"""Reading text, HTML, JSON and JSONL files, and their errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.errors import InvalidInput
from bot.ingest.paths import expand_inputs
from bot.ingest.readers import read_file


def test_plain_text_with_headers(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(
        "Storm hits coast\nURL: https://news.test/storm\nPublished: 2026-03-10\nSource: Daily\n"
        "Authors: A. Writer, B. Writer\n\nFirst paragraph.\n\nSecond paragraph.\n",
        encoding="utf-8",
    )
    [article] = read_file(path)
    assert article.title == "Storm hits coast"
    assert article.url == "https://news.test/storm"
    assert article.published_at == datetime(2026, 3, 10, tzinfo=UTC)
    assert article.source == "Daily"
    assert article.authors == ["A. Writer", "B. Writer"]
    assert article.clean_text == "First paragraph.\n\nSecond paragraph."


def test_plain_text_without_headers_keeps_raw_and_clean(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(
        "Title\n\nBody line one\ncontinues here.\n\nAdvertisement\n\nEnd.", encoding="utf-8"
    )
    [article] = read_file(path)
    assert article.clean_text == "Body line one continues here.\n\nEnd."
    assert "Advertisement" in article.raw_text


def test_html_file_uses_trafilatura_for_text_and_metadata(tmp_path: Path) -> None:
    paragraphs = "".join(
        f"<p>Paragraph {i} of the story about the harbor bridge and its long repairs, "
        "told in full.</p>"
        for i in range(6)
    )
    path = tmp_path / "a.html"
    path.write_text(
        f"<html><head><title>Bridge reopens</title><meta name='author' content='Jane Roe'>"
        f"<meta property='article:published_time' content='2026-02-01'></head>"
        f"<body><nav>Home | World</nav><article><h1>Bridge reopens</h1>{paragraphs}</article>"
        f"<footer>Share this article</footer></body></html>",
        encoding="utf-8",
    )
    [article] = read_file(path)
    assert article.title == "Bridge reopens"
    assert "Paragraph 0 of the story" in article.clean_text
    assert "Home | World" not in article.clean_text


def test_json_and_jsonl(tmp_path: Path) -> None:
    one = tmp_path / "a.json"
    one.write_text(
        json.dumps(
            {
                "title": "T",
                "body": "Body.",
                "url": "https://x.test/a",
                "published_at": "2026-01-02T10:00:00+01:00",
                "authors": ["X"],
            }
        ),
        encoding="utf-8",
    )
    [article] = read_file(one)
    assert article.published_at == datetime(2026, 1, 2, 9, 0, tzinfo=UTC)
    many = tmp_path / "b.jsonl"
    many.write_text(
        json.dumps({"title": "A", "text": "One."})
        + "\n\n"
        + json.dumps({"title": "B", "text": "Two."})
        + "\n",
        encoding="utf-8",
    )
    assert [a.title for a in read_file(many)] == ["A", "B"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.txt", None, "no such file"),
        ("latin.txt", "Caf\xe9 story\n\nBody".encode("latin-1"), "not UTF-8"),
        ("empty.txt", b"Title only\n\n", "no article text"),
        ("bad.json", b"{not json", "not valid JSON"),
        ("nobody.json", b'{"title": "x"}', "non-empty 'body' or 'text'"),
        ("data.csv", b"a,b", "unsupported file type"),
        ("date.txt", b"T\nPublished: someday soonish maybe\n\nBody.", "cannot read the date"),
    ],
)
def test_bad_files_give_one_clear_message(
    tmp_path: Path, name: str, content: bytes | None, message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InvalidInput, match=message):
        read_file(path)


def test_directories_and_globs_expand_to_supported_files(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    for name in ("a.txt", "b.json", "sub/c.html", "skip.csv"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert [p.name for p in expand_inputs([str(tmp_path)])] == ["a.txt", "b.json", "c.html"]
    assert [p.name for p in expand_inputs([str(tmp_path / "*.txt")])] == ["a.txt"]
    with pytest.raises(InvalidInput, match="no files match"):
        expand_inputs([str(tmp_path / "*.md")])


def test_prose_words_count_sentences_not_menus_or_links() -> None:
    from bot.ingest.html import prose_words

    text = "Home\n\nNews | Sport | Weather\n\nThe council voted on Tuesday to approve the new plan."
    assert prose_words(text) == 10
    assert prose_words("Reprinted with permission.\n\nhttps://example.com/story") == 0
