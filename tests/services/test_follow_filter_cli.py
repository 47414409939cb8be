"""The CLI mirror: byline follow, byline filter, and charts written by who/timeline --chart."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot.cli import main
from tests.services.conftest import GUILD

pytestmark = pytest.mark.usefixtures("isolated_env")


@pytest.fixture
def db(people_store_template: Path, tmp_path: Path) -> str:
    target = tmp_path / "byline.db"
    shutil.copy(people_store_template, target)
    return f"sqlite+aiosqlite:///{target}"


def lines(out: str) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_follow_add_list_remove(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    common = ["--db", db, "--json"]
    assert main(["follow", "add", "Kim", "--guild", str(GUILD), "--channel", "77", *common]) == 0
    [added] = lines(capsys.readouterr().out)
    assert added["person"] == "Kim Jong Un" and added["kind"] == "channel"
    assert main(["follow", "list", "--guild", str(GUILD), *common]) == 0
    assert [f["id"] for f in lines(capsys.readouterr().out)] == [added["id"]]
    assert main(["follow", "remove", str(added["id"]), "--guild", str(GUILD), "--db", db]) == 0
    assert "Kim Jong Un" in capsys.readouterr().out
    assert main(["follow", "remove", str(added["id"]), "--guild", str(GUILD), "--db", db]) == 1
    assert "no follow" in capsys.readouterr().err


def test_filter_add_test_list_remove(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    guild = ["--guild", str(GUILD), "--db", db]
    assert main(["filter", "add", "exclude", "regex", r"\bsports?\b", *guild]) == 0
    capsys.readouterr()
    assert main(["filter", "add", "exclude", "regex", r"(a)\1", *guild]) == 1
    assert "backreferences" in capsys.readouterr().err
    assert main(["filter", "test", "Local sports roundup", *guild]) == 3
    assert capsys.readouterr().out.startswith("dropped: rule #")
    assert main(["filter", "test", "Council budget", *guild]) == 0
    assert capsys.readouterr().out.strip() == "posted"
    assert main(["filter", "list", *guild, "--json"]) == 0
    [rule] = lines(capsys.readouterr().out)
    assert rule["kind"] == "regex"
    assert main(["filter", "remove", str(rule["id"]), *guild]) == 0


def test_who_and_timeline_write_charts(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chart = tmp_path / "kim.png"
    assert main(["who", "Kim", "--chart", str(chart), "--db", db]) == 0
    assert chart.read_bytes().startswith(b"\x89PNG") and chart.stat().st_size > 2000
    timeline = tmp_path / "timeline.png"
    assert main(["timeline", "Kim Jong Un", "--chart", str(timeline), "--db", db]) == 0
    assert timeline.read_bytes().startswith(b"\x89PNG")
    assert main(["who", "Kim", "--chart", str(tmp_path / "kim.jpg"), "--db", db]) == 1
    assert "should end in .png" in capsys.readouterr().err
