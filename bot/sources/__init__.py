"""Feeds and pages: adding sources, polling them and ingesting article URLs."""

from __future__ import annotations

from bot.sources.fetching import aclose, close_fetcher
from bot.sources.service import (
    add_source,
    ingest_url,
    list_sources,
    poll_due,
    poll_source,
    remove_source,
)
from bot.sources.types import PollOutcome, SourceView

__all__ = [
    "PollOutcome",
    "SourceView",
    "aclose",
    "add_source",
    "close_fetcher",
    "ingest_url",
    "list_sources",
    "poll_due",
    "poll_source",
    "remove_source",
]
