"""`byline source add|list|remove|poll` and `byline ingest URL` through bot.cli.main."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from tests.site import Site, ThreadedSite, story


@pytest.fixture
def site() -> Iterator[Site]:
    with ThreadedSite() as served:
        yield served


@pytest.fixture
def db(tmp_path: Path, site: Site, monkeypatch: pytest.MonkeyPatch) -> str:
    config = tmp_path / "config.toml"
    config.write_text("")
    monkeypatch.setenv("BYLINE_CONFIG", str(config))
    monkeypatch.setenv("BYLINE_FETCH__ALLOW_HOSTS", json.dumps([site.host]))
    return f"sqlite+aiosqlite:///{tmp_path}/cli.db"


def lines(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_source_add_list_poll_remove(
    site: Site, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    feed = site.feed("/feed.xml", "rss20", site.stories("/s", range(7)))
    assert main(["source", "add", feed, "--every", "15m", "--db", db, "--json"]) == 0
    [added] = lines(capsys.readouterr().out)
    assert (added["kind"], added["every_s"], added["guild_id"]) == ("feed", 900, None)

    assert main(["source", "list", "--db", db]) == 0
    text = capsys.readouterr().out
    assert f"#{added['id']} feed every 15m [global] Local Paper" in text

    assert main(["source", "poll", str(added["id"]), "--db", db, "--json"]) == 0
    [polled] = lines(capsys.readouterr().out)
    assert polled["status"] == "ok" and polled["skipped_items"] == 2
    assert len(polled["articles"]) == 5  # type: ignore[arg-type]

    assert main(["source", "poll", "--db", db]) == 0  # nothing due any more
    assert "no source is due" in capsys.readouterr().out

    assert main(["source", "remove", str(added["id"]), "--db", db]) == 0
    assert f"removed source #{added['id']}" in capsys.readouterr().out
    assert main(["source", "list", "--db", db, "--json"]) == 0
    assert capsys.readouterr().out == ""


def test_source_errors_are_one_line_on_stderr(
    site: Site, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["source", "add", "http://10.0.0.1/feed", "--db", db]) == 1
    err = capsys.readouterr().err
    assert err == "error: that address points inside a private network\n"
    assert main(["source", "add", site.url("/feed"), "--every", "1m", "--db", db]) == 1
    assert capsys.readouterr().err.startswith("error: the interval is too short")
    assert main(["source", "remove", "42", "--db", db]) == 1
    assert capsys.readouterr().err.startswith("error: no source #42")
    assert main(["source", "poll", "42", "--db", db]) == 1
    assert capsys.readouterr().err.startswith("error: no source #42")


def test_failed_poll_exits_non_zero_and_list_shows_the_reason(
    site: Site, db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BYLINE_SOURCES__MAX_FAILURES", "1")
    feed = site.feed("/feed.xml", "rss20", site.stories("/s", [1]))
    assert main(["source", "add", feed, "--db", db, "--json"]) == 0
    source_id = str(lines(capsys.readouterr().out)[0]["id"])
    del site.routes["/feed.xml"]
    assert main(["source", "poll", source_id, "--db", db]) == 1
    captured = capsys.readouterr()
    assert captured.err.strip().splitlines() == [
        f"error: source #{source_id}: the feed was not found (HTTP 404); check the address"
    ]
    assert main(["source", "list", "--db", db]) == 0
    assert "disabled: stopped after 1 failed polls in a row" in capsys.readouterr().out


def test_ingest_url_through_the_cli(
    site: Site, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = site.page("/news/1", story(1))
    assert main(["ingest", url, "--db", db, "--json"]) == 0
    [outcome] = lines(capsys.readouterr().out)
    assert outcome["status"] == "added" and outcome["title"] == story(1).title
    site.static("/empty", b"<!doctype html><html><body></body></html>")
    assert main(["ingest", site.url("/empty"), "--db", db]) == 1
    assert "error: no article text found on that page" in capsys.readouterr().err
