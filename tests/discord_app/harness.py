"""Start the real bot (`python -m bot run`) as a subprocess against the in-process FakeDiscord."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from tests.discord.conftest import FAKE_TOKEN
from tests.discord.fake import FakeDiscord

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "tests" / "gold" / "articles"

BAIT_TITLE = "Council meeting ends in uproar @everyone <@&123>"
BAIT_TEXT = "\n\n".join(
    [
        BAIT_TITLE,
        "The Fairview city council meeting on Tuesday ended early after a resident shouted "
        "@everyone and <@&123> into the microphone.",
        '"We want @everyone to see this, and <@&123> too," said Dana Whitlock, '
        "a spokeswoman for the residents' group.",
        "Mayor Paul Okafor said the council would meet again next week. "
        '"This is *not* how we run things," Okafor said.\n',
    ]
)


def env_for(fake: FakeDiscord, workdir: Path, guild_id: int, **extra: str) -> dict[str, str]:
    """The environment of a bot process, as in production."""
    config = workdir / "config.toml"
    if not config.exists():
        config.write_text("", encoding="utf-8")
    env = {
        **os.environ,
        "BYLINE_DISCORD__API_BASE": fake.api_base,
        "DISCORD_TOKEN": FAKE_TOKEN,
        "BYLINE_DATABASE__URL": f"sqlite+aiosqlite:///{workdir / 'byline.db'}",
        "BYLINE_DISCORD__DEV_GUILD_ID": str(guild_id),
        "BYLINE_CONFIG": str(config),
        "BYLINE_ANALYSIS__PENDING_POLL_S": "3600",
        "PYTHONUNBUFFERED": "1",
    }
    env.update(extra)
    return env


def template_article_count() -> int:
    """How many articles build_template stores: every gold article plus the mention bait."""
    return len(list(GOLD.glob("*.txt"))) + 1


def build_template(directory: Path) -> Path:
    """A database with the gold articles and one mention-bait article, ingested for real."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "config.toml").write_text("", encoding="utf-8")
    bait = directory / "bait.txt"
    bait.write_text(BAIT_TEXT, encoding="utf-8")
    db = directory / "byline.db"
    env = {
        **os.environ,
        "BYLINE_CONFIG": str(directory / "config.toml"),
        "BYLINE_DATABASE__URL": f"sqlite+aiosqlite:///{db}",
    }
    paths = sorted(str(p) for p in GOLD.glob("*.txt"))
    subprocess.run(
        [sys.executable, "-m", "bot", "ingest", *paths, str(bait)],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=180,
    )
    return db


def copy_db(template: Path, workdir: Path) -> Path:
    """A private copy of the template database."""
    workdir.mkdir(parents=True, exist_ok=True)
    target = workdir / "byline.db"
    shutil.copy(template, target)
    return target


def set_clock(workdir: Path, when: datetime) -> Path:
    """Move the bot's test clock (the file tests.discord_app.run_bot reads) to an instant."""
    path = workdir / "clock.txt"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(when.isoformat(), encoding="utf-8")
    tmp.replace(path)
    return path


@dataclass
class BotProcess:
    """One `byline run` subprocess."""

    process: asyncio.subprocess.Process
    log: Path

    async def stop(self) -> int:
        """Terminate (SIGTERM) and wait."""
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 15)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        return self.process.returncode or 0

    def output(self) -> str:
        """What the bot logged."""
        return self.log.read_text(encoding="utf-8", errors="replace")


async def start_bot(
    fake: FakeDiscord,
    workdir: Path,
    guild_id: int,
    *,
    name: str = "bot",
    wait: bool = True,
    clock_file: str | None = None,
    **extra: str,
) -> BotProcess:
    """Start the bot process and wait until it synced its commands and is connected.

    Without a clock file it is `python -m bot run`; with one, the test runner that injects a
    clock read from that file into the same App.
    """
    identified = fake.identify_count
    synced = len(fake.requests_to("PUT", rf"/applications/\d+/guilds/{guild_id}/commands"))
    log = workdir / f"{name}.log"
    handle = log.open("ab")
    # With a test clock the test runner builds the same App with that clock injected.
    command = ["-m", "bot", "run"]
    if clock_file:
        command = ["-m", "tests.discord_app.run_bot", clock_file]
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *command,
        env=env_for(fake, workdir, guild_id, **extra),
        cwd=ROOT,
        stdout=handle,
        stderr=subprocess.STDOUT,
    )
    handle.close()
    bot = BotProcess(process, log)
    if not wait:
        return bot

    def ready() -> bool:
        if process.returncode is not None:
            raise AssertionError(
                f"the bot exited with {process.returncode}:\n{bot.output()[-3000:]}"
            )
        put = len(fake.requests_to("PUT", rf"/applications/\d+/guilds/{guild_id}/commands"))
        session = fake.session
        return (
            put > synced
            and fake.identify_count > identified
            and session is not None
            and session.ready
        )

    try:
        await fake.wait_until(ready, 60.0, "the bot to sync and connect")
    except BaseException:
        await bot.stop()
        raise
    await asyncio.sleep(0.3)  # let discord.py finish processing READY and GUILD_CREATE
    return bot


def all_text(message_data: Mapping[str, Any]) -> str:
    """Content plus every embed string of a message payload, for searching."""
    parts = [message_data.get("content") or ""]
    for embed in message_data.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        parts += [(embed.get("footer") or {}).get("text") or ""]
        for fld in embed.get("fields") or []:
            parts += [fld["name"], fld["value"]]
    return "\n".join(parts)


def outgoing_payloads(fake: FakeDiscord) -> list[dict]:  # type: ignore[type-arg]
    """Every message-like payload the bot sent: channel posts, callbacks, followups, edits."""
    payloads = []
    for request in fake.requests:
        body = request.json if isinstance(request.json, dict) else None
        if body is None:
            continue
        if request.path.startswith("/interactions/"):
            if body.get("type") in (4, 7):
                payloads.append(body.get("data") or {})
        elif request.method in ("POST", "PATCH") and (
            "/messages" in request.path or request.path.startswith("/webhooks/")
        ):
            payloads.append(body)
    return payloads
