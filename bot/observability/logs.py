"""Log setup: text or JSON lines, the ids of the current event on every line, secrets redacted."""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from collections.abc import Iterable, Iterator
from contextvars import ContextVar, Token
from datetime import UTC, datetime
from typing import Any, Literal, TextIO

from bot.settings import discord_token

LogFormat = Literal["text", "json"]

# Per asyncio task (contextvars are copied into each task), so one command's ids never leak
# into another's lines.
guild_id_var: ContextVar[int | None] = ContextVar("byline_guild_id", default=None)
command_var: ContextVar[str | None] = ContextVar("byline_command", default=None)
source_id_var: ContextVar[int | None] = ContextVar("byline_source_id", default=None)
article_id_var: ContextVar[int | None] = ContextVar("byline_article_id", default=None)

CONTEXT_FIELDS = ("guild_id", "command", "source_id", "article_id")
_VARS: dict[str, ContextVar[Any]] = {
    "guild_id": guild_id_var,
    "command": command_var,
    "source_id": source_id_var,
    "article_id": article_id_var,
}
REDACTED = "[redacted]"
# A secret shorter than this would redact ordinary words; real bot tokens are ~70 characters.
_MIN_SECRET_LENGTH = 8
_HANDLER_NAME = "byline"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s%(context)s: %(message)s"

# Attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD_ATTRS = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "context",
    *CONTEXT_FIELDS,
}


@contextlib.contextmanager
def log_context(
    *,
    guild_id: int | None = None,
    command: str | None = None,
    source_id: int | None = None,
    article_id: int | None = None,
) -> Iterator[None]:
    """Tag every line logged inside the block with the given ids (unset ones are kept)."""
    given = {
        "guild_id": guild_id,
        "command": command,
        "source_id": source_id,
        "article_id": article_id,
    }
    tokens: list[tuple[ContextVar[Any], Token[Any]]] = [
        (_VARS[name], _VARS[name].set(value)) for name, value in given.items() if value is not None
    ]
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)


def current_log_context() -> dict[str, Any]:
    """The ids in force for this task: name → value or None."""
    return {name: var.get() for name, var in _VARS.items()}


class ContextFilter(logging.Filter):
    """Copy the current ids onto each record (and a short text form for the text format)."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = current_log_context()
        for name, value in context.items():
            # An id passed explicitly with extra= wins over the task's context.
            if getattr(record, name, None) is None:
                setattr(record, name, value)
        shown = " ".join(
            f"{name}={getattr(record, name)}"
            for name in CONTEXT_FIELDS
            if getattr(record, name) is not None
        )
        record.context = f" [{shown}]" if shown else ""
        return True


class RedactFilter(logging.Filter):
    """Replace secrets (the Discord token) in the message, its arguments and any traceback."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = sorted(
            {s for s in secrets if s and len(s) >= _MIN_SECRET_LENGTH}, key=len, reverse=True
        )

    def redact(self, value: str) -> str:
        """Value with every secret replaced."""
        for secret in self.secrets:
            value = value.replace(secret, REDACTED)
        return value

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep the raw parts, still redacted
            message = f"{record.msg} {record.args}"
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        for key, value in list(record.__dict__.items()):
            if key not in _STANDARD_ATTRS and isinstance(value, str):
                setattr(record, key, self.redact(value))
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the ids, extras, traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in CONTEXT_FIELDS:
            entry[name] = getattr(record, name, None)
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRS and key not in entry:
                entry[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """The human format; tolerates records that did not pass ContextFilter."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "context"):
            record.context = ""
        return super().format(record)


def build_handler(
    fmt: LogFormat = "text",
    *,
    stream: TextIO | None = None,
    secrets: Iterable[str] | None = None,
) -> logging.Handler:
    """A stream handler with the context and redaction filters and the chosen format."""
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.set_name(_HANDLER_NAME)
    # On the handler, not a logger: handler filters see records from every logger
    # (discord.py's, aiohttp's, ours), logger filters only their own.
    handler.addFilter(ContextFilter())
    handler.addFilter(RedactFilter(_default_secrets() if secrets is None else secrets))
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    return handler


def setup_logging(
    level: str = "INFO",
    fmt: LogFormat = "text",
    *,
    stream: TextIO | None = None,
    secrets: Iterable[str] | None = None,
) -> logging.Handler:
    """Send every log line to stderr (or stream) in fmt, replacing the root logger's handlers."""
    root = logging.getLogger()
    # Like basicConfig(force=True): a handler left by someone else would print records
    # before ours redacts them.
    for old in list(root.handlers):
        root.removeHandler(old)
        if old.get_name() == _HANDLER_NAME:
            old.close()
    handler = build_handler(fmt, stream=stream, secrets=secrets)
    root.addHandler(handler)
    root.setLevel(level)
    return handler


def _default_secrets() -> list[str]:
    token = discord_token()
    return [token.get_secret_value()] if token is not None else []
