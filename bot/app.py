"""The composition root: settings, database, analyzer, fetcher, clock and the services over them.

Built once in main() (the CLI's and the bot's) and closed in one place; nothing else in Byline
holds process-wide state. Tests build their own App, with their own clock.
"""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.engine import make_url

from bot.analysis.worker import Analyzer
from bot.clock import Clock, SystemClock
from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.errors import BylineError
from bot.ingest.fetchers import FetcherHandle
from bot.observability.metrics import Metrics
from bot.observability.wiring import observe
from bot.services.articles import ArticleService
from bot.services.digests import DigestService
from bot.services.events import EventService
from bot.services.guilds import GuildService
from bot.services.people import PeopleService
from bot.services.sources import SourceService
from bot.settings import Settings


class App:
    """Everything a command, a cog or a job needs, created once per process."""

    def __init__(
        self, settings: Settings, db: Database, analyzer: Analyzer, clock: Clock | None = None
    ) -> None:
        self.settings = settings
        self.db = db
        self.analyzer = analyzer
        self.clock: Clock = clock or SystemClock()
        self.fetchers = FetcherHandle(settings.fetch)
        self.articles = ArticleService(settings, db, analyzer, self.fetchers)
        self.people = PeopleService(db)
        self.events = EventService(db)
        self.guilds = GuildService(settings, db, self.clock)
        self.digests = DigestService(settings, db, self.guilds, self.clock)
        self.sources = SourceService(settings, db, self.articles, self.fetchers, self.clock)
        # One registry per process; the bot serves it at /metrics (the CLI never does).
        self.metrics = Metrics()
        observe(
            self.metrics,
            digests=self.digests,
            articles=self.articles,
            sources=self.sources,
            analyzer=analyzer,
        )

    @classmethod
    async def open(
        cls,
        settings: Settings,
        *,
        migrate: bool = True,
        processes: bool = True,
        clock: Clock | None = None,
    ) -> App:
        """Connect to the store (running migrations) and prepare the analyzer."""
        db = Database(
            settings.database.url,
            busy_timeout_ms=settings.database.busy_timeout_ms,
            echo=settings.database.echo,
        )
        try:
            if migrate:
                await upgrade(db.write_engine)
        except Exception as exc:
            await db.dispose()
            first_line = str(exc).splitlines()[0][:200] if str(exc) else ""
            # The URL's password must not reach a terminal or a log.
            shown = make_url(settings.database.url).render_as_string(hide_password=True)
            raise BylineError(
                f"cannot open the database at {shown}: {type(exc).__name__}: {first_line}"
            ) from exc
        analyzer = Analyzer(
            settings.analysis.model,
            workers=settings.analysis.workers,
            timeout_s=settings.analysis.timeout_s,
            max_chars=settings.analysis.max_chars,
            processes=processes,
        )
        return cls(settings, db, analyzer, clock)

    async def close(self) -> None:
        """Close the fetcher, the worker pool and the database, in that order."""
        await self.fetchers.close()
        await self.analyzer.close()
        await self.db.dispose()

    async def __aenter__(self) -> App:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
