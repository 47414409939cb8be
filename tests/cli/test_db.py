"""`byline db backup|restore|copy` through the command line."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from pathlib import Path

import pytest

from bot.cli import main

pytestmark = pytest.mark.usefixtures("isolated_env")

SEED = Path(__file__).resolve().parents[1] / "gold" / "articles" / "00_seed.txt"


def _articles(path: Path) -> int:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])


def test_backup_then_restore_brings_the_store_back(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db_url: str
) -> None:
    assert main(["ingest", "--db", db_url, str(SEED)]) == 0
    store = tmp_path / "byline.db"
    backup = tmp_path / "backups" / "byline-1.db"
    backup.parent.mkdir()
    capsys.readouterr()
    assert main(["db", "backup", str(backup), "--db", db_url, "--json"]) == 0
    made = json.loads(capsys.readouterr().out)
    assert made["articles"] == 1 and Path(made["path"]) == backup
    with contextlib.closing(sqlite3.connect(store)) as conn, conn:
        conn.execute("DELETE FROM articles")
    assert _articles(store) == 0
    assert main(["db", "restore", str(backup), "--db", db_url]) == 0
    assert "restored 1 articles" in capsys.readouterr().out
    assert _articles(store) == 1


def test_backup_does_not_migrate_a_missing_store(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db_url: str
) -> None:
    assert main(["db", "backup", str(tmp_path / "b.db"), "--db", db_url]) == 1
    assert "error:" in capsys.readouterr().err
    assert not (tmp_path / "byline.db").exists()


def test_copy_moves_every_row_with_the_counts_checked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db_url: str
) -> None:
    assert main(["ingest", "--db", db_url, str(SEED)]) == 0
    target = tmp_path / "moved.db"
    capsys.readouterr()
    code = main(["db", "copy", "--to", f"sqlite+aiosqlite:///{target}", "--db", db_url])
    assert code == 0
    captured = capsys.readouterr()
    assert "every table's count matches" in captured.out
    assert "articles: 1/1" in captured.err
    assert _articles(target) == 1


def test_db_upgrade_still_reports_the_revision(
    capsys: pytest.CaptureFixture[str], db_url: str
) -> None:
    assert main(["db", "upgrade", "--db", db_url]) == 0
    assert "database at revision" in capsys.readouterr().out
