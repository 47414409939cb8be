"""`byline status` and `byline config …`: the same service calls as /status and /config."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from bot.cli import main
from bot.settings import Settings

pytestmark = pytest.mark.usefixtures("isolated_env")

ROOT = Path(__file__).resolve().parents[2]
GUILD = 4242


def _json(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    out = capsys.readouterr().out.strip().splitlines()
    record: dict[str, Any] = json.loads(out[-1])
    return record


def test_config_commands_change_and_show_a_servers_settings(
    capsys: pytest.CaptureFixture[str], db_url: str
) -> None:
    base = ["--db", db_url, "--guild", str(GUILD), "--json"]
    assert main(["config", "channel", *base, "--channel", "77"]) == 0
    assert _json(capsys)["config"]["channel_id"] == 77
    assert main(["config", "schedule", "weekdays 18:30", "--timezone", "Europe/Berlin", *base]) == 0
    info = _json(capsys)
    assert info["description"] == "weekdays at 18:30"
    assert info["config"]["timezone"] == "Europe/Berlin" and info["next_at"] is not None
    assert main(["config", "limits", *base, "--articles", "3", "--quotes", "1"]) == 0
    limits = _json(capsys)["config"]
    assert (limits["max_articles"], limits["max_quotes"]) == (3, 1)
    assert main(["config", "pause", *base]) == 0
    assert _json(capsys)["config"]["paused"] is True
    assert main(["status", *base]) == 0
    status = _json(capsys)
    assert status["next_at"] is None  # paused
    assert main(["config", "resume", *base]) == 0
    assert main(["config", "show", *base]) == 0
    shown = _json(capsys)
    assert shown["config"]["paused"] is False and shown["next_at"] is not None


def test_config_errors_are_one_line_and_change_nothing(
    capsys: pytest.CaptureFixture[str], db_url: str
) -> None:
    base = ["--db", db_url, "--guild", str(GUILD)]
    assert main(["config", "schedule", "daily 09:00", *base]) == 0
    capsys.readouterr()
    assert main(["config", "schedule", "sometimes", *base]) == 1
    assert main(["config", "schedule", "daily 10:00", "--timezone", "Mars/Olympus", *base]) == 1
    assert main(["config", "limits", *base, "--articles", "99"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and all(line.startswith("error: ") for line in err)
    assert main(["config", "show", *base, "--json"]) == 0
    assert _json(capsys)["config"]["schedule"] == "daily 09:00"


async def _set_last_digest(db_url: str, at: datetime) -> None:
    app = await App.open(Settings(database={"url": db_url}), processes=False)
    async with app:
        await app.guilds.update(GUILD, channel_id=77, last_digest_at=at)


# Renders /status the way the cog does, in a process whose local time zone is `TZ`.
_RENDER_STATUS = """
import asyncio, json, re, sys
from bot.app import App
from bot.discord_app.render import status_embed
from bot.settings import Settings

async def main():
    app = await App.open(Settings(database={"url": sys.argv[1]}), processes=False)
    async with app:
        status = await app.guilds.status(int(sys.argv[2]))
    text = json.dumps(status_embed(status).to_dict())
    print(json.dumps({
        "last": status.config.last_digest_at.isoformat(),
        "stamps": [int(s) for s in re.findall(r"<t:(\\d+):F>", text)],
    }))

asyncio.run(main())
"""


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York", "UTC"])
def test_status_times_do_not_shift_with_the_hosts_time_zone(db_url: str, zone: str) -> None:
    at = datetime(2026, 6, 1, 7, 0, tzinfo=UTC)
    asyncio.run(_set_last_digest(db_url, at))
    env = {**os.environ, "TZ": zone}
    done = subprocess.run(
        [sys.executable, "-c", _RENDER_STATUS, db_url, str(GUILD)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    shown = json.loads(done.stdout.strip().splitlines()[-1])
    assert shown["last"] == "2026-06-01T07:00:00+00:00"
    assert shown["stamps"][0] == int(at.timestamp())  # the "Last digest" field
    cli = subprocess.run(
        [sys.executable, "-m", "bot", "status", "--db", db_url, "--guild", str(GUILD), "--json"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert json.loads(cli.stdout)["config"]["last_digest_at"] == "2026-06-01T07:00:00+00:00"
