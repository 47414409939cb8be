"""`byline doctor` against the fake Discord: plain findings, what to do, non-zero on failure."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

from tests.discord.conftest import FAKE_TOKEN
from tests.discord.fake import FakeDiscord, StandardGuild

ROOT = Path(__file__).resolve().parents[2]


async def _byline(env: dict[str, str], *args: str) -> tuple[int, str, str]:
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
    out, err = await asyncio.wait_for(process.communicate(), 120)
    return process.returncode or 0, out.decode(), err.decode()


def _env(fake: FakeDiscord, tmp_path: Path, token: str = FAKE_TOKEN) -> dict[str, str]:
    (tmp_path / "config.toml").write_text("", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("BYLINE_")}
    env.update(
        BYLINE_CONFIG=str(tmp_path / "config.toml"),
        BYLINE_DATABASE__URL=f"sqlite+aiosqlite:///{tmp_path / 'byline.db'}",
        BYLINE_DISCORD__API_BASE=fake.api_base,
        DISCORD_TOKEN=token,
    )
    return env


def _by_name(out: str) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in map(json.loads, out.strip().splitlines())}


async def test_doctor_passes_on_a_healthy_install_and_names_a_channel_it_cannot_post_in(
    fake_discord: FakeDiscord, std: StandardGuild, tmp_path: Path
) -> None:
    env = _env(fake_discord, tmp_path)
    assert (await _byline(env, "db", "upgrade"))[0] == 0
    guild = str(std.guild.id)
    assert (
        await _byline(env, "config", "channel", "--guild", guild, "--channel", str(std.news.id))
    )[0] == 0
    code, out, err = await _byline(env, "doctor", "--json")
    checks = _by_name(out)
    assert code == 0, out + err
    assert {
        "token",
        "database",
        "migrations",
        "integrity",
        "disk",
        "model",
        f"server {guild}",
    } <= set(checks)
    assert all(c["status"] == "ok" for c in checks.values()), checks
    assert FAKE_TOKEN not in out + err

    no_send = str(std.no_send.id)
    assert (await _byline(env, "config", "channel", "--guild", guild, "--channel", no_send))[0] == 0
    code, out, _ = await _byline(env, "doctor")
    assert code == 1
    assert f"FAIL  server {guild}: Missing permission in #" in out
    assert "Send Messages" in out and "→ choose a channel with /config channel" in out


async def test_doctor_fails_on_a_refused_token_and_an_old_schema(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    env = _env(fake_discord, tmp_path, token="not-the-token")
    code, out, _ = await _byline(env, "doctor", "--json")
    checks = _by_name(out)
    assert code == 1
    assert checks["token"]["status"] == "fail" and "refused" in checks["token"]["detail"]
    # Never migrated: the doctor says so and does not migrate it itself.
    assert checks["migrations"]["status"] == "fail"
    assert "byline db upgrade" in checks["migrations"]["fix"]
