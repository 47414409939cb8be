"""Metrics: each method moves its series, in a registry of its own, in Prometheus text."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest
from aiohttp import web
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from bot.observability.metrics import EventLoopLagMonitor, Metrics, http_trace_config


def _samples(metrics: Metrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = metrics.render().decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def _value(metrics: Metrics, name: str, **labels: str) -> float:
    return _samples(metrics)[(name, tuple(sorted(labels.items())))]


def test_every_documented_series_is_exported_from_the_first_scrape() -> None:
    names = {name for name, _ in _samples(Metrics())}
    for expected in (
        "byline_digests_total",
        "byline_messages_sent_total",
        "byline_rate_limited_responses_total",
        "byline_articles_ingested_total",
        "byline_articles_analysed_total",
        "byline_articles_failed_total",
        "byline_analysis_queue_depth",
        "byline_analysis_worker_restarts_total",
        "byline_source_polls_total",
        "byline_event_loop_lag_seconds",
        "byline_event_loop_lag_max_seconds",
    ):
        assert expected in names
    assert _value(Metrics(), "byline_digests_total", outcome="failed") == 0


def test_each_method_moves_its_own_series() -> None:
    m = Metrics()
    m.command_finished("digest now", "ok", 0.3)
    m.command_finished("digest now", "user_error", 0.02)
    m.command_finished("who", "ok", 0.04)
    m.digest_posted()
    m.digest_posted()
    m.digest_skipped()
    m.digest_failed()
    m.messages_sent(3)
    m.rate_limited()
    m.rate_limited("fetch")
    m.articles_ingested(4)
    m.articles_analysed(3)
    m.articles_failed()
    m.set_analysis_queue_depth(7)
    m.worker_restarted()
    m.source_polled("new")
    m.source_polled("failed")
    m.source_polled("failed")
    m.event_loop_lag(0.004)

    assert _value(m, "byline_commands_total", command="digest now", outcome="ok") == 1
    assert _value(m, "byline_commands_total", command="digest now", outcome="user_error") == 1
    assert _value(m, "byline_command_duration_seconds_count", command="digest now") == 2
    assert _value(m, "byline_command_duration_seconds_bucket", command="digest now", le="0.25") == 1
    assert _value(m, "byline_command_duration_seconds_sum", command="who") == pytest.approx(0.04)
    assert _value(m, "byline_digests_total", outcome="posted") == 2
    assert _value(m, "byline_digests_total", outcome="skipped") == 1
    assert _value(m, "byline_digests_total", outcome="failed") == 1
    assert _value(m, "byline_messages_sent_total") == 3
    assert _value(m, "byline_rate_limited_responses_total", service="discord") == 1
    assert _value(m, "byline_rate_limited_responses_total", service="fetch") == 1
    assert _value(m, "byline_articles_ingested_total") == 4
    assert _value(m, "byline_articles_analysed_total") == 3
    assert _value(m, "byline_articles_failed_total") == 1
    assert _value(m, "byline_analysis_queue_depth") == 7
    assert _value(m, "byline_analysis_worker_restarts_total") == 1
    assert _value(m, "byline_source_polls_total", outcome="new") == 1
    assert _value(m, "byline_source_polls_total", outcome="failed") == 2
    assert _value(m, "byline_source_polls_total", outcome="unchanged") == 0
    assert _value(m, "byline_event_loop_lag_seconds") == pytest.approx(0.004)


def test_time_command_counts_an_escaping_exception_as_error() -> None:
    m = Metrics()
    with m.time_command("article add") as timing:
        time.sleep(0.01)
        timing.outcome = "cooldown"
    with pytest.raises(RuntimeError), m.time_command("article add"):
        raise RuntimeError("boom")
    assert _value(m, "byline_commands_total", command="article add", outcome="cooldown") == 1
    assert _value(m, "byline_commands_total", command="article add", outcome="error") == 1
    assert _value(m, "byline_command_duration_seconds_sum", command="article add") >= 0.01


def test_unknown_outcomes_are_refused_so_series_stay_bounded() -> None:
    m = Metrics()
    with pytest.raises(ValueError, match="unknown label value 'oops'"):
        m.command_finished("who", "oops", 0.1)
    with pytest.raises(ValueError, match="use one of new, unchanged, failed, disabled"):
        m.source_polled("timeout")


def test_two_instances_do_not_share_series_or_touch_the_global_registry() -> None:
    a, b = Metrics(), Metrics()
    a.digest_posted()
    assert _value(a, "byline_digests_total", outcome="posted") == 1
    assert _value(b, "byline_digests_total", outcome="posted") == 0
    assert REGISTRY.get_sample_value("byline_digests_total", {"outcome": "posted"}) is None


def test_the_max_lag_keeps_the_worst_measurement() -> None:
    m = Metrics()
    m.event_loop_lag(0.2)
    m.event_loop_lag(0.01)
    m.event_loop_lag(-0.001)  # a clock that woke early is no lag
    assert _value(m, "byline_event_loop_lag_seconds") == 0
    assert _value(m, "byline_event_loop_lag_max_seconds") == pytest.approx(0.2)


async def test_the_lag_monitor_sees_a_blocked_loop() -> None:
    m = Metrics()
    monitor = EventLoopLagMonitor(m, interval_s=0.01)
    monitor.start()
    try:
        await asyncio.sleep(0.03)
        time.sleep(0.15)  # noqa: ASYNC251 - blocking the loop on purpose
        await asyncio.sleep(0.03)
    finally:
        await monitor.stop()
    assert _value(m, "byline_event_loop_lag_max_seconds") >= 0.1


async def test_the_http_trace_counts_429s_and_posted_messages_from_the_wire() -> None:
    async def limited(_request: web.Request) -> web.Response:
        return web.json_response({"retry_after": 0.1}, status=429)

    async def post_message(_request: web.Request) -> web.Response:
        return web.json_response({"id": "1"})

    app = web.Application()
    app.router.add_get("/api/v10/gateway", limited)
    app.router.add_post("/api/v10/channels/{channel}/messages", post_message)
    app.router.add_get("/api/v10/channels/{channel}/messages", post_message)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}/api/v10"
    m = Metrics()
    try:
        trace = http_trace_config(m, "discord")
        async with aiohttp.ClientSession(trace_configs=[trace]) as session:
            for _ in range(2):
                async with session.get(f"{base}/gateway"):
                    pass
            async with session.post(f"{base}/channels/42/messages", json={"content": "x"}):
                pass
            async with session.get(f"{base}/channels/42/messages"):  # reading is not sending
                pass
        fetch = http_trace_config(m, "fetch")
        async with aiohttp.ClientSession(trace_configs=[fetch]) as session:
            async with session.get(f"{base}/gateway"):
                pass
            async with session.post(f"{base}/channels/42/messages", json={}):
                pass
    finally:
        await runner.cleanup()
    assert _value(m, "byline_rate_limited_responses_total", service="discord") == 2
    assert _value(m, "byline_rate_limited_responses_total", service="fetch") == 1
    assert _value(m, "byline_messages_sent_total") == 1
    with pytest.raises(ValueError):
        http_trace_config(m, "smtp")
