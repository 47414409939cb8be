"""`byline doctor`'s Discord-free checks: config, database, disk, model, sources.

Each check says in plain words what it found and, when something is wrong, what to do. The
Discord checks (token, channels) live in bot/discord_app/doctor_checks.py.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.db import sources as source_store
from bot.db.engine import Database
from bot.db.migrate import alembic_config, current
from bot.settings import DEFAULT_CONFIG_PATH, Settings, discord_token

# Below this a SQLite store (and its WAL) may fail to grow: warn early, fail late.
DISK_WARN_BYTES = 1024**3
DISK_FAIL_BYTES = 100 * 1024**2


class CheckStatus(StrEnum):
    """How one check ended."""

    OK = "ok"
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True, slots=True)
class Check:
    """One finding: what was checked, what was found, and what to do about it."""

    name: str
    status: CheckStatus
    detail: str
    fix: str | None = None


def ok(name: str, detail: str) -> Check:
    """A passing check."""
    return Check(name, CheckStatus.OK, detail)


def config_checks(settings: Settings) -> list[Check]:
    """Where the settings came from, and whether the token is in the environment."""
    path = Path(os.environ.get("BYLINE_CONFIG", DEFAULT_CONFIG_PATH))
    found = [
        ok("config", f"settings read from {path}" if path.is_file() else "no config file; defaults")
    ]
    overrides = sorted(k for k in os.environ if k.startswith("BYLINE_") and k != "BYLINE_CONFIG")
    if overrides:
        found.append(ok("environment", "set here: " + ", ".join(overrides)))
    if discord_token() is None:
        found.append(
            Check(
                "token",
                CheckStatus.FAIL,
                "DISCORD_TOKEN is not set",
                "export the bot token as DISCORD_TOKEN (Discord developer portal → Bot → Token)",
            )
        )
    del settings
    return found


def config_problems(problems: list[str]) -> list[Check]:
    """One failed check per wrong key or value in the config file or environment."""
    fix = (
        "correct it in the config file (BYLINE_CONFIG) or the BYLINE_* variable; "
        "config.example.toml lists every key"
    )
    return [Check("config", CheckStatus.FAIL, problem, fix) for problem in problems]


def head_revision() -> str | None:
    """The newest migration this Byline ships."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def database_checks(settings: Settings, db: Database) -> list[Check]:
    """The store answers, its schema is current, SQLite's integrity check and free disk."""
    url = settings.database.url
    shown = make_url(url).render_as_string(hide_password=True)
    try:
        async with db.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        revision = await current(db.engine)
    except Exception as exc:
        return [
            Check(
                "database",
                CheckStatus.FAIL,
                f"cannot reach {shown}: {type(exc).__name__}",
                "check database.url (BYLINE_DATABASE__URL) and that the server is running",
            )
        ]
    found = [ok("database", f"{shown} answers")]
    head = head_revision()
    if revision != head:
        found.append(
            Check(
                "migrations",
                CheckStatus.FAIL,
                f"the store is at schema {revision or 'none'}, this Byline writes {head}",
                "back up the store (byline db backup PATH), then run `byline db upgrade`",
            )
        )
    else:
        found.append(ok("migrations", f"schema {revision} is current"))
    if make_url(url).get_backend_name() == "sqlite":
        found += await _sqlite_checks(url)
    return found


async def _sqlite_checks(url: str) -> list[Check]:
    from bot.db.backup import integrity_problems, sqlite_path

    found = []
    problems = await integrity_problems(url)
    if problems:
        found.append(
            Check(
                "integrity",
                CheckStatus.FAIL,
                "SQLite's integrity check failed: " + "; ".join(problems[:3]),
                "stop the bot and restore the last backup (byline db restore PATH)",
            )
        )
    else:
        found.append(ok("integrity", "SQLite integrity check ok"))
    folder = sqlite_path(url).parent
    free = shutil.disk_usage(folder).free
    words = f"{free / 1024**3:.1f} GiB free in {folder}"
    if free < DISK_FAIL_BYTES:
        found.append(Check("disk", CheckStatus.FAIL, words, "free disk space now"))
    elif free < DISK_WARN_BYTES:
        found.append(Check("disk", CheckStatus.WARN, words, "free disk space soon"))
    else:
        found.append(ok("disk", words))
    return found


def model_check(settings: Settings) -> Check:
    """The spaCy model is installed."""
    model = settings.analysis.model
    if importlib.util.find_spec(model) is None:
        return Check(
            "model",
            CheckStatus.FAIL,
            f"the spaCy model {model} is not installed",
            f"run `python -m spacy download {model}` (the container image has it)",
        )
    return ok("model", f"spaCy model {model} is installed")


async def source_checks(db: Database, now: datetime) -> list[Check]:
    """Each source's last poll: disabled, failing or overdue ones are named."""
    async with db.reader() as session:
        sources = await source_store.list_visible(session, None)
    found = []
    for source in sources:
        name = f"source #{source.id}"
        label = source.title or source.url
        if source.disabled_reason is not None:
            found.append(
                Check(
                    name,
                    CheckStatus.FAIL,
                    f"{label} is disabled: {source.disabled_reason}",
                    f"fix the address, then `byline sources poll {source.id}` re-enables it",
                )
            )
        elif source.failures:
            found.append(
                Check(
                    name,
                    CheckStatus.WARN,
                    f"{label}: the last {source.failures} polls failed ({source.last_error})",
                    "check the address in a browser; it is disabled after sources.max_failures",
                )
            )
        elif source.last_polled_at is None:
            found.append(ok(name, f"{label}: not polled yet"))
        elif now - source.last_polled_at > timedelta(seconds=3 * source.every_s + 600):
            found.append(
                Check(
                    name,
                    CheckStatus.WARN,
                    f"{label}: last polled {source.last_polled_at:%Y-%m-%d %H:%M} UTC",
                    "is the bot running? sources are polled only by `byline run`",
                )
            )
        else:
            found.append(ok(name, f"{label}: polled {source.last_polled_at:%Y-%m-%d %H:%M} UTC"))
    return found


def failed(checks: list[Check]) -> bool:
    """Whether any check failed (the doctor exits non-zero)."""
    return any(c.status is CheckStatus.FAIL for c in checks)
