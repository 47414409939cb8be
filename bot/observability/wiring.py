"""Count what the services do as metrics: digests, articles, source polls (main process only)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.domain import IngestOutcome, IngestStatus, PollOutcome, PollStatus, SlotOutcome, SlotStatus
from bot.observability.metrics import Metrics

if TYPE_CHECKING:
    from bot.analysis.worker import Analyzer
    from bot.services.articles import ArticleService
    from bot.services.digests import DigestService
    from bot.services.sources import SourceService

# Our poll statuses in the metric's closed set of outcomes.
POLL_OUTCOME = {
    PollStatus.OK: "new",
    PollStatus.NOT_MODIFIED: "unchanged",
    PollStatus.FAILED: "failed",
    PollStatus.DISABLED: "disabled",
}


def count_digest(metrics: Metrics, outcome: SlotOutcome) -> None:
    """One digest slot: posted (or the "nothing new" line), skipped past grace, or failed."""
    if outcome.status in (SlotStatus.POSTED, SlotStatus.NOTHING):
        if outcome.status is SlotStatus.POSTED or outcome.messages:
            metrics.digest_posted()
        else:
            metrics.digest_skipped()
    elif outcome.status is SlotStatus.SKIPPED:
        metrics.digest_skipped()
    elif outcome.status in (SlotStatus.PROBLEM, SlotStatus.FAILED):
        metrics.digest_failed()


def count_ingest(metrics: Metrics, outcome: IngestOutcome) -> None:
    """One article stored (ingested) or refused (failed)."""
    if outcome.status is IngestStatus.FAILED:
        metrics.articles_failed()
    elif outcome.status in (IngestStatus.ADDED, IngestStatus.UPDATED):
        metrics.articles_ingested()


def count_analysis(metrics: Metrics, outcome: IngestOutcome) -> None:
    """One pending article analysed, or failed."""
    if outcome.status is IngestStatus.FAILED:
        metrics.articles_failed()
    else:
        metrics.articles_analysed()


def count_poll(metrics: Metrics, outcome: PollOutcome) -> None:
    """One source poll by outcome (a skipped overlapping poll is not a poll)."""
    label = POLL_OUTCOME.get(outcome.status)
    if label is not None:
        metrics.source_polled(label)


def observe(
    metrics: Metrics,
    *,
    digests: DigestService,
    articles: ArticleService,
    sources: SourceService,
    analyzer: Analyzer,
) -> None:
    """Hook the metrics into the App's services (once per App, in the process that runs them)."""
    digests.outcome_listeners.append(lambda o: count_digest(metrics, o))
    articles.ingest_listeners.append(lambda o: count_ingest(metrics, o))
    articles.analysis_listeners.append(lambda o: count_analysis(metrics, o))
    sources.poller.listeners.append(lambda o: count_poll(metrics, o))
    analyzer.on_restart = metrics.worker_restarted
