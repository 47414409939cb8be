"""`byline run` / `byline sync` as a user starts them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.discord.conftest import FAKE_TOKEN
from tests.discord.fake import FakeDiscord

ROOT = Path(__file__).resolve().parents[2]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    (tmp_path / "config.toml").write_text("", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    env.update(
        BYLINE_CONFIG=str(tmp_path / "config.toml"),
        BYLINE_DATABASE__URL=f"sqlite+aiosqlite:///{tmp_path / 'byline.db'}",
        **extra,
    )
    return env


def test_run_without_token_says_so_in_one_line_and_exits_2(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        env=_env(tmp_path),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: DISCORD_TOKEN is not set; export the bot token as DISCORD_TOKEN and try again"
    ]
    assert "Traceback" not in done.stdout + done.stderr


async def test_sync_registers_commands_globally_or_on_one_server(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    import asyncio

    guild = fake_discord.add_guild("Sync test")
    env = _env(tmp_path, DISCORD_TOKEN=FAKE_TOKEN, BYLINE_DISCORD__API_BASE=fake_discord.api_base)
    for args, scope in ((["sync"], None), (["sync", "--guild", str(guild.id)], guild.id)):
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            *args,
            env=env,
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), 60)
        assert process.returncode == 0, err.decode()
        assert "synced 9 commands" in out.decode()  # with /follow
        assert FAKE_TOKEN not in out.decode() + err.decode()
        names = {c["name"] for c in fake_discord.guild_commands(scope)}
        assert {"who", "config", "digest", "status"} <= names
    assert fake_discord.identify_count == 0  # sync never connects to the gateway
