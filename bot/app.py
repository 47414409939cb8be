"""The composition root: settings, database, analyzer, fetcher, clock and the services over them.

Built once in main() (the CLI's and the bot's) and closed in one place; nothing else in Byline
holds process-wide state. Tests build their own App, with their own clock.
"""

from __future__ import annotations

from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url

from bot.clock import Clock, SystemClock
from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.errors import BylineError
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.analysis.worker import Analyzer
    from bot.ingest.fetchers import FetcherHandle
    from bot.observability.metrics import Metrics
    from bot.services.articles import ArticleService
    from bot.services.charts import ChartService
    from bot.services.digests import DigestService
    from bot.services.events import EventService
    from bot.services.filters import FilterService
    from bot.services.follows import FollowService
    from bot.services.guilds import GuildService
    from bot.services.people import PeopleService
    from bot.services.posting import PostSettingsService
    from bot.services.sources import SourceService
    from bot.services.stories import StoryService


class App:
    """Everything a command, a cog or a job needs, created once per process.

    The analyzer, the fetcher and each service are built (and their modules imported) on
    first use, so a command that only reads the store starts without the NLP pipeline, the
    HTTP stack or the services it does not call.
    """

    def __init__(
        self,
        settings: Settings,
        db: Database,
        analyzer: Analyzer | None = None,
        clock: Clock | None = None,
        *,
        processes: bool = True,
    ) -> None:
        self.settings = settings
        self.db = db
        self.clock: Clock = clock or SystemClock()
        self._processes = processes
        if analyzer is not None:
            self.analyzer = analyzer

    @cached_property
    def metrics(self) -> Metrics:
        """This process's metrics (the bot serves them at /metrics; the CLI never does)."""
        from bot.observability.metrics import Metrics

        return Metrics()

    @cached_property
    def people(self) -> PeopleService:
        """People: lookup, cards, quotes and timelines."""
        from bot.services.people import PeopleService

        return PeopleService(self.db)

    @cached_property
    def events(self) -> EventService:
        """Events across articles."""
        from bot.services.events import EventService

        return EventService(self.db)

    @cached_property
    def guilds(self) -> GuildService:
        """Per-server configuration and status."""
        from bot.services.guilds import GuildService

        return GuildService(self.settings, self.db, self.clock)

    @cached_property
    def digests(self) -> DigestService:
        """Building and posting digests exactly once per slot."""
        from bot.observability.wiring import count_digest
        from bot.services.digests import DigestService

        service = DigestService(self.settings, self.db, self.guilds, self.clock, self.filters)
        service.outcome_listeners.append(lambda o: count_digest(self.metrics, o))
        return service

    @cached_property
    def analyzer(self) -> Analyzer:
        """The analyzer (its worker pool starts on the first article)."""
        from bot.analysis.worker import Analyzer

        analysis = self.settings.analysis
        analyzer = Analyzer(
            analysis.model,
            workers=analysis.workers,
            timeout_s=analysis.timeout_s,
            max_chars=analysis.max_chars,
            processes=self._processes,
        )
        analyzer.on_restart = self.metrics.worker_restarted
        return analyzer

    @cached_property
    def fetchers(self) -> FetcherHandle:
        """The one guarded fetcher, opened on first use."""
        from bot.ingest.fetchers import FetcherHandle

        return FetcherHandle(self.settings.fetch)

    @cached_property
    def articles(self) -> ArticleService:
        """Ingest, search and read articles."""
        from bot.observability.wiring import count_analysis, count_ingest
        from bot.services.articles import ArticleService

        service = ArticleService(self.settings, self.db, self.analyzer, self.fetchers)
        service.ingest_listeners.append(lambda o: count_ingest(self.metrics, o))
        service.analysis_listeners.append(lambda o: count_analysis(self.metrics, o))
        return service

    @cached_property
    def sources(self) -> SourceService:
        """Feeds and pages polled for articles."""
        from bot.observability.wiring import count_poll
        from bot.services.sources import SourceService

        service = SourceService(self.settings, self.db, self.articles, self.fetchers, self.clock)
        service.poller.listeners.append(lambda o: count_poll(self.metrics, o))
        return service

    @cached_property
    def filters(self) -> FilterService:
        """What each server's digests and alerts leave out."""
        from bot.services.filters import FilterService

        return FilterService(self.db, self.people, self.clock)

    @cached_property
    def follows(self) -> FollowService:
        """People a server or a member follows, and their alerts."""
        from bot.services.follows import FollowService

        return FollowService(self.db, self.people, self.guilds, self.filters, self.clock)

    @cached_property
    def posting(self) -> PostSettingsService:
        """How and where a server's posts go (style, role ping, threads)."""
        from bot.services.posting import PostSettingsService

        return PostSettingsService(self.db)

    @cached_property
    def charts(self) -> ChartService:
        """Pictures of a person's mentions and events."""
        from bot.services.charts import ChartService

        return ChartService(self.db, self.people)

    @cached_property
    def stories(self) -> StoryService:
        """Copies and coverage of one story across sources."""
        from bot.services.stories import StoryService

        return StoryService(self.db, self.clock)

    @classmethod
    async def open(
        cls,
        settings: Settings,
        *,
        migrate: bool = True,
        processes: bool = True,
        clock: Clock | None = None,
    ) -> App:
        """Connect to the store, running migrations unless it is at the newest revision."""
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
        return cls(settings, db, clock=clock, processes=processes)

    async def close(self) -> None:
        """Close the fetcher, the worker pool and the database, in that order."""
        # Only what was used was built; closing must not build the rest.
        if "fetchers" in self.__dict__:
            await self.fetchers.close()
        if "analyzer" in self.__dict__:
            await self.analyzer.close()
        await self.db.dispose()

    async def __aenter__(self) -> App:
        return self

    async def __aexit__(
        self,
        _exc_type: type[BaseException] | None,
        _exc: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        await self.close()
