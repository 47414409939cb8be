"""The health listener: /healthz runs the checks (200 or 503 with reasons), /metrics scrapes."""

from __future__ import annotations

import asyncio
import json
import socket
import tomllib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.observability.health import (
    HealthCheck,
    HealthServer,
    database_check,
    gateway_check,
    queue_depth_refresher,
    scheduler_check,
)
from bot.observability.metrics import Metrics
from bot.settings import HealthSettings, LoggingSettings, load_settings


class _Scheduler:
    running = True


async def _ok() -> str | None:
    return None


Serve = Callable[..., Awaitable[HealthServer]]


@pytest.fixture()
async def serve() -> AsyncIterator[Serve]:
    """Start listeners on free ports; stop them after the test."""
    servers: list[HealthServer] = []

    async def start(
        checks: Mapping[str, HealthCheck], metrics: Metrics | None = None, **kwargs: object
    ) -> HealthServer:
        server = HealthServer(metrics or Metrics(), checks, port=0, **kwargs)  # type: ignore[arg-type]
        await server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        await server.stop()


async def _get(url: str) -> tuple[int, str, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, response.headers["Content-Type"], await response.text()


async def test_healthz_is_200_ok_when_every_check_passes(serve: Serve, tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'b.db'}")
    connected = True
    try:
        server = await serve(
            {
                "gateway": gateway_check(lambda: connected),
                "database": database_check(db),
                "scheduler": scheduler_check(_Scheduler()),
            }
        )
        assert server.port != 0 and server.url.startswith("http://127.0.0.1:")
        status, content_type, body = await _get(f"{server.url}/healthz")
        assert status == 200 and content_type.startswith("application/json")
        assert json.loads(body) == {
            "status": "ok",
            "checks": {"gateway": "ok", "database": "ok", "scheduler": "ok"},
            "failing": [],
        }
        connected = False
        status, _, body = await _get(f"{server.url}/healthz")
        assert status == 503
        assert json.loads(body)["failing"] == ["gateway: the Discord gateway is not connected"]
    finally:
        await db.dispose()


async def test_a_failing_check_gives_503_with_its_reason(serve: Serve) -> None:
    stopped = _Scheduler()
    stopped.running = False

    async def broken() -> str | None:
        raise ConnectionError("refused")

    async def slow() -> str | None:
        await asyncio.sleep(10)
        return None

    server = await serve(
        {"scheduler": scheduler_check(stopped), "raises": broken, "slow": slow, "fine": _ok},
        check_timeout_s=0.1,
    )
    status, _, body = await _get(f"{server.url}/healthz")
    result = json.loads(body)
    assert status == 503 and result["status"] == "failing"
    assert result["checks"] == {
        "scheduler": "the scheduler is not running",
        "raises": "ConnectionError: refused",
        "slow": "no answer within 0.1 s",
        "fine": "ok",
    }


async def test_an_unreachable_database_fails_its_check(serve: Serve, tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'store.db'}")
    db_path = tmp_path / "store.db"
    db_path.mkdir()  # a folder where the database file should be: SQLite cannot open it
    try:
        server = await serve({"database": database_check(db)})
        status, _, body = await _get(f"{server.url}/healthz")
    finally:
        await db.dispose()
    assert status == 503
    assert "the database does not answer" in json.loads(body)["checks"]["database"]


async def test_metrics_are_served_in_prometheus_text_and_refreshed_before_a_scrape(
    serve: Serve,
) -> None:
    metrics = Metrics()
    metrics.digest_posted()
    metrics.command_finished("who", "ok", 0.05)
    scrapes = 0

    async def refresh_queue_depth() -> None:
        nonlocal scrapes
        scrapes += 1
        metrics.set_analysis_queue_depth(10 + scrapes)

    async def broken_refresh() -> None:
        raise RuntimeError("database gone")

    server = await serve(
        {"fine": _ok}, metrics=metrics, before_scrape=[broken_refresh, refresh_queue_depth]
    )
    status, content_type, body = await _get(f"{server.url}/metrics")
    assert status == 200 and content_type.startswith("text/plain; version=")
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(body)
        for s in family.samples
    }
    assert samples[("byline_digests_total", (("outcome", "posted"),))] == 1
    assert samples[("byline_commands_total", (("command", "who"), ("outcome", "ok")))] == 1
    assert samples[("byline_analysis_queue_depth", ())] == 11
    assert "# HELP byline_command_duration_seconds" in body


async def test_unknown_paths_are_404(serve: Serve) -> None:
    server = await serve({"fine": _ok})
    status, _, _ = await _get(f"{server.url}/admin")
    assert status == 404


async def test_a_busy_port_is_an_error_naming_it() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = HealthServer(Metrics(), {"fine": _ok}, port=port)
        with pytest.raises(OSError, match=f"cannot listen on 127.0.0.1:{port} for health"):
            await server.start()


async def test_stop_releases_the_port(serve: Serve) -> None:
    server = await serve({"fine": _ok})
    await server.stop()
    with pytest.raises(aiohttp.ClientConnectionError):
        await _get(f"{server.url}/healthz")


@pytest.mark.usefixtures("isolated_env")
def test_health_settings_are_off_and_local_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load_settings()
    assert (settings.health.enabled, settings.health.host, settings.health.port) == (
        False,
        "127.0.0.1",
        8080,
    )
    monkeypatch.setenv("BYLINE_HEALTH__ENABLED", "true")
    monkeypatch.setenv("BYLINE_HEALTH__PORT", "9100")
    settings = load_settings()
    assert settings.health.enabled and settings.health.port == 9100


def test_the_example_config_documents_the_health_and_logging_keys() -> None:
    example = tomllib.loads(
        (Path(__file__).resolve().parents[2] / "config.example.toml").read_text(encoding="utf-8")
    )
    assert set(example["health"]) == set(HealthSettings.model_fields)
    assert example["health"] == HealthSettings().model_dump()
    assert set(example["logging"]) == set(LoggingSettings.model_fields)
    assert example["logging"]["format"] == LoggingSettings().format == "text"


async def test_the_queue_depth_is_read_from_the_store_at_each_scrape(
    serve: Serve, tmp_path: Path
) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'b.db'}")
    metrics = Metrics()
    try:
        await upgrade(db.write_engine)
        async with db.writer() as session:
            for status in ("pending", "pending", "analyzed"):
                await session.execute(
                    text(
                        "INSERT INTO articles (title, raw_text, status, is_global, authors, "
                        "created_at) VALUES ('t', 'b', :s, 1, '[]', CURRENT_TIMESTAMP)"
                    ),
                    {"s": status},
                )
        server = await serve(
            {"fine": _ok}, metrics=metrics, before_scrape=[queue_depth_refresher(db, metrics)]
        )
        _, _, body = await _get(f"{server.url}/metrics")
    finally:
        await db.dispose()
    assert "byline_analysis_queue_depth 2.0" in body.splitlines()
