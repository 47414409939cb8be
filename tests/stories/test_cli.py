"""`byline stories` and `byline articles` name every source (through main(), in-process)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.cli.stories import parse_span
from bot.errors import InvalidInput
from tests.stories.scorer import reports_dir
from tests.stories.test_store import BODY

pytestmark = pytest.mark.usefixtures("isolated_env")


def _wire(tmp_path: Path, slug: str, source: str, verb: str) -> Path:
    path = tmp_path / f"{slug}.txt"
    body = BODY.format(verb=verb, adj="planned", dateline="WASHINGTON — ")
    path.write_text(
        f"Senate delays water vote\nURL: https://{slug}.test/w\nPublished: 2026-03-03\n"
        f"Source: {source}\n\n{body}\n",
        encoding="utf-8",
    )
    return path


def test_stories_and_articles_name_every_source(
    capsys: pytest.CaptureFixture[str], db_url: str, tmp_path: Path
) -> None:
    reports = sorted(str(p) for p in reports_dir().glob("geneva-fishing-talks__*.txt"))
    wires = [
        _wire(tmp_path, "one", "Wire One", "postponed"),
        _wire(tmp_path, "two", "Two", "delayed"),
    ]
    assert main(["ingest", "--db", db_url, *reports, *map(str, wires)]) == 0
    assert "6 articles: 5 added, 0 updated, 1 linked" in capsys.readouterr().out

    assert main(["stories", "--db", db_url, "--since", "2d", "--json"]) == 0
    [story] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(story["articles"]) == 4
    assert {a["source"] for a in story["articles"]} == {
        "Global Dispatch",
        "Andes Herald",
        "Pacific Times",
        "UN Observer",
    }
    assert "Paredes" in " ".join(story["people"])

    assert main(["stories", "--db", db_url]) == 0
    assert "Reported by Andes Herald, Global Dispatch and 2 more" in capsys.readouterr().out

    assert main(["articles", "--db", db_url]) == 0
    assert "(also: Two <https://two.test/w>)" in capsys.readouterr().out
    assert main(["articles", "--db", db_url, "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    [wire] = [r for r in rows if r["source"] == "Wire One"]
    assert [c["source"] for c in wire["copies"]] == ["Two"]


def test_a_time_span_is_read_or_refused_in_plain_words() -> None:
    assert parse_span("24h") == 86400 and parse_span("3d") == 3 * 86400
    with pytest.raises(InvalidInput, match="like 24h"):
        parse_span("yesterday")
