"""Logs: text and JSON lines, the ids of the current event on each line, the token never shown."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.observability.logs import (
    REDACTED,
    current_log_context,
    log_context,
    setup_logging,
)

TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789AB"
log = logging.getLogger("bot.test")


@pytest.fixture()
def restore_root() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)


def _capture(fmt: str, **kwargs: object) -> io.StringIO:
    stream = io.StringIO()
    setup_logging("DEBUG", fmt, stream=stream, **kwargs)  # type: ignore[arg-type]
    return stream


def _json_lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.mark.usefixtures("restore_root")
def test_json_lines_carry_the_ids_of_the_current_event() -> None:
    stream = _capture("json")
    with log_context(guild_id=42, command="digest now"):
        log.info("posted %d articles", 3, extra={"duration_ms": 120})
        with log_context(article_id=7):
            log.warning("quote dropped")
    log.info("outside")
    first, second, third = _json_lines(stream)
    assert first["message"] == "posted 3 articles"
    assert (first["guild_id"], first["command"], first["article_id"]) == (42, "digest now", None)
    assert first["duration_ms"] == 120 and first["level"] == "INFO"
    assert first["logger"] == "bot.test" and str(first["ts"]).endswith("+00:00")
    assert (second["guild_id"], second["article_id"], second["level"]) == (42, 7, "WARNING")
    assert {
        k: third[k] for k in ("guild_id", "command", "source_id", "article_id")
    } == dict.fromkeys(("guild_id", "command", "source_id", "article_id"))


@pytest.mark.usefixtures("restore_root")
def test_text_lines_show_only_the_ids_that_are_set() -> None:
    stream = _capture("text")
    with log_context(source_id=5):
        log.info("polled")
    log.info("plain")
    polled, plain = stream.getvalue().splitlines()
    assert polled.endswith("INFO bot.test [source_id=5]: polled")
    assert plain.endswith("INFO bot.test: plain")


@pytest.mark.usefixtures("restore_root")
def test_an_explicit_id_wins_over_the_context() -> None:
    stream = _capture("json")
    with log_context(guild_id=1):
        log.info("other server", extra={"guild_id": 2})
    assert _json_lines(stream)[0]["guild_id"] == 2


async def test_concurrent_tasks_keep_their_own_ids() -> None:
    seen: dict[int, dict[str, object]] = {}

    async def handle(guild: int) -> None:
        with log_context(guild_id=guild, command="who"):
            await asyncio.sleep(0.01)
            seen[guild] = current_log_context()

    await asyncio.gather(handle(1), handle(2), handle(3))
    assert {g: c["guild_id"] for g, c in seen.items()} == {1: 1, 2: 2, 3: 3}
    assert current_log_context()["guild_id"] is None


@pytest.mark.usefixtures("restore_root")
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_the_token_never_appears_in_messages_arguments_extras_or_tracebacks(
    fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    stream = _capture(fmt)
    log.info("connecting with %s", TOKEN)
    log.info(f"header Authorization: Bot {TOKEN}")
    log.info("request", extra={"headers": f"Bot {TOKEN}"})
    try:
        raise RuntimeError(f"login failed for {TOKEN}")
    except RuntimeError:
        log.exception("gateway error")
    logging.getLogger("discord.http").debug("token=%r", TOKEN)  # another library's logger
    out = stream.getvalue()
    assert TOKEN not in out
    assert out.count(REDACTED) >= (4 if fmt == "text" else 5)
    assert f"login failed for {REDACTED}" in out and "Traceback" in out


@pytest.mark.usefixtures("restore_root")
def test_a_short_token_does_not_redact_ordinary_words(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "a")
    stream = _capture("text")
    log.info("a day at a time")
    assert "a day at a time" in stream.getvalue()


@pytest.mark.usefixtures("restore_root")
def test_setting_up_replaces_every_earlier_root_handler() -> None:
    stranger = io.StringIO()
    logging.getLogger().addHandler(logging.StreamHandler(stranger))
    first = _capture("text")
    second = _capture("json")
    log.info("once")
    assert first.getvalue() == "" and stranger.getvalue() == ""
    assert [line["message"] for line in _json_lines(second)] == ["once"]
