"""A crash between posting a digest and recording it: retried with the same articles and nonces."""

from __future__ import annotations

import contextlib
import platform
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.domain import Digest, GuildConfig
from bot.services.digests import holder_is_dead
from tests.clock import FrozenClock
from tests.store_fixtures import RecordingPoster

GUILD = 4242
CHANNEL = 777
AT_NINE = datetime(2026, 6, 1, 9, 0, 2, tzinfo=UTC)


class Killed(BaseException):
    """Stands in for kill -9: nothing after it runs, no except Exception sees it."""


@dataclass
class CrashingPoster:
    """Posts (records the nonces), then dies before the service can record the slot."""

    nonces: list[str | None] = field(default_factory=list)
    articles: list[list[int]] = field(default_factory=list)

    async def __call__(
        self,
        config: GuildConfig,
        digest: Digest | None,
        note: str | None,
        *,
        nonce_key: str | None = None,
    ) -> int:
        self.nonces.append(nonce_key)
        self.articles.append([i.ref.id for i in digest.items] if digest else [])
        raise Killed


def _dead_pid() -> int:
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(done.stdout)


async def _crash_once(open_app: Any) -> tuple[Any, CrashingPoster]:
    first = await open_app()
    await first.guilds.update(GUILD, channel_id=CHANNEL, schedule="daily 09:00", timezone="UTC")
    # The first process was this host's pid that has since exited.
    first.digests.claimed_by = f"{platform.node()[:60]}:{_dead_pid()}"
    crashing = CrashingPoster()
    assert isinstance(first.clock, FrozenClock)
    first.clock.set(AT_NINE)
    with contextlib.suppress(Killed):
        await first.digests.run_due(GUILD, crashing)
    return first, crashing


async def test_a_post_cut_by_a_crash_is_retried_with_the_same_nonces_and_articles(
    open_app: Any,
) -> None:
    _, crashing = await _crash_once(open_app)
    restarted = await open_app()
    restarted.clock.set(AT_NINE + timedelta(seconds=30))
    poster = RecordingPoster()
    recorded: list[str | None] = []

    async def recording(
        config: GuildConfig,
        digest: Digest | None,
        note: str | None,
        *,
        nonce_key: str | None = None,
    ) -> int:
        recorded.append(nonce_key)
        return await poster(config, digest, note)

    outcomes = await restarted.digests.catch_up(recording)
    assert [o.status for o in outcomes] == ["posted"]
    assert recorded == crashing.nonces
    retried = poster.posts[0][1]
    assert retried is not None
    assert [i.ref.id for i in retried.items] == crashing.articles[0]
    # Recorded now: the next slot the same day posts nothing again.
    again = await restarted.digests.run_due(GUILD, recording)
    assert again.status == "claimed-elsewhere" and len(poster.posts) == 1


async def test_a_crashed_post_found_after_the_nonce_window_is_not_posted_again(
    open_app: Any,
) -> None:
    await _crash_once(open_app)
    restarted = await open_app()
    restarted.clock.set(AT_NINE + timedelta(minutes=30))
    poster = RecordingPoster()
    outcomes = await restarted.digests.recover(await restarted.guilds.config(GUILD), poster)
    assert [o.status for o in outcomes] == ["failed"]
    assert poster.posts == []
    # Its articles count as posted: the next day's digest does not repeat them.
    restarted.clock.set(AT_NINE + timedelta(days=1))
    nxt = await restarted.digests.run_due(GUILD, poster)
    assert nxt.status in ("nothing", "posted") and nxt.articles == 0


def test_a_claim_of_a_live_process_is_not_dead() -> None:
    import os

    assert not holder_is_dead(f"{platform.node()[:60]}:{os.getppid()}")
    assert not holder_is_dead("another-host:1")
