"""The read commands start fast: they never import the analysis, HTML or Discord stacks."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

# Each of these costs from tens of milliseconds (aiohttp) to most of a second (spaCy) at start
# (re2, which the digest's filters need, takes 4 ms and is allowed).
HEAVY = (
    "spacy",
    "thinc",
    "numpy",
    "datasketch",
    "trafilatura",
    "lxml",
    "feedparser",
    "dateparser",
    "aiohttp",
    "discord",
    "apscheduler",
    "matplotlib",
)

PROBE = """
import json, sys
from bot.cli import main
code = main(sys.argv[2:])
heavy = json.loads(sys.argv[1])
print(json.dumps({"code": code, "loaded": [m for m in heavy if m in sys.modules]}))
"""


def _person(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        [(name,)] = conn.execute("SELECT name FROM people ORDER BY id LIMIT 1").fetchall()
    return str(name)


@pytest.mark.parametrize(
    "command",
    [
        ["who", "{person}"],
        ["quotes", "--person", "{person}"],
        ["timeline", "{person}"],
        ["events", "vote"],
        ["articles", "--search", "water"],
        ["articles"],
        ["stories"],
        ["status", "--guild", "1"],
        ["digest", "--preview"],
    ],
)
def test_read_commands_import_nothing_heavy(db_path: Path, command: list[str]) -> None:
    argv = [a.format(person=_person(db_path)) for a in command]
    argv += ["--db", f"sqlite+aiosqlite:///{db_path}", "--json"]
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(HEAVY), *argv],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"code": 0, "loaded": []}, done.stderr
