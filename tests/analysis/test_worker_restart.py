"""An analysis worker process killed: the pool is rebuilt, the article retried, then given up."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

from bot.app import App
from bot.db.models import Article
from bot.domain import ArticleStatus
from bot.settings import Settings

SEED = Path(__file__).resolve().parents[1] / "gold" / "articles" / "00_seed.txt"


async def _app(tmp_path: Path, **analysis: Any) -> App:
    settings = Settings(
        database={"url": f"sqlite+aiosqlite:///{tmp_path / 'byline.db'}"},
        analysis={"workers": 1, **analysis},
    )
    return await App.open(settings, processes=True)


async def _pending(app: App) -> int:
    title, body = SEED.read_text(encoding="utf-8").split("\n", 1)
    async with app.db.writer() as session:
        row = Article(title=title, raw_text=body, status=ArticleStatus.PENDING)
        session.add(row)
        await session.flush()
        return row.id


def _kill_workers(app: App) -> None:
    """SIGKILL every worker process of the analyzer's pool (as the OOM killer would)."""
    pool: Any = app.analyzer._pool  # noqa: SLF001 - the test plays the kernel
    for process in list(pool._processes.values()):  # noqa: SLF001
        os.kill(process.pid, signal.SIGKILL)
        process.join()


async def _row(app: App, article_id: int) -> Article:
    async with app.db.reader() as session:
        row = await session.get(Article, article_id)
        assert row is not None
        return row


async def test_a_killed_worker_is_replaced_and_the_article_analysed_on_retry(
    tmp_path: Path,
) -> None:
    app = await _app(tmp_path)
    async with app:
        article_id = await _pending(app)
        await app.analyzer.start()
        _kill_workers(app)
        outcomes = await app.articles.analyze_pending()
        row = await _row(app, article_id)
        assert [o.status for o in outcomes] == ["failed", "added"]
        assert row.status == ArticleStatus.ANALYZED and row.attempts == 2
        assert b"byline_analysis_worker_restarts_total 1.0" in app.metrics.render()


async def test_after_max_attempts_the_article_is_failed_with_its_reason(tmp_path: Path) -> None:
    app = await _app(tmp_path, max_attempts=1)
    async with app:
        article_id = await _pending(app)
        await app.analyzer.start()
        _kill_workers(app)
        outcomes = await app.articles.analyze_pending()
        row = await _row(app, article_id)
        assert [o.status for o in outcomes] == ["failed"]
        assert row.status == ArticleStatus.FAILED and row.attempts == 1
        assert row.error is not None and row.error.startswith("analysis stopped 1 times")


async def test_a_row_left_analyzing_by_repeated_crashes_is_failed_not_retried(
    tmp_path: Path,
) -> None:
    app = await _app(tmp_path, max_attempts=2)
    async with app:
        article_id = await _pending(app)
        async with app.db.writer() as session:
            row = await session.get(Article, article_id)
            assert row is not None
            # Two workers died on it; the last one's lease is gone (no expiry recorded).
            row.status, row.analysis_attempts, row.attempts = ArticleStatus.ANALYZING, 2, 2
        await app.articles.reset_stale_analyzing()
        assert (await _row(app, article_id)).status == ArticleStatus.PENDING
        assert await app.articles.analyze_pending() == []
        row = await _row(app, article_id)
        assert row.status == ArticleStatus.FAILED and row.attempts == 2
        assert row.error is not None and row.error.endswith("not retried")
