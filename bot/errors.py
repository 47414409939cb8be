"""Domain errors that carry a message safe to show to a user."""

from __future__ import annotations


class BylineError(Exception):
    """Base for errors whose message can be shown to a user as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class AnalysisInterrupted(BylineError):
    """The analysis process died during an analysis; the article may be retried."""


class DatabaseBusy(BylineError):
    """Another connection held the database's write lock longer than this write could wait."""


class InvalidInput(BylineError):
    """The user gave something we cannot use."""


class NotFound(BylineError):
    """The thing asked for does not exist (or is not visible to this server)."""


class NotConfigured(BylineError):
    """A setting the operation needs has not been made."""


class ConfigError(BylineError):
    """The configuration file or environment holds a wrong key or value."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        # Every problem found (the message names the first): the doctor lists them all.
        self.problems = problems or [message]


class ModelMissing(BylineError):
    """The spaCy model package is not installed."""


class SourceUnavailable(BylineError):
    """A feed or page could not be fetched or gave no article."""


class FetchRefused(SourceUnavailable):
    """The guarded fetcher refused an address or a response."""


class PostProblem(BylineError):
    """A digest cannot be posted for a reason an admin must fix (permissions, channel)."""


class DeliveryRefused(PostProblem):
    """Discord refused an alert; permanent means retrying cannot help (closed DMs, no channel)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
